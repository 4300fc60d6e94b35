"""What every 4.x differential script shares; runs under either SDK (imports 4.x names only).

A script is run as ``python SCRIPT CONNSTR USERNAME PASSWORD PREFIX``, once with
the OFFICIAL SDK 4.x and once with this package, against one local cluster.
It prints one JSON line per step, ``[step, outcome]``: the values read (made
comparable: CAS values as labels in order of first appearance, enums by name,
durations in seconds), ``{"raised": "<exception class name>"}``, or
``{"skipped": "<reason>"}`` for a step the official SDK cannot do against the
local cluster (the test names each such step and its reason). PREFIX keeps the
two runs' keys apart.
"""

import json
import sys
from datetime import timedelta


def plain(value):
    """``value`` as JSON can say it, the same for either SDK."""
    if isinstance(value, timedelta):
        return value.total_seconds()
    if hasattr(value, "name") and hasattr(value, "value") and type(value).__module__ != "builtins":
        return value.name  # an Enum
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((plain(v) for v in value), key=json.dumps)
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if hasattr(value, "value") and hasattr(value, "__int__") and not isinstance(value, int):
        return int(value)  # the official SDK's UnsignedInt64 (ours: an int with .value)
    if isinstance(value, bytes):
        return {"bytes": value.decode("latin-1")}
    return value


class Run:
    """One run of a script: its arguments, its CAS labels and its output."""

    def __init__(self, argv=None):
        argv = sys.argv[1:] if argv is None else argv
        self.connstr, self.username, self.password, self.prefix = argv[:4]
        self._cas = {}

    def key(self, name):
        return f"{self.prefix}{name}"

    def cas(self, value):
        """A label for a CAS: ``cas0``, ``cas1``... by first appearance (0 stays 0)."""
        if not value:
            return value
        return self._cas.setdefault(value, f"cas{len(self._cas)}")

    def emit(self, name, outcome):
        print(json.dumps([name, outcome], sort_keys=True, default=repr), flush=True)

    def step(self, name, call, read=lambda result: result):
        """Run ``call``; print what ``read`` makes of its result, or the exception's class."""
        try:
            outcome = plain(read(call()))
        except Exception as exc:  # noqa: BLE001 - the class name is what the SDKs must agree on
            outcome = {"raised": type(exc).__name__}
        self.emit(name, outcome)

    def skip(self, name, reason):
        self.emit(name, {"skipped": reason})
