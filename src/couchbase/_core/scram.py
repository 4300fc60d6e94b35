"""SASL for the memcached binary protocol: PLAIN and SCRAM (RFC 5802), both sides.

A SCRAM exchange is two round trips; each side is a small object whose methods
take the peer's message and return the next one to send::

    client = ScramClient("SCRAM-SHA512", "user", "secret")
    server = ScramServer("SCRAM-SHA512", {"user": "secret"}.get)
    first = server.server_first(client.client_first())   # SASL_AUTH -> AUTH_CONTINUE
    final = server.server_final(client.client_final(first))  # SASL_STEP -> SUCCESS
    client.verify_server_final(final)

Any failure raises :class:`SaslError`. The server rejects an unknown user only
at ``server_final``, with a salt that looks like a real one, as real servers do.
Usernames and passwords are UTF-8 without SASLprep, like Couchbase Server.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from typing import Callable

MECHANISMS = ("SCRAM-SHA512", "SCRAM-SHA256", "SCRAM-SHA1", "PLAIN")

_HASHES = {"SCRAM-SHA512": "sha512", "SCRAM-SHA256": "sha256", "SCRAM-SHA1": "sha1"}
_GS2_HEADER = b"n,,"
_CACHE_LIMIT = 512
_salted_cache: dict[tuple[str, bytes, bytes, int], bytes] = {}
# Per-process key for deriving stable salts (default and for unknown users).
_SALT_KEY = secrets.token_bytes(32)
_DUMMY_PASSWORD = secrets.token_hex(16)


class SaslError(Exception):
    """Authentication failed or a SASL message was malformed."""


def plain_payload(username: str, password: str) -> bytes:
    """The PLAIN message ``\\0user\\0password`` (no authorization id)."""
    return b"\0" + username.encode() + b"\0" + password.encode()


def parse_plain(payload: bytes) -> tuple[str, str]:
    """``(username, password)`` of a PLAIN message; the authorization id is ignored."""
    parts = payload.split(b"\0")
    if len(parts) != 3 or not parts[1]:
        raise SaslError("malformed PLAIN message")
    try:
        return parts[1].decode(), parts[2].decode()
    except UnicodeDecodeError:
        raise SaslError("PLAIN credentials are not UTF-8") from None


def _hash_name(mechanism: str) -> str:
    try:
        return _HASHES[mechanism]
    except KeyError:
        raise SaslError(f"unsupported SCRAM mechanism {mechanism!r}") from None


def salted_password(mechanism: str, password: str, salt: bytes, iterations: int) -> bytes:
    """PBKDF2 ``Hi(password, salt, i)``, cached: each call costs milliseconds."""
    name = _hash_name(mechanism)
    pw = password.encode()
    cache_key = (name, pw, salt, iterations)
    cached = _salted_cache.get(cache_key)
    if cached is None:
        cached = hashlib.pbkdf2_hmac(name, pw, salt, iterations)
        if len(_salted_cache) >= _CACHE_LIMIT:
            del _salted_cache[next(iter(_salted_cache))]  # oldest entry
        _salted_cache[cache_key] = cached
    return cached


def _keys(name: str, salted: bytes) -> tuple[bytes, bytes, bytes]:
    """``(ClientKey, StoredKey, ServerKey)``."""
    client_key = hmac.digest(salted, b"Client Key", name)
    server_key = hmac.digest(salted, b"Server Key", name)
    return client_key, hashlib.new(name, client_key).digest(), server_key


def _xor(a: bytes, b: bytes) -> bytes:
    return (int.from_bytes(a, "big") ^ int.from_bytes(b, "big")).to_bytes(len(a), "big")


def _b64(data: bytes) -> bytes:
    return base64.b64encode(data)


def _unb64(data: bytes, what: str) -> bytes:
    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise SaslError(f"{what} is not valid base64") from None


def _attributes(message: bytes, expected: str) -> list[bytes]:
    """Values of the comma-separated ``k=v`` attributes, checking their names in order."""
    parts = message.split(b",")
    if len(parts) < len(expected):
        raise SaslError(f"malformed SCRAM message {message[:80]!r}")
    values = []
    for name, part in zip(expected, parts):
        if part[:2] != name.encode() + b"=":
            raise SaslError(f"expected attribute {name!r} in SCRAM message {message[:80]!r}")
        values.append(part[2:])
    for part in parts[len(expected) :]:
        if part[:2] == b"m=":
            raise SaslError("unsupported mandatory SCRAM extension")
    return values


def escape_username(username: str) -> bytes:
    return username.encode().replace(b"=", b"=3D").replace(b",", b"=2C")


def unescape_username(saslname: bytes) -> str:
    out = saslname.replace(b"=2C", b",").replace(b"=3D", b"=")
    if saslname.count(b"=") != saslname.count(b"=2C") + saslname.count(b"=3D"):
        raise SaslError("bad escape in SCRAM username")
    try:
        return out.decode()
    except UnicodeDecodeError:
        raise SaslError("SCRAM username is not UTF-8") from None


def _check_nonce(nonce: bytes) -> None:
    # RFC 5802 asks for printable characters, but the official C++ client sends
    # nonces with spaces (and real servers take them): refuse only what breaks
    # the message syntax.
    if not nonce or any(c < 0x20 or c == 0x2C for c in nonce):
        raise SaslError("SCRAM nonce must not be empty or contain ',' or control bytes")


def _new_nonce() -> str:
    return secrets.token_urlsafe(18)


class ScramClient:
    """The client side of one SCRAM exchange."""

    def __init__(
        self, mechanism: str, username: str, password: str, nonce: str | None = None
    ) -> None:
        self.mechanism = mechanism
        self._hash = _hash_name(mechanism)
        self._password = password
        self._nonce = (nonce if nonce is not None else _new_nonce()).encode()
        _check_nonce(self._nonce)
        self._first_bare = b"n=" + escape_username(username) + b",r=" + self._nonce
        self._server_signature: bytes | None = None

    def client_first(self) -> bytes:
        """The SASL_AUTH payload ``n,,n=user,r=nonce``."""
        return _GS2_HEADER + self._first_bare

    def client_final(self, server_first: bytes) -> bytes:
        """The SASL_STEP payload ``c=biws,r=..,p=..`` answering ``server_first``."""
        nonce, salt_b64, iters = _attributes(server_first, "rsi")
        if not nonce.startswith(self._nonce) or len(nonce) <= len(self._nonce):
            raise SaslError("server nonce does not extend the client nonce")
        _check_nonce(nonce)
        salt = _unb64(salt_b64, "salt")
        if not iters.isdigit() or int(iters) < 1:
            raise SaslError(f"bad SCRAM iteration count {iters[:20]!r}")
        salted = salted_password(self.mechanism, self._password, salt, int(iters))
        client_key, stored_key, server_key = _keys(self._hash, salted)
        without_proof = b"c=" + _b64(_GS2_HEADER) + b",r=" + nonce
        auth = b",".join((self._first_bare, server_first, without_proof))
        signature = hmac.digest(stored_key, auth, self._hash)
        self._server_signature = hmac.digest(server_key, auth, self._hash)
        return without_proof + b",p=" + _b64(_xor(client_key, signature))

    def verify_server_final(self, server_final: bytes) -> None:
        """Check the server's ``v=`` signature; raises :class:`SaslError` on mismatch."""
        if server_final.startswith(b"e="):
            raise SaslError(f"server error: {server_final[2:80].decode(errors='replace')}")
        if self._server_signature is None:
            raise SaslError("client_final has not been called")
        (value,) = _attributes(server_final, "v")
        if not hmac.compare_digest(_unb64(value, "server signature"), self._server_signature):
            raise SaslError("server signature does not match: the server is not who it says")


class ScramServer:
    """The server side of one SCRAM exchange.

    ``lookup`` maps a username to its password (``None``: unknown user). Without
    an explicit ``salt`` each user gets a salt that is stable for the process.
    """

    def __init__(
        self,
        mechanism: str,
        lookup: Callable[[str], str | None],
        iterations: int = 4096,
        salt: bytes | None = None,
        nonce: str | None = None,
    ) -> None:
        self.mechanism = mechanism
        self._hash = _hash_name(mechanism)
        self._lookup = lookup
        self._iterations = iterations
        self._salt = salt
        self._own_nonce = (nonce if nonce is not None else _new_nonce()).encode()
        _check_nonce(self._own_nonce)
        self.username: str | None = None
        self._password: str | None = None
        self._gs2_header = b""
        self._nonce = b""
        self._auth_prefix = b""
        self._salt_used = b""

    def server_first(self, client_first: bytes) -> bytes:
        """Answer ``n,,n=user,r=nonce`` with exactly ``r=..,s=..,i=..``."""
        flag, sep, rest = client_first.partition(b",")
        authzid, sep2, bare = rest.partition(b",")
        if not sep or not sep2 or flag not in (b"n", b"y"):
            raise SaslError("malformed or channel-bound SCRAM client-first message")
        if authzid and not authzid.startswith(b"a="):
            raise SaslError("malformed SCRAM authorization id")
        saslname, client_nonce = _attributes(bare, "nr")
        _check_nonce(client_nonce)
        self.username = unescape_username(saslname)
        self._password = self._lookup(self.username)
        self._gs2_header = client_first[: len(client_first) - len(bare)]
        self._nonce = client_nonce + self._own_nonce
        self._salt_used = self._salt if self._salt is not None else self._user_salt()
        first = (
            b"r=" + self._nonce + b",s=" + _b64(self._salt_used)
            + b",i=" + str(self._iterations).encode()
        )
        self._auth_prefix = bare + b"," + first
        return first

    def _user_salt(self) -> bytes:
        # Same salt for a known or an unknown name: probing reveals nothing.
        msg = self.mechanism.encode() + b"\0" + (self.username or "").encode()
        return hmac.digest(_SALT_KEY, msg, "sha256")[:16]

    def server_final(self, client_final: bytes) -> bytes:
        """Check ``c=..,r=..,p=..`` and return ``v=signature``; raise on a bad proof."""
        if not self._nonce:
            raise SaslError("server_first has not been called")
        without_proof, sep, proof_b64 = client_final.rpartition(b",p=")
        if not sep:
            raise SaslError("SCRAM client-final message has no proof")
        binding, nonce = _attributes(without_proof, "cr")
        if _unb64(binding, "channel binding") != self._gs2_header:
            raise SaslError("SCRAM channel binding does not match the client-first header")
        if nonce != self._nonce:
            raise SaslError("SCRAM nonce does not match")
        proof = _unb64(proof_b64, "client proof")
        # Unknown users go through the same work and fail the same way.
        password = self._password if self._password is not None else _DUMMY_PASSWORD
        salted = salted_password(self.mechanism, password, self._salt_used, self._iterations)
        _client_key, stored_key, server_key = _keys(self._hash, salted)
        auth = self._auth_prefix + b"," + without_proof
        signature = hmac.digest(stored_key, auth, self._hash)
        if len(proof) != len(signature):
            raise SaslError("authentication failed")
        candidate = hashlib.new(self._hash, _xor(proof, signature)).digest()
        if self._password is None or not hmac.compare_digest(candidate, stored_key):
            raise SaslError("authentication failed")
        return b"v=" + _b64(hmac.digest(server_key, auth, self._hash))
