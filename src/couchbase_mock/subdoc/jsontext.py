"""Where a path's value lies in a document's JSON text, and edits of that text.

kv_engine does not re-serialise a document after a sub-document mutation: it
finds the bytes of the path in the stored text and splices the client's value
bytes in, so spacing, number spelling (``1.50``, ``1e3``, ``-0``), escapes and
key order everywhere else stay exactly as they were. This module does the
same on ``str`` text (the UTF-8 body decoded, so offsets never split a
character; encoding it back leaves every untouched byte as it was).

Positions come from a small scanner that walks only the containers along the
path and skips sibling values with the ``json`` module's own scanner (strings
and escapes included). The caller has already validated the operation on a
parsed tree, so the text here is always well-formed JSON and the path is
known to resolve as the operation needs.

Splicing rules (those of kv_engine's subjson library):

- a new dictionary member goes last, straight before the closing ``}``, as
  ``,"key":value`` (no comma in an empty object, whose spacing stays); missing parents
  (``mkdir_p``) nest as ``"a":{"b":value}``, an array created that way as
  ``"a":[value]``;
- a replaced value (upsert of an existing key, replace, counter) swaps the
  value's bytes only; the key and the spacing around it stay;
- delete removes from the key's opening quote (or the element) to the end of
  its value, together with the comma that separated it: the one before it
  when it is the last member, else the one after it;
- array insertion puts ``value,`` before an existing element, ``,value``
  straight before the ``]`` to append; an empty array becomes ``[value]``
  (spacing inside it dropped); appending to the whole document (empty path)
  also drops the spacing before the final ``]`` and after it.

Known difference: with duplicate keys in a document, the tree semantics
(``json`` keeps the last) and the server's (the first) disagree; this module
follows the first, as the server.
"""

from __future__ import annotations

import json
import re
from typing import Any, Callable, Optional

from .path import Component

_WS = re.compile(r"[ \t\n\r]*")
# The json module's own scanners (C where available): a value from an index
# to its end, and a string from just past its opening quote.
_scan_value: Callable[[str, int], tuple[Any, int]] = (
    json.JSONDecoder().scan_once)  # type: ignore[attr-defined]
_scan_string: Callable[[str, int], tuple[str, int]] = (
    json.decoder.scanstring)  # type: ignore[attr-defined]


def decode(raw: bytes) -> str:
    """A body or value as text (``UnicodeDecodeError`` if it is not UTF-8)."""
    return raw.decode("utf-8", "surrogatepass")


def encode(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def _skip(text: str, pos: int) -> int:
    return _WS.match(text, pos).end()  # type: ignore[union-attr]


class Entry:
    """One member of an object or element of an array: ``start`` is the key's
    opening quote (the value's first character in an array), ``end`` is just
    past the value."""

    __slots__ = ("key", "start", "value_start", "end")

    def __init__(self, key: Optional[str], start: int, value_start: int, end: int) -> None:
        self.key = key
        self.start = start
        self.value_start = value_start
        self.end = end


class Container:
    """An object or array: ``start`` at its ``{``/``[``, ``end`` past its
    closing bracket (``-1`` when the scan stopped early), its entries."""

    __slots__ = ("start", "end", "is_object", "entries")

    def __init__(self, start: int, is_object: bool) -> None:
        self.start = start
        self.end = -1
        self.is_object = is_object
        self.entries: list[Entry] = []


def _matches(entry: Entry, index: int, comp: Component) -> bool:
    return entry.key == comp if isinstance(comp, str) else index == comp


def scan(text: str, start: int, until: Optional[Component] = None) -> Container:
    """The container starting at ``text[start]``; stops after the entry that
    ``until`` names (a key, or an index >= 0) if it is met."""
    node = Container(start, text[start] == "{")
    close = "}" if node.is_object else "]"
    pos = _skip(text, start + 1)
    if text[pos] == close:
        node.end = pos + 1
        return node
    while True:
        entry_start = pos
        key = None
        if node.is_object:
            key, pos = _scan_string(text, pos + 1)
            pos = _skip(text, pos) + 1  # past the colon
            pos = _skip(text, pos)
        value_start = pos
        pos = _scan_value(text, pos)[1]
        entry = Entry(key, entry_start, value_start, pos)
        node.entries.append(entry)
        if until is not None and _matches(entry, len(node.entries) - 1, until):
            return node
        pos = _skip(text, pos)
        if text[pos] == close:
            node.end = pos + 1
            return node
        pos = _skip(text, pos + 1)  # past the comma


def _find(node: Container, comp: Component) -> Optional[Entry]:
    if isinstance(comp, int):
        if comp == -1:
            return node.entries[-1] if node.entries else None
        return node.entries[comp] if comp < len(node.entries) else None
    for entry in node.entries:
        if entry.key == comp:
            return entry
    return None


class Located:
    """How far a path resolves in a text: the containers along it (outermost
    first), how many components resolved, and the path's own entry if the
    whole path exists."""

    __slots__ = ("text", "chain", "depth", "entry", "root")

    def __init__(self, text: str, root: int) -> None:
        self.text = text
        self.root = root  # where the document's value starts
        self.chain: list[Container] = []
        self.depth = 0
        self.entry: Optional[Entry] = None

    @property
    def value_start(self) -> int:
        return self.entry.value_start if self.entry is not None else self.root

    def target(self) -> Optional[Container]:
        """The container the whole path names, read to its end (``None`` if
        the path does not resolve to a container)."""
        if self.entry is None and self.depth:
            return None
        start = self.value_start
        return scan(self.text, start) if self.text[start] in "{[" else None


def locate(text: str, path: list[Component]) -> Located:
    """Resolve ``path`` in ``text`` as far as it goes. The last container on
    the way is read to its end (an insertion needs its closing bracket)."""
    found = Located(text, _skip(text, 0))
    start = found.root
    last = len(path) - 1
    for depth, comp in enumerate(path):
        if text[start] not in "{[":
            return found
        until = None if depth == last or comp == -1 else comp
        node = scan(text, start, until)
        found.chain.append(node)
        entry = _find(node, comp)
        if entry is None:
            if node.end < 0:
                found.chain[-1] = scan(text, start)
            return found
        found.depth = depth + 1
        start = entry.value_start
        if depth == last:
            found.entry = entry
    return found


def value_span(text: str, path: list[Component]) -> tuple[int, int]:
    """Start and end of the value a (resolving) path names."""
    found = locate(text, path)
    if found.entry is not None:
        return found.entry.value_start, found.entry.end
    return found.root, _scan_value(text, found.root)[1]


# -- edits ------------------------------------------------------------------------

def splice(text: str, start: int, end: int, new: str) -> str:
    return text[:start] + new + text[end:]


def key_text(key: str) -> str:
    return json.dumps(key, ensure_ascii=False)


def replace_value(found: Located, new: str) -> str:
    """The path's value replaced by ``new``."""
    entry = found.entry
    assert entry is not None
    return splice(found.text, entry.value_start, entry.end, new)


def remove(found: Located) -> str:
    """The path's member or element removed with one separating comma."""
    text, entry = found.text, found.entry
    assert entry is not None
    entries = found.chain[-1].entries
    index = next(i for i, e in enumerate(entries) if e is entry)
    if len(entries) == 1:
        return splice(text, entry.start, entry.end, "")
    if entry is entries[-1]:  # (the last container on a path is read to its end)
        comma = text.rindex(",", entries[index - 1].end, entry.start)
        return splice(text, comma, entry.end, "")
    comma = text.index(",", entry.end)
    return splice(text, entry.start, comma + 1, "")


def _before_close(text: str, node: Container, new: str) -> str:
    """``new`` appended as the container's last entry."""
    assert node.end >= 0
    if not node.entries and not node.is_object:  # ``[ ]`` becomes ``[new]``
        return splice(text, node.start + 1, node.end - 1, new)
    comma = "," if node.entries else ""  # ``{ }`` becomes ``{ new}``
    return splice(text, node.end - 1, node.end - 1, comma + new)


def add_member(found: Located, path: list[Component], new: str, as_array: bool = False) -> str:
    """Store ``new`` under the missing part of ``path``, in the deepest object
    that exists (missing parents made as objects; with ``as_array`` the value
    is wrapped as the only element of a new array)."""
    missing = path[found.depth:]
    if as_array:
        new = "[" + new + "]"
    for key in reversed(missing[1:]):
        new = "{" + key_text(str(key)) + ":" + new + "}"
    member = key_text(str(missing[0])) + ":" + new
    return _before_close(found.text, found.chain[-1], member)


def push_last(found: Located, new: str, whole_document: bool = False) -> str:
    node = found.target()
    assert node is not None
    if whole_document and node.entries:
        # The server's own shortcut for the root: it re-ends the text at the
        # last element, so spacing before the final ``]`` and after it goes.
        text = found.text
        last = node.entries[-1].end
        return text[:last] + "," + new + "]"
    if whole_document:
        return found.text[:node.start + 1] + new + "]"
    return _before_close(found.text, node, new)


def push_first(found: Located, new: str) -> str:
    node = found.target()
    assert node is not None
    if not node.entries:
        return _before_close(found.text, node, new)
    first = node.entries[0].start
    return splice(found.text, first, first, new + ",")


def insert_at(found: Located, index: int, new: str) -> str:
    """``new`` as element ``index`` of the array ``found.chain[-1]``."""
    node = found.chain[-1]
    if index < len(node.entries):
        at = node.entries[index].start
        return splice(found.text, at, at, new + ",")
    return _before_close(found.text, node, new)

