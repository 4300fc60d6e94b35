"""Date functions: ISO-8601 strings and epoch milliseconds, in UTC.

The local cluster's server time zone is UTC, so ``MILLIS_TO_STR(0)`` is
``1970-01-01T00:00:00Z``. Formats are given by example, as in N1QL: the
default ``2006-01-02T15:04:05.999Z07:00`` or any sample such as
``1111-11-11`` (date only) or ``2006-01-02 15:04:05``.
"""

from __future__ import annotations

import calendar
import datetime as _dt
import re
import time
from typing import Any, Optional

from .functions import FUNCTIONS, num, register

UTC = _dt.timezone.utc
_DATE_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?$"
)


def parse_date(s: Any) -> Optional[_dt.datetime]:
    if type(s) is not str:
        return None
    m = _DATE_RE.match(s.strip())
    if m is None:
        return None
    y, mo, d, h, mi, sec, frac, zone = m.groups()
    tz = UTC
    if zone and zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        tz = _dt.timezone(sign * _dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
    micro = int((frac or "0")[:6].ljust(6, "0"))
    try:
        return _dt.datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(sec or 0),
                            micro, tzinfo=tz)
    except ValueError:
        return None


def to_millis(d: _dt.datetime) -> Any:
    return num(calendar.timegm(d.utctimetuple()) * 1000 + d.microsecond // 1000)


def from_millis(ms: float) -> _dt.datetime:
    return _dt.datetime(1970, 1, 1, tzinfo=UTC) + _dt.timedelta(milliseconds=ms)


DEFAULT_FORMAT = "2006-01-02T15:04:05.999Z07:00"


def format_date(d: _dt.datetime, fmt: Optional[str] = None) -> str:
    """Format like the example ``fmt`` (a Go layout or any sample date string):
    its date part, time part, fraction and zone decide what is printed."""
    fmt = fmt or DEFAULT_FORMAT
    has_date = re.match(r"^\d{4}-\d{2}-\d{2}", fmt) is not None
    tm = re.search(r"\d{2}:\d{2}(:\d{2})?(\.\d+)?", fmt)
    out = ""
    if has_date:
        out = f"{d.year:04d}-{d.month:02d}-{d.day:02d}"
    if tm is not None:
        sep = fmt[10] if has_date and len(fmt) > 10 and fmt[10] in "T " else ("T" if has_date
                                                                                else "")
        out += f"{sep}{d.hour:02d}:{d.minute:02d}"
        if tm.group(1):
            out += f":{d.second:02d}"
        if tm.group(2):
            ms = d.microsecond // 1000
            digits = len(tm.group(2)) - 1
            if tm.group(2).strip(".").strip("9") == "":  # .999: trailing zeros dropped
                if ms:
                    out += "." + f"{ms:03d}".rstrip("0")
            else:
                out += "." + f"{ms:03d}"[:digits].ljust(digits, "0")
        rest = fmt[tm.end():]
        if rest.startswith("Z") or re.match(r"^[+-]\d{2}:?\d{2}", rest):
            offset = d.utcoffset() or _dt.timedelta(0)
            if not offset and rest.startswith("Z"):
                out += "Z"
            else:
                total = int(offset.total_seconds() // 60)
                sign = "+" if total >= 0 else "-"
                out += f"{sign}{abs(total) // 60:02d}:{abs(total) % 60:02d}"
    return out


def _now_str(now: float, fmt: Any = None) -> Any:
    return format_date(from_millis(now * 1000), fmt if type(fmt) is str else None)


FUNCTIONS["NOW_STR"] = _now_str
FUNCTIONS["NOW_UTC"] = _now_str
FUNCTIONS["NOW_LOCAL"] = _now_str
FUNCTIONS["NOW_MILLIS"] = lambda now: num(now * 1000)
FUNCTIONS["CLOCK_MILLIS"] = lambda: num(time.time() * 1000)
FUNCTIONS["CLOCK_STR"] = lambda fmt=None: _now_str(time.time(), fmt)


@register("STR_TO_MILLIS", "DATE_TO_MILLIS", strict=("s",))
def str_to_millis(s: str) -> Any:
    d = parse_date(s)
    return to_millis(d) if d is not None else None


@register("MILLIS_TO_STR", "MILLIS_TO_UTC", "MILLIS_TO_LOCAL", strict=("n", "s"))
def millis_to_str(ms: Any, fmt: Optional[str] = None) -> Any:
    return format_date(from_millis(ms), fmt)


@register("STR_TO_UTC", strict=("s",))
def str_to_utc(s: str) -> Any:
    d = parse_date(s)
    return format_date(d.astimezone(UTC), s) if d is not None else None


def date_part(d: _dt.datetime, part: str) -> Any:
    part = part.lower()
    iso = d.isocalendar()
    parts = {
        "millennium": (d.year + 999) // 1000,
        "century": (d.year + 99) // 100,
        "decade": d.year // 10,
        "year": d.year,
        "quarter": (d.month - 1) // 3 + 1,
        "month": d.month,
        "day": d.day,
        "hour": d.hour,
        "minute": d.minute,
        "second": d.second,
        "millisecond": d.microsecond // 1000,
        "week": (d.timetuple().tm_yday - 1) // 7 + 1,
        "day_of_year": d.timetuple().tm_yday,
        "doy": d.timetuple().tm_yday,
        "day_of_week": (d.weekday() + 1) % 7,
        "dow": (d.weekday() + 1) % 7,
        "iso_week": iso[1],
        "iso_year": iso[0],
        "iso_dow": iso[2],
        "timezone": int((d.utcoffset() or _dt.timedelta(0)).total_seconds()),
        "timezone_hour": int((d.utcoffset() or _dt.timedelta(0)).total_seconds() // 3600),
        "timezone_minute": int((d.utcoffset() or _dt.timedelta(0)).total_seconds() % 3600 // 60),
    }
    return parts.get(part)


register("DATE_PART_STR", strict=("s", "s"))(
    lambda s, part: (lambda d: date_part(d, part) if d else None)(parse_date(s)))
register("DATE_PART_MILLIS", strict=("n", "s"))(
    lambda ms, part, *_: date_part(from_millis(ms), part))


def _add(d: _dt.datetime, n: int, part: str) -> Optional[_dt.datetime]:
    part = part.lower()
    if part in ("year", "quarter", "month", "decade", "century", "millennium"):
        months = n * {"year": 12, "quarter": 3, "month": 1, "decade": 120, "century": 1200,
                      "millennium": 12000}[part]
        total = d.year * 12 + d.month - 1 + months
        y, m = divmod(total, 12)
        day = min(d.day, calendar.monthrange(y, m + 1)[1])
        return d.replace(year=y, month=m + 1, day=day)
    unit = {"week": 604800000, "day": 86400000, "hour": 3600000, "minute": 60000,
            "second": 1000, "millisecond": 1}.get(part)
    if unit is None:
        return None
    return d + _dt.timedelta(milliseconds=n * unit)


@register("DATE_ADD_STR", strict=("s", "n", "s"))
def date_add_str(s: str, n: Any, part: str) -> Any:
    d = parse_date(s)
    r = _add(d, int(n), part) if d is not None else None
    return format_date(r, s) if r is not None else None


@register("DATE_ADD_MILLIS", strict=("n", "n", "s"))
def date_add_millis(ms: Any, n: Any, part: str) -> Any:
    r = _add(from_millis(ms), int(n), part)
    return to_millis(r) if r is not None else None


def _diff(a: _dt.datetime, b: _dt.datetime, part: str) -> Any:
    part = part.lower()
    if part in ("year", "quarter", "month", "decade", "century", "millennium"):
        months = (a.year - b.year) * 12 + a.month - b.month
        div = {"year": 12, "quarter": 3, "month": 1, "decade": 120, "century": 1200,
               "millennium": 12000}[part]
        return int(months / div)
    unit = {"week": 604800000, "day": 86400000, "hour": 3600000, "minute": 60000,
            "second": 1000, "millisecond": 1}.get(part)
    if unit is None:
        return None
    return int((to_millis(a) - to_millis(b)) / unit)


register("DATE_DIFF_STR", strict=("s", "s", "s"))(
    lambda a, b, part: (lambda x, y: _diff(x, y, part) if x and y else None)(
        parse_date(a), parse_date(b)))
register("DATE_DIFF_MILLIS", strict=("n", "n", "s"))(
    lambda a, b, part: _diff(from_millis(a), from_millis(b), part))


@register("DATE_TRUNC_STR", strict=("s", "s"))
def date_trunc_str(s: str, part: str) -> Any:
    d = parse_date(s)
    if d is None:
        return None
    order = ["year", "month", "day", "hour", "minute", "second", "millisecond"]
    part = part.lower()
    if part not in order:
        return None
    keep = order.index(part)
    fields = {"month": 1, "day": 1, "hour": 0, "minute": 0, "second": 0, "microsecond": 0}
    names = ["month", "day", "hour", "minute", "second", "microsecond"]
    changes: dict[str, Any] = {n: fields[n] for n in names[keep:]}
    d = d.replace(**changes)
    return format_date(d, s)


