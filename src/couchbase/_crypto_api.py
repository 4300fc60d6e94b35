"""The 2.x field-level encryption methods of a bucket (mixed into ``BucketBase``).

They run in the caller's thread on every front end: nothing here waits on
the network. The work is :func:`couchbase.crypto.encrypt_fields` and
:func:`couchbase.crypto.decrypt_fields`; a bucket holds the registry.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Optional, Union

from . import crypto


class CryptoAPI:
    """``register_crypto_provider``, ``encrypt_fields``, ``decrypt_fields``."""

    @property
    def _crypto_providers(self) -> dict[str, Any]:
        providers: dict[str, Any] = self.__dict__.setdefault("_crypto_providers_by_alias", {})
        return providers

    def register_crypto_provider(self, name: str, provider: Any) -> None:
        """Register ``provider`` under the alias ``name`` (stored in each field's ``alg``).

        :raise CryptoProviderAliasNullException: ``name`` is empty
        :raise ArgumentError: ``provider`` lacks a provider method
        """
        crypto.check_provider(name, provider)
        self._crypto_providers[name] = provider

    def unregister_crypto_provider(self, name: str) -> None:
        """Forget the provider registered as ``name`` (nothing happens if there is none)."""
        self._crypto_providers.pop(name, None)

    def encrypt_fields(self, document: Mapping[str, Any],
                       fieldspec: Iterable[Mapping[str, Any]],
                       prefix: Optional[str] = None) -> dict[str, Any]:
        """A copy of ``document`` with the fields in ``fieldspec`` encrypted.

        :param fieldspec: ``[{"alg": "<registered alias>", "name": "<field>"}]``
        :param prefix: prefix of the encrypted fields' names (None: ``__crypt_``)

        ::

            cb.register_crypto_provider("AES-256-HMAC-SHA256", provider)
            doc = cb.encrypt_fields({"message": "hi"},
                                    [{"alg": "AES-256-HMAC-SHA256", "name": "message"}])
            cb.upsert("greeting", doc)
        """
        return crypto.encrypt_fields(document, fieldspec, prefix, self._crypto_providers)

    def decrypt_fields(self, document: Mapping[str, Any],
                       fieldspec: Union[Iterable[Mapping[str, Any]], str, None] = None,
                       prefix: Optional[str] = None) -> dict[str, Any]:
        """A copy of ``document`` with its encrypted fields decrypted.

        Both 2.x forms work: ``decrypt_fields(doc, prefix)`` decrypts every
        encrypted field; ``decrypt_fields(doc, fieldspec, prefix)`` only those
        ``fieldspec`` names.
        """
        if isinstance(fieldspec, str):
            if prefix is not None:
                raise TypeError("decrypt_fields() got the prefix twice")
            fieldspec, prefix = None, fieldspec
        return crypto.decrypt_fields(document, prefix, self._crypto_providers, fieldspec)
