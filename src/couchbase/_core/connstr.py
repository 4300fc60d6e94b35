"""Connection strings, as libcouchbase and the Couchbase SDKs accept them.

::

    couchbase://h1,h2:11210/bucket?operation_timeout=2.5
    couchbases://[::1]/bucket
    http://h1:8091;h2:8091/bucket        (ports are management/HTTP ports)
    h1:11210=mcd,h1:8091=http/bucket      (explicit port types)
    localhost                             (no scheme: couchbase://)

Errors raise ``ValueError`` naming the problem; the client wraps it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import unquote

KV_PORT, KV_TLS_PORT = 11210, 11207
HTTP_PORT, HTTP_TLS_PORT = 8091, 18091

_SCHEMES = ("couchbase", "couchbases", "http", "https")
_TLS_SCHEMES = frozenset(("couchbases", "https"))
_HTTP_SCHEMES = frozenset(("http", "https"))
_PORT_TYPES = {"mcd": "mcd", "memcached": "mcd", "mcds": "mcds", "http": "http", "https": "https"}
_HTTP_TYPES = frozenset(("http", "https"))


@dataclass(frozen=True)
class ConnectionString:
    """A parsed connection string.

    ``hosts`` holds ``(host, port or None, port type or None)``; the port type is
    ``"mcd"``/``"mcds"`` (KV) or ``"http"``/``"https"`` when given as ``=type``.

    >>> cs = parse_connection_string("couchbase://a,b:12000/beer?opt=1")
    >>> cs.kv_hosts(), cs.http_hosts(), cs.bucket, cs.options
    ([('a', 11210), ('b', 12000)], [('a', 8091), ('b', 8091)], 'beer', {'opt': '1'})
    """

    scheme: str
    hosts: tuple[tuple[str, int | None, str | None], ...]
    bucket: str | None = None
    options: dict[str, str] = field(default_factory=dict, hash=False)

    @property
    def tls(self) -> bool:
        return self.scheme in _TLS_SCHEMES

    def _is_http(self, port_type: str | None) -> bool:
        if port_type is None:
            return self.scheme in _HTTP_SCHEMES
        return port_type in _HTTP_TYPES

    def kv_hosts(self) -> list[tuple[str, int]]:
        """KV (memcached protocol) addresses to bootstrap from; HTTP-only hosts are left out."""
        default = KV_TLS_PORT if self.tls else KV_PORT
        out: list[tuple[str, int]] = []
        for host, port, port_type in self.hosts:
            if self._is_http(port_type):
                continue
            entry = (host, port if port is not None else default)
            if entry not in out:
                out.append(entry)
        return out

    def http_hosts(self) -> list[tuple[str, int]]:
        """Management (REST) addresses; KV hosts contribute their hostname with the default port."""
        default = HTTP_TLS_PORT if self.tls else HTTP_PORT
        explicit = {h for h, p, t in self.hosts if self._is_http(t) and p is not None}
        out: list[tuple[str, int]] = []
        for host, port, port_type in self.hosts:
            if self._is_http(port_type):
                entry = (host, port if port is not None else default)
            elif host in explicit:
                continue
            else:
                entry = (host, default)
            if entry not in out:
                out.append(entry)
        return out


def split_host_port(text: str) -> tuple[str, int | None]:
    """``"h"``, ``"h:1"``, ``"[::1]:1"`` or a bare IPv6 address -> ``(host, port or None)``."""
    text = text.strip()
    if text.startswith("["):
        end = text.find("]")
        if end < 0:
            raise ValueError(f"unclosed '[' in host {text!r}")
        host, rest = text[1:end], text[end + 1 :]
        if rest and not rest.startswith(":"):
            raise ValueError(f"unexpected {rest!r} after IPv6 address in {text!r}")
        port_text = rest[1:] if rest else None
    elif text.count(":") > 1:
        return text, None  # bare IPv6 address, no port possible
    else:
        host, sep, port_text = text.partition(":")
        if not sep:
            port_text = None
    if not host:
        raise ValueError(f"empty host name in {text!r}")
    if port_text is None:
        return host, None
    return host, _port(port_text, text)


def _port(text: str, context: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise ValueError(f"invalid port {text!r} in {context!r}")
    return int(text)


def _parse_host(text: str) -> tuple[str, int | None, str | None]:
    port_type: str | None = None
    # "=type" follows the port; '=' never appears in a host name or IPv6 address.
    if "=" in text:
        text, _, type_text = text.rpartition("=")
        port_type = _PORT_TYPES.get(type_text.strip().lower())
        if port_type is None:
            raise ValueError(f"unknown port type {type_text!r} (expected mcd or http)")
    host, port = split_host_port(text)
    if port_type is not None and port is None:
        raise ValueError(f"port type ={port_type} needs a port in {text!r}")
    return host, port, port_type


def parse_connection_string(text: str) -> ConnectionString:
    """Parse ``text``; raises ``ValueError`` on malformed input."""
    text = text.strip()
    if not text:
        raise ValueError("empty connection string")
    scheme = "couchbase"
    rest = text
    if "://" in text:
        scheme, _, rest = text.partition("://")
        scheme = scheme.lower()
        if scheme not in _SCHEMES:
            raise ValueError(
                f"unsupported scheme {scheme!r} (expected couchbase, couchbases, http)"
            )
    rest, _, query = rest.partition("?")
    host_part, slash, path = rest.partition("/")
    bucket = None
    if slash:
        path = path.rstrip("/")
        if "/" in path:
            raise ValueError(f"bucket name must not contain '/': {path!r}")
        bucket = unquote(path) or None
    if "://" in host_part:
        raise ValueError("'://' inside the host list")
    hosts = tuple(
        _untyped_http_port(scheme, _parse_host(h))
        for h in re.split(r"[,;]", unquote(host_part))
        if h.strip()
    )
    if not hosts:
        hosts = (("localhost", None, None),)
    return ConnectionString(scheme, hosts, bucket, _parse_options(query))


def _untyped_http_port(
    scheme: str, host: tuple[str, int | None, str | None]
) -> tuple[str, int | None, str | None]:
    # libcouchbase forgives the honest mistake couchbase://host:8091: it means the host.
    name, port, port_type = host
    if port_type is None and scheme not in _HTTP_SCHEMES:
        if port == (HTTP_TLS_PORT if scheme in _TLS_SCHEMES else HTTP_PORT):
            return name, None, None
    return host


def _parse_options(query: str) -> dict[str, str]:
    options: dict[str, str] = {}
    for item in query.split("&"):
        if not item:
            continue
        key, eq, value = item.partition("=")
        if not eq or not key or not value:
            raise ValueError(f"option {item!r} must be written key=value (value not empty)")
        options[unquote(key)] = unquote(value)
    return options


_UNITS = {"ns": 1e-9, "us": 1e-6, "\u00b5s": 1e-6, "\u03bcs": 1e-6, "ms": 1e-3, "s": 1.0,
          "m": 60.0, "h": 3600.0}
_NUMBER = r"(?:\d+(?:\.\d*)?|\.\d+)"
_PLAIN = re.compile(_NUMBER)
_TERM = re.compile(rf"({_NUMBER})(ns|us|\u00b5s|\u03bcs|ms|s|m|h)")


def parse_duration(value: str) -> float:
    """Seconds from ``"2.5"`` (plain number: seconds) or a Go duration ``"1m30s"``, ``"250ms"``.

    >>> parse_duration("2.5"), parse_duration("1m30s"), parse_duration("2500ms")
    (2.5, 90.0, 2.5)
    """
    text = value.strip()
    if _PLAIN.fullmatch(text):
        return float(text)
    if not text:
        raise ValueError("empty duration")
    if text[0] == "-":
        raise ValueError(f"negative duration {value!r}")
    if text[0] == "+":
        text = text[1:]
    total = 0.0
    pos = 0
    while pos < len(text):
        match = _TERM.match(text, pos)
        if match is None:
            raise ValueError(
                f"invalid duration {value!r}: expected seconds or number+unit (ns us ms s m h)"
            )
        total += float(match.group(1)) * _UNITS[match.group(2)]
        pos = match.end()
    if pos == 0:
        raise ValueError(f"invalid duration {value!r}")
    return total
