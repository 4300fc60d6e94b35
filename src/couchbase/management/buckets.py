"""Bucket management (SDK 4.x): ``cluster.buckets()``.

>>> mgr = cluster.buckets()
>>> mgr.create_bucket(CreateBucketSettings(name="hello", ram_quota_mb=100,
...                                        flush_enabled=True))
>>> mgr.get_bucket("hello").ram_quota_mb
100
>>> mgr.drop_bucket("hello")

Settings go to the server's REST form (``POST /pools/default/buckets``) and
come back from its bucket document, through the flows of
:mod:`couchbase._http.management` that the 2.x ``Admin`` runs too.
"""

from __future__ import annotations

from datetime import timedelta
from enum import Enum
from typing import Any, Optional

from .._http import management as rest
from ._errors import invalid_argument
from ._manager import Manager, check_name, converted, returning_none
from .options import (
    BucketDescribeOptions,
    CreateBucketOptions,
    DropBucketOptions,
    FlushBucketOptions,
    GetAllBucketOptions,
    GetBucketOptions,
    UpdateBucketOptions,
    merge,
)


class BucketType(Enum):
    COUCHBASE = "membase"
    MEMCACHED = "memcached"
    EPHEMERAL = "ephemeral"
    UNKNOWN = "unknown"


class CompressionMode(Enum):
    OFF = "off"
    PASSIVE = "passive"
    ACTIVE = "active"
    UNKNOWN = "unknown"


class ConflictResolutionType(Enum):
    TIMESTAMP = "lww"
    SEQUENCE_NUMBER = "seqno"
    CUSTOM = "custom"
    UNKNOWN = "unknown"


class EvictionPolicyType(Enum):
    NOT_RECENTLY_USED = "nruEviction"
    NO_EVICTION = "noEviction"
    FULL = "fullEviction"
    VALUE_ONLY = "valueOnly"


class EjectionMethod(Enum):
    FULL_EVICTION = "fullEviction"
    VALUE_ONLY = "valueOnly"


class StorageBackend(Enum):
    UNDEFINED = "undefined"
    COUCHSTORE = "couchstore"
    MAGMA = "magma"


# DurabilityLevel (couchbase.durability) by name <-> the server's durabilityMinLevel
_DURABILITY = {"NONE": "none", "MAJORITY": "majority",
               "MAJORITY_AND_PERSIST_TO_ACTIVE": "majorityAndPersistActive",
               "PERSIST_TO_MAJORITY": "persistToMajority"}
_DURABILITY_VALUES = {"NONE": 0, "MAJORITY": 1, "MAJORITY_AND_PERSIST_TO_ACTIVE": 2,
                      "PERSIST_TO_MAJORITY": 3}

_FIELDS = ("name", "flush_enabled", "ram_quota_mb", "num_replicas", "replica_index",
           "bucket_type", "eviction_policy", "max_ttl", "max_expiry", "compression_mode",
           "minimum_durability_level", "storage_backend", "history_retention_collection_default",
           "history_retention_bytes", "history_retention_duration", "num_vbuckets")


class BucketSettings(dict):
    """A bucket's settings: a ``dict`` of those given, read as properties.

    :param name: the bucket's name
    :param ram_quota_mb: memory per node, in MiB (at least 100 on a server)
    :param bucket_type: :class:`BucketType` (``COUCHBASE`` by default)
    :param num_replicas: copies of each document on other nodes (0-3)
    :param flush_enabled: whether :meth:`BucketManager.flush_bucket` may empty it
    :param max_expiry: the longest expiry a document may have (timedelta or seconds)
    :param minimum_durability_level: a :class:`~couchbase.durability.DurabilityLevel`
    :param eviction_policy, compression_mode, storage_backend, replica_index,
        history_retention_collection_default, history_retention_bytes,
        history_retention_duration, num_vbuckets: as the server documents them
    """

    _fields: tuple[str, ...] = _FIELDS

    def __init__(self, **kwargs: Any) -> None:
        unknown = sorted(set(kwargs) - set(self._fields))
        if unknown:
            raise invalid_argument(f"{type(self).__name__} has no setting {', '.join(unknown)}")
        super().__init__({k: v for k, v in kwargs.items() if v is not None})

    def __repr__(self) -> str:
        return f"{type(self).__name__}({dict(self)!r})"

    @property
    def name(self) -> str:
        return self.get("name")  # type: ignore[return-value]

    @property
    def flush_enabled(self) -> bool:
        return bool(self.get("flush_enabled", False))

    @property
    def ram_quota_mb(self) -> Optional[int]:
        return self.get("ram_quota_mb")

    @property
    def num_replicas(self) -> Optional[int]:
        return self.get("num_replicas")

    @property
    def replica_index(self) -> Optional[bool]:
        return self.get("replica_index")

    @property
    def bucket_type(self) -> Optional[BucketType]:
        return self.get("bucket_type")

    @property
    def eviction_policy(self) -> Optional[EvictionPolicyType]:
        return self.get("eviction_policy")

    @property
    def max_expiry(self) -> Optional[timedelta]:
        value = self.get("max_expiry", self.get("max_ttl"))
        return value if value is None or isinstance(value, timedelta) else timedelta(
            seconds=value)

    @property
    def max_ttl(self) -> Optional[timedelta]:
        """The older name of :attr:`max_expiry`."""
        return self.max_expiry

    @property
    def compression_mode(self) -> Optional[CompressionMode]:
        return self.get("compression_mode")

    @property
    def minimum_durability_level(self) -> Any:
        return self.get("minimum_durability_level")

    @property
    def storage_backend(self) -> Optional[StorageBackend]:
        return self.get("storage_backend")

    @property
    def history_retention_collection_default(self) -> Optional[bool]:
        return self.get("history_retention_collection_default")

    @property
    def history_retention_bytes(self) -> Optional[int]:
        return self.get("history_retention_bytes")

    @property
    def history_retention_duration(self) -> Optional[timedelta]:
        value = self.get("history_retention_duration")
        return value if value is None or isinstance(value, timedelta) else timedelta(
            seconds=value)

    @property
    def num_vbuckets(self) -> Optional[int]:
        return self.get("num_vbuckets")


class CreateBucketSettings(BucketSettings):
    """The settings of a new bucket: :class:`BucketSettings` and ``conflict_resolution_type``
    (:class:`ConflictResolutionType`, fixed once the bucket exists)."""

    _fields = (*_FIELDS, "conflict_resolution_type")

    @property
    def conflict_resolution_type(self) -> Optional[ConflictResolutionType]:
        return self.get("conflict_resolution_type")


class BucketDescribeResult:
    """What :meth:`BucketManager.bucket_describe` tells of a bucket."""

    def __init__(self, name: Optional[str] = None, uuid: Optional[str] = None,
                 number_of_nodes: Optional[int] = None, number_of_replicas: Optional[int] = None,
                 bucket_capabilities: Optional[list[str]] = None,
                 storage_backend: Optional[str] = None,
                 server_groups: Optional[dict[str, Any]] = None) -> None:
        self.name = name
        self.uuid = uuid
        self.number_of_nodes = number_of_nodes
        self.number_of_replicas = number_of_replicas
        self.bucket_capabilities = bucket_capabilities or []
        self.storage_backend = storage_backend
        self.server_groups = server_groups or {}

    def __repr__(self) -> str:
        return f"BucketDescribeResult(name={self.name!r}, uuid={self.uuid!r})"


# -- settings <-> the server's form and document ------------------------------------------
def _enum(cls: type[Enum], value: Any, what: str) -> Any:
    if isinstance(value, cls):
        return value.value
    try:
        return cls(value).value
    except ValueError:
        raise invalid_argument(f"{what} must be a {cls.__name__}, not {value!r}") from None


def _seconds(value: Any, what: str) -> int:
    if isinstance(value, timedelta):
        return int(value.total_seconds())
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    raise invalid_argument(f"{what} must be a timedelta or whole seconds, not {value!r}")


def _durability_name(value: Any) -> str:
    name = getattr(value, "name", None)
    if isinstance(name, str) and name in _DURABILITY:
        return _DURABILITY[name]
    if isinstance(value, int) and not isinstance(value, bool):
        for key, number in _DURABILITY_VALUES.items():
            if number == value:
                return _DURABILITY[key]
    if isinstance(value, str) and value in _DURABILITY.values():
        return value
    raise invalid_argument(f"minimum_durability_level must be a DurabilityLevel, not {value!r}")


def _durability_level(text: Any) -> Any:
    for key, server in _DURABILITY.items():
        if server == text:
            from ..durability import DurabilityLevel

            return DurabilityLevel[key]
    return None


def _int(value: Any, what: str, low: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise invalid_argument(f"{what} must be a whole number >= {low}, not {value!r}")
    return value


def to_form(settings: BucketSettings, creating: bool) -> dict[str, Any]:
    """The REST form fields of ``settings``."""
    if not isinstance(settings, BucketSettings):
        raise invalid_argument(f"expected BucketSettings, not {settings!r}")
    s = settings
    form: dict[str, Any] = {}
    if s.get("ram_quota_mb") is not None:
        form["ramQuotaMB"] = _int(s["ram_quota_mb"], "ram_quota_mb", 1)
    elif creating:
        raise invalid_argument("a new bucket needs ram_quota_mb")
    if s.get("flush_enabled") is not None:
        form["flushEnabled"] = "1" if s["flush_enabled"] else "0"
    if s.get("num_replicas") is not None:
        form["replicaNumber"] = _int(s["num_replicas"], "num_replicas")
    if s.get("replica_index") is not None:
        form["replicaIndex"] = "1" if s["replica_index"] else "0"
    if s.get("eviction_policy") is not None:
        form["evictionPolicy"] = _enum(EvictionPolicyType, s["eviction_policy"],
                                       "eviction_policy")
    expiry = s.get("max_expiry", s.get("max_ttl"))
    if expiry is not None:
        form["maxTTL"] = _seconds(expiry, "max_expiry")
    if s.get("compression_mode") is not None:
        form["compressionMode"] = _enum(CompressionMode, s["compression_mode"],
                                        "compression_mode")
    if s.get("minimum_durability_level") is not None:
        form["durabilityMinLevel"] = _durability_name(s["minimum_durability_level"])
    if s.get("storage_backend") is not None:
        form["storageBackend"] = _enum(StorageBackend, s["storage_backend"], "storage_backend")
    if s.get("history_retention_collection_default") is not None:
        form["historyRetentionCollectionDefault"] = (
            "true" if s["history_retention_collection_default"] else "false")
    if s.get("history_retention_bytes") is not None:
        form["historyRetentionBytes"] = _int(s["history_retention_bytes"],
                                             "history_retention_bytes")
    if s.get("history_retention_duration") is not None:
        form["historyRetentionSeconds"] = _seconds(s["history_retention_duration"],
                                                   "history_retention_duration")
    if creating:
        form["name"] = check_name(s.get("name"), "the bucket's name")
        kind = _enum(BucketType, s.get("bucket_type", BucketType.COUCHBASE), "bucket_type")
        if kind == "unknown":
            raise invalid_argument("bucket_type must be COUCHBASE, EPHEMERAL or MEMCACHED")
        form["bucketType"] = kind
        if s.get("num_vbuckets") is not None:
            form["numVBuckets"] = _int(s["num_vbuckets"], "num_vbuckets", 1)
        resolution = s.get("conflict_resolution_type")
        if resolution is not None:
            form["conflictResolutionType"] = _enum(ConflictResolutionType, resolution,
                                                   "conflict_resolution_type")
        if kind == "memcached":
            form.pop("replicaNumber", None)
    return form


def _known(cls: type[Enum], value: Any) -> Any:
    try:
        return cls(value)
    except ValueError:
        return cls("unknown") if "unknown" in {m.value for m in cls} else None


def from_server(doc: dict[str, Any]) -> BucketSettings:
    """The settings a bucket document (``GET /pools/default/buckets/<name>``) states."""
    quota = doc.get("quota") or {}
    raw = quota.get("rawRAM")
    kind = _known(BucketType, doc.get("bucketType", "membase"))
    s: dict[str, Any] = {
        "name": doc.get("name"),
        "bucket_type": kind,
        "ram_quota_mb": raw // (1024 * 1024) if isinstance(raw, int) else None,
        "flush_enabled": "flush" in (doc.get("controllers") or {}),
        "num_replicas": doc.get("replicaNumber", 0 if kind is BucketType.MEMCACHED else None),
        "replica_index": doc.get("replicaIndex"),
        "max_expiry": (timedelta(seconds=doc["maxTTL"]) if isinstance(doc.get("maxTTL"), int)
                       else None),
        "minimum_durability_level": _durability_level(doc.get("durabilityMinLevel")),
        "history_retention_collection_default": doc.get("historyRetentionCollectionDefault"),
        "history_retention_bytes": doc.get("historyRetentionBytes"),
        "history_retention_duration": (
            timedelta(seconds=doc["historyRetentionSeconds"])
            if isinstance(doc.get("historyRetentionSeconds"), int) else None),
        "num_vbuckets": doc.get("numVBuckets"),
    }
    for key, field, cls in (("eviction_policy", "evictionPolicy", EvictionPolicyType),
                            ("compression_mode", "compressionMode", CompressionMode),
                            ("storage_backend", "storageBackend", StorageBackend)):
        if doc.get(field) is not None:
            s[key] = _known(cls, doc[field])
    return BucketSettings(**s)


def _describe(doc: dict[str, Any]) -> BucketDescribeResult:
    groups: dict[str, Any] = {}
    for node in doc.get("nodes") or ():
        groups.setdefault(node.get("serverGroup", "Group 1"), []).append(node.get("hostname"))
    return BucketDescribeResult(
        name=doc.get("name"), uuid=doc.get("uuid"), number_of_nodes=len(doc.get("nodes") or ()),
        number_of_replicas=doc.get("replicaNumber"),
        bucket_capabilities=list(doc.get("bucketCapabilities") or ()),
        storage_backend=doc.get("storageBackend"), server_groups=groups)


# -- the manager -------------------------------------------------------------------------
class BucketManager(Manager):
    """Creates, changes, reads, empties and drops the cluster's buckets.

    On acouchbase each method returns an awaitable, on txcouchbase a Deferred.
    """

    _errors = "bucket"

    def create_bucket(self, settings: CreateBucketSettings, *options: CreateBucketOptions,
                      **kwargs: Any) -> None:
        """Create a bucket. :raise: BucketAlreadyExistsException,
        InvalidArgumentException (a setting the server refuses)"""
        form = to_form(settings, creating=True)
        return self._call(lambda ep: returning_none(rest.form_flow(
            ep, "POST", "/pools/default/buckets", form, f"creating bucket {form['name']!r}")),
            merge(CreateBucketOptions, options, kwargs))

    def update_bucket(self, settings: BucketSettings, *options: UpdateBucketOptions,
                      **kwargs: Any) -> None:
        """Change the settings given. :raise: BucketDoesNotExistException"""
        name = check_name(settings.get("name") if isinstance(settings, dict) else None,
                          "the bucket's name")
        form = to_form(settings, creating=False)
        return self._call(lambda ep: returning_none(rest.form_flow(
            ep, "POST", rest.bucket_path(name), form, f"updating bucket {name!r}")),
            merge(UpdateBucketOptions, options, kwargs))

    def drop_bucket(self, bucket_name: str, *options: DropBucketOptions, **kwargs: Any) -> None:
        """Remove a bucket and its documents. :raise: BucketDoesNotExistException"""
        name = check_name(bucket_name, "bucket_name")
        return self._call(lambda ep: returning_none(rest.bucket_remove_flow(ep, name)),
                          merge(DropBucketOptions, options, kwargs))

    def get_bucket(self, bucket_name: str, *options: GetBucketOptions,
                   **kwargs: Any) -> BucketSettings:
        """:class:`BucketSettings` of a bucket. :raise: BucketDoesNotExistException"""
        name = check_name(bucket_name, "bucket_name")
        return self._call(lambda ep: converted(rest.bucket_info_flow(ep, name), from_server),
                          merge(GetBucketOptions, options, kwargs))

    def get_all_buckets(self, *options: GetAllBucketOptions,
                        **kwargs: Any) -> list[BucketSettings]:
        """The settings of every bucket the user may see."""
        return self._call(lambda ep: converted(rest.http_flow(ep, "/pools/default/buckets"),
                                            lambda docs: [from_server(d) for d in docs or ()]),
                          merge(GetAllBucketOptions, options, kwargs))

    def flush_bucket(self, bucket_name: str, *options: FlushBucketOptions,
                     **kwargs: Any) -> None:
        """Remove every document. :raise: BucketNotFlushableException (flush not enabled),
        BucketDoesNotExistException"""
        name = check_name(bucket_name, "bucket_name")
        return self._call(lambda ep: returning_none(rest.bucket_flush_flow(ep, name)),
                          merge(FlushBucketOptions, options, kwargs))

    def bucket_describe(self, bucket_name: str, *options: BucketDescribeOptions,
                        **kwargs: Any) -> BucketDescribeResult:
        """Nodes, replicas, capabilities and server groups of a bucket."""
        name = check_name(bucket_name, "bucket_name")
        return self._call(lambda ep: converted(rest.bucket_info_flow(ep, name), _describe),
                          merge(BucketDescribeOptions, options, kwargs))


__all__ = ["BucketDescribeResult", "BucketManager", "BucketSettings", "BucketType",
           "CompressionMode", "ConflictResolutionType", "CreateBucketSettings",
           "EjectionMethod", "EvictionPolicyType", "StorageBackend"]
