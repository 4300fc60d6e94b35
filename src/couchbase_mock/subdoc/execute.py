"""Running a decoded request against one revision of a document.

Lookups read a snapshot (the body parsed once, each XATTR when a spec names
it) and give every spec its own status. Mutations work on parsed copies and
either produce the whole new revision or fail at the first spec that cannot
apply, leaving the stored document as it was.
"""

from __future__ import annotations

import json
from typing import Any, Optional

from couchbase._core.document import MAX_VALUE_SIZE
from couchbase._core.feature import Datatype
from couchbase._core.opcode import Opcode
from couchbase._core.status import Status

from ..storage import Document
from . import binary
from . import operations as ops
from .binary import BINARY_VALUE
from .body import Body
from .errors import CAN_ONLY_REVIVE_DELETED_DOCUMENTS, DELETED_DOCUMENT_CANT_HAVE_VALUE, SubdocError
from .spec import ADD, CREATE_AS_DELETED, EXPAND_MACROS, MKDOC, REVIVE_DOCUMENT, Request, Spec
from .xattrs import VIRTUAL, check_macros, expand_macros, virtual_root

MAX_SYSTEM_XATTR_SIZE = 1024 * 1024
"""System XATTRs have their own quota beside the value limit (max_system_xattr_size)."""

Result = tuple[int, bytes]
"""``(status, value)`` of one spec."""

_ARRAY_ROOT_OPS = frozenset({
    Opcode.SUBDOC_ARRAY_PUSH_LAST, Opcode.SUBDOC_ARRAY_PUSH_FIRST, Opcode.SUBDOC_ARRAY_ADD_UNIQUE,
})


class SpecFailure(SubdocError):
    """A mutation spec failed: ``index`` is its place in the request."""

    def __init__(self, index: int, status: int) -> None:
        super().__init__(status)
        self.index = index


def _xattr_root(spec: Spec, doc: Document, vbucket_uuid: int, now: float) -> dict[str, Any]:
    """``{key: parsed value}`` of the XATTR a lookup names (``{}`` if the
    document has no such XATTR)."""
    key = spec.xattr_key
    assert key is not None
    if key in VIRTUAL:
        return virtual_root(spec.path, doc, vbucket_uuid, now)
    return _stored_root(key, doc.xattrs)


def _stored_root(key: str, xattrs: Optional[dict[str, bytes]]) -> dict[str, Any]:
    """``{key: parsed value}`` of a stored XATTR, ``{}`` if there is none: the
    root the operations run on, the X-Key being the path's first component."""
    raw = xattrs.get(key) if xattrs else None
    return {} if raw is None else {key: json.loads(raw)}


def _xattr_value(spec: Spec, xattrs: dict[str, bytes]) -> Any:
    """The value an XATTR spec's path names in ``xattrs`` (PATH_ENOENT...)."""
    assert spec.xattr_key is not None
    return ops.lookup(_stored_root(spec.xattr_key, xattrs), spec.path)


def _body(doc: Document) -> Body:
    if doc.deleted:
        raise SubdocError(Status.SUBDOC_PATH_ENOENT)  # a tombstone has no body
    if not doc.datatype & Datatype.JSON:
        raise SubdocError(Status.SUBDOC_DOC_NOTJSON)
    return Body.parse(doc.value)


def lookups(req: Request, doc: Document, vbucket_uuid: int, now: float) -> list[Result]:
    """Every spec's ``(status, value)``."""
    results: list[Result] = []
    body: Optional[Body] = None
    failure: Optional[SubdocError] = None
    for spec in req.specs:
        try:
            if spec.error:
                raise SubdocError(spec.error)
            if spec.traits.whole_doc:
                results.append((Status.SUCCESS, doc.value))
                continue
            if spec.xattr_key is not None:
                assert spec.traits.run is not None
                root = _xattr_root(spec, doc, vbucket_uuid, now)
                value = spec.traits.run(root, spec.path)
                if spec.flags & BINARY_VALUE and spec.opcode == Opcode.SUBDOC_GET:
                    value = binary.read(value)
                results.append((Status.SUCCESS, value))
                continue
            if failure is not None:
                raise failure
            if body is None:
                try:
                    body = _body(doc)
                except SubdocError as exc:
                    failure = exc
                    raise
            results.append((Status.SUCCESS, body.lookup(spec)))
        except SubdocError as exc:
            results.append((exc.status, b""))
    return results


def _empty_root(spec: Spec) -> Any:
    """The root a new document starts with: an array if the first body spec
    addresses one (an index first, or an array operation on the whole body)."""
    if spec.path and isinstance(spec.path[0], int):
        return []
    if not spec.path and spec.opcode in _ARRAY_ROOT_OPS:
        return []
    return {}


def _looks_like_json(value: bytes) -> bool:
    try:
        ops.parse_document(value)
    except SubdocError:
        return False
    return True


class Mutation:
    """The new revision a MULTI_MUTATION (or single-path mutation) makes."""

    def __init__(self, req: Request, vbucket_uuid: int) -> None:
        self.req = req
        self.vbucket_uuid = vbucket_uuid
        self.results: list[tuple[int, bytes]] = []  # (spec index, value) of specs with values
        self.macro_keys: set[str] = set()
        self.on_tombstone = False  # the request worked on a deleted document

    def build(self, old: Optional[Document]) -> Document:
        """The new revision from ``old`` (``None``: the document is created).
        Raises :class:`SpecFailure` or :class:`SubdocError`."""
        req = self.req
        flags = req.doc_flags
        self.on_tombstone = old is not None and old.deleted
        if flags & REVIVE_DOCUMENT and old is not None and not old.deleted:
            raise SubdocError(CAN_ONLY_REVIVE_DELETED_DOCUMENTS)
        creating = bool(flags & (MKDOC | ADD)) and (old is None or old.deleted)
        xattrs: dict[str, bytes] = dict(old.xattrs) if old is not None and old.xattrs else {}
        body = old.value if old is not None else b""
        datatype = old.datatype if old is not None else Datatype.JSON
        fresh = old is None or old.deleted  # no body yet
        parsed: Optional[Body] = None
        whole_delete = False
        for index, spec in enumerate(req.specs):
            try:
                if spec.error:
                    raise SubdocError(spec.error)
                if spec.traits.whole_doc:
                    if spec.opcode == Opcode.DELETE:
                        whole_delete = True
                    else:
                        body, parsed, fresh = spec.value, None, False
                        datatype = Datatype.JSON if _looks_like_json(body) else Datatype.RAW
                    continue
                if spec.opcode == Opcode.SUBDOC_REPLACE_BODY_WITH_XATTR:
                    value = _xattr_value(spec, xattrs)
                    raw = binary.unwrap(value) if spec.flags & BINARY_VALUE else None
                    if raw is None:
                        body, datatype = ops.dump(value), Datatype.JSON
                    else:
                        body, datatype = raw, Datatype.RAW
                    parsed, fresh = None, False
                    continue
                mkdir = spec.mkdir or bool(flags & (MKDOC | ADD))
                assert spec.traits.run is not None
                if spec.xattr_key is not None:
                    value = self._xattr(spec, old, xattrs, mkdir)
                else:
                    if parsed is None:
                        if fresh:
                            parsed = Body.empty(_empty_root(spec))
                        elif not datatype & Datatype.JSON:
                            raise SubdocError(Status.SUBDOC_DOC_NOTJSON)
                        else:
                            parsed = Body.parse(body)
                    value = parsed.mutate(spec, mkdir)
                if value:
                    self.results.append((index, value))
            except SpecFailure:
                raise
            except SubdocError as exc:
                raise SpecFailure(index, exc.status) from None
        deleted = (
            (creating and bool(flags & CREATE_AS_DELETED))
            or (old is not None and old.deleted and not flags & REVIVE_DOCUMENT and not creating)
        )
        if parsed is not None:
            body, datatype = parsed.encode(), Datatype.JSON
        elif fresh:
            # A new document's body: none while deleted, else an empty object.
            body, datatype = (b"", Datatype.RAW) if deleted else (b"{}", Datatype.JSON)
        flags_kept = old.flags if old is not None and not old.deleted else 0
        doc = Document(body, flags_kept if req.user_flags is None else req.user_flags, 0, 0,
                       datatype, xattrs=xattrs or None, deleted=deleted)
        if whole_delete:
            doc = doc.tombstone()
        elif deleted and body:
            raise SubdocError(DELETED_DOCUMENT_CANT_HAVE_VALUE)
        self._check_size(doc)
        return doc

    def _xattr(self, spec: Spec, old: Optional[Document], xattrs: dict[str, bytes],
               mkdir: bool) -> bytes:
        key = spec.xattr_key
        assert key is not None and spec.traits.run is not None
        root = _stored_root(key, xattrs)
        value = binary.wrap(spec.value) if spec.flags & BINARY_VALUE else spec.value
        if spec.flags & EXPAND_MACROS:
            parsed = ops.parse_value(value)
            if ops.depth(parsed) > ops.MAX_DEPTH:
                raise SubdocError(Status.SUBDOC_VALUE_ETOODEEP)
            value = ops.dump(check_macros(parsed, old, self.vbucket_uuid))
            self.macro_keys.add(key)
        result = spec.traits.run(root, spec.path, value, mkdir)
        if key in root:
            xattrs[key] = ops.dump(root[key])
        else:
            xattrs.pop(key, None)
        return result

    @staticmethod
    def _check_size(doc: Document) -> None:
        user = system = 0
        for key, value in (doc.xattrs or {}).items():
            size = len(key.encode()) + len(value) + 6  # as the server's blob: length + 2 NULs
            if key.startswith("_"):
                system += size
            else:
                user += size
        if len(doc.value) + user > MAX_VALUE_SIZE or system > MAX_SYSTEM_XATTR_SIZE:
            raise SubdocError(Status.E2BIG)

    def finish(self, doc: Document) -> None:
        """Expand ``${Mutation.*}`` macros now that ``doc`` has its CAS and seqno."""
        if not self.macro_keys or not doc.xattrs:
            return
        xattrs = dict(doc.xattrs)
        for key in self.macro_keys:
            if key in xattrs:
                xattrs[key] = ops.dump(expand_macros(json.loads(xattrs[key]), doc))
        doc.xattrs = xattrs
