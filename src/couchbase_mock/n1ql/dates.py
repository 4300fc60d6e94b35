"""Dates for the N1QL date functions: instants, time zones, calendar arithmetic.

An instant is epoch nanoseconds plus the time zone it is read in (:class:`When`).
Calendar fields come from our own proleptic-Gregorian conversion, so year 0
(a time-only string such as ``"01:10:05"`` is 0000-01-01) and years past 9999
work as they do on the server. Time zones are IANA names read with the standard
library's :mod:`zoneinfo` (the system's tz database, or the ``tzdata`` package
where the system has none); if neither is present only ``UTC`` and numeric
offsets are known, and a named zone gives NULL like an unknown one.

The local cluster's server time zone is UTC: ``MILLIS_TO_STR(0)`` is
``1970-01-01T00:00:00Z``. :data:`LOCAL` holds it; tests set it to another zone
(:func:`set_local_zone`) to check the reference's examples, which were run on a
query node in America/Los_Angeles.

Date parts (datefun.adoc, "Manipulating Date Components"): ``millennium``,
``century``, ``decade``, ``year``, ``quarter``, ``month``, ``week``, ``day``,
``hour``, ``minute``, ``second``, ``millisecond``. Adding months or years is
calendar arithmetic with overflow carried forward (2019-04-30 minus 2 months is
"2019-02-30", i.e. 2019-03-02); ``calendar_month`` instead stops at the last day
of the month (2019-01-31 plus 1 is 2019-02-28).
"""

from __future__ import annotations

import datetime as _dt
import functools
import re
from typing import Any, NamedTuple, Optional

try:
    import zoneinfo as _zoneinfo
except ImportError:  # pragma: no cover - Python < 3.9 has no zoneinfo: UTC only
    _zoneinfo = None  # type: ignore[assignment]

UTC = _dt.timezone.utc
NS_MS = 1_000_000
NS_S = 1_000_000_000
DAY_NS = 86_400 * NS_S
_DT_MIN_S = -62_135_596_800 + 2 * 86_400  # 0001-01-03: inside datetime's range
_DT_MAX_S = 253_402_300_799 - 2 * 86_400


@functools.lru_cache(maxsize=512)
def zone(name: Any) -> Optional[_dt.tzinfo]:
    """The time zone called ``name`` (case-sensitive IANA name, or ``UTC``), or None."""
    if type(name) is not str or not name:
        return None
    if name == "UTC":
        return UTC
    if _zoneinfo is None or name.startswith(("/", ".")) or ".." in name:
        return None
    try:
        return _zoneinfo.ZoneInfo(name)
    except Exception:  # unknown key, bad characters, no tz database: NULL
        return None


LOCAL: _dt.tzinfo = UTC
"""The query node's time zone: UTC for the local cluster."""


def set_local_zone(name: str) -> _dt.tzinfo:
    """Make ``name`` the server's time zone; returns the previous one."""
    global LOCAL
    previous, found = LOCAL, zone(name)
    if found is None:
        raise ValueError(f"unknown time zone {name!r}")
    LOCAL = found
    return previous


def fixed_zone(seconds: int) -> _dt.tzinfo:
    return UTC if seconds == 0 else _dt.timezone(_dt.timedelta(seconds=seconds))


def offset_at(tz: _dt.tzinfo, ns: int) -> int:
    """Seconds east of UTC that ``tz`` has at instant ``ns``."""
    if isinstance(tz, _dt.timezone):
        return int(tz.utcoffset(None).total_seconds())
    s = min(max(ns // NS_S, _DT_MIN_S), _DT_MAX_S)
    off = _dt.datetime.fromtimestamp(s, tz).utcoffset()
    return int(off.total_seconds()) if off is not None else 0


def zone_abbreviation(tz: _dt.tzinfo, ns: int) -> str:
    """Short name of the zone at ``ns`` ("PST", "LMT"); "UTC" or an offset when it has none."""
    if tz is UTC:
        return "UTC"
    if isinstance(tz, _dt.timezone):
        return format_offset(offset_at(tz, ns), "", False)
    s = min(max(ns // NS_S, _DT_MIN_S), _DT_MAX_S)
    return _dt.datetime.fromtimestamp(s, tz).tzname() or ""


def zone_name(tz: _dt.tzinfo) -> str:
    key = getattr(tz, "key", None)
    if key:
        return str(key)
    return "UTC" if tz is UTC else format_offset(offset_at(tz, 0), ":", False)


def format_offset(seconds: int, sep: str, with_seconds: bool) -> str:
    sign = "-" if seconds < 0 else "+"
    h, rest = divmod(abs(seconds), 3600)
    m, s = divmod(rest, 60)
    out = f"{sign}{h:02d}{sep}{m:02d}"
    return out + f"{sep}{s:02d}" if with_seconds else out


# -- the proleptic Gregorian calendar on day numbers (0 = 1970-01-01) -------------

def days_from_civil(y: int, m: int, d: int) -> int:
    y -= m <= 2
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (m - 3 if m > 2 else m + 9) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146_097 + doe - 719_468


def civil_from_days(days: int) -> tuple[int, int, int]:
    z = days + 719_468
    era = z // 146_097
    doe = z - era * 146_097
    yoe = (doe - doe // 1460 + doe // 36_524 - doe // 146_096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + 3 if mp < 10 else mp - 9
    return yoe + era * 400 + (m <= 2), m, d


def is_leap(y: int) -> bool:
    return y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)


def days_in_month(y: int, m: int) -> int:
    if m == 2:
        return 29 if is_leap(y) else 28
    return 30 if m in (4, 6, 9, 11) else 31


class Fields(NamedTuple):
    """The calendar reading of an instant in its zone."""

    year: int
    month: int
    day: int
    hour: int
    minute: int
    second: int
    nanos: int
    offset: int  # seconds east of UTC
    days: int  # local day number (0 = 1970-01-01)

    @property
    def wday(self) -> int:  # 0 = Sunday
        return (self.days + 4) % 7

    @property
    def yday(self) -> int:
        return self.days - days_from_civil(self.year, 1, 1) + 1

    def iso(self) -> tuple[int, int]:
        """(ISO year, ISO week): the week of this date's Thursday."""
        thursday = self.days + 3 - (self.wday + 6) % 7
        y = civil_from_days(thursday)[0]
        return y, (thursday - days_from_civil(y, 1, 1)) // 7 + 1


class When(NamedTuple):
    """An instant (epoch nanoseconds) read in time zone ``tz``."""

    ns: int
    tz: _dt.tzinfo

    @property
    def millis(self) -> int:
        return self.ns // NS_MS

    def fields(self) -> Fields:
        off = offset_at(self.tz, self.ns)
        days, rest = divmod(self.ns + off * NS_S, DAY_NS)
        y, m, d = civil_from_days(days)
        secs, nanos = divmod(rest, NS_S)
        return Fields(y, m, d, secs // 3600, secs // 60 % 60, secs % 60, nanos, off, days)


def from_local(tz: _dt.tzinfo, y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0,
               nanos: int = 0) -> When:
    """The instant with these wall-clock fields in ``tz``; out-of-range fields carry
    over (month 14 is February of the next year, day 31 of April is May 1)."""
    y += (mo - 1) // 12
    mo = (mo - 1) % 12 + 1
    local = ((days_from_civil(y, mo, 1) + d - 1) * 86_400 + h * 3600 + mi * 60 + s) * NS_S + nanos
    off = offset_at(tz, local)
    second = offset_at(tz, local - off * NS_S)
    return When(local - second * NS_S, tz)


def from_millis(ms: Any, tz: Optional[_dt.tzinfo] = None) -> When:
    """Epoch milliseconds (a finite int or float) read in ``tz`` (default: the server's)."""
    whole = int(ms)
    return When(whole * NS_MS + int(round((ms - whole) * NS_MS)), tz or LOCAL)


# -- parsing the documented ISO-8601 forms ------------------------------------------

_ISO = re.compile(
    r"(?:(?P<y>[+-]?\d{4})(?P<ds>[-/])(?P<mo>\d{2})(?P=ds)(?P<d>\d{2}))?"
    r"(?P<ts>(?(y)[T ]|))?"
    r"(?:(?P<h>\d{2}):(?P<mi>\d{2}):(?P<s>\d{2})(?:[.,](?P<f>\d{1,9}))?"
    r"\s?(?P<z>Z|[+-]\d{2}(?::?\d{2})?)?)?")


class Shape(NamedTuple):
    """What an ISO date string holds: its output follows the same shape."""

    date: bool
    time: bool
    frac: int  # digits of the fraction, 0 if none
    zoned: bool


def parse_offset(text: str) -> Optional[int]:
    if text == "Z":
        return 0
    digits = text[1:].replace(":", "")
    if not digits.isdigit() or len(digits) not in (2, 4, 6):
        return None
    h, m, s = int(digits[:2]), int(digits[2:4] or 0), int(digits[4:6] or 0)
    if m > 59 or s > 59 or h > 23:
        return None
    return (-1 if text[0] == "-" else 1) * (h * 3600 + m * 60 + s)


def valid_fields(y: int, mo: int, d: int, h: int, mi: int, s: int) -> bool:
    return 1 <= mo <= 12 and 1 <= d <= days_in_month(y, mo) and h < 24 and mi < 60 and s < 60


def parse_iso(text: Any) -> Optional[tuple[When, Shape]]:
    """A date in one of the reference's formats ("Date String Formats"), or None."""
    if type(text) is not str:
        return None
    m = _ISO.fullmatch(text.strip())
    if m is None or (m["y"] is None and m["h"] is None):
        return None
    y, mo, d = (int(m["y"]), int(m["mo"]), int(m["d"])) if m["y"] else (0, 1, 1)
    h, mi, s = (int(m["h"]), int(m["mi"]), int(m["s"])) if m["h"] else (0, 0, 0)
    if m["y"] and bool(m["h"]) != bool(m["ts"]):
        return None
    if not valid_fields(y, mo, d, h, mi, s):
        return None
    frac = m["f"] or ""
    tz = LOCAL
    if m["z"]:
        off = parse_offset(m["z"])
        if off is None:
            return None
        tz = fixed_zone(off)
    when = from_local(tz, y, mo, d, h, mi, s, int(frac.ljust(9, "0")) if frac else 0)
    return when, Shape(m["y"] is not None, m["h"] is not None, len(frac), m["z"] is not None)


# -- date parts ---------------------------------------------------------------------

_MONTHS = {"year": 12, "quarter": 3, "month": 1, "calendar_month": 1, "decade": 120,
           "century": 1200, "millennium": 12000}
_FIXED_NS = {"hour": 3600 * NS_S, "minute": 60 * NS_S, "second": NS_S,
             "millisecond": NS_MS}
ADD_PARTS = frozenset(_MONTHS) | frozenset(_FIXED_NS) | {"week", "day"}


def part_of(w: When, part: str) -> Any:
    """DATE_PART_*: the component ``part`` of ``w`` (None for an unknown part)."""
    f = w.fields()
    p = part.lower()
    if p == "millennium":
        return f.year // 1000 + 1
    if p == "century":
        return f.year // 100 + 1
    if p == "decade":
        return f.year // 10
    simple = {"year": f.year, "quarter": (f.month - 1) // 3 + 1, "month": f.month,
              "day": f.day, "hour": f.hour, "minute": f.minute, "second": f.second,
              "millisecond": f.nanos // NS_MS}
    if p in simple:
        return simple[p]
    if p == "week":
        return (f.yday + 6) // 7
    if p in ("day_of_year", "doy"):
        return f.yday
    if p in ("day_of_week", "dow"):
        return f.wday
    if p == "iso_year":
        return f.iso()[0]
    if p == "iso_week":
        return f.iso()[1]
    if p == "iso_dow":
        return f.wday or 7
    if p == "timezone":
        return f.offset
    if p == "timezone_hour":
        return int(f.offset / 3600)
    if p == "timezone_minute":
        return int(f.offset / 60) - int(f.offset / 3600) * 60
    return None


def add(w: When, n: int, part: str) -> Optional[When]:
    """DATE_ADD_*: ``w`` plus ``n`` ``part``s, as wall-clock arithmetic in its zone."""
    p = part.lower()
    if p in _FIXED_NS:
        return When(w.ns + n * _FIXED_NS[p], w.tz)
    f = w.fields()
    if p in ("day", "week"):
        days = n * (7 if p == "week" else 1)
        return from_local(w.tz, f.year, f.month, f.day + days, f.hour, f.minute, f.second, f.nanos)
    months = _MONTHS.get(p)
    if months is None:
        return None
    total = f.year * 12 + f.month - 1 + n * months
    y, m = divmod(total, 12)
    day = min(f.day, days_in_month(y, m + 1)) if p == "calendar_month" else f.day
    return from_local(w.tz, y, m + 1, day, f.hour, f.minute, f.second, f.nanos)


TRUNC_PARTS = ("millennium", "century", "decade", "year", "quarter", "month", "week",
               "iso_week", "day", "hour", "minute", "second", "millisecond")


def truncate(w: When, part: str) -> Optional[When]:
    """DATE_TRUNC_*: the start of the ``part`` holding ``w``, in its zone."""
    p = part.lower()
    if p not in TRUNC_PARTS:
        return None
    f = w.fields()
    if p in ("week", "iso_week"):
        back = f.wday if p == "week" else (f.wday + 6) % 7
        return from_local(w.tz, f.year, f.month, f.day - back)
    if p in ("hour", "minute", "second", "millisecond"):
        keep = {"hour": (f.hour, 0, 0, 0), "minute": (f.hour, f.minute, 0, 0),
                "second": (f.hour, f.minute, f.second, 0),
                "millisecond": (f.hour, f.minute, f.second, f.nanos - f.nanos % NS_MS)}[p]
        return from_local(w.tz, f.year, f.month, f.day, *keep)
    y, m, d = f.year, f.month, f.day
    if p == "day":
        return from_local(w.tz, y, m, d)
    if p == "month":
        return from_local(w.tz, y, m, 1)
    if p == "quarter":
        return from_local(w.tz, y, m - (m - 1) % 3, 1)
    span = {"year": 1, "decade": 10, "century": 100, "millennium": 1000}[p]
    return from_local(w.tz, y - y % span, 1, 1)


def diff(a: When, b: When, part: str) -> Optional[int]:
    """DATE_DIFF_*: the ``part`` boundaries crossed going from ``b`` to ``a``."""
    p = part.lower()
    if p in _FIXED_NS:
        fa, fb = a.fields(), b.fields()
        la = fa.days * DAY_NS + (fa.hour * 3600 + fa.minute * 60 + fa.second) * NS_S + fa.nanos
        lb = fb.days * DAY_NS + (fb.hour * 3600 + fb.minute * 60 + fb.second) * NS_S + fb.nanos
        unit = _FIXED_NS[p]
        return la // unit - lb // unit
    fa, fb = a.fields(), b.fields()
    if p == "day":
        return fa.days - fb.days
    if p == "week":
        return (fa.days - fa.wday - (fb.days - fb.wday)) // 7
    if p in ("millennium", "century", "decade"):
        pa, pb = part_of(a, p), part_of(b, p)
        return int(pa) - int(pb)
    months = _MONTHS.get(p)
    if months is None:
        return None
    ma, mb = fa.year * 12 + fa.month - 1, fb.year * 12 + fb.month - 1
    return ma // months - mb // months
