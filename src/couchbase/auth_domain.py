"""Where a user is defined (SDK 2.x): ``AuthDomain.Local`` (the cluster's own users)
or ``AuthDomain.External`` (LDAP, PAM...), as :class:`~couchbase.admin.Admin`'s user
methods take it.

>>> AuthDomain.to_str(AuthDomain.Local)
'local'
>>> AuthDomain.from_str("external") == AuthDomain.External
True
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from .exceptions import ArgumentError


class AuthDomain(IntEnum):
    """The two user domains (an IntEnum, as in SDK 4.x: ``AuthDomain.Local == 0``); the
    REST API names them ``local`` and ``external``, and a domain also compares equal
    to its name (``UserAndMetadata.domain == "local"``, as earlier releases answered)."""

    Local = 0
    External = 1

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            return _NAMES[self] == other.lower()
        return int(self) == other

    def __hash__(self) -> int:
        return int.__hash__(self)

    @classmethod
    def to_str(cls, value: Any) -> str:
        """The REST name of a domain (a domain's name is accepted as it is)."""
        if isinstance(value, str) and value.lower() in _NAMES.values():
            return value.lower()
        if not isinstance(value, bool) and value in _NAMES:
            return _NAMES[value]
        raise ArgumentError(f"unknown authentication domain {value!r}: use AuthDomain.Local "
                            "or AuthDomain.External", objextra=value)

    @classmethod
    def from_str(cls, value: str) -> AuthDomain:
        """The domain a REST name stands for."""
        for domain, name in _NAMES.items():
            if isinstance(value, str) and value.lower() == name:
                return domain
        raise ArgumentError(f"unknown authentication domain {value!r}", objextra=value)


_NAMES = {AuthDomain.Local: "local", AuthDomain.External: "external"}


__all__ = ["AuthDomain"]
