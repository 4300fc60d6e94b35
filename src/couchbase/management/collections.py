"""Scope and collection management (SDK 4.x): ``bucket.collections()``.

>>> mgr = bucket.collections()
>>> mgr.create_scope("inventory")
>>> mgr.create_collection("inventory", "airline",
...                       CreateCollectionSettings(max_expiry=timedelta(days=1)))
>>> [c.name for s in mgr.get_all_scopes() if s.name == "inventory" for c in s.collections]
['airline']

The older forms the reference still documents work too:
``create_collection(CollectionSpec("airline", "inventory"))`` and
``drop_collection(CollectionSpec(...))``. Over the bucket's
``/pools/default/buckets/<bucket>/scopes`` REST API (server 7.0 and later).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Optional

from .._http import management as rest
from ._errors import invalid_argument
from ._manager import Manager, check_name, converted, returning_none
from .options import (
    CreateCollectionOptions,
    CreateScopeOptions,
    DropCollectionOptions,
    DropScopeOptions,
    GetAllScopesOptions,
    UpdateCollectionOptions,
    merge,
)


class CollectionSpec:
    """A collection: its name, its scope's, and its settings (``max_expiry``: the longest
    a document may live, ``timedelta(seconds=-1)`` for "never" whatever the bucket says;
    ``history``: whether the change history is kept, magma buckets)."""

    def __init__(self, collection_name: str, scope_name: Optional[str] = "_default",
                 max_expiry: Optional[timedelta] = None, max_ttl: Optional[timedelta] = None,
                 history: Optional[bool] = None) -> None:
        self._name = collection_name
        self._scope_name = scope_name if scope_name is not None else "_default"
        self._max_expiry = max_expiry if max_expiry is not None else max_ttl
        self._history = history

    @property
    def name(self) -> str:
        return self._name

    @property
    def scope_name(self) -> str:
        return self._scope_name

    @property
    def max_expiry(self) -> Optional[timedelta]:
        return self._max_expiry

    @property
    def max_ttl(self) -> Optional[timedelta]:
        """The older name of :attr:`max_expiry`."""
        return self._max_expiry

    @property
    def history(self) -> Optional[bool]:
        return self._history

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CollectionSpec) and (
            self._name, self._scope_name, self._max_expiry, self._history) == (
            other._name, other._scope_name, other._max_expiry, other._history)

    def __hash__(self) -> int:
        return hash((self._name, self._scope_name))

    def __repr__(self) -> str:
        return (f"CollectionSpec(name={self._name!r}, scope_name={self._scope_name!r}, "
                f"max_expiry={self._max_expiry!r}, history={self._history!r})")


class ScopeSpec:
    """A scope and its collections (:class:`CollectionSpec`)."""

    def __init__(self, name: str, collections: Any = ()) -> None:
        self._name = name
        self._collections = list(collections)

    @property
    def name(self) -> str:
        return self._name

    @property
    def collections(self) -> list[CollectionSpec]:
        return self._collections

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ScopeSpec) and (self._name, self._collections) == (
            other._name, other._collections)

    def __hash__(self) -> int:
        return hash(self._name)

    def __repr__(self) -> str:
        return f"ScopeSpec(name={self._name!r}, collections={self._collections!r})"


class CreateCollectionSettings:
    """Settings of a new collection: ``max_expiry`` (timedelta; -1 s: never expire),
    ``history`` (keep the change history)."""

    def __init__(self, max_expiry: Optional[timedelta] = None,
                 history: Optional[bool] = None) -> None:
        self._max_expiry = max_expiry
        self._history = history

    @property
    def max_expiry(self) -> Optional[timedelta]:
        return self._max_expiry

    @property
    def history(self) -> Optional[bool]:
        return self._history

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(max_expiry={self._max_expiry!r}, "
                f"history={self._history!r})")


class UpdateCollectionSettings(CreateCollectionSettings):
    """What :meth:`CollectionManager.update_collection` changes (server 7.2 and later)."""


def _max_ttl(value: Any) -> Optional[int]:
    if value is None:
        return None
    if isinstance(value, timedelta):
        seconds = value.total_seconds()
    elif isinstance(value, int) and not isinstance(value, bool):
        seconds = value
    else:
        raise invalid_argument(f"max_expiry must be a timedelta, not {value!r}")
    if seconds < -1 or seconds != int(seconds):
        raise invalid_argument(f"max_expiry must be whole seconds, -1 or more, not {value!r}")
    return int(seconds)


def _history(value: Any) -> Optional[bool]:
    if value is not None and not isinstance(value, bool):
        raise invalid_argument(f"history must be True or False, not {value!r}")
    return value


def _scopes(manifest: Any) -> list[ScopeSpec]:
    out = []
    for scope in (manifest or {}).get("scopes") or ():
        specs = []
        for c in scope.get("collections") or ():
            ttl = c.get("maxTTL")
            specs.append(CollectionSpec(
                c.get("name"), scope.get("name"),
                max_expiry=timedelta(seconds=ttl if isinstance(ttl, int) else 0),
                history=c.get("history")))
        out.append(ScopeSpec(scope.get("name"), specs))
    return out


def _split(args: tuple[Any, ...], kwargs: dict[str, Any], settings_class: Optional[type],
           what: str) -> tuple[str, str, Any, tuple[Any, ...]]:
    """``(scope, collection, settings, options)`` of the form
    ``(scope_name, collection_name[, settings], *options)`` or the older
    ``(CollectionSpec, *options)`` (keywords of the same names too)."""
    positional = list(args)
    spec = kwargs.pop("collection", None)
    if spec is None and positional and isinstance(positional[0], CollectionSpec):
        spec = positional.pop(0)
    if spec is not None:
        if not isinstance(spec, CollectionSpec):
            raise invalid_argument(f"expected a CollectionSpec, not {spec!r}")
        settings = None
        if settings_class is not None:
            settings = settings_class(max_expiry=spec.max_expiry, history=spec.history)
        return spec.scope_name, spec.name, settings, tuple(positional)
    names = []
    for key in ("scope_name", "collection_name"):
        if key in kwargs:
            names.append(kwargs.pop(key))
        elif positional and not isinstance(positional[0], dict):
            names.append(positional.pop(0))
        else:
            raise invalid_argument(f"{what} needs a scope name and a collection name "
                                   "(or a CollectionSpec)")
    settings = kwargs.pop("settings", None)
    if settings_class is not None and settings is None and positional and (
            positional[0] is None or isinstance(positional[0], CreateCollectionSettings)):
        settings = positional.pop(0)
    if settings is not None and not isinstance(settings, CreateCollectionSettings):
        raise invalid_argument(f"expected CreateCollectionSettings, not {settings!r}")
    return (check_name(names[0], "scope_name"), check_name(names[1], "collection_name"),
            settings, tuple(positional))


class CollectionManager(Manager):
    """The scopes and collections of one bucket.

    On acouchbase each method returns an awaitable, on txcouchbase a Deferred.
    """

    _errors = "collection"

    def __init__(self, bucket: Any, bucket_name: Optional[str] = None) -> None:
        super().__init__(bucket)
        self._bucket_name = bucket_name or bucket.bucket

    def get_all_scopes(self, *options: GetAllScopesOptions, **kwargs: Any) -> list[ScopeSpec]:
        """Every scope with its collections."""
        bucket = self._bucket_name
        return self._call(lambda ep: converted(rest.http_flow(ep, rest.scopes_path(bucket)),
                                               _scopes),
                          merge(GetAllScopesOptions, options, kwargs))

    def create_scope(self, scope_name: str, *options: CreateScopeOptions,
                     **kwargs: Any) -> None:
        """:raise: ScopeAlreadyExistsException"""
        scope = check_name(scope_name, "scope_name")
        bucket = self._bucket_name
        return self._call(lambda ep: returning_none(rest.scope_create_flow(ep, bucket, scope)),
                          merge(CreateScopeOptions, options, kwargs))

    def drop_scope(self, scope_name: str, *options: DropScopeOptions, **kwargs: Any) -> None:
        """Drop a scope and its collections. :raise: ScopeNotFoundException"""
        scope = check_name(scope_name, "scope_name")
        path = rest.scopes_path(self._bucket_name, scope)
        return self._call(lambda ep: returning_none(rest.http_flow(
            ep, path, "DELETE", what=f"dropping scope {scope!r}")),
            merge(DropScopeOptions, options, kwargs))

    def create_collection(self, *args: Any, **kwargs: Any) -> None:
        """``create_collection(scope_name, collection_name, settings=None, *options)``
        (or the older ``create_collection(CollectionSpec, *options)``).

        :raise: CollectionAlreadyExistsException, ScopeNotFoundException
        """
        scope, name, settings, options = _split(args, kwargs, CreateCollectionSettings,
                                                "create_collection")
        opts = merge(CreateCollectionOptions, options, kwargs)
        ttl = _max_ttl(getattr(settings, "max_expiry", None))
        history = _history(getattr(settings, "history", None))
        bucket = self._bucket_name
        return self._call(lambda ep: returning_none(rest.collection_create_flow(
            ep, bucket, scope, name, ttl, history)), opts)

    def update_collection(self, scope_name: str, collection_name: str,
                          settings: UpdateCollectionSettings,
                          *options: UpdateCollectionOptions, **kwargs: Any) -> None:
        """Change a collection's ``max_expiry`` or ``history``.
        :raise: CollectionNotFoundException, ScopeNotFoundException"""
        scope = check_name(scope_name, "scope_name")
        name = check_name(collection_name, "collection_name")
        if not isinstance(settings, CreateCollectionSettings):
            raise invalid_argument(f"expected UpdateCollectionSettings, not {settings!r}")
        ttl = _max_ttl(settings.max_expiry)
        history = _history(settings.history)
        bucket = self._bucket_name
        return self._call(lambda ep: returning_none(rest.collection_update_flow(
            ep, bucket, scope, name, ttl, history)),
            merge(UpdateCollectionOptions, options, kwargs))

    def drop_collection(self, *args: Any, **kwargs: Any) -> None:
        """``drop_collection(scope_name, collection_name, *options)`` (or the older
        ``drop_collection(CollectionSpec, *options)``).
        :raise: CollectionNotFoundException, ScopeNotFoundException"""
        scope, name, _, options = _split(args, kwargs, None, "drop_collection")
        path = rest.scopes_path(self._bucket_name, scope, name)
        return self._call(lambda ep: returning_none(rest.http_flow(
            ep, path, "DELETE", what=f"dropping collection {scope}.{name}")),
            merge(DropCollectionOptions, options, kwargs))


__all__ = ["CollectionManager", "CollectionSpec", "CreateCollectionSettings", "ScopeSpec",
           "UpdateCollectionSettings"]
