"""What the query engine needs from a document store, and an in-memory one.

The engine reads and writes documents only through :class:`Datastore`, so it
runs over the local cluster's buckets (through an adapter) or over
:class:`MemoryDatastore` in unit tests and benchmarks. Keyspaces are named by
a :data:`Path` ``(bucket, scope, collection)``; a bare bucket is
``(bucket, "_default", "_default")``.

Index maintenance relies on :meth:`Datastore.subscribe`: the store calls every
listener after each change with the path, the key and the new record (``None``
when the document was deleted or expired).
"""

from __future__ import annotations

import itertools
from typing import Callable, Iterable, NamedTuple, Optional

try:
    from typing import Protocol
except ImportError:  # pragma: no cover
    Protocol = object  # type: ignore

Path = tuple[str, str, str]
DEFAULT = "_default"
JSON_FLAGS = 0x02000000


class DocRecord(NamedTuple):
    """One live document: the body as stored (JSON text for JSON documents)."""

    key: str
    value: bytes
    cas: int
    flags: int = JSON_FLAGS
    expiration: int = 0


def _record(fields: tuple) -> DocRecord:
    """A stored document's fields as a :class:`DocRecord` (no copy, no checks)."""
    return tuple.__new__(DocRecord, fields)


Listener = Callable[[Path, str, Optional[DocRecord]], None]


class DatastoreError(Exception):
    pass


class DocumentExists(DatastoreError):
    pass


class DocumentNotFound(DatastoreError):
    pass


class CasMismatch(DatastoreError):
    pass


class Datastore(Protocol):
    """The engine's view of a document store."""

    def buckets(self) -> list[str]:
        """Names of the buckets (for error texts and ``system:keyspaces``)."""

    def keyspaces(self) -> list[Path]:
        """Every collection of every bucket (the default collection included)."""

    def scan(self, path: Path) -> Iterable[DocRecord]:
        """Every live document of a collection, in any order."""

    def get(self, path: Path, key: str) -> Optional[DocRecord]:
        """A live document, or ``None``."""

    def insert(self, path: Path, key: str, value: bytes, flags: int, expiry: int) -> DocRecord:
        """Create; :class:`DocumentExists` if the key is taken."""

    def upsert(self, path: Path, key: str, value: bytes, flags: int, expiry: int) -> DocRecord:
        """Create or replace."""

    def replace(self, path: Path, key: str, value: bytes, flags: int, expiry: int,
                cas: int = 0) -> DocRecord:
        """Replace (``cas`` 0: any revision); :class:`DocumentNotFound`, :class:`CasMismatch`."""

    def remove(self, path: Path, key: str, cas: int = 0) -> None:
        """Delete; :class:`DocumentNotFound`, :class:`CasMismatch`."""

    def subscribe(self, listener: Listener) -> None:
        """Call ``listener(path, key, record_or_None)`` after every change."""


class MemoryDatastore:
    """A :class:`Datastore` in dictionaries, for tests and benchmarks.

    >>> ds = MemoryDatastore()
    >>> ds.create_bucket("beer")
    >>> _ = ds.upsert(("beer", "_default", "_default"), "k", b'{"a":1}', 0, 0)
    >>> ds.get(("beer", "_default", "_default"), "k").value
    b'{"a":1}'
    """

    def __init__(self) -> None:
        # Each document is kept as a plain tuple of the DocRecord's fields: a
        # tuple of str/bytes/int the cyclic collector untracks, where a
        # DocRecord (a tuple subclass) stays tracked, one object per document
        # walked by every full collection. Readers get a DocRecord (_record).
        self._data: dict[Path, dict[str, tuple]] = {}
        self._listeners: list[Listener] = []
        self._cas = itertools.count(1_600_000_000_000_000_000, 65536)
        self._scopes: set[tuple[str, str]] = set()  # scopes made by create_scope

    def create_bucket(self, name: str) -> None:
        self._data.setdefault((name, DEFAULT, DEFAULT), {})

    def create_collection(self, bucket: str, scope: str, collection: str) -> None:
        self.create_bucket(bucket)
        self._data.setdefault((bucket, scope, collection), {})

    # -- scopes and collections of N1QL's CREATE/DROP SCOPE/COLLECTION ------------
    # (statements/scopes.py). As the cluster's manifest does, each raises
    # ManifestError for a scope or collection missing or already there, and
    # KeyError for an unknown bucket.

    def scopes(self, bucket: str) -> list[str]:
        if (bucket, DEFAULT, DEFAULT) not in self._data:
            raise KeyError(bucket)
        return sorted({p[1] for p in self._data if p[0] == bucket} |
                      {s for b, s in self._scopes if b == bucket})

    def create_scope(self, bucket: str, scope: str) -> None:
        from ..manifest import EXISTS, ManifestError

        if scope in self.scopes(bucket):
            raise ManifestError("scope", f"scope {scope!r} already exists", EXISTS)
        self._scopes.add((bucket, scope))

    def drop_scope(self, bucket: str, scope: str) -> None:
        from ..manifest import FORBIDDEN, ManifestError

        if scope == DEFAULT:
            raise ManifestError("scope", "the _default scope cannot be dropped", FORBIDDEN)
        if scope not in self.scopes(bucket):
            raise ManifestError("scope", f"unknown scope {scope!r}")
        self._scopes.discard((bucket, scope))
        for path in [p for p in self._data if p[:2] == (bucket, scope)]:
            del self._data[path]

    def add_collection(self, bucket: str, scope: str, collection: str) -> None:
        from ..manifest import EXISTS, ManifestError

        if scope not in self.scopes(bucket):
            raise ManifestError("scope", f"unknown scope {scope!r}")
        if (bucket, scope, collection) in self._data:
            raise ManifestError("collection", f"collection {collection!r} already exists",
                                EXISTS)
        self._data[(bucket, scope, collection)] = {}

    def drop_collection(self, bucket: str, scope: str, collection: str) -> None:
        from ..manifest import ManifestError

        if scope not in self.scopes(bucket):
            raise ManifestError("scope", f"unknown scope {scope!r}")
        if (bucket, scope, collection) not in self._data:
            raise ManifestError("collection", f"unknown collection {collection!r}")
        del self._data[(bucket, scope, collection)]

    def buckets(self) -> list[str]:
        return sorted({p[0] for p in self._data})

    def keyspaces(self) -> list[Path]:
        return sorted(self._data)

    def scan(self, path: Path) -> Iterable[DocRecord]:
        return [_record(t) for t in self._data[path].values()]

    def get(self, path: Path, key: str) -> Optional[DocRecord]:
        coll = self._data.get(path)
        t = coll.get(key) if coll is not None else None
        return _record(t) if t is not None else None

    def _store(self, path: Path, key: str, value: bytes, flags: int, expiry: int) -> DocRecord:
        rec = DocRecord(key, value, next(self._cas), flags, expiry)
        self._data[path][key] = tuple(rec)
        for listener in self._listeners:
            listener(path, key, rec)
        return rec

    def insert(self, path: Path, key: str, value: bytes, flags: int = JSON_FLAGS,
               expiry: int = 0) -> DocRecord:
        if key in self._data[path]:
            raise DocumentExists(key)
        return self._store(path, key, value, flags, expiry)

    def upsert(self, path: Path, key: str, value: bytes, flags: int = JSON_FLAGS,
               expiry: int = 0) -> DocRecord:
        return self._store(path, key, value, flags, expiry)

    def replace(self, path: Path, key: str, value: bytes, flags: int = JSON_FLAGS,
                expiry: int = 0, cas: int = 0) -> DocRecord:
        old = self._data[path].get(key)
        if old is None:
            raise DocumentNotFound(key)
        if cas and cas != old[2]:
            raise CasMismatch(key)
        return self._store(path, key, value, flags, expiry)

    def remove(self, path: Path, key: str, cas: int = 0) -> None:
        old = self._data[path].get(key)
        if old is None:
            raise DocumentNotFound(key)
        if cas and cas != old[2]:
            raise CasMismatch(key)
        del self._data[path][key]
        for listener in self._listeners:
            listener(path, key, None)

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)
