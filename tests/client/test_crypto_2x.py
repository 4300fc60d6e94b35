"""Field-level encryption, the 2.x API: ``Bucket.register_crypto_provider``,
``encrypt_fields``, ``decrypt_fields``, ``cbencryption.AES256CryptoProvider``.

Written from the Python SDK 2.5 "Field Level Encryption" page, the cbencryption
README and Couchbase's cross-SDK RFC 0032 (its AES-256-HMAC-SHA256 test
vectors: documents other SDKs wrote must decrypt here, byte for byte).
"""

from __future__ import annotations

import base64
import copy
import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("cryptography")

from cbencryption import AES256CryptoProvider  # noqa: E402
from couchbase import exceptions as E  # noqa: E402
from couchbase.crypto import (  # noqa: E402
    KEY_DECRYPT,
    KEY_ENCRYPT,
    InMemoryKeyStore,
    PythonCryptoProvider,
    PythonCryptoProvider_V0,
)

ROOT = Path(__file__).resolve().parents[2]
ALG = "AES-256-HMAC-SHA256"
KEY = b"!mysecretkey#9^5usdk39d&dlf)03sL"
HMAC_KEY = b"myauthpassword"


def keystore(**keys: Any) -> InMemoryKeyStore:
    store = InMemoryKeyStore()
    store.set_key("mypublickey", KEY)
    store.set_key("myprivatekey", HMAC_KEY)
    for name, key in keys.items():
        store.set_key(name, key)
    return store


def aes(store: Any = None, iv: Any = None, public: str = "mypublickey",
        private: str = "myprivatekey") -> AES256CryptoProvider:
    return AES256CryptoProvider(store or keystore(), public, private, iv=iv)


@pytest.fixture
def crypto_cb(cb):
    """The ``cb`` bucket with the documentation's provider registered as its algorithm."""
    cb.register_crypto_provider(ALG, aes())
    yield cb
    cb.unregister_crypto_provider(ALG)


def spec(*names: str, alg: str = ALG) -> list[dict[str, str]]:
    return [{"alg": alg, "name": name} for name in names]


# -- RFC 0032's test vectors (key, HMAC password, IV and results as published) --------
VECTORS = [
    ("The old grey goose jumped over the wrickety gate.", "Cfq84/46Qjet3EEQ1HUwSg==",
     "sR6AFEIGWS5Fy9QObNOhbCgfg3vXH4NHVRK1qkhKLQqjkByg2n69lot89qFEJuBsVNTXR77PZR6RjN4h4M9evg==",
     "rT89aCj1WosYjWHHu0mf92S195vYnEGA/reDnYelQsM="),
    (10, "wAg/Z+c81em+to/rR9T3PA==", "bvfUk9qkfCYKS2S5CCJPpg==",
     "LAcwxznVSED4zQbuy+UjacQlvtVYvpVmiiAU5gJJASc="),
    ("10", "jdqfaa9Hjpd5rTi2BaEWWg==", "r6rK6mO0KQ1p9ws/8Feqyg==",
     "NdvUTdR6XhRZQnQBWVzZjv9MxNIbzmwslQqP6onNdVk="),
    (["The", "Old", "Grey", "Goose", "Jumped", "over", "the", "wrickety", "gate"],
     "A4OSMlz95cvn6ZDypm58jA==",
     "9aTRYMmbNf6tvVFpbedSsS5Hdhk/OjUIz2mEqp5L5EcVNGoKJBhnuaAu35fNVM2YW/7TscXdiUBaeZZv7Zxg1Zve"
     "+A1u1/7dmgbkvAilNSo=",
     "PQ25q0k271CpZ9quOg2m3oAIZVa6Mh9S0mo15nN/hlk="),
    ({"myValue": "The old grey goose jumped over the wrickety gate.", "myInt": 10},
     "kKz59c/ObctWVBVen7VqHw==",  # the RFC's "JSON in database" (its Ciphertext row is stale)
     "LIoZ3qPbEAmNbUUsJeRngN2tDo8/gU1AQ+yY88sgcdACMz/DjD8+kAzbZHYiWswGSlDaEHXs9c2hIYiD2/AkX/qf"
     "aGcAZLt4rjZpbzuNf+Q=",
     "inEyX1OYv2VbO60o16zId8eacwE8E1KrKcfgQVlz4kA="),
]


def stored(iv: str, ciphertext: str, sig: str, kid: str = "mypublickey") -> dict[str, str]:
    return {"alg": ALG, "kid": kid, "ciphertext": ciphertext, "sig": sig, "iv": iv}


@pytest.mark.parametrize("value, iv, ciphertext, sig", VECTORS)
def test_documents_written_by_other_sdks_decrypt(crypto_cb, value, iv, ciphertext, sig):
    doc = {"__crypt_message": stored(iv, ciphertext, sig)}
    assert crypto_cb.decrypt_fields(doc, "__crypt_") == {"message": value}


@pytest.mark.parametrize("value, iv, ciphertext, sig", VECTORS)
def test_a_fixed_iv_reproduces_the_other_sdks_bytes(cb, value, iv, ciphertext, sig):
    cb.register_crypto_provider(ALG, aes(iv=base64.b64decode(iv)))
    out = cb.encrypt_fields({"message": value}, spec("message"), "__crypt_")
    assert out == {"__crypt_message": stored(iv, ciphertext, sig)}


# -- round trips ---------------------------------------------------------------------
VALUES = [
    "xyzzy", "", "10", 10, -3.25, 2**63 + 1, True, None, [], {},
    "Grüße, 日本語, emoji \U0001F600, lone quote \" and backslash \\",
    {"dance": 10, "looks": 3, "nested": {"list": [1, "two", {"three": [None, False]}]}},
    [["deep", ["deeper", ["deepest"]]], {"k": "v"}, 1.5e300],
]


@pytest.mark.parametrize("value", VALUES, ids=range(len(VALUES)))
def test_round_trip_of_any_json_value(crypto_cb, value):
    doc = {"secret": value, "public": "stays"}
    encrypted = crypto_cb.encrypt_fields(doc, spec("secret"), "__crypt_")
    assert "secret" not in encrypted
    assert set(encrypted["__crypt_secret"]) == {"alg", "kid", "iv", "ciphertext", "sig"}
    assert crypto_cb.decrypt_fields(encrypted, "__crypt_") == doc
    assert crypto_cb.decrypt_fields(encrypted, spec("secret"), "__crypt_") == doc


def test_the_documented_example_round_trips_and_leaves_its_input_alone(crypto_cb):
    document = {"message": "The old grey goose jumped over the wrickety gate."}
    original = copy.deepcopy(document)
    fieldspec = [{"alg": ALG, "name": "message"}]
    encrypted = crypto_cb.encrypt_fields(document, fieldspec, "__crypt_")
    field = encrypted["__crypt_message"]
    assert (field["alg"], field["kid"]) == (ALG, "mypublickey")
    assert len(base64.b64decode(field["iv"])) == 16
    assert len(base64.b64decode(field["sig"])) == 32
    assert document == original
    assert crypto_cb.decrypt_fields(encrypted, fieldspec, "__crypt_") == document
    assert crypto_cb.decrypt_fields(encrypted, "__crypt_") == document
    assert crypto_cb.decrypt_fields(encrypted) == document


def test_each_encryption_draws_a_new_iv(crypto_cb):
    one = crypto_cb.encrypt_fields({"a": "same"}, spec("a"))["__crypt_a"]
    two = crypto_cb.encrypt_fields({"a": "same"}, spec("a"))["__crypt_a"]
    assert one["iv"] != two["iv"] and one["ciphertext"] != two["ciphertext"]


def test_fields_not_named_are_left_alone_in_place(crypto_cb):
    doc = {"first": 1, "card": "4111 1111 1111 1111", "list": [1, 2], "last": {"x": None}}
    encrypted = crypto_cb.encrypt_fields(doc, spec("card", "not-in-doc"))
    assert list(encrypted) == ["first", "__crypt_card", "list", "last"]
    assert {k: v for k, v in encrypted.items() if k != "__crypt_card"} == {
        "first": 1, "list": [1, 2], "last": {"x": None}}
    assert list(crypto_cb.decrypt_fields(encrypted)) == ["first", "card", "list", "last"]


def test_several_fields_and_a_second_provider(crypto_cb):
    other = keystore(otherkey=b"k" * 32, othersign=b"s")
    crypto_cb.register_crypto_provider("other", aes(other, public="otherkey", private="othersign"))
    try:
        doc = {"a": "x", "b": [1], "c": 3}
        fields = spec("a") + spec("b", alg="other")
        encrypted = crypto_cb.encrypt_fields(doc, fields)
        assert encrypted["__crypt_b"]["alg"] == "other"
        assert encrypted["__crypt_b"]["kid"] == "otherkey"
        assert crypto_cb.decrypt_fields(encrypted) == doc
        # a fieldspec decrypts only what it names
        only_a = crypto_cb.decrypt_fields(encrypted, spec("a"), None)
        assert only_a["a"] == "x" and "__crypt_b" in only_a
    finally:
        crypto_cb.unregister_crypto_provider("other")


def test_custom_prefix(crypto_cb):
    encrypted = crypto_cb.encrypt_fields({"pin": 1234}, spec("pin"), "__enc_")
    assert list(encrypted) == ["__enc_pin"]
    # the default prefix does not see it
    assert crypto_cb.decrypt_fields(encrypted) == encrypted
    assert crypto_cb.decrypt_fields(encrypted, "__crypt_") == encrypted
    assert crypto_cb.decrypt_fields(encrypted, "__enc_") == {"pin": 1234}
    assert crypto_cb.decrypt_fields(encrypted, spec("pin"), "__enc_") == {"pin": 1234}
    assert crypto_cb.decrypt_fields(encrypted, prefix="__enc_") == {"pin": 1234}


def test_decrypting_a_document_without_encrypted_fields_copies_it(crypto_cb):
    doc = {"a": 1, "__crypt_not_a_field": "just a string", "__crypt_": 5, "n": {"alg": ALG}}
    out = crypto_cb.decrypt_fields(doc)
    assert out == doc and out is not doc
    assert crypto_cb.decrypt_fields({}) == {}


def test_a_large_field_round_trips(crypto_cb):
    big = "é" * 2_000_000 + "end"  # ~4 MB of UTF-8
    encrypted = crypto_cb.encrypt_fields({"big": big}, spec("big"))
    assert len(encrypted["__crypt_big"]["ciphertext"]) < 4_000_010 * 4 / 3 + 64
    assert crypto_cb.decrypt_fields(encrypted)["big"] == big


# -- the stored document -------------------------------------------------------------
def test_the_stored_document_holds_no_plaintext(crypto_cb, key):
    secret = "The old grey goose jumped over the wrickety gate."
    doc = {"message": secret, "shape": {"card": "4111-1111"}, "visible": "yes"}
    crypto_cb.upsert(key, crypto_cb.encrypt_fields(doc, spec("message", "shape")))
    raw = crypto_cb.get(key, no_format=True).value
    assert isinstance(raw, bytes)
    assert b"goose" not in raw and b"4111" not in raw and b"card" not in raw
    assert b'"visible":"yes"' in raw.replace(b" ", b"")
    assert json.loads(raw)["__crypt_message"]["alg"] == ALG
    assert crypto_cb.decrypt_fields(crypto_cb.get(key).value) == doc


# -- tampering and keys --------------------------------------------------------------
def _encrypted(cb: Any) -> dict[str, Any]:
    return cb.encrypt_fields({"message": "attack at dawn"}, spec("message"))


def _flip(b64: str) -> str:
    raw = bytearray(base64.b64decode(b64))
    raw[0] ^= 1
    return base64.b64encode(bytes(raw)).decode()


@pytest.mark.parametrize("field", ["ciphertext", "iv", "sig"])
def test_a_tampered_field_fails_its_signature(crypto_cb, field):
    doc = _encrypted(crypto_cb)
    doc["__crypt_message"][field] = _flip(doc["__crypt_message"][field])
    with pytest.raises(E.CryptoProviderSigningFailedException) as info:
        crypto_cb.decrypt_fields(doc)
    assert ALG in str(info.value)


def test_a_tampered_kid_fails_the_signature(crypto_cb):
    doc = _encrypted(crypto_cb)
    doc["__crypt_message"]["kid"] = "someotherkey"
    with pytest.raises(E.CryptoProviderSigningFailedException):
        crypto_cb.decrypt_fields(doc)


@pytest.mark.parametrize("sig", [None, "***", 5, ""])
def test_a_missing_or_unreadable_signature_is_refused(crypto_cb, sig):
    doc = _encrypted(crypto_cb)
    if sig is None:
        del doc["__crypt_message"]["sig"]
    else:
        doc["__crypt_message"]["sig"] = sig
    with pytest.raises(E.CryptoProviderSigningFailedException):
        crypto_cb.decrypt_fields(doc)


@pytest.mark.parametrize("change", [
    {"ciphertext": "not base64!"}, {"ciphertext": None}, {"iv": 16}, {"kid": None},
])
def test_a_malformed_encrypted_field_fails_to_decrypt(crypto_cb, change):
    doc = _encrypted(crypto_cb)
    doc["__crypt_message"].update(change)
    with pytest.raises(E.CryptoProviderDecryptFailedException):
        crypto_cb.decrypt_fields(doc)


def test_the_wrong_signing_key_fails_the_signature(cb):
    cb.register_crypto_provider(ALG, aes())
    doc = _encrypted(cb)
    cb.register_crypto_provider(ALG, aes(keystore(myprivatekey=b"another password")))
    with pytest.raises(E.CryptoProviderSigningFailedException):
        cb.decrypt_fields(doc)


def test_the_wrong_encryption_key_fails_to_decrypt(cb):
    cb.register_crypto_provider(ALG, aes())
    doc = cb.encrypt_fields({"message": "x" * 40}, spec("message"))
    cb.register_crypto_provider(ALG, aes(keystore(mypublickey=b"Z" * 32)))
    with pytest.raises(E.CryptoProviderDecryptFailedException) as info:
        cb.decrypt_fields(doc)
    assert info.value.inner_cause is not None


def test_a_key_missing_from_the_store(cb):
    store = InMemoryKeyStore()
    store.set_key("myprivatekey", HMAC_KEY)
    cb.register_crypto_provider(ALG, aes(store))
    with pytest.raises(E.CryptoProviderMissingPublicKeyException):
        _encrypted(cb)
    store.set_key("mypublickey", b"")
    with pytest.raises(E.CryptoProviderMissingPublicKeyException):
        _encrypted(cb)
    store.set_key("mypublickey", KEY)
    del store.keys["myprivatekey"]
    with pytest.raises(E.CryptoProviderMissingSigningKeyException):
        _encrypted(cb)


def test_provider_without_key_names_is_refused():
    with pytest.raises(E.CryptoProviderMissingPublicKeyException):
        AES256CryptoProvider(keystore(), "", "myprivatekey")
    with pytest.raises(E.CryptoProviderMissingSigningKeyException):
        AES256CryptoProvider(keystore(), "mypublickey", None)
    with pytest.raises(E.ArgumentError):
        AES256CryptoProvider(None, "mypublickey", "myprivatekey")
    with pytest.raises(E.ArgumentError):
        AES256CryptoProvider(keystore(), "mypublickey", "myprivatekey", iv=b"short")


@pytest.mark.parametrize("size", [1, 16, 31, 33, 64])
def test_a_key_of_the_wrong_size(cb, size):
    cb.register_crypto_provider(ALG, aes(keystore(mypublickey=b"k" * size)))
    with pytest.raises(E.CryptoProviderKeySizeException) as info:
        _encrypted(cb)
    assert (info.value.expected_keysize, info.value.configured_keysize) == (32, size)
    assert f"Expected key size was 32 and configured key size is {size}" in str(info.value)


def test_string_keys_are_taken_as_utf8(cb):
    store = InMemoryKeyStore()
    store.set_key("mypublickey", KEY.decode())
    store.set_key("myprivatekey", HMAC_KEY.decode())
    cb.register_crypto_provider(ALG, aes(store, iv=base64.b64decode(VECTORS[1][1])))
    assert cb.encrypt_fields({"message": 10}, spec("message"))["__crypt_message"]["sig"] == \
        VECTORS[1][3]


# -- aliases and arguments -----------------------------------------------------------
def test_an_unknown_alias(crypto_cb):
    with pytest.raises(E.CryptoProviderNotFoundException) as info:
        crypto_cb.encrypt_fields({"a": 1}, spec("a", alg="nope"))
    assert "nope" in str(info.value) and info.value.alias == "nope"
    doc = _encrypted(crypto_cb)
    crypto_cb.unregister_crypto_provider(ALG)
    with pytest.raises(E.CryptoProviderNotFoundException):
        crypto_cb.decrypt_fields(doc)
    crypto_cb.unregister_crypto_provider(ALG)  # twice is harmless


@pytest.mark.parametrize("alias", [None, ""])
def test_an_empty_alias(crypto_cb, alias):
    with pytest.raises(E.CryptoProviderAliasNullException):
        crypto_cb.encrypt_fields({"a": 1}, [{"alg": alias, "name": "a"}])
    with pytest.raises(E.CryptoProviderAliasNullException):
        crypto_cb.encrypt_fields({"a": 1}, [{"name": "a"}])
    with pytest.raises(E.CryptoProviderAliasNullException):
        crypto_cb.register_crypto_provider(alias, aes())
    doc = _encrypted(crypto_cb)
    doc["__crypt_message"]["alg"] = alias
    with pytest.raises(E.CryptoProviderAliasNullException):
        crypto_cb.decrypt_fields(doc)


@pytest.mark.parametrize("document, fieldspec", [
    (["not", "a", "dict"], [{"alg": ALG, "name": "a"}]),
    ('{"a": 1}', [{"alg": ALG, "name": "a"}]),
    ({"a": 1}, {"alg": ALG, "name": "a"}),
    ({"a": 1}, "a"),
    ({"a": 1}, [{"alg": ALG}]),
    ({"a": 1}, [("alg", "name")]),
    ({"a": 1}, None),
])
def test_bad_arguments(crypto_cb, document, fieldspec):
    with pytest.raises(E.ArgumentError):
        crypto_cb.encrypt_fields(document, fieldspec)


@pytest.mark.parametrize("prefix", ["", 5, b"__crypt_"])
def test_a_bad_prefix(crypto_cb, prefix):
    with pytest.raises(E.ArgumentError):
        crypto_cb.encrypt_fields({"a": 1}, spec("a"), prefix)
    with pytest.raises(E.ArgumentError):
        crypto_cb.decrypt_fields({"a": 1}, None, prefix)


def test_an_encrypted_name_already_taken(crypto_cb):
    with pytest.raises(E.ArgumentError):
        crypto_cb.encrypt_fields({"a": 1, "__crypt_a": 2}, spec("a"))


def test_a_value_that_is_not_json(crypto_cb):
    for value in (object(), float("nan"), {1j: 2}):
        with pytest.raises(E.ValueFormatError):
            crypto_cb.encrypt_fields({"a": value}, spec("a"))


def test_a_provider_lacking_methods_is_refused(cb):
    with pytest.raises(E.ArgumentError):
        cb.register_crypto_provider("half", object())


def test_crypto_exceptions_form_the_documented_family():
    config = [E.CryptoProviderNotFoundException, E.CryptoProviderAliasNullException,
              E.CryptoProviderMissingPublicKeyException,
              E.CryptoProviderMissingSigningKeyException,
              E.CryptoProviderMissingPrivateKeyException]
    execution = [E.CryptoProviderSigningFailedException,
                 E.CryptoProviderEncryptFailedException,
                 E.CryptoProviderDecryptFailedException]
    for cls in config:
        assert issubclass(cls, E.CryptoConfigError)
    for cls in execution:
        assert issubclass(cls, E.CryptoExecutionError)
    for cls in [*config, *execution, E.CryptoProviderKeySizeException]:
        assert issubclass(cls, E.CryptoError) and issubclass(cls, E.CouchbaseError)
        assert "x-alias" in str(cls(alias="x-alias")) or cls is E.CryptoProviderAliasNullException
    assert E.CryptoException is E.CryptoError
    assert str(E.CryptoProviderDecryptFailedException("custom")) == "<custom>"


# -- custom providers, both 2.x interfaces -------------------------------------------
class XorV1(PythonCryptoProvider):
    """A toy provider (not secure) showing the V1 interface needs no C code."""

    def generate_iv(self):
        return b"\x01" * 4

    def sign(self, inputs):
        return b"".join(inputs)[-8:]

    def verify_signature(self, inputs, signature):
        return self.sign(inputs) == signature

    def encrypt(self, input, iv):
        return bytes(b ^ 0x5A for b in input)

    def decrypt(self, input, iv):
        return self.encrypt(input, iv)

    def get_key_id(self):
        return "xor"


class XorV0(PythonCryptoProvider_V0):
    def __init__(self):
        self.loaded = []

    def load_key(self, type, keyid):
        self.loaded.append((type, keyid))
        return b"\x33"

    def generate_iv(self):
        return b""

    def sign(self, inputs):
        return b"sig"

    def verify_signature(self, inputs, signature):
        return signature == b"sig"

    def encrypt(self, input, key, iv):
        return bytes(b ^ key[0] for b in input)

    def decrypt(self, input, key, iv):
        return self.encrypt(input, key, iv)


def test_a_python_provider_of_each_interface(cb):
    cb.register_crypto_provider("xor1", XorV1())
    v0 = XorV0()
    cb.register_crypto_provider("xor0", v0)
    doc = {"a": {"b": [1, "ü"]}, "c": "plain"}
    fields = [{"alg": "xor1", "name": "a"}, {"alg": "xor0", "kid": "k0", "name": "c"}]
    encrypted = cb.encrypt_fields(doc, fields)
    assert encrypted["__crypt_a"]["kid"] == "xor"
    assert encrypted["__crypt_c"]["kid"] == "k0"
    assert cb.decrypt_fields(encrypted) == doc
    assert v0.loaded == [(KEY_ENCRYPT, "k0"), (KEY_DECRYPT, "k0")]


def test_a_provider_error_is_reported_as_the_documented_class(cb):
    class Broken(XorV1):
        def encrypt(self, input, iv):
            raise RuntimeError("hardware fault")

    cb.register_crypto_provider("broken", Broken())
    with pytest.raises(E.CryptoProviderEncryptFailedException) as info:
        cb.encrypt_fields({"a": 1}, [{"alg": "broken", "name": "a"}])
    assert isinstance(info.value.inner_cause, RuntimeError)


# -- every front end has the methods; nothing needs cryptography to import -------------
@pytest.mark.parametrize("module", ["couchbase.bucket", "acouchbase.bucket",
                                    "txcouchbase.bucket", "gcouchbase.bucket"])
def test_every_front_end_bucket_has_the_methods(module):
    bucket = pytest.importorskip(module).Bucket
    for name in ("register_crypto_provider", "unregister_crypto_provider",
                 "encrypt_fields", "decrypt_fields"):
        assert callable(getattr(bucket, name))


def test_couchbase_imports_without_cryptography():
    code = textwrap.dedent("""
        import sys
        sys.modules["cryptography"] = None
        import couchbase, couchbase.bucket, couchbase.crypto, cbencryption
        store = couchbase.crypto.InMemoryKeyStore()
        try:
            cbencryption.AES256CryptoProvider(store, "a", "b")
        except ImportError as e:
            print(e)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "pip install couchbase-pure[crypto]" in out.stdout


def test_the_documentation_example_runs():
    out = subprocess.run([sys.executable, str(ROOT / "examples" / "encryption.py")],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "decrypted: {'message': 'The old grey goose jumped over the wrickety gate.'}" \
        in out.stdout
