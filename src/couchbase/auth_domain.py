"""Where a user is defined (SDK 2.x): ``AuthDomain.Local`` (the cluster's own users)
or ``AuthDomain.External`` (LDAP, PAM...), as :class:`~couchbase.admin.Admin`'s user
methods take it.

>>> AuthDomain.to_str(AuthDomain.Local)
'local'
>>> AuthDomain.from_str("external") == AuthDomain.External
True
"""

from __future__ import annotations

from typing import Any

from .exceptions import ArgumentError


class AuthDomain:
    """The two user domains; the REST API names them ``local`` and ``external``."""

    Local = 0
    External = 1

    _NAMES = {Local: "local", External: "external"}

    @classmethod
    def to_str(cls, value: Any) -> str:
        """The REST name of a domain (a domain's name is accepted as it is)."""
        if isinstance(value, str) and value.lower() in cls._NAMES.values():
            return value.lower()
        if not isinstance(value, bool) and value in cls._NAMES:
            return cls._NAMES[value]
        raise ArgumentError(f"unknown authentication domain {value!r}: use AuthDomain.Local "
                            "or AuthDomain.External", objextra=value)

    @classmethod
    def from_str(cls, value: str) -> int:
        """The domain a REST name stands for."""
        for domain, name in cls._NAMES.items():
            if isinstance(value, str) and value.lower() == name:
                return domain
        raise ArgumentError(f"unknown authentication domain {value!r}", objextra=value)


__all__ = ["AuthDomain"]
