"""Field-level encryption (SDK 2.x ``couchbase.crypto``): providers and the field format.

A *provider* encrypts one field's JSON and signs the result; the application
registers it under an alias (``Bucket.register_crypto_provider``) and names,
per field, the alias to use. An encrypted field ``name`` is stored as
``<prefix><name>`` (prefix ``__crypt_`` by default), in the cross-SDK format of
Couchbase's RFC 0032, so documents written here are read by the other SDKs and
the other way round::

    "__crypt_message": {"alg": "AES-256-HMAC-SHA256", "kid": "mypublickey",
                        "iv": "<base64>", "ciphertext": "<base64>", "sig": "<base64>"}

``ciphertext`` is the field's value as compact JSON (UTF-8), encrypted; ``sig``
is the provider's signature over ``kid + alg + iv + ciphertext`` (the last two
as their base64 text). Decryption checks the signature before it decrypts.

:func:`encrypt_fields` and :func:`decrypt_fields` are plain functions over a
document and a mapping of aliases to providers; the buckets' methods of the
same names (``couchbase._crypto_api``) call them. A working AES-256-CBC +
HMAC-SHA256 provider is :class:`cbencryption.AES256CryptoProvider`.

Two provider interfaces existed in SDK 2.x and both are accepted:
:class:`PythonCryptoProvider` (``PythonCryptoProvider_V1``: the provider owns
its key, ``encrypt(input, iv)``, ``get_key_id()``) and
:class:`PythonCryptoProvider_V0` (``load_key(type, keyid)`` then
``encrypt(input, key, iv)``).
"""

from __future__ import annotations

import base64
import binascii
import json
from abc import ABC, abstractmethod
from contextlib import contextmanager
from typing import Any, Iterable, Iterator, Mapping, Optional

from .exceptions import (
    ArgumentError,
    CryptoError,
    CryptoProviderAliasNullException,
    CryptoProviderDecryptFailedException,
    CryptoProviderEncryptFailedException,
    CryptoProviderMissingPublicKeyException,
    CryptoProviderNotFoundException,
    CryptoProviderSigningFailedException,
    ValueFormatError,
)

__all__ = [
    "DEFAULT_PREFIX", "KEY_DECRYPT", "KEY_ENCRYPT", "CryptoProvider", "InMemoryKeyStore",
    "PythonCryptoProvider", "PythonCryptoProvider_V0", "PythonCryptoProvider_V1",
    "decrypt_fields", "encrypt_fields",
]

DEFAULT_PREFIX = "__crypt_"

# The ``type`` argument of PythonCryptoProvider_V0.load_key (libcouchbase's values).
KEY_ENCRYPT = 0
KEY_DECRYPT = 1

_PROVIDER_METHODS = ("generate_iv", "sign", "verify_signature", "encrypt", "decrypt")


class InMemoryKeyStore:
    """Keys by name, held in memory: for tests and examples, not for secrets."""

    def __init__(self) -> None:
        self.keys: dict[str, Any] = {}

    def get_key(self, keyName: str) -> Any:  # noqa: N803 - the 2.x parameter name
        """The key stored under ``keyName`` (bytes or str), or None."""
        return self.keys.get(keyName) or None

    def set_key(self, keyName: str, key: Any) -> None:  # noqa: N803
        """Store ``key`` (bytes, or str taken as UTF-8) under ``keyName``."""
        self.keys[keyName] = key


class CryptoProvider(ABC):  # noqa: B024 (the base of both interfaces)
    """The base of every crypto provider (2.x: the C extension's type)."""


class PythonCryptoProvider_V1(CryptoProvider):  # noqa: N801 - the 2.x name
    """A provider that owns its key. Subclasses implement every method."""

    @abstractmethod
    def generate_iv(self) -> bytes:
        """A new initialization vector for one encryption."""

    @abstractmethod
    def sign(self, inputs: list[bytes]) -> bytes:
        """The signature of the concatenated ``inputs``."""

    @abstractmethod
    def verify_signature(self, inputs: list[bytes], signature: bytes) -> bool:
        """Whether ``signature`` is the signature of ``inputs`` (False, or raise, if not)."""

    @abstractmethod
    def encrypt(self, input: bytes, iv: bytes) -> bytes:  # noqa: A002 - the 2.x name
        """``input`` encrypted with this provider's key and ``iv``."""

    @abstractmethod
    def decrypt(self, input: bytes, iv: bytes) -> bytes:  # noqa: A002
        """``input`` decrypted with this provider's key and ``iv``."""

    @abstractmethod
    def get_key_id(self) -> str:
        """The name of the key this provider encrypts with (stored as ``kid``)."""


class PythonCryptoProvider_V0(CryptoProvider):  # noqa: N801 - the 2.x name
    """The first 2.x interface: the SDK asks for the key by id, then passes it in.

    The ``kid`` comes from the field specification (``{"alg", "kid", "name"}``)
    when encrypting and from the stored field when decrypting.
    """

    @abstractmethod
    def load_key(self, type: int, keyid: str) -> bytes:  # noqa: A002 - the 2.x name
        """The key ``keyid`` for ``type`` :data:`KEY_ENCRYPT` or :data:`KEY_DECRYPT`."""

    @abstractmethod
    def generate_iv(self) -> bytes:
        """(see the V1 method of the same name)"""

    @abstractmethod
    def sign(self, inputs: list[bytes]) -> bytes:
        """(see the V1 method of the same name)"""

    @abstractmethod
    def verify_signature(self, inputs: list[bytes], signature: bytes) -> bool:
        """(see the V1 method of the same name)"""

    @abstractmethod
    def encrypt(self, input: bytes, key: bytes, iv: bytes) -> bytes:  # noqa: A002
        """(see the V1 method of the same name; ``key`` from :meth:`load_key`)"""

    @abstractmethod
    def decrypt(self, input: bytes, key: bytes, iv: bytes) -> bytes:  # noqa: A002
        """(see the V1 method of the same name; ``key`` from :meth:`load_key`)"""


PythonCryptoProvider = PythonCryptoProvider_V1


def check_provider(alias: Any, provider: Any) -> None:
    """Refuse a registration the field functions could not use."""
    if not alias or not isinstance(alias, str):
        raise CryptoProviderAliasNullException(alias=alias)
    missing = [name for name in _PROVIDER_METHODS if not callable(getattr(provider, name, None))]
    if missing:
        raise ArgumentError(f"crypto provider {alias!r} lacks {', '.join(missing)}",
                            objextra=provider)


@contextmanager
def _failing_as(error: type[CryptoError], alias: str) -> Iterator[None]:
    """Report a provider's own failure as ``error``; crypto errors pass through."""
    try:
        yield
    except CryptoError:
        raise
    except Exception as e:
        raise error(alias=alias, inner_cause=e) from e


class _Calls:
    """One registered provider behind one calling convention (2.x had two)."""

    def __init__(self, alias: str, provider: Any) -> None:
        self.alias = alias
        self.provider = provider
        self.v0 = isinstance(provider, PythonCryptoProvider_V0) or (
            callable(getattr(provider, "load_key", None))
            and not callable(getattr(provider, "get_key_id", None)))

    def key_id(self, wanted: Optional[str]) -> str:
        with _failing_as(CryptoProviderEncryptFailedException, self.alias):
            kid = wanted if self.v0 else self.provider.get_key_id()
        if not kid or not isinstance(kid, str):
            raise CryptoProviderMissingPublicKeyException(alias=self.alias)
        return kid

    def encrypt(self, data: bytes, iv: bytes, kid: str) -> bytes:
        with _failing_as(CryptoProviderEncryptFailedException, self.alias):
            if self.v0:
                key = self.provider.load_key(KEY_ENCRYPT, kid)
                return bytes(self.provider.encrypt(data, key, iv))
            return bytes(self.provider.encrypt(data, iv))

    def decrypt(self, data: bytes, iv: Optional[bytes], kid: str) -> bytes:
        with _failing_as(CryptoProviderDecryptFailedException, self.alias):
            if self.v0:
                key = self.provider.load_key(KEY_DECRYPT, kid)
                return bytes(self.provider.decrypt(data, key, iv))
            return bytes(self.provider.decrypt(data, iv))

    def sign(self, inputs: list[bytes]) -> bytes:
        with _failing_as(CryptoProviderSigningFailedException, self.alias):
            return bytes(self.provider.sign(inputs))

    def verify(self, inputs: list[bytes], signature: bytes) -> None:
        with _failing_as(CryptoProviderSigningFailedException, self.alias):
            ok = self.provider.verify_signature(inputs, signature)
        if not ok:
            raise CryptoProviderSigningFailedException(alias=self.alias)


def _calls(providers: Mapping[str, Any], alias: Any) -> _Calls:
    if not alias or not isinstance(alias, str):
        raise CryptoProviderAliasNullException(alias=alias)
    provider = providers.get(alias)
    if provider is None:
        raise CryptoProviderNotFoundException(alias=alias)
    return _Calls(alias, provider)


def _signed(kid: str, alg: str, iv_b64: str, ciphertext_b64: str) -> list[bytes]:
    return [kid.encode(), alg.encode(), iv_b64.encode(), ciphertext_b64.encode()]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: Any, alias: str,
           error: type[CryptoError] = CryptoProviderDecryptFailedException) -> bytes:
    if not isinstance(text, str):
        raise error(alias=alias, objextra=text)
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as e:
        raise error(alias=alias, inner_cause=e) from e


def _check_document(document: Any) -> None:
    if not isinstance(document, Mapping):
        raise ArgumentError("the document must be a dict (a JSON object)", objextra=document)


def _prefix(prefix: Optional[str]) -> str:
    if prefix is None:
        return DEFAULT_PREFIX
    if not isinstance(prefix, str) or not prefix:
        raise ArgumentError("the prefix must be a non-empty string (or None)", objextra=prefix)
    return prefix


def _specs(fieldspec: Any) -> list[Mapping[str, Any]]:
    if isinstance(fieldspec, (str, bytes, Mapping)) or not isinstance(fieldspec, Iterable):
        raise ArgumentError("fieldspec must be a list of {'alg': ..., 'name': ...} dicts",
                            objextra=fieldspec)
    specs = list(fieldspec)
    for spec in specs:
        if not isinstance(spec, Mapping) or not isinstance(spec.get("name"), str):
            raise ArgumentError("each fieldspec entry must be a dict with a 'name' string",
                                objextra=spec)
    return specs


def encrypt_fields(document: Mapping[str, Any], fieldspec: Iterable[Mapping[str, Any]],
                   prefix: Optional[str], providers: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``document`` with the fields ``fieldspec`` names encrypted.

    :param fieldspec: ``[{"alg": alias, "name": field}, ...]``; ``"kid"`` names
        the key for a :class:`PythonCryptoProvider_V0` (a V1 provider reports
        its own). A field the document lacks is skipped.
    :param prefix: the encrypted fields' name prefix (None: ``__crypt_``)
    :param providers: the registered providers by alias
    :raise CryptoProviderAliasNullException: an entry without ``alg``
    :raise CryptoProviderNotFoundException: no provider registered as ``alg``
    :raise CryptoProviderEncryptFailedException: the provider failed
    :raise ArgumentError: not a dict, a malformed fieldspec, or the encrypted
        field's name is already taken
    """
    _check_document(document)
    prefix = _prefix(prefix)
    encrypted: dict[str, dict[str, str]] = {}
    for spec in _specs(fieldspec):
        name = spec["name"]
        calls = _calls(providers, spec.get("alg"))
        if name not in document or name in encrypted:
            continue
        if prefix + name in document:
            raise ArgumentError(f"the document already has a field {prefix + name!r}", key=name)
        try:
            plain = json.dumps(document[name], separators=(",", ":"), ensure_ascii=False,
                               allow_nan=False).encode("utf-8")
        except (TypeError, ValueError, RecursionError) as e:
            raise ValueFormatError(f"field {name!r} can't be encoded as JSON",
                                   key=name, inner_cause=e) from e
        kid = calls.key_id(spec.get("kid"))
        with _failing_as(CryptoProviderEncryptFailedException, calls.alias):
            iv = bytes(calls.provider.generate_iv())
        iv_b64 = _b64(iv)
        ciphertext_b64 = _b64(calls.encrypt(plain, iv, kid))
        sig = calls.sign(_signed(kid, calls.alias, iv_b64, ciphertext_b64))
        encrypted[name] = {"alg": calls.alias, "kid": kid, "iv": iv_b64,
                           "ciphertext": ciphertext_b64, "sig": _b64(sig)}
    return {(prefix + k if k in encrypted else k): encrypted.get(k, v)
            for k, v in document.items()}


def _decrypt_field(calls: _Calls, field: Mapping[str, Any]) -> Any:
    alias = calls.alias
    kid = field.get("kid")
    if not isinstance(kid, str):
        raise CryptoProviderDecryptFailedException(alias=alias, objextra=field)
    iv_b64 = field.get("iv", "")
    if not isinstance(iv_b64, str):
        raise CryptoProviderDecryptFailedException(alias=alias, objextra=field)
    ciphertext_b64 = field.get("ciphertext")
    iv = _unb64(iv_b64, alias) if iv_b64 else None
    ciphertext = _unb64(ciphertext_b64, alias)
    sig = _unb64(field.get("sig"), alias, CryptoProviderSigningFailedException)
    calls.verify(_signed(kid, str(field.get("alg")), iv_b64, str(ciphertext_b64)), sig)
    plain = calls.decrypt(ciphertext, iv, kid)
    try:
        return json.loads(plain.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        raise CryptoProviderDecryptFailedException(alias=alias, inner_cause=e) from e


def decrypt_fields(document: Mapping[str, Any], prefix: Optional[str],
                   providers: Mapping[str, Any],
                   fieldspec: Optional[Iterable[Mapping[str, Any]]] = None) -> dict[str, Any]:
    """A copy of ``document`` with its encrypted fields decrypted under their own names.

    Without ``fieldspec`` every field named ``<prefix><name>`` is decrypted by
    the provider registered as its ``alg``; with it, only the fields it names,
    each by the provider its ``alg`` names. Other fields are copied unchanged.

    :raise CryptoProviderSigningFailedException: the signature does not match
        (the field was altered, or the key is not the one it was written with)
    :raise CryptoProviderDecryptFailedException: not a well-formed encrypted
        field, or the provider could not decrypt it
    :raise CryptoProviderNotFoundException: no provider for the field's ``alg``
    """
    _check_document(document)
    prefix = _prefix(prefix)
    wanted = None if fieldspec is None else {s["name"]: s.get("alg") for s in _specs(fieldspec)}
    plain: dict[str, Any] = {}
    for key, field in document.items():
        if not (isinstance(key, str) and key.startswith(prefix) and isinstance(field, Mapping)):
            continue
        name = key[len(prefix):]
        if wanted is not None and name not in wanted:
            continue
        alias = field.get("alg") if wanted is None else wanted[name]
        plain[key] = (name, _decrypt_field(_calls(providers, alias), field))
    out: dict[str, Any] = {}
    for k, v in document.items():
        if k in plain:
            name, value = plain[k]
            out[name] = value
        elif k not in out:
            out[k] = v
    return out
