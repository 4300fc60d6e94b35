"""Field-level encryption providers for the 2.x API (the ``cbencryption`` package's names).

:class:`AES256CryptoProvider` encrypts with AES-256-CBC (PKCS#7 padding) and
signs with HMAC-SHA256, the ``AES-256-HMAC-SHA256`` algorithm of Couchbase's
cross-SDK format. It needs the ``cryptography`` package
(``pip install couchbase-pure[crypto]``); importing this module does not::

    from cbencryption import AES256CryptoProvider
    from couchbase.crypto import InMemoryKeyStore

    keystore = InMemoryKeyStore()
    keystore.set_key("mypublickey", b"!mysecretkey#9^5usdk39d&dlf)03sL")  # 32 bytes
    keystore.set_key("myprivatekey", b"myauthpassword")
    provider = AES256CryptoProvider(keystore, "mypublickey", "myprivatekey")
    bucket.register_crypto_provider("AES-256-HMAC-SHA256", provider)
"""

from __future__ import annotations

import os
from types import SimpleNamespace
from typing import Any, ClassVar, Optional

from couchbase.crypto import InMemoryKeyStore, PythonCryptoProvider
from couchbase.exceptions import (
    ArgumentError,
    CryptoProviderKeySizeException,
    CryptoProviderMissingPublicKeyException,
    CryptoProviderMissingSigningKeyException,
)

__all__ = ["AES256CryptoProvider", "InMemoryKeyStore"]

ALGORITHM = "AES-256-HMAC-SHA256"
KEY_SIZE = 32  # AES-256
IV_SIZE = 16  # the AES block


def _cryptography() -> SimpleNamespace:
    """The parts of ``cryptography`` the provider uses, or a clear ImportError."""
    try:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives import hashes, hmac, padding
        from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    except ImportError as e:
        raise ImportError(
            "AES256CryptoProvider needs the 'cryptography' package: "
            "pip install couchbase-pure[crypto]") from e
    return SimpleNamespace(InvalidSignature=InvalidSignature, hashes=hashes, hmac=hmac,
                           padding=padding, Cipher=Cipher, algorithms=algorithms, modes=modes)


def _as_bytes(key: Any) -> bytes:
    return key.encode("utf-8") if isinstance(key, str) else bytes(key)


class AES256CryptoProvider(PythonCryptoProvider):
    """AES-256-CBC with HMAC-SHA256 signatures, keys from a key store.

    :param keystore: anything with ``get_key(name)`` returning bytes (or str,
        taken as UTF-8) or None, e.g. :class:`~couchbase.crypto.InMemoryKeyStore`
    :param public_key_name: the encryption key's name (32 bytes; stored as ``kid``)
    :param private_key_name: the signing (HMAC) key's name; 2.x called it
        ``hmac_key_name``
    :param iv: a fixed IV, for reproducing known test vectors only (never reuse
        an IV with real data); None draws a new random IV per field
    :raise CryptoProviderMissingPublicKeyException: no ``public_key_name``
    :raise CryptoProviderMissingSigningKeyException: no ``private_key_name``
    :raise ImportError: ``cryptography`` is not installed
    """

    # cbencryption 2.x was a module of this name holding the class: both spellings work.
    AES256CryptoProvider: ClassVar[type[AES256CryptoProvider]]

    def __init__(self, keystore: Any, public_key_name: str,
                 private_key_name: Optional[str] = None, iv: Optional[bytes] = None,
                 block_size: int = 32, hmac_key_name: Optional[str] = None) -> None:
        self._lib = _cryptography()
        if keystore is None or not callable(getattr(keystore, "get_key", None)):
            raise ArgumentError("a key store (with get_key(name)) must be provided",
                                objextra=keystore)
        if not public_key_name:
            raise CryptoProviderMissingPublicKeyException(alias=ALGORITHM)
        signing_key_name = private_key_name or hmac_key_name
        if not signing_key_name:
            raise CryptoProviderMissingSigningKeyException(alias=ALGORITHM)
        if iv is not None and len(iv) != IV_SIZE:
            raise ArgumentError(f"the IV must be {IV_SIZE} bytes", objextra=iv)
        self.keystore = keystore
        self.public_key_name = public_key_name
        self.private_key_name = self.hmac_key_name = signing_key_name
        self.iv = iv
        self.block_size = block_size  # accepted for 2.x signatures; AES's block is 16

    def _key(self) -> bytes:
        key = self.keystore.get_key(self.public_key_name)
        if not key:
            raise CryptoProviderMissingPublicKeyException(alias=ALGORITHM)
        key = _as_bytes(key)
        if len(key) != KEY_SIZE:
            raise CryptoProviderKeySizeException(
                alias=ALGORITHM, expected_keysize=KEY_SIZE, configured_keysize=len(key))
        return key

    def _mac(self, inputs: list[Any]) -> Any:
        key = self.keystore.get_key(self.private_key_name)
        if not key:
            raise CryptoProviderMissingSigningKeyException(alias=ALGORITHM)
        mac = self._lib.hmac.HMAC(_as_bytes(key), self._lib.hashes.SHA256())
        for part in inputs:
            mac.update(_as_bytes(part))
        return mac

    def _aes(self, iv: bytes) -> Any:
        lib = self._lib
        return lib.Cipher(lib.algorithms.AES(self._key()), lib.modes.CBC(iv))

    def generate_iv(self) -> bytes:
        """The fixed IV if one was given, else 16 random bytes."""
        return self.iv if self.iv is not None else os.urandom(IV_SIZE)

    def sign(self, inputs: list[Any]) -> bytes:
        """HMAC-SHA256 of the concatenated ``inputs`` with the signing key."""
        return bytes(self._mac(inputs).finalize())

    def verify_signature(self, inputs: list[Any], signature: bytes) -> bool:
        """Whether ``signature`` signs ``inputs`` (compared in constant time)."""
        try:
            self._mac(inputs).verify(bytes(signature))
        except self._lib.InvalidSignature:
            return False
        return True

    def encrypt(self, input: bytes, iv: bytes) -> bytes:  # noqa: A002 - the 2.x name
        padder = self._lib.padding.PKCS7(128).padder()
        padded = padder.update(_as_bytes(input)) + padder.finalize()
        encryptor = self._aes(iv).encryptor()
        return bytes(encryptor.update(padded) + encryptor.finalize())

    def decrypt(self, input: bytes, iv: bytes) -> bytes:  # noqa: A002
        decryptor = self._aes(iv).decryptor()
        padded = decryptor.update(bytes(input)) + decryptor.finalize()
        unpadder = self._lib.padding.PKCS7(128).unpadder()
        return bytes(unpadder.update(padded) + unpadder.finalize())

    def get_key_id(self) -> str:
        return self.public_key_name


AES256CryptoProvider.AES256CryptoProvider = AES256CryptoProvider
