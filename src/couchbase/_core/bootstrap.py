"""The KV bootstrap of one connection, as a generator a driver runs.

The generator yields bytes to write; the driver writes them, reads the next
response packet and sends it in. It returns a :class:`Session` when the
connection is ready, or raises a :mod:`~couchbase._core.errors` error
(refused credentials, a missing bucket, a server breaking the protocol).

Order (what the official clients do): HELLO, SASL_LIST_MECHS and SASL_AUTH in
one write; SASL_STEP while the server says AUTH_CONTINUE; then SELECT_BUCKET
and GET_CLUSTER_CONFIG in one write. Over TLS with no credentials at all (a
client certificate authenticated the connection in the handshake:
CertificateAuthenticator, ``keypath``) there is no SASL.
"""

from __future__ import annotations

import json
from typing import Generator, Mapping, Optional

from . import scram
from .compression import wants_snappy
from .errors import AuthenticationFailed, BucketUnavailable, RemoteProtocolError
from .feature import Feature, decode_features, encode_features
from .logsink import DEBUG, INFO, emit
from .opcode import Magic, Opcode
from .packet import Packet, encode_packet
from .status import Status

WANTED_FEATURES = (
    Feature.TCPNODELAY,
    Feature.XATTR,  # sub-document specs on extended attributes
    Feature.XERROR,
    Feature.SELECT_BUCKET,
    Feature.JSON,
    Feature.ALT_REQUEST_SUPPORT,
    Feature.COLLECTIONS,
    Feature.SUBDOC_REPLICA_READ,  # lookup_in_any_replica / lookup_in_all_replicas
    Feature.SUBDOC_BINARY_XATTR,  # transactions stage binary documents in txn.op.bin
)
_OFF = frozenset(("false", "off", "0", "no"))
_ON = frozenset(("true", "on", "1", "yes"))


def hello_features(options: Mapping[str, str]) -> tuple[int, ...]:
    """The HELLO features a connection asks for, given its connection-string options.

    Mutation tokens (``fetch_mutation_tokens``, libcouchbase 3's
    ``enable_mutation_tokens``) are on unless an option turns them off: they
    cost 16 bytes per mutation response and make ``MutationState`` work.
    """
    features = list(WANTED_FEATURES)
    tokens = options.get("enable_mutation_tokens", options.get("fetch_mutation_tokens", "true"))
    if tokens.lower() not in _OFF:
        features.append(Feature.MUTATION_SEQNO)
    if wants_snappy(options):
        features.append(Feature.SNAPPY)
    # server durations for the threshold reports: each response then carries a frame
    if options.get("enable_tracing", "").lower() in _ON:
        features.append(Feature.TRACING)
    return tuple(features)

_LOG = "couchbase.bootstrap"

# Opaques used during bootstrap; operations start above them.
_OP_HELLO, _OP_MECHS, _OP_AUTH, _OP_STEP, _OP_SELECT, _OP_CONFIG = range(1, 7)
FIRST_OPERATION_OPAQUE = 16


class Session:
    """What a bootstrapped connection negotiated."""

    __slots__ = ("features", "config", "mechanism", "collections")

    def __init__(self, features: frozenset[int], config: Optional[bytes], mechanism: str) -> None:
        self.features = features
        # the cluster config JSON the server sent (None: it has none), until the
        # cluster's router has taken it (ClusterBase._adopt_config)
        self.config = config
        self.mechanism = mechanism
        self.collections = Feature.COLLECTIONS in features


# The feature sets servers accepted: a cluster's connections all negotiate the same
# one, so they share one frozenset (~360 bytes each otherwise). Bounded, in case.
_ACCEPTED: dict[frozenset[int], frozenset[int]] = {}


def _accepted(value: bytes) -> frozenset[int]:
    features = frozenset(decode_features(value))
    if len(_ACCEPTED) < 64:
        return _ACCEPTED.setdefault(features, features)
    return _ACCEPTED.get(features, features)


def user_agent(name: str = "couchbase-pure") -> bytes:
    return json.dumps({"a": name}, separators=(",", ":")).encode()


def _request(opcode: int, opaque: int, key: bytes = b"", value: bytes = b"") -> bytes:
    return encode_packet(Magic.REQUEST, opcode, key, value, opaque=opaque)


def _auth_request(mechanism: str, username: str, password: str) -> tuple[bytes, object]:
    if mechanism == "PLAIN":
        payload = scram.plain_payload(username, password)
        return _request(Opcode.SASL_AUTH, _OP_AUTH, mechanism.encode(), payload), None
    client = scram.ScramClient(mechanism, username, password)
    return _request(Opcode.SASL_AUTH, _OP_AUTH, mechanism.encode(), client.client_first()), client


def bootstrap(
    username: str,
    password: str,
    bucket: Optional[str],
    *,
    tls: bool = False,
    features: tuple[int, ...] = WANTED_FEATURES,
    agent: str = "couchbase-pure",
) -> Generator[bytes, Packet, Session]:
    """Bootstrap one KV connection. See the module docstring for the protocol."""
    if tls and not username and not password:  # a client certificate authenticates
        hello = _request(Opcode.HELLO, _OP_HELLO, user_agent(agent), encode_features(features))
        pkt = yield hello
        if pkt.opcode != Opcode.HELLO:
            raise RemoteProtocolError(f"unexpected opcode 0x{pkt.opcode:02x} during bootstrap")
        features_on = (_accepted(pkt.value) if pkt.status == Status.SUCCESS
                       else frozenset[int]())
        return (yield from _select_and_config(bucket, features_on, "certificate"))
    preference = ["PLAIN"] if tls else [m for m in scram.MECHANISMS if m != "PLAIN"]
    mechanism = preference[0]
    auth, client = _auth_request(mechanism, username, password)
    hello = _request(Opcode.HELLO, _OP_HELLO, user_agent(agent), encode_features(features))
    mechs = _request(Opcode.SASL_LIST_MECHS, _OP_MECHS)
    pkt = yield hello + mechs + auth

    accepted: frozenset[int] = frozenset()
    server_mechs: Optional[list[str]] = None
    tried = {mechanism}
    while True:
        if pkt.opcode == Opcode.HELLO:
            if pkt.status == Status.SUCCESS:
                accepted = _accepted(pkt.value)
            emit(_LOG, DEBUG, "HELLO: the server accepted features %s (status 0x%02x)",
                 sorted(accepted), pkt.status)
        elif pkt.opcode == Opcode.SASL_LIST_MECHS:
            if pkt.status == Status.SUCCESS:
                server_mechs = pkt.value.decode("ascii", "replace").split()
                emit(_LOG, DEBUG, "SASL: the server offers %s; trying %s", server_mechs,
                     mechanism)
        elif pkt.opcode == Opcode.SASL_AUTH or pkt.opcode == Opcode.SASL_STEP:
            if pkt.status == Status.AUTH_CONTINUE and isinstance(client, scram.ScramClient):
                try:
                    final = client.client_final(pkt.value)
                except scram.SaslError as exc:
                    raise AuthenticationFailed(f"SASL {mechanism} failed: {exc}") from exc
                pkt = yield _request(Opcode.SASL_STEP, _OP_STEP, mechanism.encode(), final)
                continue
            if pkt.status == Status.SUCCESS:
                if isinstance(client, scram.ScramClient):
                    try:
                        client.verify_server_final(pkt.value)
                    except scram.SaslError as exc:
                        raise AuthenticationFailed(
                            "the server failed to prove it knows the password") from exc
                break
            # responses arrive in order, so the server's list is known by now
            fallback = [
                m for m in scram.MECHANISMS
                if m not in tried and server_mechs is not None and m in server_mechs
            ]
            if server_mechs is None or mechanism in server_mechs or not fallback:
                raise AuthenticationFailed(
                    f"authentication failed for user {username!r} "
                    f"(status 0x{pkt.status:02x}, mechanism {mechanism})", pkt.status)
            emit(_LOG, INFO, "SASL: %s refused (status 0x%02x) and the server does not list "
                 "it; trying %s", mechanism, pkt.status, fallback[0])
            mechanism = fallback[0]
            tried.add(mechanism)
            auth, client = _auth_request(mechanism, username, password)
            pkt = yield auth
            continue
        else:
            raise RemoteProtocolError(f"unexpected opcode 0x{pkt.opcode:02x} during bootstrap")
        pkt = yield b""

    return (yield from _select_and_config(bucket, accepted, mechanism))


def _select_and_config(bucket: Optional[str], accepted: frozenset[int], mechanism: str
                       ) -> Generator[bytes, Packet, Session]:
    out = b""
    if bucket is not None:
        out += _request(Opcode.SELECT_BUCKET, _OP_SELECT, bucket.encode("utf-8"))
    out += _request(Opcode.GET_CLUSTER_CONFIG, _OP_CONFIG)
    pkt = yield out
    config: Optional[bytes] = None
    while True:
        if pkt.status == Status.AUTH_ERROR:  # e.g. a client certificate that names no user
            raise AuthenticationFailed(f"the server refused this connection's credentials "
                                       f"(authenticated by {mechanism})", pkt.status)
        if pkt.opcode == Opcode.SELECT_BUCKET:
            if pkt.status != Status.SUCCESS:
                if pkt.status in (Status.EACCESS, Status.KEY_ENOENT, Status.NO_BUCKET):
                    raise BucketUnavailable(
                        f"bucket {bucket!r} does not exist or this user may not use it",
                        pkt.status)
                raise RemoteProtocolError(
                    f"SELECT_BUCKET failed with status 0x{pkt.status:02x}", pkt.status)
        elif pkt.opcode == Opcode.GET_CLUSTER_CONFIG:
            if pkt.status == Status.SUCCESS:
                config = pkt.value
            return Session(accepted, config, mechanism)
        else:
            raise RemoteProtocolError(f"unexpected opcode 0x{pkt.opcode:02x} during bootstrap")
        pkt = yield b""
