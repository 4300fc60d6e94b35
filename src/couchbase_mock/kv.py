"""The KV (memcached binary protocol) service of one simulated node.

The connection itself (framing, limits, flow control) is
:class:`couchbase_mock.kv_connection.KVProtocol`. :class:`KVSession` is the
per-connection state (negotiated features, user, selected bucket, SASL
exchange) with the connection-level commands: HELLO, SASL, GET_ERROR_MAP,
SELECT_BUCKET, GET_CLUSTER_CONFIG, collections, STAT. Document commands live
in :mod:`couchbase_mock.kv_handlers`.
"""

from __future__ import annotations

import json
import os
import struct
import time
from typing import Callable, Optional

from couchbase._core.document import MAX_KEY_LENGTH, MAX_VALUE_SIZE
from couchbase._core.feature import Datatype, Feature, decode_features, encode_features
from couchbase._core.leb128 import split_key
from couchbase._core.opcode import Opcode
from couchbase._core.packet import ALT_HEADER, CLASSIC_HEADER, Packet
from couchbase._core.scram import MECHANISMS, SaslError, ScramServer, parse_plain
from couchbase._core.status import Status

from . import configjson
from .bucket import Bucket
from .cluster import Cluster
from .compression import inflate_request
from .engine import Engine
from .errormap import error_map
from .kv_handlers import DOCUMENT_HANDLERS
from .manifest import ManifestError
from .range_scan import RANGE_SCAN_HANDLERS
from .storage import DocKey
from .subdoc.handlers import SUBDOC_HANDLERS

# Features this server honours; anything else a client asks for is refused.
SUPPORTED_FEATURES = frozenset(
    {
        Feature.DATATYPE,
        Feature.TCPNODELAY,
        Feature.MUTATION_SEQNO,
        Feature.XERROR,
        Feature.SELECT_BUCKET,
        Feature.JSON,
        Feature.TRACING,
        Feature.ALT_REQUEST_SUPPORT,
        Feature.SYNC_REPLICATION,
        Feature.COLLECTIONS,
        Feature.PRESERVE_TTL,
        # Sub-document and XATTRs (couchbase_mock.subdoc).
        Feature.XATTR,
        Feature.VATTR,
        Feature.SUBDOC_CREATE_AS_DELETED,
        Feature.SUBDOC_DOCUMENT_MACRO_SUPPORT,
        Feature.SUBDOC_REPLACE_BODY_WITH_XATTR,
        Feature.SUBDOC_ALLOWS_ACCESS_ON_MULTIPLE_XATTR_KEYS,
        Feature.SUBDOC_REPLICA_READ,
        Feature.SUBDOC_BINARY_XATTR,  # subdoc/binary.py
        Feature.SNAPPY,  # couchbase_mock.compression
    }
)
SASL_MECHANISMS = " ".join(MECHANISMS).encode()
SERVER_VERSION = configjson.SERVER_VERSION.encode()
# Usable before authentication.
_UNAUTHENTICATED_OK = frozenset(
    {
        Opcode.HELLO,
        Opcode.SASL_LIST_MECHS,
        Opcode.SASL_AUTH,
        Opcode.SASL_STEP,
        Opcode.GET_ERROR_MAP,
        Opcode.NOOP,
        Opcode.VERSION,
        Opcode.QUIT,
        Opcode.QUITQ,
    }
)
_LOCK_OPCODES = frozenset({Opcode.GET_LOCKED, Opcode.UNLOCK_KEY})

Handler = Callable[["KVSession", Packet], Optional[bytes]]
_DOCUMENT_HANDLERS: dict[int, Handler] = {
    **DOCUMENT_HANDLERS, **SUBDOC_HANDLERS, **RANGE_SCAN_HANDLERS,
}

Target = tuple[Engine, int, DocKey]
"""Where a document command goes on the session's node: ``(engine, vbucket,
(collection id, key))``. A plain tuple: one is made for every document command."""

# Enum members read on every request, as module constants (reading an IntEnum
# member through its class costs as much as a function call).
_EINVAL = Status.EINVAL
_LOCKED = Status.LOCKED
_NOT_LOCKED = Status.NOT_LOCKED
_NOT_JSON = ~Datatype.JSON
_SNAPPY = Datatype.SNAPPY
_MAGIC_RESPONSE = 0x81
_MAGIC_ALT_RESPONSE = 0x18
_pack_header = CLASSIC_HEADER.pack
_pack_alt_header = ALT_HEADER.pack
_perf_counter = time.perf_counter
# The SERVER_DURATION frame info: id 0, length 2 (one byte, 0x02), then the
# duration encoded as couchbase._core.frameinfo.server_duration_frame does.
_DURATION_FRAME = struct.Struct(">BH")
_DURATION_FRAME_LEN = _DURATION_FRAME.size


def duration_frame(seconds: float) -> bytes:
    """The server duration frame for a request that took ``seconds``."""
    encoded = min(0xFFFF, round((max(seconds * 1e6, 0.0) * 2) ** (1 / 1.74)))
    return _DURATION_FRAME.pack(0x02, encoded)


BUCKET_QUOTA = 100 * 1024 * 1024
"""Every bucket's memory quota, as the stats report it (the mock does not evict)."""


def _bucket_config(cluster: Cluster, bucket: Bucket) -> dict[str, object]:
    """STAT ``config``: the bucket's engine settings, under the server's names."""
    persistent = bucket.persisted is not None
    return {
        "ep_bucket_type": "persistent" if persistent else "ephemeral",
        "ep_backend": "couchstore" if persistent else "",
        "ep_dbname": cluster.flusher.store.path if cluster.flusher is not None else "",
        "ep_max_size": BUCKET_QUOTA,
        "ep_max_vbuckets": bucket.num_vbuckets,
        "ep_item_eviction_policy": "value_only",
        "ep_conflict_resolution_type": "seqno",
        "ep_max_item_size": MAX_VALUE_SIZE,
        "ep_ephemeral_full_policy": "auto_delete" if not persistent else "",
        "ep_uuid": bucket.uuid,
    }


class KVSession:
    """State of one KV connection to one node."""

    def __init__(self, cluster: Cluster, node: int) -> None:
        self.cluster = cluster
        self.node = node
        self.faults = cluster.faults[node]
        self.features: frozenset[int] = frozenset()
        self._negotiated()
        self.user: Optional[str] = None
        self.bucket: Optional[Bucket] = None
        self.engine: Optional[Engine] = None
        self.user_agent = ""
        self._scram: Optional[ScramServer] = None
        self.by_certificate = False  # a client certificate authenticated (or refused) it
        self.closing = False
        self._started = 0.0
        # answers given after their request's turn (held synchronous writes), and the
        # held write being carried out (see kv_mutation._hold_sync_write)
        self.send_later: Optional[Callable[[bytes], None]] = None
        self.releasing: Optional[Packet] = None

    # -- negotiated features ----------------------------------------------

    def _negotiated(self) -> None:
        """The features every request looks at, as plain attributes (HELLO sets
        ``features``; a set lookup per request and feature adds up)."""
        features = self.features
        self.xerror = Feature.XERROR in features
        self.collections = Feature.COLLECTIONS in features
        self.mutation_seqno = Feature.MUTATION_SEQNO in features
        self.json = Feature.JSON in features
        self.snappy = Feature.SNAPPY in features
        # Server durations are measured only for a client that asked for them.
        self.tracing = Feature.TRACING in features

    # -- responses --------------------------------------------------------

    def reply(
        self,
        req: Packet,
        status: int = Status.SUCCESS,
        *,
        key: bytes = b"",
        value: bytes = b"",
        extras: bytes = b"",
        datatype: int = 0,
        cas: int = 0,
    ) -> bytes:
        """Encode the response to ``req`` as this client can take it."""
        if not self.xerror:
            status = _legacy_status(req.opcode, status)
        if not self.json:
            datatype &= _NOT_JSON
        # The header packed here: couchbase._core.packet.response_to() would do
        # the same in two more calls.
        klen = len(key)
        elen = len(extras)
        body = elen + klen + len(value)
        if self.tracing:  # alternative framing, with how long the request took
            frame = duration_frame(_perf_counter() - self._started)
            header = _pack_alt_header(_MAGIC_ALT_RESPONSE, req.opcode, _DURATION_FRAME_LEN,
                                      klen, elen, datatype, status,
                                      _DURATION_FRAME_LEN + body, req.opaque, cas)
            return b"".join((header, frame, extras, key, value))
        header = _pack_header(_MAGIC_RESPONSE, req.opcode, klen, elen, datatype, status, body,
                              req.opaque, cas)
        if not body:
            return header
        return b"".join((header, extras, key, value))

    def reply_ok(self, req: Packet, cas: int) -> bytes:
        """A bodiless success with a CAS (what most mutations answer)."""
        if self.tracing:
            return self.reply(req, cas=cas)
        return _pack_header(_MAGIC_RESPONSE, req.opcode, 0, 0, 0, 0, 0, req.opaque, cas)

    def reply_json(self, req: Packet, doc: bytes, status: int = Status.SUCCESS) -> bytes:
        return self.reply(req, status, value=doc, datatype=Datatype.JSON)

    def not_my_vbucket(self, req: Packet) -> bytes:
        """NOT_MY_VBUCKET with the current config in the body, as the server sends it."""
        body = b""
        if self.bucket is not None and self.bucket.name in self.cluster.buckets:
            body = configjson.kv_bucket_config(self.cluster, self.bucket, self.node)
        return self.reply(req, Status.NOT_MY_VBUCKET, value=body, datatype=Datatype.JSON)

    # -- dispatch ---------------------------------------------------------

    def handle(self, req: Packet) -> Optional[bytes]:
        """The response bytes for one request (``None``: a quiet success)."""
        opcode = req.opcode
        # Document commands first: they are nearly every request.
        handler = _DOCUMENT_HANDLERS.get(opcode)
        if handler is not None:
            if self.tracing:  # the clock is read only for a client that wants durations
                self._started = _perf_counter()
            if self.user is None:
                return self.reply(req, Status.AUTH_ERROR)
            bucket = self.bucket
            if bucket is not None and bucket.name not in self.cluster.buckets:
                bucket = self.bucket = self.engine = None
            if bucket is None:
                return self.reply(req, Status.NO_BUCKET)
            if self.faults.active:
                forced = self.faults.take_opfail()  # the control API's OPFAIL
                if forced:
                    return self.reply(req, forced)
            if req.datatype & _SNAPPY:
                refused = inflate_request(self, req)
                if refused is not None:
                    return refused
            return handler(self, req)
        self._started = _perf_counter()  # (HELLO may turn tracing on)
        if self.user is None and opcode not in _UNAUTHENTICATED_OK:
            return self.reply(req, Status.AUTH_ERROR)
        handler = _HANDLERS.get(opcode)
        if handler is None:
            return self.reply(req, Status.UNKNOWN_COMMAND)
        return handler(self, req)

    def target(self, req: Packet, replica: bool = False) -> Target | bytes:
        """Resolve a document command's vbucket and key, or the error reply.

        Checks the collection id and that this node is active for the
        vbucket (or a replica of it, for replica reads).
        """
        bucket = self.bucket
        engine = self.engine
        assert bucket is not None and engine is not None
        cid = 0
        key = req.key
        if self.collections:
            if key and key[0] < 0x80:  # a one-byte LEB128 id, like the default collection's
                cid = key[0]
                key = key[1:]
            else:
                try:
                    cid, key = split_key(key)
                except ValueError:
                    return self.reply(req, _EINVAL)
            if not bucket.manifest.has_collection_id(cid):
                return self.unknown_collection(req)
        if not key or len(key) > MAX_KEY_LENGTH:
            return self.reply(req, _EINVAL)
        if bucket.vbmap and not replica:
            # bucket.node_role(self.node, vb) == "active", written out for speed
            vb = req.vbucket
            if vb >= bucket.num_vbuckets or bucket.vbmap[vb][0] != self.node:
                return self.not_my_vbucket(req)
            return engine, vb, (cid, key)
        vb = req.vbucket if bucket.is_couchbase else 0
        if bucket.node_role(self.node, vb) != ("replica" if replica else "active"):
            return self.not_my_vbucket(req)
        return engine, vb, (cid, key)

    def unknown_collection(self, req: Packet, status: int = Status.UNKNOWN_COLLECTION) -> bytes:
        """0x88 (or 0x8c, unknown scope) with the manifest uid the answer is based
        on, as kv_engine's docs/Collections.md specifies: ``{"manifest_uid":"1f"}``."""
        assert self.bucket is not None
        body = json.dumps({"manifest_uid": format(self.bucket.manifest.uid, "x")}).encode()
        return self.reply(req, status, value=body, datatype=Datatype.JSON)

    # -- connection-level commands ------------------------------------------

    def hello(self, req: Packet) -> bytes:
        self.user_agent = req.key.decode("utf-8", "replace")
        accepted: list[int] = []
        for code in decode_features(req.value):
            if code in SUPPORTED_FEATURES and code not in accepted:
                accepted.append(code)
        self.features = frozenset(accepted)
        self._negotiated()
        return self.reply(req, value=encode_features(accepted))

    def sasl_list_mechs(self, req: Packet) -> bytes:
        return self.reply(req, value=SASL_MECHANISMS)

    def certificate_user(self, user: Optional[str]) -> None:
        """The connection presented a client certificate naming ``user`` (``None``:
        no user): it is that user, or refused, and takes no SASL
        (:mod:`couchbase_mock.client_cert`)."""
        self.by_certificate = True
        if user is not None:
            self._authenticated(user)

    def sasl_auth(self, req: Packet) -> bytes:
        mechanism = req.key.decode("ascii", "replace")
        self._scram = None
        if self.by_certificate:
            return self.reply(req, Status.AUTH_ERROR)
        try:
            if mechanism == "PLAIN":
                user, password = parse_plain(req.value)
                if not self.cluster.check_password(user, password):
                    raise SaslError("authentication failed")
                self._authenticated(user)
                return self.reply(req)
            if mechanism not in MECHANISMS:
                raise SaslError(f"unsupported mechanism {mechanism}")
            self._scram = ScramServer(mechanism, self.cluster.password_for)
            first = self._scram.server_first(req.value)
        except SaslError:
            return self.reply(req, Status.AUTH_ERROR)
        return self.reply(req, Status.AUTH_CONTINUE, value=first)

    def sasl_step(self, req: Packet) -> bytes:
        scram, self._scram = self._scram, None
        if scram is None or req.key.decode("ascii", "replace") != scram.mechanism:
            return self.reply(req, Status.AUTH_ERROR)
        try:
            final = scram.server_final(req.value)
        except SaslError:
            return self.reply(req, Status.AUTH_ERROR)
        assert scram.username is not None
        self._authenticated(scram.username)
        return self.reply(req, value=final)

    def _authenticated(self, user: str) -> None:
        self.user = user
        self.bucket = None
        self.engine = None

    def get_error_map(self, req: Packet) -> bytes:
        if len(req.value) != 2:
            return self.reply(req, Status.EINVAL)
        (version,) = struct.unpack(">H", req.value)
        if version == 0:
            return self.reply(req, Status.EINVAL)
        return self.reply_json(req, error_map(version))

    def select_bucket(self, req: Packet) -> bytes:
        name = req.key.decode("utf-8", "replace")
        if not self.cluster.may_access(self.user, name):
            return self.reply(req, Status.EACCESS)
        self.bucket = self.cluster.buckets[name]
        self.engine = self.cluster.engines[name]
        return self.reply(req)

    def get_cluster_config(self, req: Packet) -> bytes:
        bucket = self.bucket
        if self.faults.active and not self.faults.cccp_enabled(bucket.name if bucket else None):
            return self.reply(req, Status.NOT_SUPPORTED)  # the control API's SET_CCCP
        if bucket is not None and bucket.name in self.cluster.buckets:
            doc = configjson.kv_bucket_config(self.cluster, bucket, self.node)
        else:
            doc = configjson.kv_cluster_config(self.cluster, self.node)
        return self.reply_json(req, doc)

    def get_collections_manifest(self, req: Packet) -> bytes:
        if self.bucket is None:
            return self.reply(req, Status.NO_BUCKET)
        doc = json.dumps(self.bucket.manifest.to_json(), separators=(",", ":")).encode()
        return self.reply_json(req, doc)

    def get_collection_id(self, req: Packet) -> bytes:
        if self.bucket is None:
            return self.reply(req, Status.NO_BUCKET)
        path = (req.key or req.value).decode("utf-8", "replace")
        try:
            uid, cid = self.bucket.manifest.collection_id(path)
        except ManifestError as exc:
            status = Status.UNKNOWN_SCOPE if exc.kind == "scope" else Status.UNKNOWN_COLLECTION
            return self.unknown_collection(req, status)
        return self.reply(req, extras=struct.pack(">QI", uid, cid))

    def get_scope_id(self, req: Packet) -> bytes:
        if self.bucket is None:
            return self.reply(req, Status.NO_BUCKET)
        try:
            uid, sid = self.bucket.manifest.scope_id((req.key or req.value).decode())
        except (ManifestError, UnicodeDecodeError):
            return self.unknown_collection(req, Status.UNKNOWN_SCOPE)
        return self.reply(req, extras=struct.pack(">QI", uid, sid))

    def noop(self, req: Packet) -> bytes:
        return self.reply(req)

    def version(self, req: Packet) -> bytes:
        return self.reply(req, value=SERVER_VERSION)

    def quit(self, req: Packet) -> Optional[bytes]:
        self.closing = True
        return None if req.opcode == Opcode.QUITQ else self.reply(req)

    def stat(self, req: Packet) -> bytes:
        group = req.key.decode("utf-8", "replace")
        if group.startswith("key ") and self.bucket is not None and self.engine is not None:
            answer = self._key_stats(group)
            if isinstance(answer, int):
                return self.reply(req, answer)
            stats: Optional[dict[str, object]] = answer
        else:
            stats = self._stats(group)
        if stats is None:
            return self.reply(req, Status.KEY_ENOENT)
        out = [self.reply(req, key=k.encode(), value=str(v).encode()) for k, v in stats.items()]
        out.append(self.reply(req))
        return b"".join(out)

    def _key_stats(self, group: str) -> dict[str, object] | int:
        """``STAT key <key> <vbucket>``: one document's metadata, from its active node."""
        assert self.bucket is not None and self.engine is not None
        try:
            key, vb_text = group[4:].rsplit(" ", 1)  # (a key may hold spaces)
            vb = int(vb_text)
        except ValueError:
            return Status.EINVAL
        bucket = self.bucket
        if not 0 <= vb < max(bucket.num_vbuckets, 1) or \
                (bucket.is_couchbase and bucket.node_role(self.node, vb) != "active"):
            return Status.NOT_MY_VBUCKET
        status, doc = self.engine.get_meta(self.node, vb, (0, key.encode()))
        if status or doc is None or doc.deleted:
            return Status.KEY_ENOENT
        return {"key_is_dirty": "false", "key_exptime": doc.expiry, "key_flags": doc.flags,
                "key_cas": doc.cas, "key_vb_state": "active"}

    def _stats(self, group: str) -> Optional[dict[str, object]]:
        now = self.cluster.clock()
        bucket = self.bucket
        if group == "":
            stats: dict[str, object] = {
                "pid": os.getpid(),
                "uptime": int(time.monotonic() - _STARTED),
                "time": int(now),
                "version": SERVER_VERSION.decode(),
                "pointer_size": 64,
                "curr_connections": 1,
            }
            if bucket is not None:
                store = bucket.stores[self.node]
                active = bucket.vbuckets_of(self.node, "active")
                replica = bucket.vbuckets_of(self.node, "replica")
                items = store.item_count(active, now)
                flusher = self.cluster.flusher
                todo = flusher.todo if flusher is not None else 0
                stats.update(
                    {
                        "curr_items": items,
                        "total_items": items,
                        "curr_items_tot": items + store.item_count(replica, now),
                        "vb_replica_curr_items": store.item_count(replica, now),
                        "mem_used": store.mem_used(),
                        "ep_bucket_type": _bucket_config(self.cluster, bucket)["ep_bucket_type"],
                        "ep_max_size": BUCKET_QUOTA,
                        "ep_num_vbuckets": bucket.num_vbuckets,
                        "ep_max_vbuckets": bucket.num_vbuckets,
                        "ep_num_active_vbuckets": len(active),
                        "ep_num_replica_vbuckets": len(replica),
                        "ep_queue_size": todo,
                        "ep_flusher_todo": todo,
                    }
                )
            return stats
        if group == "config" and bucket is not None:
            return _bucket_config(self.cluster, bucket)
        if group == "memory" and bucket is not None:
            used = bucket.stores[self.node].mem_used()
            return {
                "mem_used": used,
                "bytes": used,
                "ep_max_size": BUCKET_QUOTA,
                "ep_mem_high_wat": 89128960,
                "ep_mem_low_wat": 78643200,
                "ep_kv_size": used,
            }
        if group == "vbucket" and bucket is not None and bucket.is_couchbase:
            out: dict[str, object] = {}
            for vb in range(bucket.num_vbuckets):
                role = bucket.node_role(self.node, vb)
                if role is not None:
                    out[f"vb_{vb}"] = role
            return out
        if group == "uuid" and bucket is not None:
            return {"uuid": bucket.uuid}
        return None


_STARTED = time.monotonic()

_HANDLERS: dict[int, Handler] = {
    Opcode.HELLO: KVSession.hello,
    Opcode.SASL_LIST_MECHS: KVSession.sasl_list_mechs,
    Opcode.SASL_AUTH: KVSession.sasl_auth,
    Opcode.SASL_STEP: KVSession.sasl_step,
    Opcode.GET_ERROR_MAP: KVSession.get_error_map,
    Opcode.SELECT_BUCKET: KVSession.select_bucket,
    Opcode.GET_CLUSTER_CONFIG: KVSession.get_cluster_config,
    Opcode.GET_COLLECTIONS_MANIFEST: KVSession.get_collections_manifest,
    Opcode.GET_COLLECTION_ID: KVSession.get_collection_id,
    Opcode.GET_SCOPE_ID: KVSession.get_scope_id,
    Opcode.NOOP: KVSession.noop,
    Opcode.VERSION: KVSession.version,
    Opcode.QUIT: KVSession.quit,
    Opcode.QUITQ: KVSession.quit,
    Opcode.STAT: KVSession.stat,
}


def _legacy_status(opcode: int, status: int) -> int:
    """What a server answers a client that did not negotiate XERROR."""
    if status == _LOCKED:
        return Status.ETMPFAIL if opcode in _LOCK_OPCODES else Status.KEY_EEXISTS
    if status == _NOT_LOCKED:
        return Status.ETMPFAIL
    return status
