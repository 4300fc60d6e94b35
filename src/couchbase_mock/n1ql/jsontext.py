"""JSON text as the query service writes it.

The service is written in Go, and its numbers read as Go's ``encoding/json``
writes a float64: the shortest text that reads back as the same number, in
plain notation from 1e-6 up to (not including) 1e21 and in exponent notation
outside that range, with no ``.0`` on whole numbers (``3``, ``1e+21``,
``1e-7``, ``0.30000000000000004``, ``100000000000000000000``). NaN and the
infinities are not JSON numbers: the service writes them as the strings
``"NaN"``, ``"+Infinity"`` and ``"-Infinity"`` (condfunnum.adoc, NANIF and
POSINFIF examples).

Python's own ``repr`` differs for whole floats (``3.0``), for magnitudes
below 1e-4 or from 1e16, and in the exponent's padding (``1e-07``):
:func:`dumps` takes the fast C encoder when a value holds no such float.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal
from typing import Any, Callable, Optional

__all__ = ["dumps", "float_text", "number_text"]


def float_text(x: float) -> str:
    """``x`` as the service prints it (NaN and infinities by name, unquoted)."""
    if x != x:
        return "NaN"
    if x == math.inf:
        return "+Infinity"
    if x == -math.inf:
        return "-Infinity"
    text = repr(x)
    size = abs(x)
    if size != 0 and (size < 1e-6 or size >= 1e21):
        mantissa, _, exponent = text.partition("e")
        sign, digits = exponent[0], exponent[1:].lstrip("0") or "0"
        if sign == "+" and len(digits) < 2:
            digits = digits.rjust(2, "0")
        return f"{mantissa}e{sign}{digits}"
    if "e" in text:
        text = format(Decimal(text), "f")
    if text.endswith(".0"):
        text = text[:-2]
    return text


def number_text(x: Any) -> str:
    """An int or float as the service prints it."""
    return float_text(x) if type(x) is float else str(int(x))


def _plain(x: float) -> bool:
    """Python's ``repr`` of ``x`` is already the service's text."""
    size = abs(x)
    return 1e-4 <= size < 1e16 and not x.is_integer()


def _needs_care(v: Any) -> bool:
    t = type(v)
    if t is float:
        return not _plain(v)
    if t is dict:
        return any(_needs_care(x) for x in v.values())
    if t is list:
        return any(_needs_care(x) for x in v)
    return False


def dumps(value: Any, sort_keys: bool = False,
          default: Optional[Callable[[Any], Any]] = None) -> str:
    """Compact JSON text of ``value`` (non-ASCII characters as they are)."""
    if not _needs_care(value):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False,
                          sort_keys=sort_keys, default=default)
    parts: list[str] = []
    _write(value, parts, sort_keys, default)
    return "".join(parts)


def _write(v: Any, out: list, sort_keys: bool, default: Optional[Callable[[Any], Any]]) -> None:
    t = type(v)
    if t is float:
        text = float_text(v)
        out.append(text if text[-1].isdigit() else f'"{text}"')
    elif t is dict:
        out.append("{")
        keys = sorted(v) if sort_keys else list(v)
        for i, k in enumerate(keys):
            if i:
                out.append(",")
            out.append(json.dumps(k, ensure_ascii=False))
            out.append(":")
            _write(v[k], out, sort_keys, default)
        out.append("}")
    elif t is list:
        out.append("[")
        for i, x in enumerate(v):
            if i:
                out.append(",")
            _write(x, out, sort_keys, default)
        out.append("]")
    elif v is None or t in (str, bool, int):
        out.append(json.dumps(v, ensure_ascii=False))
    elif default is not None:
        _write(default(v), out, sort_keys, default)
    else:
        raise TypeError(f"{t.__name__} is not JSON")
