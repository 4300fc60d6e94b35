"""SASL: PLAIN helpers, SCRAM client against server, RFC test vectors."""

from __future__ import annotations

import base64

import pytest

from couchbase._core.scram import (
    MECHANISMS,
    SaslError,
    ScramClient,
    ScramServer,
    parse_plain,
    plain_payload,
)

SCRAM = [m for m in MECHANISMS if m.startswith("SCRAM-")]
USERS = {"Administrator": "password", "odd,na=me": "pässwörd"}


def exchange(client: ScramClient, server: ScramServer) -> None:
    first = server.server_first(client.client_first())
    final = server.server_final(client.client_final(first))
    client.verify_server_final(final)


def test_mechanism_preference_order() -> None:
    assert MECHANISMS == ("SCRAM-SHA512", "SCRAM-SHA256", "SCRAM-SHA1", "PLAIN")


def test_plain_round_trip() -> None:
    assert plain_payload("user", "pw") == b"\0user\0pw"
    assert parse_plain(b"\0user\0pw") == ("user", "pw")
    assert parse_plain(b"authz\0user\0") == ("user", "")


@pytest.mark.parametrize(
    "payload", [b"", b"user", b"\0user", b"\0\0pw", b"a\0b\0c\0d", b"\0\xff\0x"]
)
def test_plain_malformed(payload: bytes) -> None:
    with pytest.raises(SaslError):
        parse_plain(payload)


@pytest.mark.parametrize("mechanism", SCRAM)
@pytest.mark.parametrize("user", sorted(USERS))
def test_round_trip(mechanism: str, user: str) -> None:
    server = ScramServer(mechanism, USERS.get)
    exchange(ScramClient(mechanism, user, USERS[user]), server)
    assert server.username == user


def test_username_is_escaped() -> None:
    client = ScramClient("SCRAM-SHA1", "a,b=c", "x", nonce="abc")
    assert client.client_first() == b"n,,n=a=2Cb=3Dc,r=abc"


@pytest.mark.parametrize("mechanism", SCRAM)
def test_wrong_password_fails_at_server_final(mechanism: str) -> None:
    client = ScramClient(mechanism, "Administrator", "wrong")
    server = ScramServer(mechanism, USERS.get)
    first = server.server_first(client.client_first())
    final = client.client_final(first)
    with pytest.raises(SaslError):
        server.server_final(final)


@pytest.mark.parametrize("mechanism", SCRAM)
def test_unknown_user_fails_only_at_server_final(mechanism: str) -> None:
    client = ScramClient(mechanism, "nobody", "password")
    server = ScramServer(mechanism, USERS.get)
    first = server.server_first(client.client_first())
    assert first.count(b",") == 2 and b",s=" in first
    assert server.username == "nobody"
    final = client.client_final(first)
    with pytest.raises(SaslError):
        server.server_final(final)


def test_unknown_user_salt_is_stable() -> None:
    def salt_of() -> bytes:
        server = ScramServer("SCRAM-SHA256", USERS.get)
        first = server.server_first(ScramClient("SCRAM-SHA256", "ghost", "x").client_first())
        return first.split(b",")[1]

    assert salt_of() == salt_of()


def test_tampered_server_signature_is_detected() -> None:
    client = ScramClient("SCRAM-SHA512", "Administrator", "password")
    server = ScramServer("SCRAM-SHA512", USERS.get)
    final = server.server_final(client.client_final(server.server_first(client.client_first())))
    sig = bytearray(base64.b64decode(final[2:]))
    sig[0] ^= 1
    with pytest.raises(SaslError):
        client.verify_server_final(b"v=" + base64.b64encode(bytes(sig)))
    with pytest.raises(SaslError):
        client.verify_server_final(b"e=invalid-proof")


def test_server_nonce_must_extend_client_nonce() -> None:
    client = ScramClient("SCRAM-SHA1", "user", "pencil", nonce="abc")
    with pytest.raises(SaslError):
        client.client_final(b"r=xyzabc123,s=QSXCR+Q6sek8bf92,i=4096")


@pytest.mark.parametrize(
    "server_first",
    [
        b"",
        b"s=QSXCR+Q6sek8bf92,r=abc1,i=4096",
        b"r=abc1,s=QSXCR+Q6sek8bf92",
        b"r=abc1,s=!!!,i=4096",
        b"r=abc1,s=QSXCR+Q6sek8bf92,i=zero",
        b"r=abc1,s=QSXCR+Q6sek8bf92,i=0",
        b"m=ext,r=abc1,s=QSXCR+Q6sek8bf92,i=4096",
    ],
)
def test_malformed_server_first(server_first: bytes) -> None:
    client = ScramClient("SCRAM-SHA1", "user", "pencil", nonce="abc")
    with pytest.raises(SaslError):
        client.client_final(server_first)


@pytest.mark.parametrize(
    "client_first", [b"", b"n=user,r=abc", b"p=tls-unique,,n=user,r=abc", b"n,,r=abc,n=user"]
)
def test_malformed_client_first(client_first: bytes) -> None:
    with pytest.raises(SaslError):
        ScramServer("SCRAM-SHA1", USERS.get).server_first(client_first)


def test_server_rejects_replayed_nonce_and_binding() -> None:
    client = ScramClient("SCRAM-SHA1", "Administrator", "password")
    server = ScramServer("SCRAM-SHA1", USERS.get)
    final = client.client_final(server.server_first(client.client_first()))
    with pytest.raises(SaslError):
        server.server_final(final.replace(b"c=biws", b"c=eSws"))
    other = ScramServer("SCRAM-SHA1", USERS.get)
    other.server_first(client.client_first())
    with pytest.raises(SaslError):
        other.server_final(final)


RFC5802_SHA1 = (
    "SCRAM-SHA1",
    "fyko+d2lbbFgONRv9qkxdawL",
    "3rfcNHYJY1ZVvWVs7j",
    "QSXCR+Q6sek8bf92",
    b"n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL",
    b"r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096",
    b"c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=",
    b"v=rmF9pqV8S7suAoZWja4dJRkFsKQ=",
)
RFC7677_SHA256 = (
    "SCRAM-SHA256",
    "rOprNGfwEbeRWgbNEkqO",
    "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0",
    "W22ZaJ0SNY7soEsUEjb6gQ==",
    b"n,,n=user,r=rOprNGfwEbeRWgbNEkqO",
    b"r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
    b"c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
    b"p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
    b"v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=",
)


@pytest.mark.parametrize("vector", [RFC5802_SHA1, RFC7677_SHA256], ids=["rfc5802", "rfc7677"])
def test_rfc_vectors(vector: tuple) -> None:
    mech, cnonce, snonce, salt, c_first, s_first, c_final, s_final = vector
    client = ScramClient(mech, "user", "pencil", nonce=cnonce)
    server = ScramServer(mech, {"user": "pencil"}.get, salt=base64.b64decode(salt), nonce=snonce)
    assert client.client_first() == c_first
    assert server.server_first(c_first) == s_first
    assert client.client_final(s_first) == c_final
    assert server.server_final(c_final) == s_final
    client.verify_server_final(s_final)
