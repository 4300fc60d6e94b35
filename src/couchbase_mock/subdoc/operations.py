"""The sub-document operations on a parsed JSON tree, as kv_engine's
``docs/SubDocument.md`` defines them.

Each mutation changes the tree it is given in place (the caller works on its
own parsed copy and throws it away if anything fails, which is what makes a
multi-mutation all or nothing) and raises :class:`SubdocError` with the
server's status when it cannot apply. Values arrive as the JSON text the
client sent; results leave as JSON text.

Nesting: a document may nest containers at most :data:`MAX_DEPTH` deep
(deeper: ``SUBDOC_DOC_E2DEEP``), and a mutation may not make it deeper
(``SUBDOC_VALUE_ETOODEEP``).
"""

from __future__ import annotations

import json
import re
from typing import Any, Callable, Optional, Union

from couchbase._core.status import Status

from .errors import SubdocError
from .path import MAX_COMPONENTS, Component

MAX_DEPTH = MAX_COMPONENTS
"""Levels of containers a document may nest."""

INT64_MIN = -(1 << 63)
INT64_MAX = (1 << 63) - 1

Container = Union[dict, list]

_ENOENT = Status.SUBDOC_PATH_ENOENT
_MISMATCH = Status.SUBDOC_PATH_MISMATCH
_CANTINSERT = Status.SUBDOC_VALUE_CANTINSERT
_DELTA = re.compile(rb"-?[1-9][0-9]*\Z")  # no leading zeros, as the server
_DUMP = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _loads(raw: Union[bytes, str]) -> Any:
    return json.loads(raw, parse_constant=_no_constants)


def dump(value: Any) -> bytes:
    """JSON text of a value, compact."""
    return _DUMP(value).encode("utf-8")


def depth(value: Any, limit: int = MAX_DEPTH + 1) -> int:
    """Levels of containers in ``value`` (0 for a primitive), counted up to ``limit``."""
    if not isinstance(value, (dict, list)):
        return 0
    deepest = 1
    stack = [(value, 1)]
    while stack:
        node, level = stack.pop()
        if level > deepest:
            deepest = level
            if deepest >= limit:
                return deepest
        children = node.values() if isinstance(node, dict) else node
        for child in children:
            if isinstance(child, (dict, list)):
                stack.append((child, level + 1))
    return deepest


def parse_document(raw: Union[bytes, str]) -> Any:
    """A document body as a tree: ``SUBDOC_DOC_NOTJSON`` if it is not JSON,
    ``SUBDOC_DOC_E2DEEP`` if it nests too deep."""
    try:
        tree = _loads(raw)
    except RecursionError:
        raise SubdocError(Status.SUBDOC_DOC_E2DEEP) from None
    except ValueError:  # (UnicodeDecodeError included)
        raise SubdocError(Status.SUBDOC_DOC_NOTJSON) from None
    if depth(tree) > MAX_DEPTH:
        raise SubdocError(Status.SUBDOC_DOC_E2DEEP)
    return tree


def parse_value(raw: bytes) -> Any:
    """One JSON value to insert (``SUBDOC_VALUE_CANTINSERT`` if it is not one)."""
    try:
        return _loads(raw)
    except RecursionError:
        raise SubdocError(Status.SUBDOC_VALUE_ETOODEEP) from None
    except ValueError:
        raise SubdocError(_CANTINSERT) from None


def parse_values(raw: bytes) -> list[Any]:
    """The values of an array insertion: anything that makes JSON as ``[raw]``."""
    try:
        values = _loads(b"[" + raw + b"]")
    except RecursionError:
        raise SubdocError(Status.SUBDOC_VALUE_ETOODEEP) from None
    except ValueError:
        raise SubdocError(_CANTINSERT) from None
    if not values:  # an empty value (or only whitespace)
        raise SubdocError(_CANTINSERT)
    return list(values)


# -- walking ------------------------------------------------------------------


def _index(array: list, index: int) -> int:
    """A real position in ``array`` (``-1``: the last), or PATH_ENOENT."""
    if index == -1:
        if not array:
            raise SubdocError(_ENOENT)
        return len(array) - 1
    if index >= len(array):
        raise SubdocError(_ENOENT)
    return index


def _child(node: Any, comp: Component) -> Any:
    if isinstance(comp, str):
        if not isinstance(node, dict):
            raise SubdocError(_MISMATCH)
        try:
            return node[comp]
        except KeyError:
            raise SubdocError(_ENOENT) from None
    if not isinstance(node, list):
        raise SubdocError(_MISMATCH)
    return node[_index(node, comp)]


def lookup(root: Any, path: list[Component]) -> Any:
    """The value at ``path`` (PATH_ENOENT, PATH_MISMATCH)."""
    node = root
    for comp in path:
        node = _child(node, comp)
    return node


def _parent(root: Any, path: list[Component], mkdir: bool) -> Any:
    """The container of ``path``'s last component; with ``mkdir`` missing
    dictionaries on the way are created (missing array elements never are)."""
    node = root
    for comp in path[:-1]:
        if mkdir and isinstance(comp, str) and isinstance(node, dict) and comp not in node:
            node[comp] = {}
        node = _child(node, comp)
    return node


def _check_depth(levels_above: int, value: Any) -> None:
    if levels_above + depth(value) > MAX_DEPTH:
        raise SubdocError(Status.SUBDOC_VALUE_ETOODEEP)


# -- lookups ------------------------------------------------------------------


def get(root: Any, path: list[Component]) -> bytes:
    return dump(lookup(root, path))


def exists(root: Any, path: list[Component]) -> bytes:
    lookup(root, path)
    return b""


def get_count(root: Any, path: list[Component]) -> bytes:
    node = lookup(root, path)
    if not isinstance(node, (dict, list)):
        raise SubdocError(_MISMATCH)
    return str(len(node)).encode()


# -- mutations ------------------------------------------------------------------


def dict_add(root: Any, path: list[Component], raw: bytes, mkdir: bool) -> bytes:
    return _dict_store(root, path, raw, mkdir, add=True)


def dict_upsert(root: Any, path: list[Component], raw: bytes, mkdir: bool) -> bytes:
    return _dict_store(root, path, raw, mkdir, add=False)


def _dict_store(root: Any, path: list[Component], raw: bytes, mkdir: bool, add: bool) -> bytes:
    last = path[-1]
    if not isinstance(last, str):
        raise SubdocError(Status.SUBDOC_PATH_EINVAL)
    value = parse_value(raw)
    parent = _parent(root, path, mkdir)
    if not isinstance(parent, dict):
        raise SubdocError(_MISMATCH)
    if add and last in parent:
        raise SubdocError(Status.SUBDOC_PATH_EEXISTS)
    _check_depth(len(path), value)
    parent[last] = value
    return b""


def delete(root: Any, path: list[Component], raw: bytes = b"", mkdir: bool = False) -> bytes:
    parent = _parent(root, path, False)
    last = path[-1]
    _child(parent, last)  # PATH_ENOENT / PATH_MISMATCH
    if isinstance(last, str):
        del parent[last]
    else:
        del parent[_index(parent, last)]
    return b""


def replace(root: Any, path: list[Component], raw: bytes, mkdir: bool = False) -> bytes:
    value = parse_value(raw)
    parent = _parent(root, path, False)
    last = path[-1]
    _child(parent, last)
    _check_depth(len(path), value)
    if isinstance(last, str):
        parent[last] = value
    else:
        parent[_index(parent, last)] = value
    return b""


def _array_at(root: Any, path: list[Component], mkdir: bool) -> list:
    """The array ``path`` names, created (with its parents) under ``mkdir``."""
    if not path:
        node = root
    else:
        parent = _parent(root, path, mkdir)
        last = path[-1]
        if mkdir and isinstance(last, str) and isinstance(parent, dict) and last not in parent:
            parent[last] = []
        node = _child(parent, last)
    if not isinstance(node, list):
        raise SubdocError(_MISMATCH)
    return node


def array_push_last(root: Any, path: list[Component], raw: bytes, mkdir: bool) -> bytes:
    values = parse_values(raw)
    array = _array_at(root, path, mkdir)
    _check_depth(len(path), values)  # (the list of values stands for the array)
    array.extend(values)
    return b""


def array_push_first(root: Any, path: list[Component], raw: bytes, mkdir: bool) -> bytes:
    values = parse_values(raw)
    array = _array_at(root, path, mkdir)
    _check_depth(len(path), values)
    array[0:0] = values
    return b""


def array_insert(root: Any, path: list[Component], raw: bytes, mkdir: bool = False) -> bytes:
    last = path[-1] if path else None
    if not isinstance(last, int) or last < 0:
        raise SubdocError(Status.SUBDOC_PATH_EINVAL)
    values = parse_values(raw)
    array = lookup(root, path[:-1])
    if not isinstance(array, list):
        raise SubdocError(_MISMATCH)
    if last > len(array):
        raise SubdocError(_ENOENT)
    _check_depth(len(path) - 1, values)
    array[last:last] = values
    return b""


def _is_primitive(value: Any) -> bool:
    return not isinstance(value, (dict, list))


def array_add_unique(root: Any, path: list[Component], raw: bytes, mkdir: bool,
                     same: Optional[Callable[[Any], bool]] = None) -> bytes:
    """Append a primitive not yet in the array. ``same(value)`` says whether
    the array already holds it; by default it compares compact JSON text (1,
    1.0 and "1" all differ). The body passes the server's rule: the value's
    bytes equal an element's bytes."""
    values = parse_values(raw)
    if len(values) != 1 or not _is_primitive(values[0]):
        raise SubdocError(_CANTINSERT)
    array = _array_at(root, path, mkdir)
    if not all(_is_primitive(item) for item in array):
        raise SubdocError(_MISMATCH)
    if same is None:
        text = dump(values[0])
        found = any(dump(item) == text for item in array)
    else:
        found = same(values[0])
    if found:
        raise SubdocError(Status.SUBDOC_PATH_EEXISTS)
    array.append(values[0])
    return b""


def parse_delta(raw: bytes) -> int:
    """A counter's delta: a non-zero integer in the int64 range (else DELTA_EINVAL)."""
    if not _DELTA.match(raw):
        raise SubdocError(Status.SUBDOC_DELTA_EINVAL)
    delta = int(raw)
    if delta == 0 or not INT64_MIN <= delta <= INT64_MAX:
        raise SubdocError(Status.SUBDOC_DELTA_EINVAL)
    return delta


def counter(root: Any, path: list[Component], raw: bytes, mkdir: bool) -> bytes:
    """Add ``raw`` (a delta) to the integer at ``path``, creating it from 0; the
    new value as the result."""
    delta = parse_delta(raw)
    parent = _parent(root, path, mkdir)
    last = path[-1]
    if isinstance(last, str) and isinstance(parent, dict) and last not in parent:
        current = 0
    else:
        current = _child(parent, last)
        if isinstance(current, bool) or not isinstance(current, int):
            raise SubdocError(_MISMATCH)
        if not INT64_MIN <= current <= INT64_MAX:
            raise SubdocError(Status.SUBDOC_NUM_ERANGE)
    number = current + delta
    if not INT64_MIN <= number <= INT64_MAX:
        raise SubdocError(_CANTINSERT)  # kv_engine's answer to DELTA_OVERFLOW
    if isinstance(last, str):
        parent[last] = number
    else:
        parent[_index(parent, last)] = number
    return str(number).encode()
