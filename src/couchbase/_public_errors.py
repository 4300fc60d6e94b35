"""The boundary between the sans-IO core's errors and the documented exceptions.

The core raises :mod:`couchbase._core.errors`; everything an application sees
is a :class:`~couchbase.exceptions.CouchbaseError`. :func:`to_public` is the
one translation. It is applied where errors leave the I/O layer for the API:
the cluster drivers' results (key-value operations, STAT) and the waiting
drivers' flows (views, N1QL, bootstrap). Errors that are already public
(the drivers' own network errors) pass through unchanged, so applying it
twice is harmless.
"""

from __future__ import annotations

from ._core import errors as core
from .exceptions import (
    AuthError,
    BucketNotFoundError,
    CouchbaseError,
    CouchbaseNetworkError,
    HTTPError,
    LibcouchbaseError,
    NetworkError,
    NoMatchingServerError,
    NotSupportedError,
    ProtocolError,
    TimeoutError,
)

_CLASSES: dict[type[core.CoreError], type[CouchbaseError]] = {
    core.RemoteProtocolError: ProtocolError,
    core.ConnectionClosed: NetworkError,
    core.AuthenticationFailed: AuthError,
    core.BucketUnavailable: BucketNotFoundError,
    core.Timeout: TimeoutError,
    core.NoRoute: NoMatchingServerError,
    core.ServerError: LibcouchbaseError,
    core.HttpStatusError: HTTPError,
    core.ServiceUnavailable: NotSupportedError,
}


def to_public(exc: BaseException) -> BaseException:
    """The documented exception for ``exc`` (``exc`` itself unless it is a core error)."""
    if not isinstance(exc, core.CoreError):
        return exc
    if isinstance(exc, core.BootstrapFailed):
        return _bootstrap_failed(exc)
    cls = next((c for t, c in _CLASSES.items() if isinstance(exc, t)), LibcouchbaseError)
    public = cls(exc.message, server_status=exc.status, status=exc.http_status,
                 inner_cause=exc)
    if isinstance(exc, core.NoRoute) and exc.key is not None:
        public.key = exc.key
    return public


def _bootstrap_failed(exc: core.BootstrapFailed) -> CouchbaseError:
    """The first seed's error class, with every seed's reason in the message."""
    if not exc.errors:
        return CouchbaseNetworkError(exc.message)
    first = to_public(exc.errors[0])
    if not isinstance(first, CouchbaseError):
        return CouchbaseNetworkError(exc.message, inner_cause=first)
    return type(first)(exc.message, inner_cause=first.inner_cause or first)


__all__ = ["to_public"]
