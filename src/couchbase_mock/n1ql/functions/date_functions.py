"""The date functions of the N1QL reference (datefun.adoc), one registration each.

``*_MILLIS`` functions take epoch milliseconds read in the server's time zone
(UTC here, :data:`couchbase_mock.n1ql.dates.LOCAL`); ``*_STR`` functions take a
date string in one of the documented ISO-8601 forms, and a string result has the
same shape as the input (date, time, fraction, zone) unless a format is given.
Wrong input gives NULL, never an error; the NOW_* functions read the statement's
time (the evaluator passes it first), CLOCK_* the time of the call. Not in the
page but served by the query service: DATE_DIFF_ABS_* and ``calendar_month``.
"""

from __future__ import annotations

import functools
import time
from typing import Any, Callable, Optional

from .. import dates as D
from ..durations import go_duration_ns, parse_go_duration_ns
from ..limits import MAX_ARRAY_LENGTH, check_array_length
from . import num, register, request_of
from .date_formats import (
    compile_format,
    format_when,
    output_format,
    parse_with,
    shape_tokens,
)

WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]


def _whole(v: Any) -> Optional[int]:
    """``v`` as an int if it is a whole number (the "integer" arguments), else None."""
    if type(v) is int:
        return v
    if type(v) is float and v.is_integer():
        return int(v)
    return None


def _millis(v: Any, tz: Optional[Any] = None) -> Optional[D.When]:
    if type(v) not in (int, float) or v != v or v in (float("inf"), float("-inf")):
        return None
    return D.from_millis(v, tz)


def _str_in(s: Any, fmt: Any = None) -> Optional[D.When]:
    """A date string: the ISO forms, or read with input format ``fmt``."""
    if fmt is None:
        found = D.parse_iso(s)
        return found[0] if found is not None else None
    tokens = compile_format(fmt) if type(fmt) is str else None
    return parse_with(s, tokens) if tokens is not None else None


def _clock() -> int:
    return time.time_ns()


# -- CLOCK_* and NOW_* ------------------------------------------------------------

def _now_in(ns: int, tz: Any, fmt: Any) -> Any:
    return format_when(D.When(ns, tz), output_format(fmt))


@register("CLOCK_MILLIS", strict=())
def clock_millis() -> Any:
    return round(_clock() / 1e6, 3)


@register("CLOCK_STR", "CLOCK_LOCAL", strict=("s",))
def clock_str(fmt: Any = None) -> Any:
    return _now_in(_clock(), D.LOCAL, fmt)


@register("CLOCK_UTC", strict=("s",))
def clock_utc(fmt: Any = None) -> Any:
    return _now_in(_clock(), D.UTC, fmt)


@register("CLOCK_TZ", strict=("s", "s"))
def clock_tz(tz: str, fmt: Any = None) -> Any:
    found = D.zone(tz)
    return _now_in(_clock(), found, fmt) if found is not None else None


def _statement_time(name: str, strict: tuple, fn: Callable) -> None:
    """Register NOW_* ``fn(now_seconds, *args)`` as a contextual function: every
    row of a request reads the statement's time (arguments checked as ``strict``)."""

    def at_statement_time(env: dict, *args: Any) -> Any:
        return fn(request_of(env).now, *args)

    functools.update_wrapper(at_statement_time, fn)  # (its signature gives the arity)
    register(name, strict=strict, context=True)(at_statement_time)


def _now_ns(now: float) -> int:
    """The statement time (float seconds) in nanoseconds, to the microsecond a double holds."""
    return int(round(now * 1e6)) * 1000


def now_millis(now: float) -> Any:
    return num(now * 1000)


def now_str(now: float, fmt: Any = None) -> Any:
    return _now_in(_now_ns(now), D.LOCAL, fmt)


def now_utc(now: float, fmt: Any = None) -> Any:
    return _now_in(_now_ns(now), D.UTC, fmt)


def now_tz(now: float, tz: str, fmt: Any = None) -> Any:
    found = D.zone(tz)
    return _now_in(_now_ns(now), found, fmt) if found is not None else None


_statement_time("NOW_MILLIS", ("n",), now_millis)
_statement_time("NOW_STR", ("s",), now_str)
_statement_time("NOW_LOCAL", ("s",), now_str)
_statement_time("NOW_UTC", ("s",), now_utc)
_statement_time("NOW_TZ", ("s", "s"), now_tz)


# -- conversions ------------------------------------------------------------------

@register("STR_TO_MILLIS", strict=("s", "s"))
def str_to_millis(s: str, fmt: Any = None) -> Any:
    w = _str_in(s, fmt)
    return w.millis if w is not None else None


@register("MILLIS", "DATE_TO_MILLIS", strict=("s",))
def millis(s: str) -> Any:
    return str_to_millis(s)


@register("MILLIS_TO_STR", "MILLIS_TO_LOCAL", strict=("n", "s"))
def millis_to_str(ms: Any, fmt: Any = None) -> Any:
    w = _millis(ms)
    return format_when(w, output_format(fmt)) if w is not None else None


@register("MILLIS_TO_UTC", strict=("n", "s"))
def millis_to_utc(ms: Any, fmt: Any = None) -> Any:
    w = _millis(ms, D.UTC)
    return format_when(w, output_format(fmt)) if w is not None else None


@register("MILLIS_TO_TZ", "MILLIS_TO_ZONE_NAME", strict=("n", "s", "s"))
def millis_to_tz(ms: Any, tz: str, fmt: Any = None) -> Any:
    found = D.zone(tz)
    w = _millis(ms, found) if found is not None else None
    return format_when(w, output_format(fmt)) if w is not None else None


def _convert(s: str, tz: Any, a: Any, b: Any) -> Any:
    """STR_TO_UTC/STR_TO_TZ: ``(s)`` keeps the input's shape, ``(s, fmt)`` prints
    with fmt, ``(s, input_fmt, fmt)`` also reads s with input_fmt."""
    if tz is None:
        return None
    if b is not None:
        w = _str_in(s, a)
        return format_when(D.When(w.ns, tz), output_format(b)) if w is not None else None
    found = D.parse_iso(s)
    if found is None:
        return None
    w, shape = found
    out = output_format(a) if a is not None else shape_tokens(shape)
    return format_when(D.When(w.ns, tz), out)


@register("STR_TO_UTC", strict=("s", "s", "s"))
def str_to_utc(s: str, a: Any = None, b: Any = None) -> Any:
    return _convert(s, D.UTC, a, b)


@register("STR_TO_TZ", "STR_TO_ZONE_NAME", strict=("s", "s", "s", "s"))
def str_to_tz(s: str, tz: str, a: Any = None, b: Any = None) -> Any:
    return _convert(s, D.zone(tz), a, b)


@register("DATE_FORMAT_STR", strict=("s", "s", "s"))
def date_format_str(s: str, a: str, b: Any = None) -> Any:
    w = _str_in(s, a if b is not None else None)
    return format_when(w, output_format(b if b is not None else a)) if w is not None else None


@register("DURATION_TO_STR", strict=("n",))
def duration_to_str(ns: Any) -> Any:
    if ns != ns or ns in (float("inf"), float("-inf")):
        return None
    return go_duration_ns(int(ns))


@register("STR_TO_DURATION", strict=("s",))
def str_to_duration(s: str) -> Any:
    try:
        return parse_go_duration_ns(s)
    except ValueError:
        return None


@register("WEEKDAY_MILLIS", strict=("n", "s"))
def weekday_millis(ms: Any, tz: Any = None) -> Any:
    found = D.zone(tz) if tz is not None else D.LOCAL
    w = _millis(ms, found) if found is not None else None
    return WEEKDAYS[w.fields().wday] if w is not None else None


@register("WEEKDAY_STR", strict=("s",))
def weekday_str(s: str) -> Any:
    w = _str_in(s)
    return WEEKDAYS[w.fields().wday] if w is not None else None


# -- parts and arithmetic ---------------------------------------------------------

@register("DATE_PART_MILLIS", strict=("n", "s", "s"))
def date_part_millis(ms: Any, part: str, tz: Any = None) -> Any:
    found = D.zone(tz) if tz is not None else D.LOCAL
    w = _millis(ms, found) if found is not None else None
    return D.part_of(w, part) if w is not None else None


@register("DATE_PART_STR", strict=("s", "s"))
def date_part_str(s: str, part: str) -> Any:
    w = _str_in(s)
    return D.part_of(w, part) if w is not None else None


@register("DATE_ADD_MILLIS", strict=("n", "n", "s"))
def date_add_millis(ms: Any, n: Any, part: str) -> Any:
    w, k = _millis(ms), _whole(n)
    r = D.add(w, k, part) if w is not None and k is not None else None
    return r.millis if r is not None else None


@register("DATE_ADD_STR", strict=("s", "n", "s"))
def date_add_str(s: str, n: Any, part: str) -> Any:
    found, k = D.parse_iso(s), _whole(n)
    if found is None or k is None:
        return None
    r = D.add(found[0], k, part)
    return format_when(r, shape_tokens(found[1])) if r is not None else None


@register("DATE_DIFF_MILLIS", strict=("n", "n", "s"))
def date_diff_millis(a: Any, b: Any, part: str) -> Any:
    wa, wb = _millis(a), _millis(b)
    return D.diff(wa, wb, part) if wa is not None and wb is not None else None


@register("DATE_DIFF_STR", strict=("s", "s", "s"))
def date_diff_str(a: str, b: str, part: str) -> Any:
    wa, wb = _str_in(a), _str_in(b)
    if wa is None or wb is None:
        return None
    return D.diff(wa, D.When(wb.ns, wa.tz), part)


@register("DATE_DIFF_ABS_MILLIS", strict=("n", "n", "s"))
def date_diff_abs_millis(a: Any, b: Any, part: str) -> Any:
    d = date_diff_millis(a, b, part)
    return abs(d) if d is not None else None


@register("DATE_DIFF_ABS_STR", strict=("s", "s", "s"))
def date_diff_abs_str(a: str, b: str, part: str) -> Any:
    d = date_diff_str(a, b, part)
    return abs(d) if d is not None else None


@register("DATE_TRUNC_MILLIS", strict=("n", "s"))
def date_trunc_millis(ms: Any, part: str) -> Any:
    w = _millis(ms)
    r = D.truncate(w, part) if w is not None else None
    return r.millis if r is not None else None


@register("DATE_TRUNC_STR", strict=("s", "s", "s"))
def date_trunc_str(s: str, part: str, fmt: Any = None) -> Any:
    out: Any
    if fmt is not None:
        w, out = _str_in(s, fmt), compile_format(fmt)
    else:
        found = D.parse_iso(s)
        w, out = (found[0], shape_tokens(found[1])) if found is not None else (None, None)
    r = D.truncate(w, part) if w is not None else None
    return format_when(r, out) if r is not None else None


def _range(start: D.When, end: D.When, part: str, n: Any, name: str) -> Optional[list]:
    """The dates from ``start`` (inclusive) towards ``end`` (exclusive), ``n`` parts apart."""
    step = _whole(n)
    p = part.lower()
    if step is None or step == 0 or p not in D.ADD_PARTS:
        return None
    if (end.ns - start.ns) * step <= 0:
        return []
    span = D.diff(end, start, "month" if p == "calendar_month" else p)
    check_array_length(abs(span or 0) / abs(step), name)
    out: list[D.When] = []
    cur: Optional[D.When] = start
    while cur is not None and (cur.ns < end.ns if step > 0 else cur.ns > end.ns):
        if len(out) >= MAX_ARRAY_LENGTH:
            check_array_length(len(out) + 1, name)
        out.append(cur)
        cur = D.add(cur, step, p)
    return out


@register("DATE_RANGE_MILLIS", strict=("n", "n", "s", "n"))
def date_range_millis(a: Any, b: Any, part: str, n: Any = 1) -> Any:
    wa, wb = _millis(a), _millis(b)
    if wa is None or wb is None:
        return None
    found = _range(wa, wb, part, n, "DATE_RANGE_MILLIS")
    return [w.millis for w in found] if found is not None else None


@register("DATE_RANGE_STR", strict=("s", "s", "s", "n"))
def date_range_str(a: str, b: str, part: str, n: Any = 1) -> Any:
    fa, wb = D.parse_iso(a), _str_in(b)
    if fa is None or wb is None:
        return None
    found = _range(fa[0], wb, part, n, "DATE_RANGE_STR")
    if found is None:
        return None
    out = shape_tokens(fa[1])
    return [format_when(w, out) for w in found]

