"""Query (N1QL/GSI) index management (SDK 4.x): ``cluster.query_indexes()`` and
``collection.query_indexes()``.

>>> mgr = cluster.query_indexes()
>>> mgr.create_primary_index("travel-sample", ignore_if_exists=True)
>>> mgr.create_index("travel-sample", "ix_name", ["name"], deferred=True)
>>> mgr.build_deferred_indexes("travel-sample")
>>> mgr.watch_indexes("travel-sample", ["ix_name"], timeout=timedelta(seconds=30))

Every call is a N1QL statement (``CREATE [PRIMARY] INDEX``, ``DROP INDEX``,
``BUILD INDEX``, ``SELECT ... FROM system:indexes``) run by the query flow
the 2.x bucket manager uses (:mod:`couchbase.n1ql.indexes`).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any, Iterable, Optional

from .._core.commands import Endpoint, Sleep
from .._errors4x import QueryIndexNotFoundException, WatchQueryIndexTimeoutException
from ..n1ql.flow import statement_flow
from ..n1ql.indexes import PRIMARY_NAME, index_key, quote_name
from ._errors import invalid_argument, named
from ._manager import Flow, Manager, check_name
from .options import (
    BuildDeferredQueryIndexOptions,
    CreatePrimaryQueryIndexOptions,
    CreateQueryIndexOptions,
    DropPrimaryQueryIndexOptions,
    DropQueryIndexOptions,
    GetAllQueryIndexOptions,
    WatchQueryIndexOptions,
    merge,
)

DEFAULT = "_default"
_WATCH_INTERVAL = 0.05  # first pause between polls; doubles up to 1 s


@dataclass
class QueryIndex:
    """An index as ``system:indexes`` describes it."""

    name: str
    is_primary: bool
    type: str
    state: str
    namespace: str
    datastore_id: str
    keyspace: str
    index_key: list[str] = field(default_factory=list)
    condition: Optional[str] = None
    bucket_name: Optional[str] = None
    scope_name: Optional[str] = None
    collection_name: Optional[str] = None
    partition: Optional[str] = None

    @classmethod
    def from_server(cls, json_data: dict[str, Any]) -> QueryIndex:
        bucket = json_data.get("bucket_id")
        keyspace = json_data.get("keyspace_id", "")
        return cls(json_data.get("name", ""), bool(json_data.get("is_primary", False)),
                   json_data.get("using", "gsi"), json_data.get("state", ""),
                   json_data.get("namespace_id", "default"),
                   json_data.get("datastore_id", ""), keyspace,
                   list(json_data.get("index_key") or ()), json_data.get("condition"),
                   bucket or keyspace, json_data.get("scope_id") if bucket else None,
                   keyspace if bucket else None, json_data.get("partition"))


class _Keyspace:
    """Which collection a call is about: a bucket's default one, or ``scope.collection``."""

    def __init__(self, bucket: str, scope: Optional[str], collection: Optional[str]) -> None:
        self.bucket = check_name(bucket, "bucket_name")
        if (scope is None) != (collection is None):
            raise invalid_argument("give both scope_name and collection_name, or neither")
        self.scope = None if scope is None else check_name(scope, "scope_name")
        self.collection = None if collection is None else check_name(collection,
                                                                     "collection_name")

    @classmethod
    def of(cls, bucket: str, options: dict[str, Any]) -> _Keyspace:
        return cls(bucket, options.get("scope_name"), options.get("collection_name"))

    @property
    def default(self) -> bool:
        return self.scope in (None, DEFAULT) and self.collection in (None, DEFAULT)

    def path(self) -> str:
        if self.scope is None or self.collection is None:
            return quote_name(self.bucket)
        return ".".join(quote_name(p) for p in (self.bucket, self.scope, self.collection))

    def where(self) -> tuple[str, list[Any]]:
        """The ``system:indexes`` condition selecting this keyspace's indexes."""
        if self.scope is None:  # the whole bucket (the cluster manager without a collection)
            return ("((bucket_id IS MISSING AND keyspace_id = $1) OR bucket_id = $1)",
                    [self.bucket])
        if self.default:
            return ("((bucket_id IS MISSING AND keyspace_id = $1) OR (bucket_id = $1 AND "
                    "scope_id = $2 AND keyspace_id = $3))",
                    [self.bucket, DEFAULT, DEFAULT])
        return ("(bucket_id = $1 AND scope_id = $2 AND keyspace_id = $3)",
                [self.bucket, self.scope, self.collection])

    def __repr__(self) -> str:
        return self.path()


def _with(options: dict[str, Any]) -> str:
    extra: dict[str, Any] = {}
    if options.get("deferred"):
        extra["defer_build"] = True
    replicas = options.get("num_replicas")
    if replicas is not None:
        if isinstance(replicas, bool) or not isinstance(replicas, int) or replicas < 0:
            raise invalid_argument(f"num_replicas must be a whole number >= 0, not {replicas!r}")
        extra["num_replica"] = replicas
    return f" WITH {json.dumps(extra)}" if extra else ""


def _ignoring(flow: Flow, ignore: bool, cls_name: str) -> Flow:
    try:
        yield from flow
    except Exception as exc:  # a 2.x N1QL error: the manager's table turns it into 4.x
        from ..exceptions import N1QLIndexExistsError, N1QLIndexNotFoundError

        wanted = N1QLIndexExistsError if cls_name == "exists" else N1QLIndexNotFoundError
        if not (ignore and isinstance(exc, wanted)):
            raise
    return None


def create_flow(endpoint: Endpoint, keyspace: _Keyspace, name: Optional[str],
                keys: Optional[list[str]], options: dict[str, Any]) -> Flow:
    if keys is None:  # primary
        named_ = f" {quote_name(name)}" if name and name != PRIMARY_NAME else ""
        statement = f"CREATE PRIMARY INDEX{named_} ON {keyspace.path()}"
    else:
        statement = (f"CREATE INDEX {quote_name(name or '')} ON {keyspace.path()}"
                     f"({', '.join(index_key(k) for k in keys)})")
        if options.get("condition"):
            statement += f" WHERE {options['condition']}"
    statement += _with(options)
    return (yield from _ignoring(statement_flow(endpoint, statement),
                                 bool(options.get("ignore_if_exists")), "exists"))


def drop_flow(endpoint: Endpoint, keyspace: _Keyspace, name: Optional[str],
              options: dict[str, Any]) -> Flow:
    if name is None or name == PRIMARY_NAME:
        statement = f"DROP PRIMARY INDEX ON {keyspace.path()}"
    elif keyspace.scope is None:
        statement = f"DROP INDEX {keyspace.path()}.{quote_name(name)}"
    else:
        statement = f"DROP INDEX {quote_name(name)} ON {keyspace.path()}"
    return (yield from _ignoring(statement_flow(endpoint, statement),
                                 bool(options.get("ignore_if_not_exists")), "missing"))


def list_flow(endpoint: Endpoint, keyspace: _Keyspace) -> Flow:
    where, args = keyspace.where()
    statement = (f"SELECT idx.* FROM system:indexes AS idx WHERE {where} AND `using` = \"gsi\" "
                 "ORDER BY is_primary DESC, name ASC")
    rows = yield from statement_flow(endpoint, statement, *args)
    return [QueryIndex.from_server(r) for r in rows if isinstance(r, dict)]


def build_flow(endpoint: Endpoint, keyspace: _Keyspace) -> Flow:
    indexes = yield from list_flow(endpoint, keyspace)
    by_keyspace: dict[str, list[str]] = {}
    for ix in indexes:
        if ix.state in ("deferred", "pending"):
            space = _Keyspace(ix.bucket_name or keyspace.bucket, ix.scope_name,
                              ix.collection_name)
            by_keyspace.setdefault(space.path(), []).append(ix.name)
    for path, names in by_keyspace.items():
        yield from statement_flow(endpoint, f"BUILD INDEX ON {path}"
                                            f"({', '.join(quote_name(n) for n in names)})")
    return None


def watch_flow(endpoint: Endpoint, keyspace: _Keyspace, names: list[str],
               watch_primary: bool, timeout: float) -> Flow:
    deadline = time.monotonic() + timeout
    pause = _WATCH_INTERVAL
    while True:
        indexes = yield from list_flow(endpoint, keyspace)
        by_name = {ix.name: ix for ix in indexes}
        wanted = list(names)
        if watch_primary:
            primaries = [ix for ix in indexes if ix.is_primary]
            if not primaries:
                raise named(QueryIndexNotFoundException,
                            f"no primary index on {keyspace!r}")
            by_name.setdefault(PRIMARY_NAME, primaries[0])
            wanted.append(PRIMARY_NAME)
        missing = [n for n in wanted if n not in by_name]
        if missing:
            raise named(QueryIndexNotFoundException,
                        f"no index {', '.join(missing)} on {keyspace!r}")
        waiting = [n for n in wanted if by_name[n].state != "online"]
        if not waiting:
            return None
        left = deadline - time.monotonic()
        if left <= 0:
            raise named(WatchQueryIndexTimeoutException,
                        f"indexes {', '.join(waiting)} of {keyspace!r} not online "
                        f"after {timeout}s")
        yield Sleep(min(pause, left))
        pause = min(pause * 2, 1.0)


def _keys(keys: Any) -> list[str]:
    if isinstance(keys, str):
        keys = [keys]
    if not isinstance(keys, (list, tuple)) or not keys:
        raise invalid_argument(f"keys must be a non-empty list of fields, not {keys!r}")
    return [check_name(k, "an index key") for k in keys]


class _IndexCalls(Manager):
    """The calls, given a keyspace; the two managers only say which one."""

    _errors = "query"

    def _run(self, make: Any, options: dict[str, Any]) -> Any:
        return self._call(make, options, service="query")

    def _create_primary(self, keyspace: _Keyspace, opts: dict[str, Any]) -> Any:
        name = opts.get("index_name")
        return self._run(lambda ep: create_flow(ep, keyspace, name, None, opts), opts)

    def _create(self, keyspace: _Keyspace, index_name: str, keys: Any,
                opts: dict[str, Any]) -> Any:
        name, fields = check_name(index_name, "index_name"), _keys(keys)
        return self._run(lambda ep: create_flow(ep, keyspace, name, fields, opts), opts)

    def _drop_primary(self, keyspace: _Keyspace, opts: dict[str, Any]) -> Any:
        name = opts.get("index_name")
        return self._run(lambda ep: drop_flow(ep, keyspace, name, opts), opts)

    def _drop(self, keyspace: _Keyspace, index_name: str, opts: dict[str, Any]) -> Any:
        name = check_name(index_name, "index_name")
        return self._run(lambda ep: drop_flow(ep, keyspace, name, opts), opts)

    def _watch(self, keyspace: _Keyspace, index_names: Any, opts: dict[str, Any]) -> Any:
        if isinstance(index_names, str) or not isinstance(index_names, Iterable):
            raise invalid_argument(f"index_names must be a list of names, not {index_names!r}")
        names = [check_name(n, "an index name") for n in index_names]
        timeout = opts.get("timeout")
        if timeout is None:
            raise invalid_argument("watch_indexes needs a timeout")
        primary = bool(opts.get("watch_primary"))
        return self._run(lambda ep: watch_flow(ep, keyspace, names, primary, timeout),
                         {**opts, "timeout": timeout + 1.0})


class QueryIndexManager(_IndexCalls):
    """The query indexes of any bucket (``scope_name``/``collection_name`` options pick
    a collection). On acouchbase each method returns an awaitable, on txcouchbase a
    Deferred.

    :raise: QueryIndexAlreadyExistsException, QueryIndexNotFoundException (unless
        ``ignore_if_exists`` / ``ignore_if_not_exists``), WatchQueryIndexTimeoutException
    """

    def create_primary_index(self, bucket_name: str, *options: CreatePrimaryQueryIndexOptions,
                             **kwargs: Any) -> None:
        opts = merge(CreatePrimaryQueryIndexOptions, options, kwargs)
        return self._create_primary(_Keyspace.of(bucket_name, opts), opts)

    def create_index(self, bucket_name: str, index_name: str, keys: Iterable[str],
                     *options: CreateQueryIndexOptions, **kwargs: Any) -> None:
        opts = merge(CreateQueryIndexOptions, options, kwargs)
        return self._create(_Keyspace.of(bucket_name, opts), index_name, keys,
                            opts)

    def drop_primary_index(self, bucket_name: str, *options: DropPrimaryQueryIndexOptions,
                           **kwargs: Any) -> None:
        opts = merge(DropPrimaryQueryIndexOptions, options, kwargs)
        return self._drop_primary(_Keyspace.of(bucket_name, opts), opts)

    def drop_index(self, bucket_name: str, index_name: str, *options: DropQueryIndexOptions,
                   **kwargs: Any) -> None:
        opts = merge(DropQueryIndexOptions, options, kwargs)
        return self._drop(_Keyspace.of(bucket_name, opts), index_name, opts)

    def get_all_indexes(self, bucket_name: str, *options: GetAllQueryIndexOptions,
                        **kwargs: Any) -> list[QueryIndex]:
        opts = merge(GetAllQueryIndexOptions, options, kwargs)
        keyspace = _Keyspace.of(bucket_name, opts)
        return self._run(lambda ep: list_flow(ep, keyspace), opts)

    def build_deferred_indexes(self, bucket_name: str, *options: BuildDeferredQueryIndexOptions,
                               **kwargs: Any) -> None:
        opts = merge(BuildDeferredQueryIndexOptions, options, kwargs)
        keyspace = _Keyspace.of(bucket_name, opts)
        return self._run(lambda ep: build_flow(ep, keyspace), opts)

    def watch_indexes(self, bucket_name: str, index_names: Iterable[str],
                      *options: WatchQueryIndexOptions, **kwargs: Any) -> None:
        """Wait until every index is online (``timeout`` is required)."""
        opts = merge(WatchQueryIndexOptions, options, kwargs)
        return self._watch(_Keyspace.of(bucket_name, opts), index_names, opts)


class CollectionQueryIndexManager(_IndexCalls):
    """The query indexes of one collection (``collection.query_indexes()``)."""

    def __init__(self, collection: Any, bucket_name: str, scope_name: str,
                 collection_name: str) -> None:
        super().__init__(collection)
        self._keyspace = _Keyspace(bucket_name, scope_name, collection_name)

    def _own(self, cls: type, options: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        opts = merge(cls, options, kwargs)
        if "scope_name" in opts or "collection_name" in opts:
            raise invalid_argument("a collection's index manager takes no scope_name or "
                                   "collection_name: it is about its collection")
        return opts

    def create_primary_index(self, *options: CreatePrimaryQueryIndexOptions,
                             **kwargs: Any) -> None:
        return self._create_primary(
            self._keyspace, self._own(CreatePrimaryQueryIndexOptions, options, kwargs))

    def create_index(self, index_name: str, keys: Iterable[str],
                     *options: CreateQueryIndexOptions, **kwargs: Any) -> None:
        return self._create(
            self._keyspace, index_name, keys, self._own(CreateQueryIndexOptions, options, kwargs))

    def drop_primary_index(self, *options: DropPrimaryQueryIndexOptions, **kwargs: Any) -> None:
        return self._drop_primary(
            self._keyspace, self._own(DropPrimaryQueryIndexOptions, options, kwargs))

    def drop_index(self, index_name: str, *options: DropQueryIndexOptions,
                   **kwargs: Any) -> None:
        return self._drop(
            self._keyspace, index_name, self._own(DropQueryIndexOptions, options, kwargs))

    def get_all_indexes(self, *options: GetAllQueryIndexOptions,
                        **kwargs: Any) -> list[QueryIndex]:
        opts = self._own(GetAllQueryIndexOptions, options, kwargs)
        keyspace = self._keyspace
        return self._run(lambda ep: list_flow(ep, keyspace), opts)

    def build_deferred_indexes(self, *options: BuildDeferredQueryIndexOptions,
                               **kwargs: Any) -> None:
        opts = self._own(BuildDeferredQueryIndexOptions, options, kwargs)
        keyspace = self._keyspace
        return self._run(lambda ep: build_flow(ep, keyspace), opts)

    def watch_indexes(self, index_names: Iterable[str], *options: WatchQueryIndexOptions,
                      **kwargs: Any) -> None:
        return self._watch(
            self._keyspace, index_names, self._own(WatchQueryIndexOptions, options, kwargs))


__all__ = ["CollectionQueryIndexManager", "QueryIndex", "QueryIndexManager"]
