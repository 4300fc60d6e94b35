"""``couchbase.connstr.ConnectionString``: build or take apart a connection string.

The 2.x public helper. A :class:`ConnectionString` may be passed to
:class:`~couchbase.bucket.Bucket` instead of a string; the client itself
parses with :mod:`couchbase._core.connstr`.

>>> cs = ConnectionString.parse("couchbase://h1:1111,h2/beer?operation_timeout=4")
>>> cs.hosts, cs.bucket, cs.get_option("operation_timeout")
(['h1:1111', 'h2'], 'beer', '4')
>>> cs.set_option("network", "external"); cs.bucket = "travel"
>>> cs.encode()
'couchbase://h1:1111,h2/travel?operation_timeout=4&network=external'
"""

from __future__ import annotations

from typing import Any, Optional
from urllib.parse import parse_qs, urlencode, urlsplit

_IMPLICIT_PORTS = {"http": 8091, "couchbase": 11210, "couchbases": 11207}


class ConnectionString:
    """A connection string's parts: ``scheme``, ``hosts`` (``"host"`` or
    ``"host:port"`` strings), ``bucket`` and ``options`` (name -> list of
    values, as :func:`urllib.parse.parse_qs` gives them)."""

    def __init__(self, bucket: str = "default", hosts: Optional[list[str]] = None,
                 options: Optional[dict[str, list[str]]] = None,
                 scheme: str = "couchbase") -> None:
        self.bucket = bucket
        self.hosts = list(hosts) if hosts else []
        self.options = {name: list(values) for name, values in (options or {}).items()}
        self.scheme = scheme

    @classmethod
    def parse(cls, ss: str) -> ConnectionString:
        """The parts of an existing connection string ``ss``."""
        parts = urlsplit(ss)
        bucket = parts.path.lstrip("/")
        hosts = [h for h in parts.netloc.split(",") if h]
        return cls(bucket=bucket, hosts=hosts, options=parse_qs(parts.query),
                   scheme=parts.scheme)

    @property
    def implicit_port(self) -> int:
        """The port a host without one gets under this scheme (-1: unknown scheme)."""
        return _IMPLICIT_PORTS.get(self.scheme, -1)

    def get_option(self, name: str, default: Any = None) -> Any:
        values = self.options.get(name)
        return values[0] if values else default

    def set_option(self, optname: str, value: Any) -> None:
        self.options[optname] = [value]

    def clear_option(self, name: str) -> None:
        self.options.pop(name, None)

    def encode(self) -> str:
        """The connection string these parts make."""
        text = f"{self.scheme}://{','.join(self.hosts)}"
        if self.bucket:
            text += "/" + self.bucket
        if self.options:
            first = {name: values[0] for name, values in self.options.items() if values}
            text += "?" + urlencode(first).replace("%2F", "/")
        return text

    def __str__(self) -> str:
        return self.encode()

    def __repr__(self) -> str:
        return f"ConnectionString({self.encode()!r})"


__all__ = ["ConnectionString"]
