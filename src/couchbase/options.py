"""Options objects of the 3.x/4.x API, and the one helper that merges them.

Every 4.x method takes its options as objects and as keywords of the same
names, keywords winning::

    collection.get("id", GetOptions(with_expiry=True), timeout=timedelta(seconds=2))

An options object is a ``dict`` of the options given (``None`` means "not
given" and is left out), as in the official SDK, so ``dict(GetOptions(...))``
shows what was asked. :func:`merge` is the one place they are combined;
:func:`expiry_seconds` and :func:`timeout_seconds` the one place durations
are read.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from enum import Enum, IntEnum
from typing import Any, Optional, Union

from ._config_profiles import (  # the configuration profiles' public home
    CONFIG_PROFILES,
    ConfigProfile,
    ConfigProfiles,
    KnownConfigProfiles,
    WanDevelopmentProfile,
)
from .auth import Authenticator
from .exceptions import ArgumentError

Duration = Union[timedelta, float, int]
_THIRTY_DAYS = 30 * 24 * 3600
_MAX_U32 = 0xFFFFFFFF
_EMPTY: dict[str, Any] = {}


def seconds(value: Duration, name: str) -> float:
    """A timeout given as timedelta or seconds, checked (positive)."""
    if isinstance(value, timedelta):
        result = value.total_seconds()
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        result = float(value)
    else:
        raise ArgumentError(f"{name} must be a timedelta or seconds, not {value!r}")
    if result <= 0:
        raise ArgumentError(f"{name} must be positive (got {result})")
    return result


def timeout_seconds(value: Any) -> float:
    """A per-call ``timeout`` (timedelta or seconds) in seconds;
    InvalidArgumentException if it is not a positive duration."""
    try:
        return seconds(value, "timeout")
    except ArgumentError as exc:
        raise _invalid(exc.message) from None


def expiry_seconds(value: Any) -> int:
    """The server's expiry field for an ``expiry`` option: 0 (never) for None or
    zero; seconds from now when up to 30 days; else an absolute Unix time (the
    server's rule). ``value``: a timedelta, a datetime (a point in time), or seconds.
    """
    if value is None:
        return 0
    if isinstance(value, datetime):
        stamp = value.timestamp()  # a naive datetime is local time, as datetime says
        if stamp <= time.time():
            raise _invalid(f"expiry {value} is in the past")
        return _u32(int(stamp))
    if isinstance(value, timedelta):
        secs = value.total_seconds()
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        secs = float(value)
    else:
        raise _invalid(f"expiry must be a timedelta, a datetime or seconds, not {value!r}")
    if secs < 0:
        raise _invalid(f"expiry must not be negative (got {secs})")
    if secs == 0:
        return 0
    whole = max(1, int(secs))
    if whole <= _THIRTY_DAYS:
        return whole
    return _u32(int(time.time()) + whole)


def _u32(value: int) -> int:
    if value > _MAX_U32:
        raise _invalid(f"expiry {value} does not fit the server's 32-bit field")
    return value


def _invalid(message: str) -> Exception:
    from ._errors4x import InvalidArgumentException

    return InvalidArgumentException(message=message)


def merge(opts: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
    """The options of one call: its options objects in order, then its keywords
    (``None`` values are "not given"). The same for every 4.x method."""
    if not opts:
        if not kwargs:
            return _EMPTY
        return {k: v for k, v in kwargs.items() if v is not None}
    out: dict[str, Any] = {}
    for opt in opts:
        if opt is None:
            continue
        if not isinstance(opt, dict):
            raise _invalid(f"expected an options object such as GetOptions(...), not {opt!r}")
        out.update(opt)
    for key, value in kwargs.items():
        if value is not None:
            out[key] = value
    return out


class OptionsBase(dict):
    """Options given, as a dict; ``None`` values are left out."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__((k, v) for k, v in kwargs.items() if v is not None)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({dict.__repr__(self)})"


OptionsTimeout = OptionsBase  # (the official SDK's name for options that only time out)


# -- cluster ---------------------------------------------------------------------------
class ClusterTimeoutOptions(OptionsBase):
    """Timeouts: ``kv_timeout`` (default 2.5 s), ``connect_timeout`` (bootstrap)...
    every field timedelta or seconds."""

    def __init__(self, bootstrap_timeout: Optional[Duration] = None,
                 resolve_timeout: Optional[Duration] = None,
                 connect_timeout: Optional[Duration] = None,
                 kv_timeout: Optional[Duration] = None,
                 kv_durable_timeout: Optional[Duration] = None,
                 views_timeout: Optional[Duration] = None,
                 query_timeout: Optional[Duration] = None,
                 analytics_timeout: Optional[Duration] = None,
                 search_timeout: Optional[Duration] = None,
                 management_timeout: Optional[Duration] = None,
                 dns_srv_timeout: Optional[Duration] = None,
                 idle_http_connection_timeout: Optional[Duration] = None,
                 config_idle_redial_timeout: Optional[Duration] = None,
                 config_total_timeout: Optional[Duration] = None,
                 **kwargs: Any) -> None:
        given = dict(
            bootstrap_timeout=bootstrap_timeout, resolve_timeout=resolve_timeout,
            connect_timeout=connect_timeout, kv_timeout=kv_timeout,
            kv_durable_timeout=kv_durable_timeout, views_timeout=views_timeout,
            query_timeout=query_timeout, analytics_timeout=analytics_timeout,
            search_timeout=search_timeout, management_timeout=management_timeout,
            dns_srv_timeout=dns_srv_timeout,
            idle_http_connection_timeout=idle_http_connection_timeout,
            config_idle_redial_timeout=config_idle_redial_timeout,
            config_total_timeout=config_total_timeout, **kwargs)
        super().__init__(**{k: seconds(v, k) for k, v in given.items() if v is not None})

    @property
    def kv_timeout(self) -> Optional[float]:
        return self.get("kv_timeout")

    @property
    def connect_timeout(self) -> Optional[float]:
        """The bootstrap's timeout (``connect_timeout``, else ``bootstrap_timeout``)."""
        return self.get("connect_timeout", self.get("bootstrap_timeout"))


class ClusterTracingOptions(OptionsBase):
    """Threshold logging: ``tracing_threshold_kv`` ... (timedelta), queue sizes and
    flush intervals."""

    def __init__(self, enable_tracing: Optional[bool] = None,
                 tracing_threshold_kv: Optional[timedelta] = None,
                 tracing_threshold_view: Optional[timedelta] = None,
                 tracing_threshold_query: Optional[timedelta] = None,
                 tracing_threshold_search: Optional[timedelta] = None,
                 tracing_threshold_analytics: Optional[timedelta] = None,
                 tracing_threshold_eventing: Optional[timedelta] = None,
                 tracing_threshold_management: Optional[timedelta] = None,
                 tracing_threshold_queue_size: Optional[int] = None,
                 tracing_threshold_queue_flush_interval: Optional[timedelta] = None,
                 tracing_orphaned_queue_size: Optional[int] = None,
                 tracing_orphaned_queue_flush_interval: Optional[timedelta] = None,
                 **kwargs: Any) -> None:
        super().__init__(
            enable_tracing=enable_tracing, tracing_threshold_kv=tracing_threshold_kv,
            tracing_threshold_view=tracing_threshold_view,
            tracing_threshold_query=tracing_threshold_query,
            tracing_threshold_search=tracing_threshold_search,
            tracing_threshold_analytics=tracing_threshold_analytics,
            tracing_threshold_eventing=tracing_threshold_eventing,
            tracing_threshold_management=tracing_threshold_management,
            tracing_threshold_queue_size=tracing_threshold_queue_size,
            tracing_threshold_queue_flush_interval=tracing_threshold_queue_flush_interval,
            tracing_orphaned_queue_size=tracing_orphaned_queue_size,
            tracing_orphaned_queue_flush_interval=tracing_orphaned_queue_flush_interval,
            **kwargs)


class ClusterOrphanReportingOptions(OptionsBase):
    def __init__(self, enable_orphan_reporting: Optional[bool] = None,
                 sample_size: Optional[int] = None, emit_interval: Optional[timedelta] = None,
                 **kwargs: Any) -> None:
        super().__init__(enable_orphan_reporting=enable_orphan_reporting,
                         sample_size=sample_size, emit_interval=emit_interval, **kwargs)


class ClusterMetricsOptions(OptionsBase):
    def __init__(self, enable_metrics: Optional[bool] = None,
                 emit_interval: Optional[timedelta] = None, **kwargs: Any) -> None:
        super().__init__(enable_metrics=enable_metrics, emit_interval=emit_interval, **kwargs)


class ClusterOptions(OptionsBase):
    """How to connect: ``ClusterOptions(PasswordAuthenticator(user, password))``, plus
    ``timeout_options``, ``tracing_options``, ``transcoder``, ``serializer``,
    ``enable_tls``... (every keyword the official SDK documents is kept)."""

    def __init__(self, authenticator: Authenticator,
                 timeout_options: Optional[ClusterTimeoutOptions] = None,
                 tracing_options: Optional[ClusterTracingOptions] = None,
                 transcoder: Any = None, serializer: Any = None,
                 enable_tls: Optional[bool] = None, **kwargs: Any) -> None:
        if not isinstance(authenticator, Authenticator):
            raise ArgumentError("ClusterOptions needs an authenticator such as "
                                "PasswordAuthenticator(username, password)")
        super().__init__(authenticator=authenticator, timeout_options=timeout_options,
                         tracing_options=tracing_options, transcoder=transcoder,
                         serializer=serializer, enable_tls=enable_tls, **kwargs)
        self.authenticator = authenticator
        self.timeout_options = timeout_options or ClusterTimeoutOptions()
        self.extra = kwargs

    def apply_profile(self, profile_name: Union[KnownConfigProfiles, str]) -> None:
        """Apply a configuration profile (``KnownConfigProfiles.WanDevelopment`` or a
        registered name): its settings override these; InvalidArgumentException for a
        name not registered. See :mod:`couchbase._config_profiles`."""
        CONFIG_PROFILES.apply_profile(profile_name, self)


class PingOptions(OptionsBase):
    def __init__(self, timeout: Optional[Duration] = None, report_id: Optional[str] = None,
                 service_types: Optional[list[Any]] = None, **kwargs: Any) -> None:
        super().__init__(timeout=timeout, report_id=report_id, service_types=service_types,
                         **kwargs)


class DiagnosticsOptions(OptionsBase):
    def __init__(self, report_id: Optional[str] = None, **kwargs: Any) -> None:
        super().__init__(report_id=report_id, **kwargs)


class WaitUntilReadyOptions(OptionsBase):
    def __init__(self, desired_state: Any = None, service_types: Optional[list[Any]] = None,
                 **kwargs: Any) -> None:
        super().__init__(desired_state=desired_state, service_types=service_types, **kwargs)


# -- key-value ---------------------------------------------------------------------------
class GetOptions(OptionsBase):
    """``with_expiry`` (the result's ``expiry_time``), ``project`` (paths to fetch),
    ``timeout``, ``transcoder``."""

    def __init__(self, timeout: Optional[Duration] = None, with_expiry: Optional[bool] = None,
                 project: Optional[list[str]] = None, transcoder: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(timeout=timeout, with_expiry=with_expiry, project=project,
                         transcoder=transcoder, **kwargs)


class GetAnyReplicaOptions(OptionsBase):
    def __init__(self, timeout: Optional[Duration] = None, transcoder: Any = None,
                 read_preference: Any = None, **kwargs: Any) -> None:
        super().__init__(timeout=timeout, transcoder=transcoder,
                         read_preference=read_preference, **kwargs)


class GetAllReplicasOptions(GetAnyReplicaOptions):
    pass


class ExistsOptions(OptionsBase):
    def __init__(self, timeout: Optional[Duration] = None, **kwargs: Any) -> None:
        super().__init__(timeout=timeout, **kwargs)


class TouchOptions(ExistsOptions):
    pass


class UnlockOptions(ExistsOptions):
    pass


class GetAndTouchOptions(OptionsBase):
    def __init__(self, timeout: Optional[Duration] = None, transcoder: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(timeout=timeout, transcoder=transcoder, **kwargs)


class GetAndLockOptions(GetAndTouchOptions):
    pass


class InsertOptions(OptionsBase):
    """``expiry`` (timedelta, datetime or seconds), ``durability``
    (:class:`~couchbase.durability.ServerDurability` or ``ClientDurability``),
    ``transcoder``, ``timeout``."""

    def __init__(self, timeout: Optional[Duration] = None, expiry: Any = None,
                 durability: Any = None, transcoder: Any = None, **kwargs: Any) -> None:
        super().__init__(timeout=timeout, expiry=expiry, durability=durability,
                         transcoder=transcoder, **kwargs)


class UpsertOptions(OptionsBase):
    """As :class:`InsertOptions`, plus ``preserve_expiry`` (keep the document's expiry)."""

    def __init__(self, timeout: Optional[Duration] = None, expiry: Any = None,
                 preserve_expiry: Optional[bool] = None, durability: Any = None,
                 transcoder: Any = None, **kwargs: Any) -> None:
        super().__init__(timeout=timeout, expiry=expiry, preserve_expiry=preserve_expiry,
                         durability=durability, transcoder=transcoder, **kwargs)


class ReplaceOptions(OptionsBase):
    """As :class:`UpsertOptions`, plus ``cas`` (replace only that version)."""

    def __init__(self, timeout: Optional[Duration] = None, expiry: Any = None,
                 cas: Optional[int] = None, preserve_expiry: Optional[bool] = None,
                 durability: Any = None, transcoder: Any = None, **kwargs: Any) -> None:
        super().__init__(timeout=timeout, expiry=expiry, cas=cas,
                         preserve_expiry=preserve_expiry, durability=durability,
                         transcoder=transcoder, **kwargs)


class RemoveOptions(OptionsBase):
    def __init__(self, timeout: Optional[Duration] = None, cas: Optional[int] = None,
                 durability: Any = None, **kwargs: Any) -> None:
        super().__init__(timeout=timeout, cas=cas, durability=durability, **kwargs)


class AppendOptions(OptionsBase):
    def __init__(self, timeout: Optional[Duration] = None, durability: Any = None,
                 cas: Optional[int] = None, **kwargs: Any) -> None:
        super().__init__(timeout=timeout, durability=durability, cas=cas, **kwargs)


class PrependOptions(AppendOptions):
    pass


class IncrementOptions(OptionsBase):
    """``delta`` (a :class:`DeltaValue` or a positive int, default 1), ``initial``
    (a :class:`SignedInt64` or int: a missing counter is created with it, default 0;
    a negative one leaves a missing counter DocumentNotFoundException), ``expiry``,
    ``durability``."""

    def __init__(self, timeout: Optional[Duration] = None, expiry: Any = None,
                 durability: Any = None, delta: Any = None, initial: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(timeout=timeout, expiry=expiry, durability=durability, delta=delta,
                         initial=initial, **kwargs)


class DecrementOptions(IncrementOptions):
    pass


class LookupInOptions(OptionsBase):
    def __init__(self, timeout: Optional[Duration] = None,
                 access_deleted: Optional[bool] = None, **kwargs: Any) -> None:
        super().__init__(timeout=timeout, access_deleted=access_deleted, **kwargs)


class LookupInAnyReplicaOptions(OptionsBase):
    def __init__(self, timeout: Optional[Duration] = None, serializer: Any = None,
                 read_preference: Any = None, **kwargs: Any) -> None:
        super().__init__(timeout=timeout, serializer=serializer,
                         read_preference=read_preference, **kwargs)


class LookupInAllReplicasOptions(LookupInAnyReplicaOptions):
    pass


class MutateInOptions(OptionsBase):
    """``cas``, ``expiry``, ``durability``, ``store_semantics``
    (:class:`~couchbase.subdocument.StoreSemantics`), ``access_deleted``,
    ``preserve_expiry``, ``timeout``."""

    def __init__(self, timeout: Optional[Duration] = None, cas: Optional[int] = None,
                 durability: Any = None, store_semantics: Any = None,
                 access_deleted: Optional[bool] = None,
                 preserve_expiry: Optional[bool] = None, expiry: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(timeout=timeout, cas=cas, durability=durability,
                         store_semantics=store_semantics, access_deleted=access_deleted,
                         preserve_expiry=preserve_expiry, expiry=expiry, **kwargs)


class ScanOptions(OptionsBase):
    def __init__(self, timeout: Optional[Duration] = None, ids_only: Optional[bool] = None,
                 consistent_with: Any = None, batch_byte_limit: Optional[int] = None,
                 batch_item_limit: Optional[int] = None,
                 batch_time_limit: Optional[timedelta] = None, transcoder: Any = None,
                 concurrency: Optional[int] = None, **kwargs: Any) -> None:
        super().__init__(timeout=timeout, ids_only=ids_only, consistent_with=consistent_with,
                         batch_byte_limit=batch_byte_limit,
                         batch_item_limit=batch_item_limit, batch_time_limit=batch_time_limit,
                         transcoder=transcoder, concurrency=concurrency, **kwargs)


# -- *_multi: options for every key, ``per_key_options`` for some, ``return_exceptions`` --
class _MultiOptions(OptionsBase):
    """``return_exceptions`` (default True: failures are in the result's
    ``exceptions``; False: the first failure is raised), ``per_key_options``
    ({key: options object}), and the single operation's options for every key."""

    def __init__(self, return_exceptions: Optional[bool] = None,
                 per_key_options: Optional[dict[str, Any]] = None, **kwargs: Any) -> None:
        super().__init__(return_exceptions=return_exceptions,
                         per_key_options=per_key_options, **kwargs)


class GetMultiOptions(_MultiOptions):
    pass


class GetAnyReplicaMultiOptions(_MultiOptions):
    pass


class GetAllReplicasMultiOptions(_MultiOptions):
    pass


class GetAndLockMultiOptions(_MultiOptions):
    pass


class LockMultiOptions(_MultiOptions):
    pass


class ExistsMultiOptions(_MultiOptions):
    pass


class InsertMultiOptions(_MultiOptions):
    pass


class UpsertMultiOptions(_MultiOptions):
    pass


class ReplaceMultiOptions(_MultiOptions):
    pass


class RemoveMultiOptions(_MultiOptions):
    pass


class TouchMultiOptions(_MultiOptions):
    pass


class UnlockMultiOptions(_MultiOptions):
    pass


class IncrementMultiOptions(_MultiOptions):
    pass


class DecrementMultiOptions(_MultiOptions):
    pass


class AppendMultiOptions(_MultiOptions):
    pass


class PrependMultiOptions(_MultiOptions):
    pass


MutationMultiOptions = _MultiOptions
NoValueMultiOptions = _MultiOptions


# -- services (used by Cluster/Scope/Bucket) --------------------------------------------------
QUERY_OPTION_NAMES = frozenset((
    "timeout", "read_only", "readonly", "scan_consistency", "adhoc", "client_context_id",
    "max_parallelism", "positional_parameters", "named_parameters", "pipeline_batch",
    "pipeline_cap", "profile", "query_context", "scan_cap", "scan_wait", "metrics",
    "flex_index", "preserve_expiry", "use_replica", "consistent_with", "send_to_node", "raw",
    "serializer", "span", "parent_span",
))


class QueryOptions(OptionsBase):
    """Options of ``cluster.query`` / ``scope.query``: every field the 4.x
    reference lists (also ``couchbase.n1ql.QueryOptions``); another keyword is
    :exc:`~couchbase.exceptions.InvalidArgumentException`."""

    def __init__(self, timeout: Optional[Duration] = None, read_only: Optional[bool] = None,
                 scan_consistency: Any = None, adhoc: Optional[bool] = None,
                 client_context_id: Optional[str] = None,
                 max_parallelism: Optional[int] = None,
                 positional_parameters: Optional[Any] = None,
                 named_parameters: Optional[dict[str, Any]] = None,
                 pipeline_batch: Optional[int] = None, pipeline_cap: Optional[int] = None,
                 profile: Any = None, query_context: Optional[str] = None,
                 scan_cap: Optional[int] = None, scan_wait: Optional[Duration] = None,
                 metrics: Optional[bool] = None, flex_index: Optional[bool] = None,
                 preserve_expiry: Optional[bool] = None, use_replica: Optional[bool] = None,
                 consistent_with: Any = None, send_to_node: Optional[str] = None,
                 raw: Optional[dict[str, Any]] = None, serializer: Any = None,
                 **kwargs: Any) -> None:
        unknown = set(kwargs) - QUERY_OPTION_NAMES
        if unknown:
            raise _invalid(f"unknown query options {sorted(unknown)}")
        super().__init__(
            timeout=timeout, read_only=read_only, scan_consistency=scan_consistency,
            adhoc=adhoc, client_context_id=client_context_id, max_parallelism=max_parallelism,
            positional_parameters=positional_parameters, named_parameters=named_parameters,
            pipeline_batch=pipeline_batch, pipeline_cap=pipeline_cap, profile=profile,
            query_context=query_context, scan_cap=scan_cap, scan_wait=scan_wait,
            metrics=metrics, flex_index=flex_index, preserve_expiry=preserve_expiry,
            use_replica=use_replica, consistent_with=consistent_with,
            send_to_node=send_to_node, raw=raw, serializer=serializer, **kwargs)


class AnalyticsOptions(OptionsBase):
    def __init__(self, timeout: Optional[Duration] = None, read_only: Optional[bool] = None,
                 scan_consistency: Any = None, positional_parameters: Optional[Any] = None,
                 named_parameters: Optional[dict[str, Any]] = None,
                 client_context_id: Optional[str] = None, priority: Optional[bool] = None,
                 metrics: Optional[bool] = None, query_context: Optional[str] = None,
                 raw: Optional[dict[str, Any]] = None, serializer: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(
            timeout=timeout, read_only=read_only, scan_consistency=scan_consistency,
            positional_parameters=positional_parameters, named_parameters=named_parameters,
            client_context_id=client_context_id, priority=priority, metrics=metrics,
            query_context=query_context, raw=raw, serializer=serializer, **kwargs)


class SearchOptions(OptionsBase):
    def __init__(self, timeout: Optional[Duration] = None, limit: Optional[int] = None,
                 skip: Optional[int] = None, explain: Optional[bool] = None,
                 fields: Optional[list[str]] = None, highlight_style: Any = None,
                 highlight_fields: Optional[list[str]] = None, scan_consistency: Any = None,
                 consistent_with: Any = None, facets: Optional[dict[str, Any]] = None,
                 raw: Optional[dict[str, Any]] = None, sort: Any = None,
                 disable_scoring: Optional[bool] = None, scope_name: Optional[str] = None,
                 collections: Optional[list[str]] = None,
                 include_locations: Optional[bool] = None,
                 client_context_id: Optional[str] = None, serializer: Any = None,
                 show_request: Optional[bool] = None, log_request: Optional[bool] = None,
                 log_response: Optional[bool] = None, **kwargs: Any) -> None:
        super().__init__(
            timeout=timeout, limit=limit, skip=skip, explain=explain, fields=fields,
            highlight_style=highlight_style, highlight_fields=highlight_fields,
            scan_consistency=scan_consistency, consistent_with=consistent_with,
            facets=facets, raw=raw, sort=sort, disable_scoring=disable_scoring,
            scope_name=scope_name, collections=collections,
            include_locations=include_locations, client_context_id=client_context_id,
            serializer=serializer, show_request=show_request, log_request=log_request,
            log_response=log_response, **kwargs)


class ViewOptions(OptionsBase):
    def __init__(self, timeout: Optional[Duration] = None, scan_consistency: Any = None,
                 skip: Optional[int] = None, limit: Optional[int] = None,
                 startkey: Any = None, endkey: Any = None,
                 startkey_docid: Optional[str] = None, endkey_docid: Optional[str] = None,
                 inclusive_end: Optional[bool] = None, group: Optional[bool] = None,
                 group_level: Optional[int] = None, key: Any = None,
                 keys: Optional[list[Any]] = None, order: Any = None,
                 reduce: Optional[bool] = None, on_error: Any = None,
                 debug: Optional[bool] = None, namespace: Any = None,
                 query_string: Optional[list[str]] = None,
                 client_context_id: Optional[str] = None, raw: Optional[dict[str, Any]] = None,
                 full_set: Optional[bool] = None, **kwargs: Any) -> None:
        super().__init__(
            timeout=timeout, scan_consistency=scan_consistency, skip=skip, limit=limit,
            startkey=startkey, endkey=endkey, startkey_docid=startkey_docid,
            endkey_docid=endkey_docid, inclusive_end=inclusive_end, group=group,
            group_level=group_level, key=key, keys=keys, order=order, reduce=reduce,
            on_error=on_error, debug=debug, namespace=namespace, query_string=query_string,
            client_context_id=client_context_id, raw=raw, full_set=full_set, **kwargs)


# -- counter values and enums -------------------------------------------------------------------
class _ConstrainedInt:
    """An int checked against a range on construction (``.value``)."""

    MIN = 0
    MAX = 0

    def __init__(self, value: int) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or \
                not self.MIN <= value <= self.MAX:
            raise _invalid(f"{type(self).__name__} must be an integer between {self.MIN} and "
                           f"{self.MAX}, not {value!r}")
        self.value = value

    def __int__(self) -> int:
        return self.value

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.value == self.value

    def __hash__(self) -> int:
        return hash(self.value)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.value})"


class SignedInt64(_ConstrainedInt):
    MIN = -(2 ** 63)
    MAX = 2 ** 63 - 1


class UnsignedInt32(_ConstrainedInt):
    MAX = 2 ** 32 - 1


class UnsignedInt64(_ConstrainedInt):
    MAX = 2 ** 64 - 1


class DeltaValue(_ConstrainedInt):
    """A counter's delta: a positive 64-bit signed integer."""

    MIN = 1
    MAX = 2 ** 63 - 1


class Compression(Enum):
    NONE = "none"
    IN = "in"
    OUT = "out"
    INOUT = "inout"
    FORCE = "force"


class IpProtocol(Enum):
    Any = "any"
    ForceIPv4 = "force_ipv4"
    ForceIPv6 = "force_ipv6"


class TLSVerifyMode(Enum):
    NONE = "none"
    PEER = "peer"
    NO_VERIFY = "no_verify"


class LockMode(IntEnum):
    WAIT = 0
    EXC = 1
    NONE = 2


# -- transactions ----------------------------------------------------------------------
class TransactionConfig(OptionsBase):
    """Cluster-wide transaction settings, ``ClusterOptions(transaction_config=...)``:
    ``durability`` (ServerDurability, default MAJORITY), ``timeout`` (default 15 s;
    ``expiration_time`` is the older name), ``metadata_collection``
    (a :class:`~couchbase.transactions.TransactionKeyspace` for the ATRs, default: the
    default collection of each transaction's first document's bucket),
    ``scan_consistency``, ``cleanup_window``, ``cleanup_lost_attempts``,
    ``cleanup_client_attempts``, ``kv_timeout``."""

    def __init__(self, durability: Any = None, cleanup_window: Optional[Duration] = None,
                 kv_timeout: Optional[Duration] = None,
                 expiration_time: Optional[Duration] = None,
                 cleanup_lost_attempts: Optional[bool] = None,
                 cleanup_client_attempts: Optional[bool] = None,
                 metadata_collection: Any = None, scan_consistency: Any = None,
                 timeout: Optional[Duration] = None, **kwargs: Any) -> None:
        super().__init__(durability=durability, cleanup_window=cleanup_window,
                         kv_timeout=kv_timeout, expiration_time=expiration_time,
                         cleanup_lost_attempts=cleanup_lost_attempts,
                         cleanup_client_attempts=cleanup_client_attempts,
                         metadata_collection=metadata_collection,
                         scan_consistency=scan_consistency, timeout=timeout, **kwargs)


class TransactionOptions(OptionsBase):
    """One transaction's settings, over the cluster's :class:`TransactionConfig`:
    ``durability``, ``timeout`` (``expiration_time``), ``metadata_collection``,
    ``scan_consistency``, ``kv_timeout``."""

    def __init__(self, durability: Any = None, kv_timeout: Optional[Duration] = None,
                 expiration_time: Optional[Duration] = None, scan_consistency: Any = None,
                 metadata_collection: Any = None, timeout: Optional[Duration] = None,
                 **kwargs: Any) -> None:
        super().__init__(durability=durability, kv_timeout=kv_timeout,
                         expiration_time=expiration_time, scan_consistency=scan_consistency,
                         metadata_collection=metadata_collection, timeout=timeout, **kwargs)


class TransactionGetOptions(OptionsBase):
    """``transcoder``."""


class TransactionInsertOptions(OptionsBase):
    """``transcoder``."""


class TransactionReplaceOptions(OptionsBase):
    """``transcoder``."""


class TransactionQueryOptions(OptionsBase):
    """The options of ``ctx.query`` (those of :class:`QueryOptions` a transaction's
    query may take: ``positional_parameters``, ``named_parameters``, ``scope``,
    ``readonly``, ``scan_consistency``...)."""


__all__ = [
    "AnalyticsOptions", "AppendMultiOptions", "AppendOptions", "ClusterMetricsOptions",
    "ClusterOptions", "ClusterOrphanReportingOptions", "ClusterTimeoutOptions",
    "ClusterTracingOptions", "Compression", "ConfigProfile", "ConfigProfiles",
    "DecrementMultiOptions", "DecrementOptions",
    "DeltaValue", "DiagnosticsOptions", "Duration", "ExistsMultiOptions", "ExistsOptions",
    "GetAllReplicasMultiOptions", "GetAllReplicasOptions", "GetAndLockMultiOptions",
    "GetAndLockOptions", "GetAndTouchOptions", "GetAnyReplicaMultiOptions",
    "GetAnyReplicaOptions", "GetMultiOptions", "GetOptions", "IncrementMultiOptions",
    "IncrementOptions", "InsertMultiOptions", "InsertOptions", "IpProtocol",
    "KnownConfigProfiles", "LockMode", "LockMultiOptions", "LookupInAllReplicasOptions",
    "LookupInAnyReplicaOptions",
    "LookupInOptions", "MutateInOptions", "MutationMultiOptions", "NoValueMultiOptions",
    "OptionsBase", "OptionsTimeout", "PingOptions", "PrependMultiOptions", "PrependOptions",
    "QueryOptions", "RemoveMultiOptions", "RemoveOptions", "ReplaceMultiOptions",
    "ReplaceOptions", "ScanOptions", "SearchOptions", "SignedInt64", "TLSVerifyMode",
    "TouchMultiOptions", "TouchOptions", "TransactionConfig", "TransactionGetOptions",
    "TransactionInsertOptions", "TransactionOptions", "TransactionQueryOptions",
    "TransactionReplaceOptions", "UnlockMultiOptions", "UnlockOptions",
    "UnsignedInt32", "UnsignedInt64", "UpsertMultiOptions", "UpsertOptions", "ViewOptions",
    "WaitUntilReadyOptions", "WanDevelopmentProfile", "expiry_seconds", "merge", "seconds",
    "timeout_seconds",
]
