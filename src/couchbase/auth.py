"""Authenticators for :class:`~couchbase.cluster.Cluster` (SDK 3.x)."""

from __future__ import annotations

from .exceptions import ArgumentError


class Authenticator:
    """Base of the credentials a cluster connection presents."""

    username: str = ""
    password: str = ""


class PasswordAuthenticator(Authenticator):
    """RBAC username and password (SASL SCRAM over TCP, PLAIN over TLS)."""

    def __init__(self, username: str, password: str) -> None:
        if not isinstance(username, str) or not isinstance(password, str):
            raise ArgumentError("username and password must be strings")
        self.username = username
        self.password = password

    def __repr__(self) -> str:
        return f"PasswordAuthenticator(username={self.username!r})"
