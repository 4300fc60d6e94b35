"""N1QL values: MISSING, truth, and the collation of mixed types.

Documents are plain JSON values in Python (``None`` is NULL, ``dict``,
``list``, ``str``, ``int``/``float``, ``bool``); :data:`MISSING` stands for an
absent value, which is not NULL: ``{"a": null}.a`` is NULL, ``{}.a`` is MISSING.

Collation (ORDER BY, comparisons, index order), lowest first::

    MISSING < NULL < FALSE < TRUE < numbers < strings < arrays < objects

Arrays compare element by element, then by length; objects first by their
number of fields, then by their sorted field names, then by the values in
that order. :func:`collation_key` turns a value into a Python tuple whose
natural ordering is this collation, so sorting and bisecting an index are
plain Python operations.
"""

from __future__ import annotations

import json
from typing import Any


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False

    def __reduce__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()
"""The absent value (a singleton, compared with ``is``)."""

T_MISSING, T_NULL, T_BOOLEAN, T_NUMBER, T_STRING, T_ARRAY, T_OBJECT, T_BINARY = range(8)

TYPE_NAMES = {
    T_MISSING: "missing",
    T_NULL: "null",
    T_BOOLEAN: "boolean",
    T_NUMBER: "number",
    T_STRING: "string",
    T_ARRAY: "array",
    T_OBJECT: "object",
    T_BINARY: "binary",
}


class Binary:
    """A document body that is not JSON."""

    __slots__ = ("data",)

    def __init__(self, data: bytes) -> None:
        self.data = data

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Binary) and other.data == self.data

    def __hash__(self) -> int:
        return hash(self.data)

    def __repr__(self) -> str:
        return f"Binary({self.data[:16]!r})"


def type_of(v: Any) -> int:
    if v is MISSING:
        return T_MISSING
    if v is None:
        return T_NULL
    t = type(v)
    if t is bool:
        return T_BOOLEAN
    if t is int or t is float:
        return T_NUMBER
    if t is str:
        return T_STRING
    if t is list:
        return T_ARRAY
    if t is dict:
        return T_OBJECT
    if isinstance(v, bool):
        return T_BOOLEAN
    if isinstance(v, (int, float)):
        return T_NUMBER
    if isinstance(v, str):
        return T_STRING
    if isinstance(v, (list, tuple)):
        return T_ARRAY
    if isinstance(v, dict):
        return T_OBJECT
    return T_BINARY


def type_name(v: Any) -> str:
    return TYPE_NAMES[type_of(v)]


def is_number(v: Any) -> bool:
    t = type(v)
    return t is int or t is float


def collation_key(v: Any) -> tuple:
    """A tuple that sorts like ``v`` collates in N1QL."""
    t = type(v)
    if t is str:
        return (T_STRING, v)
    if t is int or t is float:
        return (T_NUMBER, v)
    if v is None:
        return (T_NULL,)
    if v is MISSING:
        return (T_MISSING,)
    if t is bool:
        return (T_BOOLEAN, v)
    if t is list:
        return (T_ARRAY, tuple(collation_key(x) for x in v))
    if t is dict:
        names = sorted(v)
        return (T_OBJECT, len(names), tuple(names), tuple(collation_key(v[n]) for n in names))
    if isinstance(v, Binary):
        return (T_BINARY, v.data)
    return collation_key(json.loads(json.dumps(v)))


def compare(a: Any, b: Any) -> int:
    """-1, 0 or 1 by collation (MISSING and NULL included)."""
    ka, kb = collation_key(a), collation_key(b)
    return (ka > kb) - (ka < kb)


def equal(a: Any, b: Any) -> bool:
    """Value equality (``1 = 1.0``, objects by content)."""
    ta, tb = type_of(a), type_of(b)
    if ta != tb:
        return False
    if ta == T_NUMBER:
        return a == b
    if ta == T_ARRAY:
        return len(a) == len(b) and all(equal(x, y) for x, y in zip(a, b))
    if ta == T_OBJECT:
        return a.keys() == b.keys() and all(equal(a[k], b[k]) for k in a)
    return bool(a == b)


def truth(v: Any) -> bool:
    """The truth of a value in WHERE, AND, OR and NOT: FALSE, 0, "", [], {},
    NULL and MISSING are false."""
    if v is True:
        return True
    if v is False or v is None or v is MISSING:
        return False
    if isinstance(v, (int, float, str, list, dict)):
        return bool(v)
    return True


class _Top:
    """Greater than every collation key (an open upper bound for bisect)."""

    __slots__ = ()

    def __lt__(self, other: object) -> bool:
        return False

    def __le__(self, other: object) -> bool:
        return other is self

    def __gt__(self, other: object) -> bool:
        return other is not self

    def __ge__(self, other: object) -> bool:
        return True

    def __eq__(self, other: object) -> bool:
        return other is self

    def __hash__(self) -> int:
        return 0

    def __repr__(self) -> str:
        return "TOP"


TOP = _Top()


def hashable(v: Any) -> Any:
    """A hashable stand-in with the same identity as N1QL equality (DISTINCT, GROUP BY)."""
    t = type(v)
    if t is str or t is bool or v is None or v is MISSING:
        return (t.__name__, v) if t is not bool else ("b", v)
    if t is int or t is float:
        return ("n", v)
    if t is list:
        return ("a", tuple(hashable(x) for x in v))
    if t is dict:
        return ("o", tuple(sorted((k, hashable(x)) for k, x in v.items())))
    return ("x", repr(v))


def to_json_value(v: Any) -> Any:
    """``v`` with MISSING object fields dropped and MISSING array elements made NULL."""
    if v is MISSING:
        return None
    if type(v) is dict:
        return {k: to_json_value(x) for k, x in v.items() if x is not MISSING}
    if type(v) is list:
        return [to_json_value(x) for x in v]
    if isinstance(v, Binary):
        return None
    return v
