"""Bucket management over REST, as ns_server answers it: create, edit, flush, delete, info.

``POST /pools/default/buckets`` creates a bucket (202, ``Location`` header),
``POST /pools/default/buckets/<name>`` edits one (200),
``POST .../<name>/controller/doFlush`` empties one whose flush is enabled
(200; else 400 ``{"_": "Flush is disabled for the bucket"}``), and
``DELETE .../<name>`` removes one. Parameters are form fields with the
server's names (``ramQuota`` or its older name ``ramQuotaMB``,
``replicaNumber``, ``flushEnabled``, ``evictionPolicy``...). A request the
server would refuse gets its 400 and body: ``{"errors": {field: message},
"summaries": {"ramSummary": ..., "hddSummary": ...}}``, every field checked
at once; ``just_validate=1`` checks without creating.

The settings a bucket was given are kept per bucket (and in the data
directory, with the cluster's other metadata); ``GET`` answers them in the
bucket's info. Buckets made from Python (:meth:`Cluster.create_bucket`) have
the defaults, with flush enabled. The mock holds everything in memory, so
the RAM figures are what the server would report for a cluster whose nodes
have :data:`NODE_RAM_QUOTA_MB` each; a replica number changed by an edit is
reported at once but, as on the server, moves no data until a rebalance.
"""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING, Any, Optional, Union
from urllib.parse import parse_qs, quote

from . import configjson
from .bucket import COUCHBASE, MEMCACHED, Bucket
from .names import bucket_name_error
from .persistence import snapshot

if TYPE_CHECKING:  # pragma: no cover
    from .cluster import Cluster

MIB = 1024 * 1024
MAX_BUCKETS = 30
NODE_RAM_QUOTA_MB = 65536
"""The memory quota each node claims (the mock keeps data in the process's memory)."""
MIN_RAM_MB = {COUCHBASE: 100, MEMCACHED: 64}
MAGMA_MIN_RAM_MB = 1024
MAX_REPLICAS = 3
THREADS = (2, 8)
MAX_TTL = 2**31 - 1
DISK_TOTAL = 1 << 40

_EVICTION = {"membase": ("valueOnly", "fullEviction"), "ephemeral": ("noEviction", "nruEviction")}
_EVICTION_ERROR = {
    "membase": "Eviction policy must be either 'valueOnly' or 'fullEviction' for couchbase "
               "buckets",
    "ephemeral": "Eviction policy must be either 'noEviction' or 'nruEviction' for ephemeral "
                 "buckets",
}
_DURABILITY = {"membase": ("none", "majority", "majorityAndPersistActive", "persistToMajority"),
               "ephemeral": ("none", "majority")}
_DURABILITY_ERROR = {
    "membase": "Durability minimum level must be one of 'none', 'majority', "
               "'majorityAndPersistActive', or 'persistToMajority'",
    "ephemeral": "Durability minimum level must be either 'none' or 'majority' for ephemeral "
                 "buckets",
}
# durabilityMinLevel as the KV service's durability frame levels.
_DURABILITY_LEVELS = {"none": 0, "majority": 1, "majorityAndPersistActive": 2,
                      "persistToMajority": 3}
_TYPES = {"couchbase": "membase", "membase": "membase", "ephemeral": "ephemeral",
          "memcached": "memcached"}


@dataclass(frozen=True)
class BucketSettings:
    """What a bucket was created or edited with (the server's ``bucketType``:
    ``membase``, ``ephemeral`` or ``memcached``)."""

    bucket_type: str = "membase"
    ram_quota_mb: int = 100
    replicas: int = 1
    flush_enabled: bool = True
    replica_index: bool = False
    eviction_policy: str = "valueOnly"
    durability_min_level: str = "none"
    max_ttl: int = 0
    compression_mode: str = "passive"
    conflict_resolution: str = "seqno"
    storage_backend: str = "couchstore"
    threads_number: int = 3
    uuid: str = ""  # the bucket these settings belong to ("": made from Python)
    # History retention (7.2+, magma buckets only): whether new collections keep
    # history, and how much of it (0: no limit of that kind).
    history_default: bool = True
    history_bytes: int = 0
    history_seconds: int = 0

    @classmethod
    def of_python_bucket(cls, bucket: Bucket) -> BucketSettings:
        """The settings of a bucket created without REST."""
        if not bucket.is_couchbase:
            return cls("memcached", 100, 0, True, False, "", "none", 0, "off", "seqno", "", 3)
        return cls(replicas=bucket.replicas)


class _Registry:
    """Every bucket's settings, by name; the cluster's metadata source for them."""

    def __init__(self, entries: dict[str, BucketSettings]) -> None:
        self.entries = entries

    def __call__(self) -> dict[str, Any]:
        return {name: asdict(s) for name, s in self.entries.items()}


_META = "bucketSettings"


def _registry(cluster: Cluster) -> _Registry:
    source = cluster.metadata_sources.get(_META)
    if isinstance(source, _Registry):
        return source
    restored = cluster.restored_extra.get(_META) or {}
    registry = _Registry({name: BucketSettings(**spec) for name, spec in restored.items()})
    cluster.metadata_sources[_META] = registry
    for name, settings in registry.entries.items():
        _apply(cluster, name, settings)
    return registry


def settings_of(cluster: Cluster, bucket: Bucket) -> BucketSettings:
    """The settings of ``bucket`` (the defaults if it was not made over REST)."""
    found = _registry(cluster).entries.get(bucket.name)
    if found is None or found.uuid != bucket.uuid:
        return BucketSettings.of_python_bucket(bucket)
    return found


def _remember(cluster: Cluster, name: str, settings: BucketSettings) -> None:
    _registry(cluster).entries[name] = settings
    _apply(cluster, name, settings)
    cluster.persist_meta()


def _apply(cluster: Cluster, name: str, settings: BucketSettings) -> None:
    """Settings the data service acts upon, onto the live bucket."""
    bucket = cluster.buckets.get(name)
    if bucket is not None and bucket.uuid == settings.uuid:
        bucket.compression_mode = settings.compression_mode  # (read by compression.py)
        bucket.durability_min_level = _DURABILITY_LEVELS.get(settings.durability_min_level, 0)
        bucket.ephemeral = settings.bucket_type == "ephemeral"


# -- validation ----------------------------------------------------------------------------
Form = dict[str, str]
Errors = dict[str, str]


def parse_form(body: bytes) -> Form:
    """A form body as ``{field: last value}``."""
    text = body.decode("utf-8", "replace")
    return {k: v[-1] for k, v in parse_qs(text, keep_blank_values=True).items()}


def _number(text: Optional[str], low: int, high: Optional[int]) -> Union[int, str]:
    """An integer in range, or ``"invalid"``, ``"too_small"``, ``"too_large"``."""
    try:
        value = int(text) if text is not None and text.strip() == text else None
    except ValueError:
        value = None
    if value is None:
        return "invalid"
    if value < low:
        return "too_small"
    if high is not None and value > high:
        return "too_large"
    return value


def _flag(form: Form, field: str, current: bool, errors: Errors, message: str) -> bool:
    raw = form.get(field)
    if raw is None:
        return current
    if raw not in ("0", "1"):
        errors[field] = message
        return current
    return raw == "1"


def _choice(form: Form, field: str, current: str, allowed: tuple[str, ...], errors: Errors,
            message: str, key: Optional[str] = None) -> str:
    raw = form.get(field)
    if raw is None:
        return current
    if raw not in allowed:
        errors[key or field] = message
        return current
    return raw


def _ram(form: Form, current: Optional[int], errors: Errors) -> int:
    raw = form.get("ramQuota", form.get("ramQuotaMB"))
    if raw is None and current is not None:
        return current
    value = _number(raw, 0, None)
    if value == "invalid":
        errors["ramQuota"] = "The RAM Quota must be specified and must be a positive integer."
    elif value == "too_small":
        errors["ramQuota"] = "The RAM Quota cannot be negative."
    return value if isinstance(value, int) else 0


def _replicas(form: Form, current: int, errors: Errors) -> int:
    raw = form.get("replicaNumber")
    if raw is None:
        return current
    value = _number(raw, 0, MAX_REPLICAS)
    if isinstance(value, int):
        return value
    errors["replicaNumber"] = {
        "invalid": "The replica number must be specified and must be a non-negative integer.",
        "too_small": "The replica number cannot be negative.",
        "too_large": f"Replica number larger than {MAX_REPLICAS} is not supported.",
    }[value]
    return current


def _threads(form: Form, current: int, errors: Errors) -> int:
    raw = form.get("threadsNumber")
    if raw is None:
        return current
    value = _number(raw, *THREADS)
    if isinstance(value, int):
        return value
    low, high = THREADS
    errors["threadsNumber"] = {
        "invalid": f"The number of threads must be an integer between {low} and {high}, "
                   "inclusive",
        "too_small": f"The number of threads can't be less than {low}",
        "too_large": f"The number of threads can't be greater than {high}",
    }[value]
    return current


def _max_ttl(form: Form, current: int, errors: Errors) -> int:
    raw = form.get("maxTTL")
    if raw is None:
        return current
    value = _number(raw, 0, MAX_TTL)
    if isinstance(value, int):
        return value
    errors["maxTTL"] = f"Max TTL must be an integer between 0 and {MAX_TTL}"
    return current


def _couchbase_fields(form: Form, s: BucketSettings, new: bool, errors: Errors,
                      data_nodes: int) -> BucketSettings:
    """The fields of couchbase and ephemeral buckets."""
    kind = s.bucket_type
    backend = s.storage_backend
    if new and kind == "membase":
        backend = form.get("storageBackend", "couchstore")
        if backend not in ("couchstore", "magma"):
            errors["storage_mode"] = "storage backend must be couchstore or magma"
            backend = "couchstore"
    replicas = _replicas(form, s.replicas, errors)
    replica_index = s.replica_index
    if new and kind == "ephemeral":
        if "replicaIndex" in form:
            errors["replicaIndex"] = "replicaIndex not supported for ephemeral buckets"
    elif new:
        raw = form.get("replicaIndex", "0" if replicas == 0 else "1")
        if raw not in ("0", "1"):
            errors["replicaIndex"] = "replicaIndex can only be 1 or 0"
        replica_index = raw == "1"
    eviction = s.eviction_policy
    if new:
        eviction = "fullEviction" if backend == "magma" else _EVICTION[kind][0]
    raw_eviction = form.get("evictionPolicy")
    if raw_eviction is not None:
        if kind == "ephemeral" and not new:
            if raw_eviction != s.eviction_policy:
                errors["evictionPolicy"] = "Eviction policy cannot be updated for ephemeral buckets"
        elif raw_eviction in _EVICTION[kind]:
            eviction = raw_eviction
        else:
            errors["evictionPolicy"] = _EVICTION_ERROR[kind]
    durability = _choice(form, "durabilityMinLevel", s.durability_min_level, _DURABILITY[kind],
                         errors, _DURABILITY_ERROR[kind], "durability_min_level")
    if durability != "none" and "durability_min_level" not in errors:
        if replicas == 3:
            errors["durability_min_level"] = ("Durability minimum level cannot be specified "
                                              "with 3 replicas")
        elif replicas > 0 and data_nodes == 1:
            errors["durability_min_level"] = ("You do not have enough data servers to support "
                                              "this durability level")
    conflict = s.conflict_resolution
    raw_conflict = form.get("conflictResolutionType")
    if raw_conflict is not None:
        if not new:
            errors["conflictResolutionType"] = ("Conflict resolution type not allowed in "
                                                "update bucket")
        elif raw_conflict in ("seqno", "lww"):
            conflict = raw_conflict
        elif raw_conflict == "custom":
            errors["conflictResolutionType"] = ("Conflict resolution type 'custom' is supported "
                                                "only with developer preview enabled")
        else:
            errors["conflictResolutionType"] = ("Conflict resolution type must be 'seqno' or "
                                                "'lww' or 'custom'")
    compression = _choice(form, "compressionMode", s.compression_mode,
                          ("off", "passive", "active"), errors,
                          "compressionMode can be set to 'off', 'passive' or 'active'")
    s = _history(form, s, backend, errors)
    return replace(
        s, replicas=replicas, replica_index=replica_index, eviction_policy=eviction,
        durability_min_level=durability, conflict_resolution=conflict,
        compression_mode=compression, storage_backend=backend,
        threads_number=_threads(form, s.threads_number, errors),
        max_ttl=_max_ttl(form, s.max_ttl, errors),
    )


_HISTORY_FIELDS = ("historyRetentionCollectionDefault", "historyRetentionBytes",
                   "historyRetentionSeconds")


def _history(form: Form, s: BucketSettings, backend: str, errors: Errors) -> BucketSettings:
    """The history retention fields, which only magma buckets take."""
    given = [name for name in _HISTORY_FIELDS if name in form]
    if not given:
        return s
    if backend != "magma":
        for name in given:
            errors[name] = "History Retention can only used with Magma"
        return s
    default = s.history_default
    raw = form.get("historyRetentionCollectionDefault")
    if raw is not None:
        if raw not in ("true", "false"):
            errors["historyRetentionCollectionDefault"] = (
                "historyRetentionCollectionDefault must be true or false")
        default = raw == "true"
    limits = []
    for name, current in (("historyRetentionBytes", s.history_bytes),
                          ("historyRetentionSeconds", s.history_seconds)):
        value = _number(form[name], 0, 2**63 - 1) if name in form else current
        if not isinstance(value, int):
            errors[name] = f"{name} must be an integer greater than or equal to 0"
            value = current
        limits.append(value)
    return replace(s, history_default=default, history_bytes=limits[0],
                   history_seconds=limits[1])


def _settings_from(form: Form, current: Optional[BucketSettings], errors: Errors,
                   data_nodes: int) -> BucketSettings:
    """The settings a create (``current`` None) or an edit asks for; problems go to ``errors``."""
    new = current is None
    if current is None:
        kind = _TYPES.get(form.get("bucketType", "couchbase"))
        if kind is None:
            errors["bucketType"] = "invalid bucket type"
            kind = "membase"
        s = BucketSettings(bucket_type=kind, flush_enabled=False)
        if kind == "memcached":
            s = replace(s, replicas=0, eviction_policy="", compression_mode="off",
                        storage_backend="")
        elif kind == "ephemeral":
            s = replace(s, storage_backend="")
    else:
        s = current
        wanted = form.get("bucketType")
        if wanted is not None and _TYPES.get(wanted, wanted) != s.bucket_type:
            errors["bucketType"] = "Cannot change bucket type."
    flush = _flag(form, "flushEnabled", s.flush_enabled, errors,
                  "flushEnabled can only be 1 or 0")
    ram = _ram(form, None if new else s.ram_quota_mb, errors)
    s = replace(s, flush_enabled=flush, ram_quota_mb=ram)
    if s.bucket_type == "memcached":
        if "replicaNumber" in form:
            errors["replicaNumber"] = "replicaNumber is not valid for memcached buckets"
    else:
        s = _couchbase_fields(form, s, new, errors, data_nodes)
    if "ramQuota" not in errors:
        minimum = MIN_RAM_MB[MEMCACHED if s.bucket_type == "memcached" else COUCHBASE]
        if ram < minimum:
            errors["ramQuota"] = f"RAM quota cannot be less than {minimum} MiB"
        elif current is not None and s.bucket_type == "memcached" and ram != current.ram_quota_mb:
            errors["ramQuota"] = "cannot change quota of memcached buckets"
        elif s.storage_backend == "magma" and ram < MAGMA_MIN_RAM_MB:
            errors["ramQuota"] = f"Ram quota for magma must be at least {MAGMA_MIN_RAM_MB} MiB"
    return s


def _summaries(cluster: Cluster, name: Optional[str], ram_mb: int) -> tuple[dict[str, Any], bool]:
    """The server's ``ramSummary`` and ``hddSummary``, and whether the quota fits."""
    nodes = len(cluster.serving)
    others = sum(settings_of(cluster, b).ram_quota_mb for b in cluster.buckets.values()
                 if b.name != name)
    total = NODE_RAM_QUOTA_MB * MIB * nodes
    this = ram_mb * MIB * nodes
    free = total - others * MIB * nodes - this
    ram = {"total": total, "otherBuckets": others * MIB * nodes, "nodesCount": nodes,
           "perNodeMegs": ram_mb, "thisAlloc": this, "thisUsed": 0, "free": free}
    hdd = {"total": DISK_TOTAL, "otherData": 0, "otherBuckets": 0, "thisUsed": 0,
           "free": DISK_TOTAL}
    return {"ramSummary": ram, "hddSummary": hdd}, free >= 0


def _warnings(cluster: Cluster, s: BucketSettings, current: Optional[BucketSettings]
              ) -> Errors:
    """The server's replica warnings (reported with other errors, or by just_validate)."""
    if s.bucket_type == "memcached":
        return {}
    found = []
    if s.replicas > len(cluster.serving) - 1:
        found.append("you do not have enough data servers or server groups to support this "
                     "number of replicas")
    if current is not None and current.replicas != s.replicas:
        found.append("changing replica number may require rebalance")
    return {"replicaNumber": "Warning: " + " and ".join(found) + "."} if found else {}


def _check(cluster: Cluster, form: Form, name: Optional[str],
           current: Optional[BucketSettings], query: Form
           ) -> tuple[Optional[tuple[int, Any]], BucketSettings]:
    """Validate a create or an edit: ``(refusal or None, settings)``."""
    errors: Errors = {}
    if current is None:
        problem = ("Bucket name needs to be specified" if name is None
                   else bucket_name_error(name, cluster.buckets))
        if problem is not None:
            errors["name"] = problem
    s = _settings_from(form, current, errors, len(cluster.serving))
    summaries, fits = _summaries(cluster, name, s.ram_quota_mb)
    if not fits and "ramQuota" not in errors:
        errors["ramQuota"] = "RAM quota specified is too large to be provisioned into this cluster."
    validate_only = query.get("just_validate") == "1"
    ignore_warnings = query.get("ignore_warnings") == "1"
    if errors:
        if not ignore_warnings:
            errors.update(_warnings(cluster, s, current))
        return (400, {"errors": errors, "summaries": summaries}), s
    if validate_only:
        found = {} if ignore_warnings else _warnings(cluster, s, current)
        return (400 if found else (200 if current is None else 202),
                {"errors": found, "summaries": summaries}), s
    return None, s


# -- the endpoints -------------------------------------------------------------------------
Answer = tuple[int, Any, list[tuple[str, str]]]


def create(cluster: Cluster, body: bytes, query: Form) -> Answer:
    """``POST /pools/default/buckets``."""
    if len(cluster.buckets) >= MAX_BUCKETS:
        return 400, {"_": f"Cannot create more than {MAX_BUCKETS} buckets"}, []
    form = parse_form(body)
    name = form.get("name")
    refusal, s = _check(cluster, form, name, None, query)
    if refusal is not None:
        return refusal[0], refusal[1], []
    assert name is not None
    kind = MEMCACHED if s.bucket_type == "memcached" else COUCHBASE
    bucket = cluster.create_bucket(name, kind, s.replicas, form.get("saslPassword") or None)
    _remember(cluster, name, replace(s, uuid=bucket.uuid))
    return 202, b"", [("Location", f"/pools/default/buckets/{quote(name, safe='')}")]


def edit(cluster: Cluster, bucket: Bucket, body: bytes, query: Form) -> Answer:
    """``POST /pools/default/buckets/<name>``: the fields given change, the others stay."""
    current = settings_of(cluster, bucket)
    refusal, s = _check(cluster, parse_form(body), bucket.name, current, query)
    if refusal is not None:
        return refusal[0], refusal[1], []
    _remember(cluster, bucket.name, replace(s, uuid=bucket.uuid))
    cluster.bump()
    return 200, b"", []


def flush(cluster: Cluster, bucket: Bucket) -> Answer:
    """``POST /pools/default/buckets/<name>/controller/doFlush``."""
    if not settings_of(cluster, bucket).flush_enabled:
        return 400, {"_": "Flush is disabled for the bucket"}, []
    empty(cluster, bucket)
    return 200, b"", []


def empty(cluster: Cluster, bucket: Bucket) -> None:
    """Drop every document of ``bucket`` on every node, and on disk.

    Each vbucket starts again (sequence number 0, a new uuid), as after a
    flush on the server. On disk, a metadata snapshot without the bucket
    goes through the flusher's queue (it drops the bucket's rows, after the
    writes queued before it), then the full one (:meth:`Cluster.bump`)."""
    uuids = [secrets.randbits(48) for _ in range(max(1, bucket.num_vbuckets))]
    for store in bucket.stores:
        for vb, uuid in zip(store.vbuckets, uuids):
            vb.docs.clear()
            vb.seqno = 0
            vb.uuid = uuid
    bucket.disk_overrides.clear()
    if bucket.persisted is not None:
        bucket.persisted = [0] * len(bucket.persisted)
    flusher = cluster.flusher
    if flusher is not None:
        without = snapshot(cluster)
        del without["buckets"][bucket.name]
        flusher.note_meta(without)
    cluster.bump()


def delete(cluster: Cluster, name: str) -> Answer:
    """``DELETE /pools/default/buckets/<name>``."""
    if name not in cluster.buckets:
        return 404, b"The bucket to be deleted was not found.\r\n", []
    cluster.delete_bucket(name)
    _registry(cluster).entries.pop(name, None)
    return 200, b"", []


def bucket_info(cluster: Cluster, bucket: Bucket, node: int) -> dict[str, Any]:
    """The verbose ``/pools/default/buckets/<name>`` document, with the bucket's settings."""
    doc = configjson.bucket_info(cluster, bucket, node)
    s = settings_of(cluster, bucket)
    nodes = len(doc["nodes"]) or 1
    doc["quota"] = {"ram": s.ram_quota_mb * MIB * nodes, "rawRAM": s.ram_quota_mb * MIB}
    doc["replicaNumber"] = s.replicas
    doc["threadsNumber"] = s.threads_number
    if s.uuid:  # set over REST: say what was asked for
        doc["bucketType"] = s.bucket_type
    base = f"/pools/default/buckets/{bucket.name}/controller/"
    controllers = {"compactAll": base + "compactBucket", "compactDB": base + "compactDatabases",
                   "purgeDeletes": base + "unsafePurgeBucket",
                   "startRecovery": base + "startRecovery"}
    if s.flush_enabled:
        controllers["flush"] = base + "doFlush"
    doc["controllers"] = controllers
    if s.bucket_type != "memcached":
        doc.update(evictionPolicy=s.eviction_policy, durabilityMinLevel=s.durability_min_level,
                   conflictResolutionType=s.conflict_resolution, maxTTL=s.max_ttl,
                   compressionMode=s.compression_mode)
        if s.bucket_type == "membase":
            doc["replicaIndex"] = s.replica_index
            doc["storageBackend"] = s.storage_backend
        if s.storage_backend == "magma":
            doc.update(historyRetentionCollectionDefault=s.history_default,
                       historyRetentionBytes=s.history_bytes,
                       historyRetentionSeconds=s.history_seconds)
    return doc


__all__ = ["BucketSettings", "MAX_BUCKETS", "NODE_RAM_QUOTA_MB", "bucket_info", "create",
           "delete", "edit", "empty", "flush", "parse_form", "settings_of"]
