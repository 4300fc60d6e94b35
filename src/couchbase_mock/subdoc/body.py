"""A document body as the server edits it: checked on a parsed tree, changed
in its text.

Every operation runs on the tree first (:mod:`.operations` decides every
error and result); a mutation that applies is then made on the text by
:mod:`.jsontext`, so only the bytes of the changed path change and the new
value goes in as the client sent it. Lookups answer a value's own bytes from
the text (``1.50`` stays ``1.50``). Tree and text stay in step through a
multi-mutation: the text always parses to the tree.
"""

from __future__ import annotations

from typing import Any

from couchbase._core.opcode import Opcode
from couchbase._core.status import Status

from . import jsontext
from . import operations as ops
from .errors import SubdocError
from .spec import Spec

_PUSH = frozenset({Opcode.SUBDOC_ARRAY_PUSH_LAST, Opcode.SUBDOC_ARRAY_ADD_UNIQUE})
_STORE = frozenset({Opcode.SUBDOC_DICT_ADD, Opcode.SUBDOC_DICT_UPSERT, Opcode.SUBDOC_COUNTER})


class Body:
    """A JSON body as ``text`` (``str``) and ``tree``."""

    __slots__ = ("text", "tree")

    def __init__(self, text: str, tree: Any) -> None:
        self.text = text
        self.tree = tree

    @classmethod
    def parse(cls, raw: bytes) -> Body:
        """``SUBDOC_DOC_NOTJSON`` if ``raw`` is not JSON in UTF-8,
        ``SUBDOC_DOC_E2DEEP`` if it nests too deep."""
        try:
            text = jsontext.decode(raw)
        except UnicodeDecodeError:
            raise SubdocError(Status.SUBDOC_DOC_NOTJSON) from None
        return cls(text, ops.parse_document(text))

    @classmethod
    def empty(cls, tree: Any) -> Body:
        """A new document's body: ``{}`` or ``[]``."""
        return cls("[]" if isinstance(tree, list) else "{}", tree)

    def encode(self) -> bytes:
        return jsontext.encode(self.text)

    def lookup(self, spec: Spec) -> bytes:
        assert spec.traits.run is not None
        result = spec.traits.run(self.tree, spec.path)
        if spec.opcode == Opcode.SUBDOC_GET:
            start, end = jsontext.value_span(self.text, spec.path)
            return jsontext.encode(self.text[start:end])
        return result

    def mutate(self, spec: Spec, mkdir: bool) -> bytes:
        """Apply one body mutation; its result value (COUNTER's number)."""
        try:
            new = jsontext.decode(spec.value)
        except UnicodeDecodeError:
            raise SubdocError(Status.SUBDOC_VALUE_CANTINSERT) from None
        opcode, path = spec.opcode, spec.path
        found = jsontext.locate(self.text, path)
        if opcode == Opcode.SUBDOC_ARRAY_ADD_UNIQUE:
            # The server compares the value's bytes with each element's.
            target = found.target()
            tokens = [] if target is None else [
                self.text[e.value_start:e.end] for e in target.entries]
            result = ops.array_add_unique(self.tree, path, spec.value, mkdir,
                                          same=lambda _v: new in tokens)
        else:
            assert spec.traits.run is not None
            result = spec.traits.run(self.tree, path, spec.value, mkdir)
        self.text = _edit(opcode, found, path, new, result)
        return result


def _edit(opcode: int, found: jsontext.Located, path: list, new: str, result: bytes) -> str:
    """The text once ``opcode`` (already applied to the tree) applied."""
    if opcode == Opcode.SUBDOC_COUNTER:
        new = result.decode()
    exists = found.entry is not None or not path
    if opcode in _STORE or opcode == Opcode.SUBDOC_REPLACE:
        return jsontext.replace_value(found, new) if exists else jsontext.add_member(
            found, path, new)
    if opcode == Opcode.SUBDOC_DELETE:
        return jsontext.remove(found)
    if opcode == Opcode.SUBDOC_ARRAY_INSERT:
        return jsontext.insert_at(found, path[-1], new)
    if not exists:  # an array push under mkdir_p
        return jsontext.add_member(found, path, new, as_array=True)
    if opcode in _PUSH:
        whole = not path and opcode == Opcode.SUBDOC_ARRAY_PUSH_LAST
        return jsontext.push_last(found, new, whole_document=whole)
    assert opcode == Opcode.SUBDOC_ARRAY_PUSH_FIRST
    return jsontext.push_first(found, new)
