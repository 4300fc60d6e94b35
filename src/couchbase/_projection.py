"""``collection.get(key, project=[...], with_expiry=True)``: a get made of
sub-document lookups, as the 4.x SDKs do it.

The lookup asks for ``$document.exptime`` and ``$document.flags`` (with
``with_expiry``) and each projected path; a command holds at most 16 specs, so
with more paths the whole document is fetched and projected here. The result
is a GetResult whose value holds only the projected paths, nested as in the
document (``project=["address.city"]`` gives ``{"address": {"city": ...}}``);
paths the document lacks are left out.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from . import _kv4x
from . import subdocument as SD
from ._core.opcode import Opcode
from ._core.subdoc import MAX_SPECS, PathFlag
from ._errors4x import InvalidArgumentException
from ._results4x import GetResult
from .formats import json_loads

if TYPE_CHECKING:
    from ._bucketbase import Flow

_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _parts(path: str) -> list[Any]:
    """``"a.b[1].c"`` -> ``["a", "b", 1, "c"]``."""
    return [int(index) if index else name for name, index in _PART.findall(path)]


def _pick(doc: Any, parts: list[Any]) -> tuple[bool, Any]:
    for part in parts:
        if isinstance(part, int):
            if not isinstance(doc, list) or part >= len(doc):
                return False, None
        elif not isinstance(doc, dict) or part not in doc:
            return False, None
        doc = doc[part]
    return True, doc


def _place(out: dict[str, Any], parts: list[Any], value: Any) -> None:
    node: Any = out
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if isinstance(part, int):  # an array element: kept as a one-element array
            continue
        if last or isinstance(parts[i + 1], int) and i + 1 == len(parts) - 1:
            node[part] = [value] if not last else value
            return
        node = node.setdefault(part, {})


def projected_get(coll: Any, key: Any, options: dict[str, Any]) -> Any:
    project = options.get("project") or []
    if isinstance(project, str) or not all(isinstance(p, str) and p for p in project):
        raise InvalidArgumentException(message="project must be a list of non-empty paths")
    with_expiry = bool(options.get("with_expiry"))
    specs = []
    if with_expiry:
        specs.append(SD.Spec(Opcode.SUBDOC_GET, SD.LookupInMacro.expiry_time(),
                             PathFlag.XATTR))
    specs.append(SD.Spec(Opcode.SUBDOC_GET, SD.LookupInMacro.flags(), PathFlag.XATTR))
    whole = not project or len(project) + len(specs) > MAX_SPECS
    if whole:
        specs.append(SD.get_full())
    else:
        specs.extend(SD.get(path) for path in project)
    op = coll._lookup_op(key, specs, {})
    _kv4x.timed(op.req, options)
    return coll._drive(_flow(coll, op, key, project, with_expiry, whole, options))


def _flow(coll: Any, op: Any, key: Any, project: list[str], with_expiry: bool, whole: bool,
          options: dict[str, Any]) -> Flow:
    from ._operation import failed
    from .exceptions import CouchbaseError

    cid = yield from coll._cid_flow()
    op.req.cid = cid
    try:
        found = yield op
    except CouchbaseError as exc:
        raise failed(op, exc) from None
    index = 0
    expiry = None
    if with_expiry:
        expiry = found.content_as[int](0)
        index = 1
    flags = found.content_as[int](index)
    index += 1
    decode = coll._decoder(options)
    if whole:
        raw = found._specs[index][1]
        if not project:
            return GetResult(key, found.cas, raw, flags, decode, expiry)
        doc = decode(raw, flags)
        out: dict[str, Any] = {}
        for path in project:
            ok, value = _pick(doc, _parts(path))
            if ok:
                _place(out, _parts(path), value)
        return GetResult(key, found.cas, out, flags, None, expiry)
    out = {}
    for i, path in enumerate(project):
        status, raw = found._specs[index + i]
        if not status:
            _place(out, _parts(path), json_loads(raw.decode("utf-8")))
    return GetResult(key, found.cas, out, flags, None, expiry)


__all__ = ["projected_get"]
