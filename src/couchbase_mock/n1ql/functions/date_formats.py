"""Date format strings, read and written (datefun.adoc, "Date String Formats").

Four conventions, one per format string: ISO-8601 example dates (``1111-11-11``),
date string codes (``YYYY-MM-DD``, ``DD-MON-YYYY``, ``HH24:MI:SS``), Go reference
dates (``2006-01-02T15:04:05Z07:00``) and percent specifiers (``%Y-%m-%d``). Each is
compiled to the same token list, which both formats an instant and parses a string.
A space in a format matches any one character when parsing. A string that is none
of these is an "incorrect format": output falls back to the full date and time.
"""

from __future__ import annotations

import functools
import re
from typing import Any, Optional

from .. import dates as _dates
from ..dates import (
    NS_S,
    Shape,
    When,
    days_from_civil,
    fixed_zone,
    format_offset,
    from_local,
    parse_offset,
    valid_fields,
    zone,
    zone_abbreviation,
    zone_name,
)

Token = tuple
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]
WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]


def _num(field: str, width: int, pad: str = "0") -> Token:
    return ("num", field, width, pad)


def _name(kind: str, case: str = "title") -> Token:
    return ("name", kind, case)


def lit(text: str) -> Token:
    return ("lit", text)


# -- ISO-8601 example dates, and the shape a date string's output follows ---------

def shape_tokens(shape: Shape, date_sep: str = "-", time_sep: str = "T") -> list[Token]:
    out: list[Token] = []
    if shape.date:
        out += [_num("year", 4), lit(date_sep), _num("month", 2), lit(date_sep), _num("day", 2)]
    if shape.time:
        if shape.date:
            out.append(lit(time_sep))
        out += [_num("hour", 2), lit(":"), _num("minute", 2), lit(":"), _num("second", 2)]
        if shape.frac:
            out.append(("frac", shape.frac, False, "."))
        if shape.zoned:
            out.append(("tz", "Z07:00"))
    return out


def _iso_example(fmt: str) -> Optional[list[Token]]:
    m = _dates._ISO.fullmatch(fmt)
    if m is None or (m["y"] is None and m["h"] is None) or m["y"] == "2006":
        return None
    shape = Shape(m["y"] is not None, m["h"] is not None, len(m["f"] or ""), m["z"] is not None)
    return shape_tokens(shape, m["ds"] or "-", m["ts"] or "T")


# -- date string codes ----------------------------------------------------------

_CODES: list[tuple[str, Token]] = [
    ("MONTH", _name("month", "upper")), ("Month", _name("month")),
    ("month", _name("month", "lower")), ("MON", _name("month3", "upper")),
    ("Mon", _name("month3")), ("mon", _name("month3", "lower")),
    ("YYYY", _num("year", 4)), ("HH24", _num("hour", 2)), ("HH12", _num("hour12", 2)),
    ("TZD", ("tz", "Z07:00")), ("TZN", ("tz", "abbr")),
    ("DAY", _name("wday", "upper")), ("Day", _name("wday")), ("day", _name("wday", "lower")),
    ("YY", _num("year2", 2)), ("CC", _num("century", 2)), ("MM", _num("month", 2)),
    ("DD", _num("day", 2)), ("DY", _name("wday3", "upper")), ("Dy", _name("wday3")),
    ("dy", _name("wday3", "lower")), ("hh", _num("hour", 2)),
    ("HH", _num("hour12", 2)),  # 12-hour, as STR_TO_UTC's example prints midnight "12"
    ("mm", _num("minute", 2)), ("MI", _num("minute", 2)), ("ss", _num("second", 2)),
    ("SS", _num("second", 2)), ("AM", _name("ampm", "upper")), ("PM", _name("ampm", "upper")),
    ("PP", _name("ampm", "upper")), ("am", _name("ampm", "lower")),
    ("pm", _name("ampm", "lower")), ("pp", _name("ampm", "lower")),
    ("s", ("frac", 3, False, "")),
]
_CODE_HINT = re.compile(r"YYYY|YY|CC|MM|DD|hh|HH|mm|MI|ss|SS|TZD|TZN|MONTH|MON|DAY|DY")

# -- Go reference dates -----------------------------------------------------------

_GO: list[tuple[str, Token]] = [
    ("January", _name("month")), ("Jan", _name("month3")), ("Monday", _name("wday")),
    ("Mon", _name("wday3")), ("MST", ("tz", "abbr")), ("2006", _num("year", 4)),
    ("002", _num("yday", 3)), ("__2", _num("yday", 3, " ")), ("_2", _num("day", 2, " ")),
    ("Z07:00:00", ("tz", "Z07:00:00")), ("Z07:00", ("tz", "Z07:00")),
    ("Z0700", ("tz", "Z0700")), ("Z07", ("tz", "Z07")),
    ("-07:00:00", ("tz", "-07:00:00")), ("-07:00", ("tz", "-07:00")),
    ("-0700", ("tz", "-0700")), ("-07", ("tz", "-07")),
    ("01", _num("month", 2)), ("02", _num("day", 2)), ("03", _num("hour12", 2)),
    ("04", _num("minute", 2)), ("05", _num("second", 2)), ("06", _num("year2", 2)),
    ("15", _num("hour", 2)), ("1", _num("month", 1, "")), ("2", _num("day", 1, "")),
    ("3", _num("hour12", 1, "")), ("4", _num("minute", 1, "")), ("5", _num("second", 1, "")),
    ("PM", _name("ampm", "upper")), ("pm", _name("ampm", "lower")),
]
_GO_HINT = re.compile(r"2006|01|02|15|04|05|06|Jan|Mon|_2|002|Z07|-07")
_GO_FRAC = re.compile(r"[.,](0+|9+)(?!\d)")


def _scan(fmt: str, table: list[tuple[str, Token]], go: bool) -> list[Token]:
    out: list[Token] = []
    i = 0
    while i < len(fmt):
        if go:
            m = _GO_FRAC.match(fmt, i)
            if m is not None:
                out.append(("frac", len(m[1]), m[1][0] == "9", fmt[i]))
                i = m.end()
                continue
        for text, tok in table:
            if fmt.startswith(text, i):
                out.append(tok)
                i += len(text)
                break
        else:
            out.append(lit(fmt[i]))
            i += 1
    return out


# -- percent specifiers -----------------------------------------------------------

_PCT = re.compile(r"%([-_0^]*)(\d*)(:{1,3}z|[A-Za-z%#@])")
_PCT_SIMPLE: dict[str, Token] = {
    "Y": _num("year", 4), "C": _num("century", 2), "y": _num("year2", 2),
    "m": _num("month", 2), "d": _num("day", 2), "H": _num("hour", 2), "I": _num("hour12", 2),
    "M": _num("minute", 2), "S": _num("second", 2), "V": _num("isoweek", 2),
    "G": _num("isoyear", 4), "j": _num("yday", 3), "q": _num("quarter", 1),
    "w": _num("wday0", 1), "u": _num("wday1", 1), "U": _num("weekU", 2),
    "W": _num("weekW", 2), "s": _num("epoch", 1, ""),
    "B": _name("month"), "b": _name("month3"), "A": _name("wday"), "a": _name("wday3"),
    "f": _name("ordinal", "lower"), "p": _name("ampm", "upper"), "P": _name("ampm", "lower"),
    "z": ("tz", "-07:00"), ":z": ("tz", "-07:00"), "::z": ("tz", "-07:00:00"),
    ":::z": ("tz", "min"), "Z": ("tz", "name"), "#": ("hours", False), "@": ("hours", True),
}
_PCT_MACROS = {"D": "%Y-%m-%d", "x": "%Y-%m-%d", "T": "%H:%M:%S", "X": "%H:%M:%S",
               "R": "%H:%M", "r": "%I:%M:%S %p", "F": "%Y-%m-%dT%H:%M:%S.%3N%:z"}


def _percent(fmt: str) -> list[Token]:
    out: list[Token] = []
    pos = 0
    for m in _PCT.finditer(fmt):
        out += [lit(c) for c in fmt[pos:m.start()]]
        pos = m.end()
        flags, element = m[1], m[3]
        width = str(min(int(m[2]), 64)) if m[2] else ""  # (a width of 10^9 is no date)
        if element == "%":
            out.append(lit("%"))
        elif element in _PCT_MACROS:
            out += _percent(_PCT_MACROS[element])
        elif element == "N":
            out.append(("frac", min(int(width or 3), 9), False, ""))
        elif element in _PCT_SIMPLE:
            tok = _PCT_SIMPLE[element]
            if tok[0] == "num":
                pad = "" if "-" in flags else " " if "_" in flags else tok[3]
                tok = ("num", tok[1], int(width) if width else tok[2], pad)
            elif tok[0] == "name" and "^" in flags:
                tok = ("name", tok[1], "upper")
            out.append(tok)
        else:
            out += [lit(c) for c in m[0]]
    out += [lit(c) for c in fmt[pos:]]
    return out


@functools.lru_cache(maxsize=1024)
def compile_format(fmt: str) -> Optional[tuple[Token, ...]]:
    """The tokens of format ``fmt``, or None if it is not a date format."""
    if "%" in fmt and _PCT.search(fmt):
        return tuple(_percent(fmt))
    iso = _iso_example(fmt.strip())
    if iso is not None:
        return tuple(iso)
    if _CODE_HINT.search(fmt):
        return tuple(_scan(fmt, _CODES, False))
    if _GO_HINT.search(fmt):
        return tuple(_scan(fmt, _GO, True))
    return None


DEFAULT = compile_format("2006-01-02T15:04:05.999Z07:00")
assert DEFAULT is not None


def output_format(fmt: Any) -> tuple[Token, ...]:
    """The format to print with: ``fmt`` if it is one, else the full date and time."""
    found = compile_format(fmt) if type(fmt) is str else None
    return found if found is not None else DEFAULT  # type: ignore[return-value]


# -- formatting -------------------------------------------------------------------

def _cased(text: str, case: str) -> str:
    return text.upper() if case == "upper" else text.lower() if case == "lower" else text


def _ordinal(day: int) -> str:
    if day % 100 in (11, 12, 13):
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")


def format_when(w: When, tokens: Any) -> str:
    f = w.fields()
    out: list[str] = []
    for tok in tokens:
        kind = tok[0]
        if kind == "lit":
            out.append(tok[1])
        elif kind == "num":
            v = _field(w, f, tok[1])
            digits = str(abs(v))
            if tok[3] == "0":
                digits = digits.rjust(tok[2], "0")
            elif tok[3] == " ":
                digits = digits.rjust(tok[2])
            out.append(("-" if v < 0 else "") + digits)
        elif kind == "name":
            text = {"month": MONTHS[f.month - 1], "month3": MONTHS[f.month - 1][:3],
                    "wday": WEEKDAYS[f.wday], "wday3": WEEKDAYS[f.wday][:3],
                    "ampm": "PM" if f.hour >= 12 else "AM", "ordinal": _ordinal(f.day)}[tok[1]]
            out.append(_cased(text, tok[2]))
        elif kind == "frac":
            digits = str(f.nanos).rjust(9, "0").ljust(tok[1], "0")[:tok[1]]
            if tok[2]:
                digits = digits.rstrip("0")
            if digits:
                out.append(tok[3] + digits)
        elif kind == "tz":
            out.append(_format_tz(w, f.offset, tok[1]))
        elif kind == "hours":
            secs, nanos = divmod(w.ns, NS_S)
            text = f"{secs // 3600}:{secs // 60 % 60:02d}:{secs % 60:02d}"
            out.append(text + (f".{nanos // 1_000_000:03d}" if tok[1] else ""))
    return "".join(out)


def _field(w: When, f: Any, name: str) -> int:
    if name == "year":
        return int(f.year)
    simple = {"year2": f.year % 100, "century": f.year // 100, "month": f.month, "day": f.day,
              "yday": f.yday, "hour": f.hour, "hour12": f.hour % 12 or 12, "minute": f.minute,
              "second": f.second, "quarter": (f.month - 1) // 3 + 1, "wday0": f.wday,
              "wday1": f.wday or 7, "weekU": (f.yday + 6 - f.wday) // 7,
              "weekW": (f.yday + 6 - (f.wday + 6) % 7) // 7, "epoch": w.ns // NS_S}
    if name in simple:
        return int(simple[name])
    iso_year, iso_week = f.iso()
    return int(iso_year if name == "isoyear" else iso_week)


def _format_tz(w: When, offset: int, style: str) -> str:
    if style == "name":
        return zone_name(w.tz)
    if style == "abbr":
        return zone_abbreviation(w.tz, w.ns)
    if style.startswith("Z") and offset == 0:
        return "Z"
    if style == "min":
        return format_offset(offset, ":", offset % 60 != 0)
    body = style.lstrip("Z-")
    if body in ("07", "7"):
        return format_offset(offset, "", False)[:3]
    return format_offset(offset, ":" if ":" in body else "", body.count(":") == 2)


# -- parsing ----------------------------------------------------------------------

_NAMES = {"month": "|".join(MONTHS), "month3": "|".join(m[:3] for m in MONTHS),
          "wday": "|".join(WEEKDAYS), "wday3": "|".join(d[:3] for d in WEEKDAYS),
          "ampm": "am|pm", "ordinal": "st|nd|rd|th"}
_TZ_RE = r"(Z|[+-]\d{2}(?::?\d{2}){0,2}|[A-Za-z][A-Za-z0-9_+-]*(?:/[A-Za-z0-9_+-]+)*)"


@functools.lru_cache(maxsize=1024)
def _parser(tokens: tuple) -> tuple[re.Pattern, list[Token]]:
    parts: list[str] = []
    groups: list[Token] = []
    for i, tok in enumerate(tokens):
        kind = tok[0]
        if kind == "lit":
            parts.append("." if tok[1] == " " else re.escape(tok[1]))
            continue
        groups.append(tok)
        if kind == "num":
            if tok[1] in ("year", "isoyear"):
                parts.append(r"([+-]?\d{4,})" if tok[2] >= 4 else r"([+-]?\d+)")
            elif tok[1] == "epoch":
                parts.append(r"([+-]?\d+)")
            else:
                parts.append((" *" if tok[3] == " " else "") + rf"(\d{{1,{max(tok[2], 2)}}})")
            nxt = tokens[i + 1] if i + 1 < len(tokens) else None
            if tok[1] == "second" and (nxt is None or nxt[0] != "frac"):
                groups.append(("frac", 9, True, "."))
                parts.append(r"(?:[.,](\d+))?")
        elif kind == "name":
            parts.append(f"(?i:({_NAMES[tok[1]]}))")
        elif kind == "frac":
            parts.append((r"[.,]" if tok[3] else "") + (r"(\d*)" if tok[2] else r"(\d+)"))
        elif kind == "tz":
            parts.append(_TZ_RE)
        else:
            parts.append(r"(\d+:\d{2}:\d{2}(?:\.\d+)?)")
    return re.compile("".join(parts), re.S), groups


def parse_with(text: Any, tokens: Any) -> Optional[When]:
    """``text`` read with format ``tokens``, or None if it does not match."""
    if type(text) is not str:
        return None
    pattern, groups = _parser(tuple(tokens))
    m = pattern.fullmatch(text.strip())
    if m is None:
        return None
    v: dict[str, Any] = {}
    for tok, value in zip(groups, m.groups()):
        if value is None:
            continue
        if tok[0] == "num":
            v[tok[1]] = int(value)
        elif tok[0] == "name":
            v[tok[1] + "_name"] = value.lower()
        elif tok[0] == "frac":
            v["nanos"] = int(value[:9].ljust(9, "0")) if value else 0
        elif tok[0] == "tz":
            v["tz"] = value
    return _assemble(v)


def _assemble(v: dict[str, Any]) -> Optional[When]:
    tz = _dates.LOCAL if "tz" not in v else _zone_of(v["tz"])
    if tz is None:
        return None
    if "epoch" in v:
        return When(v["epoch"] * NS_S + v.get("nanos", 0), tz)
    year = v.get("year")
    if year is None and "year2" in v:
        y2 = v["year2"]
        year = v["century"] * 100 + y2 if "century" in v else (1900 if y2 >= 69 else 2000) + y2
    year = year or 0
    month = v.get("month")
    if "month_name" in v:
        month = [m.lower() for m in MONTHS].index(v["month_name"]) + 1
    elif "month3_name" in v:
        month = [m[:3].lower() for m in MONTHS].index(v["month3_name"]) + 1
    day = v.get("day")
    if month is None and day is None and "yday" in v:
        y, month, day = _dates.civil_from_days(days_from_civil(year, 1, 1) + v["yday"] - 1)
    month, day = month or 1, day or 1
    hour = v.get("hour", 0)
    if "hour12" in v:
        h12 = v["hour12"]
        if not 1 <= h12 <= 12:
            return None
        hour = h12 % 12 + (12 if v.get("ampm_name") == "pm" else 0)
    minute, second = v.get("minute", 0), v.get("second", 0)
    if not valid_fields(year, month, day, hour, minute, second):
        return None
    return from_local(tz, year, month, day, hour, minute, second, v.get("nanos", 0))


def _zone_of(text: str) -> Any:
    if text[0] in "+-Z" and (text == "Z" or text[1:2].isdigit()):
        off = parse_offset(text)
        return None if off is None else fixed_zone(off)
    if text in ("UTC", "GMT"):
        return fixed_zone(0)
    return zone(text)
