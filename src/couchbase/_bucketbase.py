"""What every front end's Bucket shares: the constructor, settings, collections, and
the hooks a front end supplies (:class:`FrontEnd`).

The key-value API is :class:`~couchbase._kvapi.KeyValueAPI`; views and N1QL
are :class:`~couchbase.views.api.ViewAPI` and
:class:`~couchbase.n1ql.api.N1QLAPI`. None of them waits: each builds an
operation or a flow and hands it to a hook. A front end (sync, asyncio,
Twisted, gevent) is a subclass that fills in those hooks, and so decides
only how to wait.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Generator, Optional, Protocol

from . import _kv
from ._crypto_api import CryptoAPI
from ._health import HealthAPI
from ._kvapi import ApiOptions, KeyValueAPI
from ._locking import LOCKMODE_WAIT
from ._operation import Operation
from ._settings import Settings, read_settings, take_bucket_kwargs
from ._tracing_api import TracingAPI
from .analytics.api import AnalyticsAPI
from .exceptions import NotSupportedError, ObjectDestroyedError
from .formats import FMT_JSON
from .fulltext.api import SearchAPI
from .n1ql.api import N1QLAPI
from .views.api import ViewAPI

if TYPE_CHECKING:
    from ._core.cluster import ClusterBase
    from .collection import Collection
    from .scope import Scope

DEFAULT = "_default"
Flow = Generator[Any, Any, Any]


class FrontEnd(Protocol):
    """The hooks a front end's Bucket supplies; everything else is written once.

    Each returns "the front end's way": the sync API returns the value (or
    raises), asyncio an awaitable, Twisted a Deferred (or an AsyncResult on
    the raw path), gevent the value after blocking only its greenlet.
    """

    def _open(self, settings: Settings, **extra: Any) -> None:
        """Make the cluster connection, or start to: set ``self._cluster``.

        Called at the end of ``__init__`` with the validated settings and the
        keywords named in ``_extra_arguments`` (Twisted's ``reactor``). Sync
        and gevent connect here (raising AuthError, BucketNotFoundError...);
        Twisted starts connecting; asyncio waits for ``await connect()``.
        """

    def _live(self) -> ClusterBase[Any]:
        """The cluster connection; ObjectDestroyedError when closed or not connected."""

    def _run(self, op: Operation) -> Any:
        """Execute one key-value operation: its result (``op.result``), the front end's way."""

    def _run_multi(self, ops: list[Operation], quiet: bool) -> Any:
        """Execute operations as one pipelined batch: their
        :class:`~couchbase.result.MultiResult` (the first non-quiet error is raised
        with ``all_results``), the front end's way."""

    def _drive(self, flow: Flow) -> Any:
        """Run a flow (:mod:`couchbase._waiting`) to its result, the front end's way."""

    def _rows(self, flow: Flow) -> Any:
        """The rows a flow emits, as the application iterates them (sync: an
        iterator; asyncio: an async iterator). Twisted pushes rows to callbacks
        instead and does not supply this."""

    def close(self) -> None:
        """Close the connections; operations still waiting fail with ObjectDestroyedError."""


class BucketBase(KeyValueAPI, ViewAPI, N1QLAPI, SearchAPI, AnalyticsAPI, CryptoAPI,
                 HealthAPI, TracingAPI):
    """A connection to one bucket; front ends subclass it and supply :class:`FrontEnd`.

    :param connection_string: ``couchbase://host1,host2/bucket?option=value``
        (``connstr`` is the older name)
    :param username: the user (defaults to the bucket name, as with 1.x/2.x
        bucket passwords); ``password`` its password
    :param quiet: missing keys give results with ``success`` False instead of raising
    :param default_format: how values are stored when a call names no format
    :param lockmode: ``LOCKMODE_WAIT`` (default), ``LOCKMODE_EXC`` or
        ``LOCKMODE_NONE``: how the sync API treats concurrent threads
    :param timeout: operation timeout in seconds (connection string:
        ``operation_timeout``); ``bootstrap_timeout`` the whole bootstrap's
        (``config_total_timeout``; each node has ``config_node_timeout``, 2 s)
    :param transcoder: a :class:`~couchbase.transcoder.Transcoder` (class or instance)
    :param data_passthrough: return values as stored bytes, whatever their flags
    """

    _extra_arguments: tuple[str, ...] = ()
    _cluster: Optional[ClusterBase[Any]] = None
    _not_connected = "not connected"

    def __init__(
        self,
        connection_string: Optional[str] = None,
        connstr: Optional[str] = None,
        password: Optional[str] = None,
        username: Optional[str] = None,
        quiet: bool = False,
        default_format: int = FMT_JSON,
        lockmode: int = LOCKMODE_WAIT,
        unlock_gil: bool = True,
        timeout: Optional[float] = None,
        transcoder: Any = None,
        data_passthrough: bool = False,
        bootstrap_timeout: Optional[float] = None,
        **kwargs: Any,
    ) -> None:
        extra = {name: kwargs.pop(name) for name in self._extra_arguments if name in kwargs}
        # (private) a cluster-level connection: bootstrap with no bucket selected (GCCCP);
        # the 4.x Cluster runs its queries, pings and searches on one
        no_bucket = bool(kwargs.pop("_no_bucket", False))
        bucket = take_bucket_kwargs(kwargs, lockmode)
        settings = read_settings(connection_string or connstr, password, username, timeout,
                                 bootstrap_timeout, bucket)
        if no_bucket:
            settings.bucket = None
        self._settings = settings
        self._opts = ApiOptions()
        self._bucket = settings.bucket or ""
        self._pipeline: Any = None
        self._lockmode = lockmode
        self.unlock_gil = unlock_gil
        self.quiet = quiet
        self.default_format = default_format
        self.transcoder = transcoder
        self.data_passthrough = data_passthrough
        self._open(settings, **extra)

    _open: Callable[..., None]  # the front end's (see FrontEnd._open)

    # -- the connection ------------------------------------------------------------
    @property
    def bucket(self) -> str:
        """The bucket's name."""
        return self._bucket

    @property
    def name(self) -> str:
        """The bucket's name (4.x)."""
        return self._bucket

    def view_query(self, design_doc: str, view_name: str, *opts: Any, **kwargs: Any) -> Any:
        """Query view ``view_name`` of design document ``design_doc`` (4.x): a
        :class:`~couchbase.views.ViewResult`, options as
        :class:`~couchbase.options.ViewOptions` or their keywords."""
        from ._views4x import view_request

        return view_request(self, design_doc, view_name, opts, kwargs)

    @property
    def lockmode(self) -> int:
        """The ``lockmode`` the bucket was opened with (LOCKMODE_WAIT, _EXC, _NONE)."""
        return self._lockmode

    @property
    def is_ssl(self) -> bool:
        """Whether the connections use TLS (``couchbases://``)."""
        return self._settings.tls is not None

    @staticmethod
    def lcb_version() -> tuple[str, int]:
        """``(version string, version number)`` of the libcouchbase whose behaviour
        this client follows (2.x applications test it before using newer features)."""
        return LCB_VERSION

    def __delitem__(self, key: Any) -> None:
        """``del cb[key]``: remove the document."""
        self.remove(key)

    remove: Callable[..., Any]  # KeyValueAPI's

    def flush(self) -> Any:
        """Remove every document of the bucket (2.x): an
        :class:`~couchbase.result.HttpResult`, the front end's way. The bucket's flush
        must be enabled: :exc:`~couchbase.exceptions.HTTPError` with the server's
        message otherwise. Never on a bucket other clients use."""
        from ._http.management import bucket_flush_flow

        return self._drive(bucket_flush_flow(
            lambda: self._live().service_endpoint("mgmt", FLUSH_TIMEOUT), self._bucket))

    _drive: Callable[..., Any]  # the front end's (see FrontEnd._drive)

    @property
    def closed(self) -> bool:
        cluster = self._cluster
        return cluster is None or cluster.closed

    def _live(self) -> ClusterBase[Any]:
        cluster = self._cluster
        if cluster is None:
            raise ObjectDestroyedError(self._not_connected)
        if cluster.closed:
            raise ObjectDestroyedError("this connection is closed")
        return cluster

    def close(self) -> None:
        cluster = self._cluster
        if cluster is not None:
            cluster.close()

    # -- scopes and collections (3.x) -------------------------------------------------
    def default_collection(self) -> Collection:
        """The default collection: the same documents the Bucket methods reach."""
        from .collection import Collection

        return Collection(self, DEFAULT, DEFAULT, 0)

    def default_scope(self) -> Scope:
        return self.scope(DEFAULT)

    def scope(self, name: str) -> Scope:
        from .scope import Scope

        return Scope(self, name)

    def collection(self, collection_name: str, scope: str = DEFAULT) -> Any:
        """Collection ``collection_name`` of ``scope`` (looking up its id takes a round
        trip): a :class:`~couchbase.collection.Collection`, the front end's way."""
        return self._drive(self._collection_flow(scope, collection_name))

    def _collection_flow(self, scope: str, name: str) -> Flow:
        from .collection import Collection

        if name == DEFAULT and scope == DEFAULT:
            return Collection(self, scope, name, 0)
        if not self._live().collections_enabled():
            raise NotSupportedError(
                "the server does not support collections; only the default one exists")
        path = f"{scope}.{name}"
        cid = yield Operation(path, _kv.collection_id_request(scope, name),
                              _kv.collection_id_result)
        return Collection(self, scope, name, cid)

    # -- managers (SDK 4.x, couchbase.management) -----------------------------------------
    def collections(self) -> Any:
        """The :class:`~couchbase.management.collections.CollectionManager` of this bucket."""
        from .management.collections import CollectionManager

        return CollectionManager(self)

    def view_indexes(self) -> Any:
        """The :class:`~couchbase.management.views.ViewIndexManager` of this bucket."""
        from .management.views import ViewIndexManager

        return ViewIndexManager(self)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} bucket={self._bucket!r} closed={self.closed}>"


FLUSH_TIMEOUT = 75.0
"""Seconds a flush may take before the server answers (a real server empties every node)."""

LCB_VERSION = ("2.10.0 (couchbase-pure)", 0x020A00)
"""What :meth:`BucketBase.lcb_version` reports: the libcouchbase release whose
features this client offers (sub-documents, N1QL, full-text search...)."""

__all__ = ["DEFAULT", "BucketBase", "Flow", "FrontEnd", "LCB_VERSION"]
