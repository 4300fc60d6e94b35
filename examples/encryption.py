"""Field-level encryption, as the Python SDK 2.5 guide shows it, against the local cluster.

Needs ``pip install couchbase-pure[crypto]``. Run ``python examples/encryption.py``;
``--connstr couchbase://host/bucket`` (with ``--password``) uses your own cluster.
"""

from __future__ import annotations

import argparse
import contextlib
from typing import Any, Iterator

from cbencryption import AES256CryptoProvider
from couchbase.bucket import Bucket
from couchbase.crypto import InMemoryKeyStore


def filter_encrypted(encrypted_dict: dict[str, Any]) -> dict[str, Any]:
    """The fields that do not depend on the random IV (and so on the signature)."""
    return {name: {k: v for k, v in field.items() if k in ("alg", "kid")}
            for name, field in encrypted_dict.items()}


def main(connstr: str, password: str = "password") -> None:
    # create insecure key store and register both public and private keys
    keystore = InMemoryKeyStore()
    keystore.set_key("mypublickey", b"!mysecretkey#9^5usdk39d&dlf)03sL")
    keystore.set_key("myprivatekey", b"myauthpassword")

    # create and register provider (cbencryption 2.x spelled it Module.Class)
    provider = AES256CryptoProvider.AES256CryptoProvider(keystore, "mypublickey", "myprivatekey")
    bucket = Bucket(connstr, password=password)
    bucket.register_crypto_provider("AES-256-HMAC-SHA256", provider)

    # encrypt document: the alg name must match the provider name, and the
    # kid (key ID) must match a key in the keystore
    prefix = "__crypt_"
    document = {"message": "The old grey goose jumped over the wrickety gate."}
    fieldspec = [{"alg": "AES-256-HMAC-SHA256", "name": "message"}]
    encrypted_document = bucket.encrypt_fields(document, fieldspec, prefix)
    print("encrypted:", encrypted_document)
    expected = {"__crypt_message": {"alg": "AES-256-HMAC-SHA256", "kid": "mypublickey"}}
    assert filter_encrypted(encrypted_document) == expected

    # store it, read it back, decrypt it with the registered provider
    bucket.upsert("encrypted-message", encrypted_document)
    stored = bucket.get("encrypted-message").value
    decrypted_document = bucket.decrypt_fields(stored, fieldspec, prefix)
    print("decrypted:", decrypted_document)
    assert decrypted_document == document
    bucket.close()


@contextlib.contextmanager
def local_cluster() -> Iterator[str]:
    from couchbase_mock import MockCluster

    with MockCluster(nodes=2, replicas=1, buckets={"default": {"password": "password"}}) as cluster:
        yield f"{cluster.connstr}/default"


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--connstr", help="your cluster (default: start the local one)")
    parser.add_argument("--password", default="password")
    args = parser.parse_args()
    if args.connstr:
        main(args.connstr, args.password)
    else:
        with local_cluster() as connstr:
            main(connstr, args.password)
