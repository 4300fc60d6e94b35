"""Primary and secondary (GSI-like) indexes, kept current by change notifications.

A secondary index holds one entry per indexed document, sorted by the N1QL
collation of its keys: ``(leading key, (other keys...), document id)``, each
key as a :func:`~.values.collation_key`. A document whose leading key is
MISSING (unless that key is ``INCLUDE MISSING``), or that fails the index's
WHERE, has no entry. A range scan on the
leading key is two bisections, so a selective query reads only the documents
it needs. The primary index is the sorted list of document ids.

An array index key (``DISTINCT ARRAY f(v) FOR v IN path [WHEN c] END``, ``ALL
ARRAY ...``, or the short ``ALL path``; one per index, as GSI) gives a document
one entry per distinct element, so ``ANY v IN path SATISFIES f(v) = x END`` is
a range scan (see :class:`ArrayKey` and :mod:`.planner`). Each entry also keeps
the keys' values, so a query that needs no other field is answered from the
index alone (a covering scan, no document fetch).

Indexes created ``WITH {"defer_build": true}`` stay ``deferred`` (unusable,
not maintained) until ``BUILD INDEX``. While an index is ``building`` (from a
snapshot of its keyspace, see :meth:`~.engine.QueryEngine.create_index`) the
changes made meanwhile are kept in ``pending`` and applied when the build is
done, so no write is missed.

Threads: the catalog and the indexes change only on the thread that writes
documents (the local cluster's event loop); queries on other threads read
them through :meth:`Index.scan`-style calls run on that thread too. The
catalog replaces a keyspace's name -> index dict rather than changing it, so
a query may iterate the dict it got (:meth:`IndexCatalog.of`) from any thread.
"""

from __future__ import annotations

import copy
import json
import secrets
from bisect import bisect_left, insort
from typing import Any, Callable, Iterator, Optional

from . import ast as A
from .datastore import DocRecord, Path
from .errors import N1QLError
from .evaluator import CTX, META, Compiler, Scope
from .limits import loads
from .values import MISSING, TOP, Binary, collation_key, truth

DOC = "\x00doc"
INDEX_STRIP = "\x00"


def decode(rec: DocRecord) -> Any:
    """The JSON value of a stored document: a :class:`Binary` if it is not JSON,
    or is nested more than :data:`~.limits.MAX_JSON_DEPTH` levels deep (so such
    a document has no fields for a query, and does not fail the query)."""
    try:
        return loads(rec.value)
    except (ValueError, UnicodeDecodeError):  # TooDeep is a ValueError
        return Binary(rec.value)


def meta_of(rec: DocRecord, value: Any = None) -> dict:
    return {
        "id": rec.key,
        "cas": rec.cas,
        "flags": rec.flags,
        "expiration": rec.expiration,
        "type": "base64" if isinstance(value, Binary) else "json",
    }


def key_text(expr: A.Node, alias: Optional[str] = None) -> str:
    """The text by which a query expression is matched to an index key."""
    return A.to_n1ql(expr, alias if alias is not None else INDEX_STRIP)


ARRAY_VAR = "\x00v"
"""The one variable name of an array key and of the predicates matched to it
(an index's ``v`` and a query's ``x`` both become this, so names may differ)."""


def rename(node: Any, old: str, new: str) -> Any:
    """A copy of ``node`` with every identifier ``old`` named ``new``."""
    if isinstance(node, A.Ident):
        return A.Ident(new) if node.name == old else node
    if isinstance(node, list):
        return [rename(n, old, new) for n in node]
    if isinstance(node, tuple):
        return tuple(rename(n, old, new) for n in node)
    if not isinstance(node, A.Node) or isinstance(node, A.Subquery):
        return node
    out = copy.copy(node)
    for slot in type(node).__slots__:
        value = getattr(node, slot)
        if isinstance(value, (A.Node, list, tuple)):
            setattr(out, slot, rename(value, old, new))
    return out


def field_path(expr: A.Node, alias: Optional[str] = None) -> Optional[tuple]:
    """``a.b.c`` as ``("a", "b", "c")`` (a field path of the document, written
    with or without ``alias``), else None."""
    names: list[str] = []
    while isinstance(expr, A.Field):
        names.append(expr.name)
        expr = expr.base
    if not isinstance(expr, A.Ident):
        return None
    if alias is not None and expr.name == alias:
        if not names:
            return None
    else:
        names.append(expr.name)
    return tuple(reversed(names))


def array_var(depth: int) -> str:
    """The canonical variable of an array key nested ``depth`` levels deep."""
    return ARRAY_VAR if depth == 0 else f"{ARRAY_VAR}{depth}"


class ArrayKey:
    """An array index key, in the form the planner matches a query against:
    ``value`` (the element expression over :func:`array_var`), ``source`` (the
    array expression), ``when`` (the WHEN conjuncts' texts), ``within``;
    ``inner``: for ``ARRAY (DISTINCT ARRAY ... END) FOR x IN ... END`` (an
    index on a nested array, indexing-arrays.adoc C4), the inner key, whose
    elements are the index's."""

    def __init__(self, key: A.Node, modifier: str, depth: int = 0) -> None:
        self.distinct = modifier == "DISTINCT"
        self.depth = depth
        self.inner: Optional[ArrayKey] = None
        if isinstance(key, A.Comprehension):
            if key.kind != "ARRAY" or len(key.bindings) != 1 or key.bindings[0].pos:
                raise N1QLError(5000, "GSI CreateIndex() - cause: Fails to create index.  "
                                      "Array index key must be one ARRAY ... FOR v IN expr END")
            b = key.bindings[0]
            self.value = rename(key.value, b.var, array_var(depth))
            if isinstance(self.value, A.Comprehension):
                self.inner = ArrayKey(self.value, modifier, depth + 1)
            self.source = b.expr
            self.within = b.within
            when = rename(key.when, b.var, ARRAY_VAR) if key.when is not None else None
        else:  # ALL path: the elements themselves
            self.value = A.Ident(array_var(depth))
            self.source = key
            self.within = False
            when = None
        self.value_text = key_text(self.value)
        self.source_text = key_text(self.source)
        from .evaluator import flatten_op

        self.when_texts = {key_text(c) for c in flatten_op(when, "AND")} if when else set()

    @property
    def levels(self) -> int:
        """How many array levels the key's value flattens (1 for a plain key)."""
        return 1 + (self.inner.levels if self.inner is not None else 0)


def _elements(value: Any, levels: int = 1) -> list:
    """The distinct elements an array key gives (``value``: the key evaluated;
    ``levels``: nested array keys flatten one level each)."""
    if type(value) is not list:
        return []
    for _ in range(levels - 1):
        value = [x for part in value if type(part) is list for x in part]
    out = []
    seen: set = set()
    for v in value:
        if v is MISSING:
            continue
        ck = collation_key(v)
        if ck not in seen:
            seen.add(ck)
            out.append(v)
    return out


def doc_env(rec: DocRecord) -> dict:
    """The environment an index's key and WHERE functions read a document from."""
    value = decode(rec)
    return {DOC: value, META + DOC: meta_of(rec, value), CTX: None}


def _entry(row: list, key: str) -> tuple:
    """An index entry: ``(leading collation key, (other collation keys...), id,
    (key values...))``, the values frozen (:func:`_frozen`; read them with
    :func:`key_values`).

    The first three parts are unique in an index (a document's entries are
    distinct), so sorting and bisecting never compare the key values, which
    may be objects or arrays. Every part is a plain tuple, str or number for
    scalar keys, so the cyclic collector untracks such an entry once it has
    survived a collection: a large index costs the collector nothing per
    entry (a ``tuple`` subclass or a list inside would keep it tracked)."""
    return (collation_key(row[0]), tuple([collation_key(v) for v in row[1:]]), key,
            tuple([_frozen(v) for v in row]))


def _frozen(v: Any) -> Any:
    """A key value as an entry keeps it, with no object the collector tracks:
    an array as a tuple, an object as its JSON text (bytes), MISSING as
    ``b""``. Neither tuples nor bytes are N1QL values, so :func:`key_values`
    knows what to rebuild."""
    t = type(v)
    if t is list:
        for x in v:
            if type(x) is list or type(x) is dict or x is MISSING:
                return tuple([_frozen(x) for x in v])
        return tuple(v)  # the common case: an array of scalars
    if t is dict:
        try:
            return json.dumps(v, separators=(",", ":")).encode()
        except (TypeError, ValueError):  # not JSON (a Binary inside): kept as it is
            return v
    if v is MISSING:
        return b""
    return v


def _thawed(v: Any) -> Any:
    t = type(v)
    if t is tuple:
        return [_thawed(x) for x in v]
    if t is bytes:
        return json.loads(v) if v else MISSING
    return v


def key_values(entry: tuple) -> tuple:
    """The keys' values of an index entry, as evaluated (fresh arrays and
    objects: a caller may keep or change them)."""
    row = entry[3]
    for v in row:
        if type(v) is tuple or type(v) is bytes:
            return tuple([_thawed(x) for x in row])
    return row  # scalars only: nothing to rebuild


def build_all(indexes: list, records: Any) -> None:
    """Fill ``indexes`` (all over one keyspace) from its documents in one pass:
    each document is decoded once for all of them (``BUILD INDEX`` of several
    deferred indexes, as GSI builds them in one scan)."""
    records = list(records)
    secondary: list[tuple[SecondaryIndex, list, dict[str, tuple]]] = []
    for ix in indexes:
        if ix.primary:
            ix.build(records)
        else:
            secondary.append((ix, [], {}))
    if not secondary:
        return
    for rec in records:
        env = doc_env(rec)
        for ix, entries, by_doc in secondary:
            es = ix._entries(rec, env)
            if es:
                entries.extend(es)
                by_doc[rec.key] = tuple(es)  # untracked once its entries are
    for ix, entries, by_doc in secondary:
        entries.sort()
        ix.entries = entries
        ix.by_doc = by_doc


class Index:
    """Common state: name, keyspace, state and the definition as N1QL text."""

    primary = False

    # build(records): fill the index from a keyspace's documents
    build: Callable[[Any], None]
    # update(key, record or None): follow one change
    update: Callable[[str, Optional[DocRecord]], None]

    def __init__(self, name: str, path: Path, namespace: str = "default") -> None:
        self.name = name
        self.path = path
        self.namespace = namespace
        self.id = secrets.token_hex(8)
        self.state = "online"
        self.scans = 0
        self.pending: list[tuple[str, Optional[DocRecord]]] = []
        """Changes seen while ``building``, applied when the build is done."""
        self.partition: Optional[str] = None
        """``HASH(...)`` of a partitioned index (the mock keeps one partition)."""
        self.modifiers: list[str] = []
        """Per key: ``DISTINCT`` or ``ALL`` for an array key, else ``""``."""

    @property
    def online(self) -> bool:
        return self.state == "online"

    def finish_build(self) -> None:
        """Apply the changes made while ``building`` and go online (call where
        the documents change: the build itself may run anywhere)."""
        pending, self.pending = self.pending, []
        for key, rec in pending:
            self.update(key, rec)
        self.state = "online"

    def system_row(self, datastore_id: str) -> dict:
        bucket, scope, coll = self.path
        row: dict[str, Any] = {"datastore_id": datastore_id, "id": self.id}
        if not self.primary:
            texts = self.key_texts  # type: ignore[attr-defined]
            mods = self.modifiers or [""] * len(texts)
            row["index_key"] = [f"({m.lower()} {t})" if m else t for m, t in zip(mods, texts)]
            for i, attrib in enumerate(getattr(self, "key_attribs", ())):  # DESC, INCLUDE MISSING
                row["index_key"][i] += f" {attrib}" if attrib else ""
            if self.where is not None:  # type: ignore[attr-defined]
                row["condition"] = A.to_n1ql(self.where, INDEX_STRIP)  # type: ignore
        else:
            row["index_key"] = []
            row["is_primary"] = True
        if (scope, coll) == ("_default", "_default"):
            row["keyspace_id"] = bucket
        else:
            row["bucket_id"], row["scope_id"], row["keyspace_id"] = bucket, scope, coll
        if self.partition is not None:
            row["partition"] = self.partition
        row.update({"name": self.name, "namespace_id": self.namespace, "state": self.state,
                    "using": "gsi"})
        row.update(getattr(self, "row_extra", None) or {})  # statements/alter_index.py...
        return row


class PrimaryIndex(Index):
    primary = True

    def __init__(self, name: str, path: Path, namespace: str = "default") -> None:
        super().__init__(name, path, namespace)
        self.keys: list[str] = []

    def build(self, records: Any) -> None:
        self.keys = sorted(r.key for r in records)

    def update(self, key: str, rec: Optional[DocRecord]) -> None:
        i = bisect_left(self.keys, key)
        present = i < len(self.keys) and self.keys[i] == key
        if rec is None:
            if present:
                del self.keys[i]
        elif not present:
            self.keys.insert(i, key)

    def scan(self) -> Iterator[str]:
        self.scans += 1
        return iter(list(self.keys))


class SecondaryIndex(Index):
    """Entries ``(leading key, (other keys...), document id, key values)``, the
    keys as collation keys (see :func:`_entry`); ``by_doc``: each document's
    entries, a tuple."""

    def __init__(self, name: str, path: Path, keys: list, where: Optional[A.Node],
                 namespace: str = "default", modifiers: Optional[list] = None) -> None:
        super().__init__(name, path, namespace)
        self.key_exprs = keys
        self.key_texts = [key_text(k) for k in keys]
        self.where = where
        self.modifiers = list(modifiers) if modifiers else [""] * len(keys)
        scope = Scope({DOC}, DOC)
        compiler = Compiler(scope)
        self._key_fns = [compiler.compile(k) for k in keys]
        self._where_fn = compiler.compile(where) if where is not None else None
        self.entries: list[tuple] = []
        self.by_doc: dict[str, tuple] = {}
        self.key_attribs: list = [""] * len(keys)
        """Per key, ``DESC`` and/or ``INCLUDE MISSING`` (leading key) as written."""

    @property
    def include_missing(self) -> bool:
        """Whether the leading key is ``INCLUDE MISSING`` (createindex.adoc, "INCLUDE
        MISSING Clause"): documents without it are indexed too (their entries sort
        first), so the index can serve a query with no predicate on that key."""
        return bool(self.key_attribs) and "INCLUDE MISSING" in (self.key_attribs[0] or "")

    @property
    def modifiers(self) -> list:
        return self._modifiers

    @modifiers.setter
    def modifiers(self, mods: list) -> None:
        """Per key ``DISTINCT``/``ALL`` (an array key) or ``""``; 5000 for more
        than one array key, as GSI."""
        self._modifiers = list(mods)
        keys = getattr(self, "key_exprs", None)
        if keys is None:  # Index.__init__, before the keys are known
            return
        arrays = [i for i, m in enumerate(self._modifiers) if m]
        if len(arrays) > 1:
            raise N1QLError(5000, "GSI CreateIndex() - cause: Fails to create index.  Multiple "
                                  "expressions with ALL are found. Only one array expression is "
                                  "supported per index.")
        self.array_pos: Optional[int] = arrays[0] if arrays else None
        self.array: Optional[ArrayKey] = (
            ArrayKey(keys[arrays[0]], self._modifiers[arrays[0]]) if arrays else None)
        self.paths: list = [None if i == self.array_pos else field_path(k)
                            for i, k in enumerate(keys)]
        """Per key, its field path if it is one (what a covering scan rebuilds)."""

    def _entries(self, rec: DocRecord, env: Optional[dict] = None) -> list:
        """The entries of one document (``env``: its :func:`doc_env`, shared by the
        indexes that :func:`build_all` fills together)."""
        if env is None:
            env = doc_env(rec)
        try:
            if self._where_fn is not None and not truth(self._where_fn(env)):
                return []
            values = [f(env) for f in self._key_fns]
            pos = self.array_pos
            if pos is None:
                # The common case: one row, so one entry (no duplicates to drop).
                if values[0] is MISSING and not self.include_missing:
                    return []
                return [_entry(values, rec.key)]
            assert self.array is not None
            elements = _elements(values[pos], self.array.levels)
            if not elements and pos > 0:
                elements = [MISSING]
            out: dict[tuple, tuple] = {}
            keep_missing = self.include_missing
            for e in elements:
                row = values[:pos] + [e] + values[pos + 1:]
                if row[0] is MISSING and not keep_missing:
                    continue
                entry = _entry(row, rec.key)
                out.setdefault(entry[:3], entry)
            return list(out.values())
        except Exception:  # a key that cannot be evaluated: not indexed, as GSI
            return []  # (and never an error in the KV write that got us here)

    def build(self, records: Any) -> None:
        build_all([self], records)

    def update(self, key: str, rec: Optional[DocRecord]) -> None:
        for old in self.by_doc.pop(key, ()):
            i = bisect_left(self.entries, old)
            if i < len(self.entries) and self.entries[i] == old:
                del self.entries[i]
        if rec is not None:
            new = self._entries(rec)
            for e in new:
                insort(self.entries, e)
            if new:
                self.by_doc[key] = tuple(new)

    def scan(self, spans: list) -> Iterator[str]:
        """Document ids whose leading key is in any of ``spans``:
        ``(low, low_inclusive, high, high_inclusive)``; MISSING as ``low`` and
        :data:`~.values.TOP` as ``high`` leave that end open."""
        return ids_in(self.ranges(bounds_of(spans)))

    def ranges(self, bounds: list) -> list[list[tuple]]:
        """The entries in each span, as copies (``bounds``: spans whose ends are
        collation keys). Only bisections and slices: the part of a scan that
        must run where the index changes (see the module's note on threads)."""
        self.scans += 1
        entries = self.entries
        out = []
        for low, low_inc, high, high_inc in bounds:
            if low is MISSING:
                start = 0
            else:
                start = bisect_left(entries, (low,) if low_inc else (low, TOP))
            if high is TOP:
                end = len(entries)
            else:
                end = bisect_left(entries, (high, TOP) if high_inc else (high,))
            out.append(entries[start:end])
        return out


def bounds_of(spans: list) -> list:
    """Spans with their ends as collation keys (what :meth:`SecondaryIndex.ranges`
    takes), computed by the caller so that the index's thread only bisects."""
    return [(collation_key(low) if low is not MISSING else MISSING, low_inc,
             collation_key(high) if high is not TOP else TOP, high_inc)
            for low, low_inc, high, high_inc in spans]


def ids_in(ranges: list[list[tuple]]) -> Iterator[str]:
    """The document ids of :meth:`SecondaryIndex.ranges`, each once, in order."""
    seen: set = set()
    out = []
    for part in ranges:
        for entry in part:
            k = entry[2]
            if k not in seen:
                seen.add(k)
                out.append(k)
    return iter(out)


class IndexCatalog:
    """All indexes of one engine, by keyspace path then name."""

    def __init__(self) -> None:
        self.by_path: dict[Path, dict[str, Index]] = {}
        self.changed: Callable[[], None] = lambda: None
        """Told after an index is added, dropped or starts building (on the
        thread where indexes change): the local cluster saves definitions."""

    def of(self, path: Path) -> list[Index]:
        return list(self.by_path.get(path, {}).values())

    def get(self, path: Path, name: str) -> Optional[Index]:
        return self.by_path.get(path, {}).get(name)

    def add(self, index: Index) -> None:
        named = dict(self.by_path.get(index.path, {}))
        named[index.name] = index
        self.by_path[index.path] = named  # a new dict: readers keep theirs
        self.changed()

    def drop(self, path: Path, name: str) -> None:
        named = dict(self.by_path[path])
        del named[name]
        self.by_path[path] = named
        self.changed()

    def primary(self, path: Path) -> Optional[PrimaryIndex]:
        for ix in self.by_path.get(path, {}).values():
            if isinstance(ix, PrimaryIndex) and ix.online:
                return ix
        return None

    def all(self) -> list[Index]:
        paths = sorted(self.by_path.items(), key=lambda item: item[0])
        return [ix for _path, named in paths for ix in named.values()]

    def on_change(self, path: Path, key: str, rec: Optional[DocRecord]) -> None:
        for ix in self.by_path.get(path, {}).values():
            if ix.online:
                ix.update(key, rec)
            elif ix.state == "building":
                ix.pending.append((key, rec))
