"""Go's ``time.Duration`` as text: the query service's timeouts and metrics.

>>> go_duration(parse_go_duration("1m30s"))
'1m30s'
"""

from __future__ import annotations

import re
from fractions import Fraction

_UNITS_NS = {"ns": 1, "us": 1_000, "µs": 1_000, "μs": 1_000, "ms": 1_000_000,
             "s": 1_000_000_000, "m": 60_000_000_000, "h": 3_600_000_000_000}
_DURATION_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)")


def _fraction(value: int, unit: int) -> str:
    whole, frac = divmod(value, unit)
    if not frac:
        return str(whole)
    digits = str(frac).rjust(len(str(unit)) - 1, "0").rstrip("0")
    return f"{whole}.{digits}"


def go_duration(seconds: float) -> str:
    """``seconds`` as Go prints a ``time.Duration``.

    >>> [go_duration(x) for x in (0, 0.0000005, 0.0012345, 1.5, 62.25, 3600)]
    ['0s', '500ns', '1.2345ms', '1.5s', '1m2.25s', '1h0m0s']
    """
    return go_duration_ns(int(round(seconds * 1e9)))


def go_duration_ns(ns: int) -> str:
    """``ns`` nanoseconds as Go prints a ``time.Duration`` (DURATION_TO_STR)."""
    sign = "-" if ns < 0 else ""
    ns = abs(ns)
    if ns == 0:
        return "0s"
    if ns < 1_000:
        return f"{sign}{ns}ns"
    if ns < 1_000_000:
        return f"{sign}{_fraction(ns, 1_000)}µs"
    if ns < 1_000_000_000:
        return f"{sign}{_fraction(ns, 1_000_000)}ms"
    hours, rest = divmod(ns, 3_600_000_000_000)
    minutes, rest = divmod(rest, 60_000_000_000)
    out = sign
    if hours:
        out += f"{hours}h"
    if hours or minutes:
        out += f"{minutes}m"
    return out + f"{_fraction(rest, 1_000_000_000)}s"


def parse_go_duration(text: str) -> float:
    """Seconds in a Go duration string (``"75000ms"``, ``"1m30s"``); ``ValueError``."""
    return parse_go_duration_ns(text) / 1e9


def parse_go_duration_ns(text: str) -> int:
    """Whole nanoseconds in a Go duration string (STR_TO_DURATION); ``ValueError``.

    >>> parse_go_duration_ns("1h1.5ms"), parse_go_duration_ns("-2us")
    (3600001500000, -2000)
    """
    s = text.strip()
    sign = 1
    if s[:1] in ("+", "-") and s:
        sign = -1 if s[0] == "-" else 1
        s = s[1:]
    if s == "0":
        return 0
    pos = 0
    total = Fraction(0)
    for m in _DURATION_PART.finditer(s):
        if m.start() != pos:
            break
        total += Fraction(m.group(1)) * _UNITS_NS[m.group(2)]
        pos = m.end()
    if not s or pos != len(s):
        raise ValueError(f"invalid duration {text!r}")
    return sign * int(total)
