"""A bucket's collections manifest: scopes, collections and their ids.

Only ``_default._default`` (collection id 0) exists at first. Ids of new
scopes and collections start at 8, as on a real server (0-7 are reserved),
and every change bumps the manifest uid. On the wire uids are hex strings.
"""

from __future__ import annotations

from typing import Any, Optional

from .names import collection_name_error

DEFAULT_SCOPE = "_default"
DEFAULT_COLLECTION = "_default"
FIRST_USER_ID = 8

# Why a change was refused (ManifestError.reason).
MISSING = "missing"
EXISTS = "exists"
FORBIDDEN = "forbidden"


class ManifestError(Exception):
    """A scope or collection does not exist, already exists, or may not be dropped.

    ``kind`` is ``"scope"`` or ``"collection"``; ``reason`` is :data:`MISSING`,
    :data:`EXISTS` or :data:`FORBIDDEN` (dropping the ``_default`` scope).
    """

    def __init__(self, kind: str, message: str, reason: str = MISSING) -> None:
        super().__init__(message)
        self.kind = kind
        self.reason = reason


# The old name of couchbase_mock.names.collection_name_error.
name_error = collection_name_error


class Collection:
    __slots__ = ("name", "uid", "max_ttl", "history")

    def __init__(self, name: str, uid: int, max_ttl: int = 0, history: bool = False) -> None:
        self.name = name
        self.uid = uid
        self.max_ttl = max_ttl
        self.history = history  # history retention (magma buckets, 7.2+)


class Scope:
    __slots__ = ("name", "uid", "collections")

    def __init__(self, name: str, uid: int) -> None:
        self.name = name
        self.uid = uid
        self.collections: dict[str, Collection] = {}


class Manifest:
    """Scopes and collections of one bucket.

    >>> m = Manifest()
    >>> m.collection_id("_default._default")
    (0, 0)
    """

    def __init__(self) -> None:
        self.uid = 0
        self._next_id = FIRST_USER_ID
        default = Scope(DEFAULT_SCOPE, 0)
        default.collections[DEFAULT_COLLECTION] = Collection(DEFAULT_COLLECTION, 0)
        self.scopes: dict[str, Scope] = {DEFAULT_SCOPE: default}
        self._by_cid: dict[int, tuple[Scope, Collection]] = {
            0: (default, default.collections[DEFAULT_COLLECTION])
        }

    def has_collection_id(self, cid: int) -> bool:
        return cid in self._by_cid

    def collection_by_id(self, cid: int) -> Optional[Collection]:
        entry = self._by_cid.get(cid)
        return entry[1] if entry else None

    def collection_id(self, path: str) -> tuple[int, int]:
        """``(manifest uid, collection id)`` of ``"scope.collection"``.

        An empty part means ``_default``. Raises :class:`ManifestError`.
        """
        scope_name, _, coll_name = path.partition(".")
        scope = self.scopes.get(scope_name or DEFAULT_SCOPE)
        if scope is None:
            raise ManifestError("scope", f"unknown scope {scope_name!r}")
        coll = scope.collections.get(coll_name or DEFAULT_COLLECTION)
        if coll is None:
            raise ManifestError("collection", f"unknown collection {path!r}")
        return self.uid, coll.uid

    def scope_id(self, name: str) -> tuple[int, int]:
        """``(manifest uid, scope id)``. Raises :class:`ManifestError`."""
        scope = self.scopes.get(name or DEFAULT_SCOPE)
        if scope is None:
            raise ManifestError("scope", f"unknown scope {name!r}")
        return self.uid, scope.uid

    def create_scope(self, name: str) -> Scope:
        if name in self.scopes:
            raise ManifestError("scope", f"scope {name!r} already exists", EXISTS)
        scope = Scope(name, self._take_id())
        self.scopes[name] = scope
        self.uid += 1
        return scope

    def drop_scope(self, name: str) -> list[Collection]:
        """Remove a scope; returns the collections that went with it."""
        if name == DEFAULT_SCOPE:
            raise ManifestError("scope", "the _default scope cannot be dropped", FORBIDDEN)
        scope = self.scopes.get(name)
        if scope is None:
            raise ManifestError("scope", f"unknown scope {name!r}")
        for coll in scope.collections.values():
            del self._by_cid[coll.uid]
        del self.scopes[name]
        self.uid += 1
        return list(scope.collections.values())

    def create_collection(self, scope_name: str, name: str, max_ttl: int = 0) -> Collection:
        scope = self.scopes.get(scope_name)
        if scope is None:
            raise ManifestError("scope", f"unknown scope {scope_name!r}")
        if name in scope.collections:
            raise ManifestError(
                "collection", f"collection {name!r} already exists in {scope_name!r}", EXISTS
            )
        coll = Collection(name, self._take_id(), max_ttl)
        scope.collections[name] = coll
        self._by_cid[coll.uid] = (scope, coll)
        self.uid += 1
        return coll

    def drop_collection(self, scope_name: str, name: str) -> Collection:
        scope = self.scopes.get(scope_name)
        if scope is None:
            raise ManifestError("scope", f"unknown scope {scope_name!r}")
        coll = scope.collections.pop(name, None)
        if coll is None:
            raise ManifestError("collection", f"unknown collection {name!r}")
        del self._by_cid[coll.uid]
        self.uid += 1
        return coll

    def update_collection(self, scope_name: str, name: str, max_ttl: Optional[int] = None,
                          history: Optional[bool] = None) -> Collection:
        """Change a collection's max TTL and/or history flag (a new manifest uid)."""
        scope = self.scopes.get(scope_name)
        if scope is None:
            raise ManifestError("scope", f"unknown scope {scope_name!r}")
        coll = scope.collections.get(name)
        if coll is None:
            raise ManifestError("collection", f"unknown collection {name!r}")
        if max_ttl is not None:
            coll.max_ttl = max_ttl
        if history is not None:
            coll.history = history
        self.uid += 1
        return coll

    def _take_id(self) -> int:
        uid = self._next_id
        self._next_id += 1
        return uid

    def to_json(self) -> dict[str, Any]:
        """The manifest as GET_COLLECTIONS_MANIFEST and REST return it."""
        scopes = []
        for scope in self.scopes.values():
            colls = []
            for coll in scope.collections.values():
                entry: dict[str, Any] = {"name": coll.name, "uid": format(coll.uid, "x")}
                if coll.max_ttl:
                    entry["maxTTL"] = coll.max_ttl
                if coll.history:
                    entry["history"] = True
                colls.append(entry)
            scopes.append({"name": scope.name, "uid": format(scope.uid, "x"), "collections": colls})
        return {"uid": format(self.uid, "x"), "scopes": scopes}

    @classmethod
    def from_json(cls, data: dict[str, Any], next_id: int = 0) -> Manifest:
        """The manifest :meth:`to_json` described, with the same uids (a restart
        from the data directory: stored documents name their collection ids).
        New ids continue from ``next_id`` (:attr:`next_id` when it was saved),
        so an id dropped before the restart is not reused."""
        manifest = cls()
        manifest.scopes.clear()
        manifest._by_cid.clear()
        top = FIRST_USER_ID - 1
        for scope_data in data["scopes"]:
            scope = Scope(scope_data["name"], int(scope_data["uid"], 16))
            manifest.scopes[scope.name] = scope
            top = max(top, scope.uid)
            for coll_data in scope_data["collections"]:
                coll = Collection(
                    coll_data["name"], int(coll_data["uid"], 16), coll_data.get("maxTTL", 0),
                    bool(coll_data.get("history", False)),
                )
                scope.collections[coll.name] = coll
                manifest._by_cid[coll.uid] = (scope, coll)
                top = max(top, coll.uid)
        manifest.uid = int(data["uid"], 16)
        manifest._next_id = max(top + 1, next_id)
        return manifest

    @property
    def next_id(self) -> int:
        """The id the next scope or collection will get."""
        return self._next_id
