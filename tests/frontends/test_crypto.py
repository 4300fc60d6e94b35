"""Field-level encryption on every front end: the methods run in the caller's
thread (no I/O), and what they produce is stored and read back the front end's way."""

from __future__ import annotations

import pytest

pytest.importorskip("cryptography")

from cbencryption import AES256CryptoProvider  # noqa: E402
from couchbase.crypto import InMemoryKeyStore  # noqa: E402
from couchbase.exceptions import CryptoProviderSigningFailedException  # noqa: E402

ALG = "AES-256-HMAC-SHA256"
FIELDS = [{"alg": ALG, "name": "card"}, {"alg": ALG, "name": "pin"}]


def provider() -> AES256CryptoProvider:
    store = InMemoryKeyStore()
    store.set_key("mypublickey", b"!mysecretkey#9^5usdk39d&dlf)03sL")
    store.set_key("myprivatekey", b"myauthpassword")
    return AES256CryptoProvider(store, "mypublickey", "myprivatekey")


def test_encrypted_fields_are_stored_and_read_back(cb, key):
    cb.register_crypto_provider(ALG, provider())
    doc = {"owner": "Ann", "card": "4111-1111-1111-1111", "pin": [1, 2, 3, 4]}
    cb.upsert(key, cb.encrypt_fields(doc, FIELDS, "__crypt_"))
    raw = cb.get(key, no_format=True).value
    assert b"4111" not in raw and b"Ann" in raw
    stored = cb.get(key).value
    assert sorted(stored) == ["__crypt_card", "__crypt_pin", "owner"]
    assert cb.decrypt_fields(stored, "__crypt_") == doc
    assert cb.decrypt_fields(stored, FIELDS, "__crypt_") == doc

    stored["__crypt_card"]["kid"] = "another key"
    with pytest.raises(CryptoProviderSigningFailedException):
        cb.decrypt_fields(stored, "__crypt_")
    cb.unregister_crypto_provider(ALG)
