"""Number functions: bits, trigonometry and constants, conditionals for numbers
and for unknowns (NVL2, DECODE, IS_MISSING...), and TOATOM.

Bit functions work on 64-bit two's complement integers: a float is accepted
when whole (4.0), anything else gives NULL; bit positions count from 1 (the
least significant bit).
"""

from __future__ import annotations

import functools
import math
from typing import Any, Callable, Optional

from ..values import MISSING, equal, is_number
from . import register

_MASK = (1 << 64) - 1


def _int64(v: Any) -> Optional[int]:
    """``v`` as a 64-bit integer, or None when it is not a whole number."""
    if type(v) is int:
        i = v
    elif type(v) is float and v.is_integer():
        i = int(v)
    else:
        return None
    return i if -(1 << 63) <= i < (1 << 63) else None


def _signed(u: int) -> int:
    u &= _MASK
    return u - (1 << 64) if u >> 63 else u


def _ints(args: tuple) -> Any:
    """The arguments as integers; MISSING if one is MISSING; None if one is not an integer."""
    if any(a is MISSING for a in args):
        return MISSING
    out = [_int64(a) for a in args]
    return None if any(i is None for i in out) else out


def _fold(op: Callable[[int, int], int]) -> Callable[..., Any]:
    def bits(*args: Any) -> Any:
        ints = _ints(args)
        if not ints:
            return ints if ints is MISSING else None
        acc = ints[0]
        for i in ints[1:]:
            acc = op(acc, i)
        return _signed(acc)

    return bits


register("BITAND")(_fold(lambda a, b: a & b))
register("BITOR")(_fold(lambda a, b: a | b))
register("BITXOR")(_fold(lambda a, b: a ^ b))


@register("BITNOT")
def bitnot(v: Any) -> Any:
    ints = _ints((v,))
    return ints if not ints else _signed(~ints[0])


def _positions(p: Any) -> Optional[list]:
    """Bit positions 1..64 (an integer or an array of them), or None."""
    items = p if type(p) is list else [p]
    out = [_int64(x) for x in items]
    if not out or any(i is None or not 1 <= i <= 64 for i in out):
        return None
    return out


def _with_positions(fn: Callable[[int, list], Any]) -> Callable[..., Any]:
    @functools.wraps(fn)  # its signature: the argument count is checked (error 3000)
    def bits(value: Any, positions: Any, *rest: Any) -> Any:
        if value is MISSING or positions is MISSING or MISSING in rest:
            return MISSING
        i = _int64(value)
        pos = _positions(positions)
        if i is None or pos is None:
            return None
        return fn(i, pos, *rest)

    return bits


@register("BITSET")
@_with_positions
def bitset(i: int, pos: list) -> int:
    for p in pos:
        i |= 1 << (p - 1)
    return _signed(i)


@register("BITCLEAR")
@_with_positions
def bitclear(i: int, pos: list) -> int:
    for p in pos:
        i &= ~(1 << (p - 1))
    return _signed(i)


@register("BITTEST", "ISBITSET")
@_with_positions
def bittest(i: int, pos: list, all_set: Any = True) -> Any:
    if type(all_set) is not bool:
        return None
    hits = [bool(i >> (p - 1) & 1) for p in pos]
    return all(hits) if all_set else any(hits)


@register("BITSHIFT")
def bitshift(value: Any, shift: Any, rotate: Any = False) -> Any:
    if MISSING in (value, shift, rotate):
        return MISSING
    i, n = _int64(value), _int64(shift)
    if i is None or n is None or type(rotate) is not bool:
        return None
    u = i & _MASK
    if rotate:
        n %= 64
        return _signed(u << n | u >> (64 - n))
    if n >= 64 or n <= -64:
        return 0
    return _signed(u << n if n >= 0 else u >> -n)


# -- trigonometry and constants -------------------------------------------------


def _real(fn: Callable[..., float]) -> Callable[..., Any]:
    """A math function over floats: a domain error gives NaN, an overflow infinity."""

    @functools.wraps(fn)  # its signature: the argument count is checked (error 3000)
    def real(*args: Any) -> Any:
        try:
            return fn(*args)
        except ValueError:
            return math.nan
        except OverflowError:
            return math.inf

    return real


for _name, _fn in (("SIN", math.sin), ("COS", math.cos), ("TAN", math.tan),
                   ("ASIN", math.asin), ("ACOS", math.acos), ("ATAN", math.atan)):
    register(_name, strict=("n",))(_real(_fn))
register("ATAN2", strict=("n", "n"))(_real(math.atan2))
register("E")(lambda: math.e)
register("NAN")(lambda: math.nan)
register("POSINF", "INF")(lambda: math.inf)
register("NEGINF")(lambda: -math.inf)

# -- conditionals for numbers -----------------------------------------------------


def _first_number(bad: Callable[[float], bool]) -> Callable[..., Any]:
    """The first number that is not ``bad``; MISSING is skipped; NULL or a
    non-number met first gives NULL."""

    def first(a: Any, b: Any, *rest: Any) -> Any:  # (condfunnum.adoc: at least 2)
        for x in (a, b) + rest:
            if x is MISSING:
                continue
            if not is_number(x):
                return None
            if not bad(x):
                return x
        return None

    return first


register("IFINF", "IF_INF")(_first_number(math.isinf))
register("IFNAN", "IF_NAN")(_first_number(math.isnan))
register("IFNANORINF", "IF_NAN_OR_INF")(
    _first_number(lambda x: math.isnan(x) or math.isinf(x)))


def _if_equal(replacement: float) -> Callable[[Any, Any], Any]:
    def if_equal(a: Any, b: Any) -> Any:
        if a is MISSING or b is MISSING or a is None or b is None:
            return None  # condfunnum.adoc: "NULL if either expression is MISSING or NULL"
        return replacement if equal(a, b) else a

    return if_equal


register("NANIF", "NAN_IF")(_if_equal(math.nan))
register("POSINFIF", "POSINF_IF")(_if_equal(math.inf))
register("NEGINFIF", "NEGINF_IF")(_if_equal(-math.inf))

# -- conditionals for unknowns, and the IS_ tests ------------------------------------


def _valued(v: Any) -> bool:
    return v is not MISSING and v is not None


register("NVL2")(lambda e, if_valued, otherwise: if_valued if _valued(e) else otherwise)


@register("DECODE")
def decode(expr: Any, *pairs: Any) -> Any:
    """DECODE(expr, search1, result1 [, search2, result2...] [, default])."""
    for k in range(0, len(pairs) - 1, 2):
        if equal(expr, pairs[k]) or (expr is None and pairs[k] is None):
            return pairs[k + 1]
    return pairs[-1] if len(pairs) % 2 else None


register("IS_MISSING", "ISMISSING")(lambda v: v is MISSING)
register("IS_NOT_MISSING", "ISNOTMISSING")(lambda v: v is not MISSING)
register("IS_VALUED", "ISVALUED")(_valued)
register("IS_NOT_VALUED", "ISNOTVALUED")(lambda v: not _valued(v))
register("IS_NULL", "ISNULL")(lambda v: MISSING if v is MISSING else v is None)
register("IS_NOT_NULL", "ISNOTNULL")(lambda v: MISSING if v is MISSING else v is not None)


@register("TOATOM", "TO_ATOM")
def toatom(v: Any) -> Any:
    """An atom as is; the one element of a one-element array or object if atomic; else NULL."""
    if v is MISSING or v is None or type(v) in (bool, int, float, str):
        return v
    inner = v if type(v) is list else list(v.values()) if type(v) is dict else []
    if len(inner) == 1:  # typefun.adoc: the result of TOATOM() on the single element
        return toatom(inner[0])
    return None
