"""Scalar functions and aggregates: the registry, and the core functions.

Families of functions live in this package's modules (one per family of the
N1QL function reference); each registers with :func:`register` when the
package is imported.

Scalar functions take evaluated arguments. The usual rule: a MISSING argument
gives MISSING, a NULL or wrongly typed one gives NULL (:func:`_strict` wraps
the functions that follow it). Dates are read and written in UTC: the local
cluster's server time zone.
"""

from __future__ import annotations

import inspect
import json
import math
import uuid
from typing import Any, Callable, Optional

from ..jsontext import dumps, number_text
from ..values import (
    MISSING,
    Binary,
    collation_key,
    equal,
    hashable,
    is_number,
    to_json_value,
    type_name,
)

FUNCTIONS: dict[str, Callable[..., Any]] = {}


def num(x: Any) -> Any:
    """Whole floats as ints, as the service prints them (3.0 -> 3)."""
    if type(x) is float and x.is_integer() and abs(x) < 2**53:
        return int(x)
    return x


ARITY: dict[str, tuple[int, Optional[int]]] = {}
"""Function name -> (fewest, most) arguments (most None: any number), where the
implementation's signature tells; checked when a statement is compiled."""

CONTEXTUAL: set[str] = set()
"""Functions of the request or the row (EVALUATE, CURRENT_USERS, SEARCH...): called
with the row's environment before their arguments; :func:`request_of` gives the
request's :class:`~..evaluator.Context` from it."""

_CTX = "\x00ctx"  # (evaluator.CTX: where an environment holds its request's context)


def request_of(env: dict) -> Any:
    """The request context of a row environment (a contextual function's first argument)."""
    return env[_CTX]


def arity(fn: Callable) -> Optional[tuple[int, Optional[int]]]:
    """(fewest, most) positional arguments ``fn`` takes, or None if it cannot be told."""
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):  # (some builtins)
        return None
    fewest, most = 0, 0
    for p in params:
        if p.kind is p.VAR_POSITIONAL:
            return fewest, None
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            most += 1
            if p.default is p.empty:
                fewest += 1
    return fewest, most


def register(*names: str, strict: Optional[tuple] = None, context: bool = False) -> Callable:
    """Register under ``names``; ``strict`` = the argument types required
    (MISSING in -> MISSING out; NULL or another type -> NULL); ``context``:
    the function takes the row environment first (see :data:`CONTEXTUAL`)."""

    def deco(fn: Callable) -> Callable:
        impl = _strict(fn, strict, skip=1 if context else 0) if strict is not None else fn
        counts = arity(fn)
        if context:
            if counts is not None:
                counts = (counts[0] - 1, None if counts[1] is None else counts[1] - 1)
            CONTEXTUAL.update(names)
        for n in names:
            if n in FUNCTIONS:  # one definition per function, whichever family has it
                raise ValueError(f"N1QL function {n} is registered twice")
            FUNCTIONS[n] = impl
            if counts is not None:
                ARITY[n] = counts
            else:
                ARITY.pop(n, None)
        return fn

    return deco


_CHECKS = {
    "s": lambda v: type(v) is str,
    "n": is_number,
    "a": lambda v: type(v) is list,
    "o": lambda v: type(v) is dict,
    "*": lambda v: True,
}


def _strict(fn: Callable, kinds: tuple, skip: int = 0) -> Callable:
    """``fn`` checking its arguments after the first ``skip`` (a contextual
    function's row environment) against ``kinds``."""
    checks = [_CHECKS[k] for k in kinds]

    def wrapper(*given: Any) -> Any:
        args = given[skip:]
        for a in args:
            if a is MISSING:
                return MISSING
        for i, a in enumerate(args):
            check = checks[i] if i < len(checks) else checks[-1]
            if a is None and kinds[min(i, len(kinds) - 1)] != "*":
                return None
            if not check(a):
                return None
        return fn(*given)

    return wrapper


# -- strings ------------------------------------------------------------------
# LENGTH, POSITION, SUBSTR, LPAD and RPAD count UTF-8 bytes (stringfun.adoc:
# LENGTH("Café") is 5, an emoji counts four); their MB_* forms count characters.


def utf8(s: str) -> bytes:
    return s.encode("utf-8", "surrogatepass")


def from_utf8(b: bytes) -> str:
    """Bytes cut from a string: a character cut in two reads as U+FFFD."""
    return b.decode("utf-8", "replace")


register("LOWER", strict=("s",))(str.lower)
register("UPPER", strict=("s",))(str.upper)
register("LENGTH", strict=("s",))(lambda s: len(s) if s.isascii() else len(utf8(s)))
register("REVERSE", strict=("s",))(lambda s: s[::-1])
register("INITCAP", "TITLE", strict=("s",))(lambda s: s.title())


def substr_of(s: Any, pos: Any, length: Any = None) -> Any:
    """``s[pos:pos+length]`` for a str (characters) or bytes; a negative ``pos``
    counts from the end; out of range (or a negative length) -> NULL."""
    if not math.isfinite(pos) or (length is not None and math.isnan(length)):
        return None  # NaN or infinite position, NaN length
    pos = int(pos)
    if pos < 0:
        pos += len(s)
    if pos < 0 or pos > len(s):
        return None
    if length is None:
        return s[pos:]
    if length < 0:
        return None
    return s[pos:pos + int(min(length, len(s)))]


def _byte_substr(s: str, pos: Any, length: Any = None) -> Any:
    if s.isascii():
        return substr_of(s, pos, length)
    cut = substr_of(utf8(s), pos, length)
    return cut if cut is None else from_utf8(cut)


register("SUBSTR", "SUBSTR0", strict=("s", "n", "n"))(_byte_substr)
register("SUBSTR1", strict=("s", "n", "n"))(
    lambda s, pos, length=None: _byte_substr(s, pos - 1 if pos > 0 else pos, length))


def _byte_position(s: str, sub: str) -> int:
    return s.find(sub) if s.isascii() else utf8(s).find(utf8(sub))


register("CONTAINS", strict=("s", "s"))(lambda s, sub: sub in s)
register("POSITION", "POSITION0", strict=("s", "s"))(_byte_position)
register("POSITION1", strict=("s", "s"))(lambda s, sub: _byte_position(s, sub) + 1)


@register("REPEAT", strict=("s", "n"))
def repeat(s: str, n: Any) -> Any:
    if not 0 <= n < math.inf or n != int(n):  # NaN, negative, infinite, fractional: NULL
        return None
    from ..limits import check_string_length

    check_string_length(len(s) * n, "REPEAT")
    return s * int(n) if s else ""


@register("TRIM", strict=("s", "s"))
def trim(s: str, chars: Optional[str] = None) -> str:
    return s.strip(chars if chars is not None else " \t\n\r\f\v")


register("LTRIM", strict=("s", "s"))(lambda s, c=None: s.lstrip(c if c is not None else " \t\n\r"))
register("RTRIM", strict=("s", "s"))(lambda s, c=None: s.rstrip(c if c is not None else " \t\n\r"))


@register("SPLIT", strict=("s", "s"))
def split(s: str, sep: Optional[str] = None) -> list:
    if sep is None:
        return s.split()
    if sep == "":
        return list(s)
    return s.split(sep)


@register("CONCAT", strict=("s",))
def concat(*parts: str) -> str:
    return "".join(parts)


@register("REPLACE", strict=("s", "s", "s", "n"))
def replace(s: str, old: str, new: str, n: Any = None) -> str:
    return s.replace(old, new, int(min(n, 2**31)) if n is not None and n >= 0 else -1)



# -- numbers ------------------------------------------------------------------


def _digits(d: Any) -> Optional[int]:
    """A ROUND/TRUNC precision: a whole number, else None (the call gives NULL)."""
    return int(d) if math.isfinite(d) and d == int(d) else None


def _round(x: Any, d: Any = 0) -> Any:
    """ROUND (numericfun.adoc): to ``d`` digits right of the point (left if
    negative); an exact half goes to the even neighbour, as the server does
    (2.5 -> 2, 3.5 -> 4, 0.125 at 2 digits -> 0.12)."""
    digits = _digits(d)
    if digits is None:
        return None
    if not math.isfinite(x) or digits > 330:  # (more digits than a float has)
        return x
    if digits < -330:
        return 0
    try:
        scale = 10.0 ** digits
    except OverflowError:  # (10**330 is beyond a float: there is nothing to round)
        return x
    scaled = abs(x) * scale
    if not math.isfinite(scaled):
        return x
    whole = math.floor(scaled)
    frac = scaled - whole
    if frac > 0.5 or (frac == 0.5 and whole % 2 == 1):
        whole += 1
    return num(math.copysign(whole / scale, x) if whole else 0)


def _trunc(x: Any, d: Any = 0) -> Any:
    digits = _digits(d)
    if digits is None:
        return None
    if not math.isfinite(x) or digits > 330:
        return x
    if digits < -330:
        return 0
    try:
        scale = 10.0 ** digits
    except OverflowError:
        return x
    scaled = x * scale
    if not math.isfinite(scaled):
        return x
    return num(math.trunc(scaled) / scale)


register("ROUND", strict=("n", "n"))(_round)
register("TRUNC", strict=("n", "n"))(_trunc)
register("FLOOR", strict=("n",))(lambda x: num(math.floor(x)) if math.isfinite(x) else x)
register("CEIL", strict=("n",))(lambda x: num(math.ceil(x)) if math.isfinite(x) else x)
register("ABS", strict=("n",))(lambda x: abs(x))
register("SIGN", strict=("n",))(lambda x: (x > 0) - (x < 0))
register("SQRT", strict=("n",))(lambda x: num(math.sqrt(x)) if x >= 0 else math.nan)
@register("POWER", strict=("n", "n"))
def power(x: Any, y: Any) -> Any:
    try:
        return num(math.pow(x, y))
    except OverflowError:  # POWER(10, 400): beyond a float, as the reference's IFINF example shows
        return math.inf
    except ValueError:  # POWER(-8, 0.5)
        return math.nan


register("EXP", strict=("n",))(lambda x: math.exp(x) if x < 710 else math.inf)
register("LN", strict=("n",))(lambda x: math.log(x) if x > 0 else None)
register("LOG", strict=("n",))(lambda x: math.log10(x) if x > 0 else None)
register("PI", strict=("n",))(lambda: math.pi)
register("DEGREES", strict=("n",))(lambda x: math.degrees(x))
register("RADIANS", strict=("n",))(lambda x: math.radians(x))
register("IDIV", strict=("n", "n"))(
    lambda x, y: (lambda q: int(q) if math.isfinite(q) else q)(x / y) if y else None)
register("IMOD", strict=("n", "n"))(
    lambda x, y: (lambda r: int(r) if math.isfinite(r) else r)(math.fmod(x, y))
    if y and math.isfinite(x) else None)

# -- arrays (more, and ARRAY_CONTAINS/POSITION/REMOVE, in arrays.py) -----------

register("ARRAY_LENGTH", strict=("a",))(len)
register("ARRAY_APPEND", strict=("a", "*"))(lambda a, *vs: a + list(vs))
register("ARRAY_PREPEND", strict=("*", "a"))(
    lambda first, *rest: list((first, *rest)[:-1]) + rest[-1] if rest else None)
register("ARRAY_CONCAT", strict=("a",))(lambda *arrays: [x for a in arrays for x in a])
register("ARRAY_REVERSE", strict=("a",))(lambda a: a[::-1])
register("ARRAY_SORT", strict=("a",))(lambda a: sorted(a, key=collation_key))
register("ARRAY_COUNT", strict=("a",))(lambda a: sum(1 for x in a if x is not None))
register("ARRAY_SUM", strict=("a",))(lambda a: num(sum(x for x in a if is_number(x))))


@register("ARRAY_DISTINCT", strict=("a",))
def array_distinct(a: list) -> list:
    seen = set()
    out = []
    for x in a:
        h = hashable(x)
        if h not in seen:
            seen.add(h)
            out.append(x)
    return out


@register("ARRAY_AVG", strict=("a",))
def array_avg(a: list) -> Any:
    nums = [x for x in a if is_number(x)]
    return num(sum(nums) / len(nums)) if nums else None


def _array_extreme(a: list, pick: Callable) -> Any:
    vals = [x for x in a if x is not None and x is not MISSING]
    return pick(vals, key=collation_key) if vals else None


register("ARRAY_MIN", strict=("a",))(lambda a: _array_extreme(a, min))
register("ARRAY_MAX", strict=("a",))(lambda a: _array_extreme(a, max))


@register("ARRAY_FLATTEN", strict=("a", "n"))
def array_flatten(a: list, depth: Any) -> list:
    out: list = []
    for x in a:
        if type(x) is list and depth != 0:
            out.extend(array_flatten(x, depth - 1))
        else:
            out.append(x)
    return out


@register("ARRAY_RANGE", strict=("n", "n", "n"))
def array_range(start: Any, end: Any, step: Any = 1) -> Any:
    if step == 0:
        return None
    from ..limits import check_array_length

    check_array_length((end - start) / step, "ARRAY_RANGE")
    out = []
    v = start
    while (v < end) if step > 0 else (v > end):
        out.append(v)
        v += step
    return out


register("ARRAY_INTERSECT", strict=("a",))(
    lambda first, *rest: array_distinct([x for x in first if all(
        any(equal(x, y) for y in r) for r in rest)]))
register("ARRAY_UNION", strict=("a",))(lambda *arrays: array_distinct(
    [x for a in arrays for x in a]))

# -- objects ------------------------------------------------------------------

register("OBJECT_REMOVE", strict=("o", "s"))(
    lambda o, *names: {k: v for k, v in o.items() if k not in names})

# -- types --------------------------------------------------------------------


def _type(v: Any) -> Any:
    return type_name(v)


register("TYPE", "TYPENAME")(_type)


def _is(check: Callable[[Any], bool]) -> Callable[[Any], Any]:
    def is_(v: Any) -> Any:
        if v is MISSING:
            return MISSING
        if v is None:
            return None
        return check(v)

    return is_


register("IS_STRING", "ISSTRING", "ISSTR")(_is(lambda v: type(v) is str))
register("IS_NUMBER", "ISNUMBER", "ISNUM")(_is(is_number))
register("IS_ARRAY", "ISARRAY")(_is(lambda v: type(v) is list))
register("IS_OBJECT", "ISOBJECT", "ISOBJ")(_is(lambda v: type(v) is dict))
register("IS_BOOLEAN", "ISBOOLEAN", "ISBOOL")(_is(lambda v: type(v) is bool))
register("IS_ATOM", "ISATOM")(_is(lambda v: type(v) in (str, bool, int, float)))
register("IS_BINARY", "ISBINARY")(_is(lambda v: isinstance(v, Binary)))


format_number = number_text
"""A number as the service prints it (n1ql/jsontext.py: Go's shortest form)."""


@register("TOSTRING", "TOSTR", "TO_STRING", "TO_STR")
def tostring(v: Any) -> Any:
    """typefun.adoc TOSTRING: booleans, numbers and strings; any other value -> NULL."""
    if v is MISSING or v is None:
        return v
    if type(v) is str:
        return v
    if type(v) is bool:
        return "true" if v else "false"
    if is_number(v):
        return format_number(v)
    return None


def _parse_number(text: str) -> Any:
    t = text.strip()
    try:
        if t and all(c in "+-0123456789" for c in t):
            return int(t)
        return num(float(t)) if t.lower().lstrip("+-") not in ("nan", "inf", "infinity") else None
    except ValueError:
        return None


@register("TONUMBER", "TONUM", "TO_NUMBER", "TO_NUM")
def tonumber(v: Any, strip: Any = None) -> Any:
    """typefun.adoc TONUMBER; with ``strip`` (a string): whitespace and those
    characters go first, and a decimal comma becomes a point (other points and
    commas are separators): TONUMBER("€123.456,78", "€.") is 123456.78."""
    if v is MISSING or strip is MISSING:
        return MISSING
    if v is None:
        return None
    if type(v) is bool:
        return 1 if v else 0
    if is_number(v):
        return v
    if type(v) is not str:
        return None
    if strip is None:
        return _parse_number(v)
    if type(strip) is not str:
        return None
    text = "".join(c for c in v if not c.isspace() and c not in strip)
    if "," in text:  # a decimal comma: the last comma, with no point after it
        head, _, tail = text.rpartition(",")
        text = head.replace(",", "").replace(".", "") + "." + tail
    return _parse_number(text)


@register("TOBOOLEAN", "TOBOOL", "TO_BOOLEAN", "TO_BOOL")
def toboolean(v: Any) -> Any:
    if v is MISSING or v is None:
        return v
    if type(v) is str:  # typefun.adoc: "Empty strings ... are false. All other values are true."
        return v != ""
    if type(v) is float and v != v:  # typefun.adoc: NaN is false
        return False
    return bool(v)


register("TOARRAY", "TO_ARRAY")(
    lambda v: v if v is MISSING or v is None or type(v) is list else [v])
register("TOOBJECT", "TO_OBJECT")(
    lambda v: v if v is MISSING or v is None or type(v) is dict else {})

# -- conditionals -------------------------------------------------------------


def _first(pred: Callable[[Any], bool]) -> Callable[..., Any]:
    def first(a: Any, b: Any, *rest: Any) -> Any:  # (condfununknown.adoc: at least 2)
        for x in (a, b) + rest:
            if pred(x):
                return x
        return None

    return first


register("IFMISSING")(lambda a, b, *rest: next((x for x in (a, b) + rest if x is not MISSING),
                                                None))
register("IFNULL")(_first(lambda x: x is not None))
register("IFMISSINGORNULL", "COALESCE", "NVL")(
    _first(lambda x: x is not None and x is not MISSING))
register("MISSINGIF")(lambda a, b: MISSING if equal(a, b) else a)
register("NULLIF")(lambda a, b: None if equal(a, b) else a)


@register("GREATEST")
def greatest(first: Any, second: Any, *more: Any) -> Any:
    """comparisonfun.adoc: at least 2; NULL and MISSING ignored; collation order."""
    vals = [a for a in (first, second) + more if a is not None and a is not MISSING]
    return max(vals, key=collation_key) if vals else None


@register("LEAST")
def least(first: Any, second: Any, *more: Any) -> Any:
    vals = [a for a in (first, second) + more if a is not None and a is not MISSING]
    return min(vals, key=collation_key) if vals else None


register("UUID")(lambda: str(uuid.uuid4()))
register("ENCODE_JSON")(lambda v: encode_json(v) if v is not MISSING else MISSING)


def encode_json(v: Any) -> str:
    """Compact JSON with object keys sorted, as the Go service marshals a value."""
    return dumps(to_json_value(v), sort_keys=True)


@register("DECODE_JSON", strict=("s",))
def decode_json(s: str) -> Any:
    try:
        return json.loads(s)
    except ValueError:
        return None


# -- aggregates: moved to ..aggregates -----------------------------------------


def __getattr__(name: str) -> Any:
    """``AGGREGATES`` and ``Aggregate`` live in :mod:`..aggregates`; still importable here."""
    if name in ("AGGREGATES", "Aggregate"):
        from .. import aggregates

        return getattr(aggregates, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _register_families() -> None:
    """Import the date functions and every module of this package: each registers
    its family of functions (bits.py, arrays.py...) with :func:`register`."""
    import importlib
    import pkgutil

    importlib.import_module("couchbase_mock.n1ql.dates")
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")


_register_families()
