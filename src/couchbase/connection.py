"""The 1.x ``Connection``, made by :meth:`couchbase.Couchbase.connect`."""

from __future__ import annotations

from typing import Any, Iterable, Optional, Union

from .bucket import Bucket
from .exceptions import ArgumentError


def http_connection_string(host: Union[str, Iterable[str]], port: int, bucket: str,
                           connection_string: Optional[str] = None) -> str:
    """The connection string of the 1.x arguments: ``http://host:port/bucket``
    (or ``connection_string`` when one is given)."""
    if not isinstance(bucket, str) or not bucket:
        raise ArgumentError(f"bucket must be a non-empty name, not {bucket!r}")
    if connection_string:
        return connection_string
    hosts = [host] if isinstance(host, str) else list(host)
    if not hosts or not all(isinstance(h, str) and h for h in hosts):
        raise ArgumentError(f"host must be a hostname or a list of them, not {host!r}")
    if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
        raise ArgumentError(f"port must be a TCP port number, not {port!r}")
    spec = ",".join(h if ":" in h.strip("[]") and not h.startswith("[") else f"{h}:{port}"
                    for h in hosts)
    return f"http://{spec}/{bucket}"


class ConnectionArguments:
    """The 1.x constructor, for any front end's bucket class (mixed in before it).

    Takes ``bucket``, ``host`` (a name or a list), ``port`` (the management
    port, 8091), ``username`` (defaults to the bucket name) and ``password``,
    or ``connection_string=`` instead of host and port; every other keyword is
    the bucket class's.
    """

    # 1.x: lock(key) with no ttl holds the lock for the server's default, 15 s
    _lock_ttl_required = False

    def __init__(
        self,
        bucket: str = "default",
        host: Union[str, Iterable[str]] = "localhost",
        port: int = 8091,
        password: Optional[str] = None,
        username: Optional[str] = None,
        **kwargs: Any,
    ) -> None:
        connstr = http_connection_string(host, port, bucket, kwargs.pop("connection_string", None))
        super().__init__(connstr, password=password,  # type: ignore[call-arg]
                         username=username, bucket=bucket, **kwargs)


class Connection(ConnectionArguments, Bucket):
    """A connection to one bucket, bootstrapped from the management port (8091).

    Takes the 1.x arguments: ``host`` (a name or a list), ``port``,
    ``bucket``, ``username`` (defaults to the bucket name) and ``password``;
    every other keyword is as for :class:`~couchbase.bucket.Bucket`.
    """
