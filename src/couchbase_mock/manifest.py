"""A bucket's collections manifest: scopes, collections and their ids.

Only ``_default._default`` (collection id 0) exists at first. Ids of new
scopes and collections start at 8, as on a real server (0-7 are reserved),
and every change bumps the manifest uid. On the wire uids are hex strings.
"""

from __future__ import annotations

from typing import Any, Optional

DEFAULT_SCOPE = "_default"
DEFAULT_COLLECTION = "_default"
FIRST_USER_ID = 8


class ManifestError(Exception):
    """A scope or collection does not exist, or already exists.

    ``kind`` is ``"scope"`` or ``"collection"``.
    """

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


class Collection:
    __slots__ = ("name", "uid", "max_ttl")

    def __init__(self, name: str, uid: int, max_ttl: int = 0) -> None:
        self.name = name
        self.uid = uid
        self.max_ttl = max_ttl


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
            raise ManifestError("scope", f"scope {name!r} already exists")
        scope = Scope(name, self._take_id())
        self.scopes[name] = scope
        self.uid += 1
        return scope

    def drop_scope(self, name: str) -> None:
        scope = self.scopes.get(name)
        if scope is None or name == DEFAULT_SCOPE:
            raise ManifestError("scope", f"cannot drop scope {name!r}")
        for coll in scope.collections.values():
            del self._by_cid[coll.uid]
        del self.scopes[name]
        self.uid += 1

    def create_collection(self, scope_name: str, name: str, max_ttl: int = 0) -> Collection:
        scope = self.scopes.get(scope_name)
        if scope is None:
            raise ManifestError("scope", f"unknown scope {scope_name!r}")
        if name in scope.collections:
            raise ManifestError("collection", f"collection {name!r} already exists")
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
                colls.append(entry)
            scopes.append({"name": scope.name, "uid": format(scope.uid, "x"), "collections": colls})
        return {"uid": format(self.uid, "x"), "scopes": scopes}
