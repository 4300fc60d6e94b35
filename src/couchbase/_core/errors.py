"""What the sans-IO core raises, and who broke the protocol.

The core knows nothing of the public exception hierarchy
(:mod:`couchbase.exceptions`): it raises these, and the layers above turn
them into the documented classes in one place
(:func:`couchbase._public_errors.to_public`). The split follows h11: a
:class:`RemoteProtocolError` means the peer sent something the protocol does
not allow; the other classes are outcomes the protocol does allow (a refused
password, a missing bucket, no node for a key) that the caller must hear of.
"""

from __future__ import annotations

from typing import Optional


class CoreError(Exception):
    """Base class of the core's errors. ``status`` is the key-value status the
    server answered, ``http_status`` the HTTP status, where there was one."""

    def __init__(self, message: str, status: Optional[int] = None,
                 http_status: Optional[int] = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.http_status = http_status


class RemoteProtocolError(CoreError):
    """The peer sent bytes that break the protocol: bad framing, an unexpected
    packet, a malformed HTTP response or configuration."""


class ConnectionClosed(CoreError):
    """The peer closed the connection before the exchange was complete."""


class AuthenticationFailed(CoreError):
    """The server refused the credentials (SASL or HTTP 401)."""


class BucketUnavailable(CoreError):
    """The bucket does not exist, or this user may not use it."""


class Timeout(CoreError):
    """A deadline the core keeps (the bootstrap's) passed."""


class NoRoute(CoreError):
    """No node can take a request: no configuration yet, or no node for the key's
    vbucket (the active copy or the replica asked for)."""

    def __init__(self, message: str, key: Optional[bytes] = None) -> None:
        super().__init__(message)
        self.key = key


class ServerError(CoreError):
    """The server answered a request of the core's (STAT...) with an error status."""


class ServiceUnavailable(CoreError):
    """No node of the cluster runs the service a request needs (views, query)."""


class HttpStatusError(CoreError):
    """An HTTP request of the core (configuration fetch) got a status it cannot use."""


class BootstrapFailed(CoreError):
    """No seed gave a configuration. ``errors`` holds why each one failed, in order."""

    def __init__(self, message: str, errors: list[BaseException]) -> None:
        super().__init__(message)
        self.errors = errors


__all__ = [
    "AuthenticationFailed",
    "BootstrapFailed",
    "BucketUnavailable",
    "ConnectionClosed",
    "CoreError",
    "HttpStatusError",
    "NoRoute",
    "RemoteProtocolError",
    "ServerError",
    "ServiceUnavailable",
    "Timeout",
]
