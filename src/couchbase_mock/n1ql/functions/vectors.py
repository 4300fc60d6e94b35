"""Vector functions (vectorfun.adoc): distances, the vector check, normalising,
and the base64 form of a float32 vector.

A vector is an array of numbers, or (where the page allows it) the base64
text of its float32 values, little-endian unless ``byte_order`` is true. There
is no vector index here: APPROX_VECTOR_DISTANCE computes the exact distance,
as the server does when no hyperscale or composite vector index serves the
query (the page's Example 1 shows both functions giving the same results).
"""

from __future__ import annotations

import base64
import binascii
import math
import struct
from typing import Any, Optional

from ..values import MISSING, is_number
from . import num, register


def _decode(text: str, big_endian: bool = False) -> Optional[list]:
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    if len(raw) % 4:
        return None
    order = ">" if big_endian else "<"
    return [num(x) for x in struct.unpack(f"{order}{len(raw) // 4}f", raw)]


def _vector(v: Any) -> Optional[list]:
    if type(v) is list:
        return v if all(is_number(x) and type(x) is not bool for x in v) else None
    if type(v) is str:
        return _decode(v)
    return None


def _cosine(a: list, b: list) -> Optional[float]:
    dot = sum(x * y for x, y in zip(a, b))
    norms = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return None if norms == 0 else 1 - dot / norms


def _l2_squared(a: list, b: list) -> Any:
    return sum((x - y) ** 2 for x, y in zip(a, b))


_METRICS = {
    "COSINE": _cosine,
    "DOT": lambda a, b: -sum(x * y for x, y in zip(a, b)),
    "L2": lambda a, b: math.sqrt(_l2_squared(a, b)),
    "EUCLIDEAN": lambda a, b: math.sqrt(_l2_squared(a, b)),
    "L2_SQUARED": _l2_squared,
    "EUCLIDEAN_SQUARED": _l2_squared,
}


@register("VECTOR_DISTANCE", "KNN_DISTANCE")
def vector_distance(vec: Any, query: Any, metric: Any) -> Any:
    """The distance between two vectors by ``metric`` (COSINE: 1 - cosine
    similarity; DOT: the negated dot product; L2/EUCLIDEAN;
    L2_SQUARED/EUCLIDEAN_SQUARED); vectors of other lengths, or not vectors,
    or an unknown metric -> NULL."""
    if vec is MISSING or query is MISSING or metric is MISSING:
        return MISSING
    a, b = _vector(vec), _vector(query)
    measure = _METRICS.get(metric.upper()) if type(metric) is str else None
    if a is None or b is None or measure is None or len(a) != len(b):
        return None
    d = measure(a, b)
    return None if d is None else num(d)


@register("APPROX_VECTOR_DISTANCE", "ANN_DISTANCE")
def approx_vector_distance(vec: Any, query: Any, metric: Any, nprobes: Any = None,
                           rerank: Any = None, top_n_scan: Any = None) -> Any:
    """Without a vector index, the exact distance (the tuning arguments have
    nothing to tune)."""
    return vector_distance(vec, query, metric)


@register("ISVECTOR")
def isvector(vec: Any, dimension: Any, fmt: Any) -> Any:
    """True if ``vec`` is an array of ``dimension`` numbers; ``fmt`` must be "float32"."""
    if vec is MISSING or dimension is MISSING or fmt is MISSING:
        return MISSING
    if fmt != "float32" or not is_number(dimension) or type(dimension) is bool:
        return None
    return type(vec) is list and len(vec) == dimension and _vector(vec) is not None


@register("NORMALIZE_VECTOR", "NORMALISE_VECTOR", "VECTOR_NORMALIZE", "VECTOR_NORMALISE")
def normalize_vector(vec: Any) -> Any:
    """The vector divided by its length (unit length, same direction)."""
    if vec is MISSING:
        return MISSING
    a = _vector(vec) if type(vec) is list else None
    if a is None:
        return None
    length = math.sqrt(sum(x * x for x in a))
    if length == 0:
        return None
    return [num(x / length) for x in a]


@register("ENCODE_VECTOR", "VECTOR_ENCODE")
def encode_vector(vec: Any, big_endian: Any = False) -> Any:
    """Base64 of the vector's float32 values (big-endian when ``big_endian`` is true)."""
    if vec is MISSING or big_endian is MISSING:
        return MISSING
    a = _vector(vec) if type(vec) is list else None
    if a is None or type(big_endian) is not bool:
        return None
    order = ">" if big_endian else "<"
    try:
        raw = struct.pack(f"{order}{len(a)}f", *a)
    except OverflowError:  # a value beyond float32
        return None
    return base64.b64encode(raw).decode("ascii")


@register("DECODE_VECTOR", "VECTOR_DECODE")
def decode_vector(text: Any, big_endian: Any = False) -> Any:
    """The float32 values of an ENCODE_VECTOR text."""
    if text is MISSING or big_endian is MISSING:
        return MISSING
    if type(text) is not str or type(big_endian) is not bool:
        return None
    return _decode(text, big_endian)
