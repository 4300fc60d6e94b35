"""DNS SRV bootstrap: ``couchbase://example.com`` finds its seeds in DNS.

The SDKs' connection-string rules (couchbaselabs/sdk-rfcs, RFC 0011): a
``couchbase://`` or ``couchbases://`` string naming exactly one host, with no
port, first looks up ``_couchbase._tcp.<host>`` (``_couchbases._tcp.<host>``
for TLS). If records exist, their targets and ports replace the host list;
if none exist, the host is used as written. What we add, and why:

- An IP address, a ``localhost`` or an ``.invalid`` name is never looked up:
  no SRV record can hang under an address, and RFC 6761 reserves the other
  two (resolvers answer NXDOMAIN), so asking would only cost a round trip on
  every local connection.
- Records are tried by priority, then in RFC 2782's weighted random order
  among equal priorities. RFC 0011 tells servers to publish 0 for both, and
  then this order is simply the DNS answer's, shuffled; an operator who
  does publish priorities gets the order DNS SRV means everywhere else.
- The lookup is bounded: ``dns_srv_timeout`` (default 500 ms, the C++
  core's, which SDK 4.x uses), and never more than half the bootstrap
  timeout, so the walk keeps time to connect. A lookup that fails or times
  out falls back to the name as a host, as "no record" does: the user named
  a host, so trying it is the best guess, and a missing DNS server must not
  stop a connection that would work without SRV.
- The lookup uses ``dnspython`` (the ``dns`` extra). Without it the client
  logs one warning and uses the name as a host: the standard library has no
  SRV query, and hand-writing a DNS client (message codec, TCP retry on
  truncation, resolv.conf parsing) is a second DNS library to keep.

Connection-string options (the names the SDKs document): ``dnssrv`` (libcouchbase)
or ``enable_dns_srv`` (SDK 4.x) ``=off`` disables the lookup; ``dns_nameserver``
and ``dns_port`` ask one server instead of the system's (SDK 4.x's names);
``dns_srv_timeout`` (a number of seconds or a Go duration) bounds it.

The decision (:func:`srv_query_name`), the order (:func:`order_records`) and
the rewrite (:func:`with_records`) are pure; :func:`lookup_srv` is the one
function here that does I/O, and the cluster takes it as a replaceable
attribute. The lookup blocks: the sync client makes it in the caller's thread,
the event-loop front ends (asyncio, Twisted, gevent) in a worker thread
(``MuxCluster.connect`` asks its backend's ``run_blocking`` when
:func:`asks_dns` says a lookup is due), so the loop keeps running meanwhile.
"""

from __future__ import annotations

import ipaddress
import random
from dataclasses import dataclass, replace
from typing import Callable, Mapping, NamedTuple, Optional, Sequence

from .bootstrap import _OFF, _ON
from .connstr import ConnectionString, parse_duration
from .logsink import DEBUG, INFO, WARNING, emit

_LOG = "couchbase.bootstrap"
DEFAULT_DNS_SRV_TIMEOUT = 0.5
DEFAULT_DNS_PORT = 53
PREFIXES = {"couchbase": "_couchbase._tcp.", "couchbases": "_couchbases._tcp."}


class SrvRecord(NamedTuple):
    priority: int
    weight: int
    port: int
    target: str  # without the final dot


@dataclass(frozen=True)
class DnsSrvOptions:
    enabled: bool = True
    timeout: float = DEFAULT_DNS_SRV_TIMEOUT
    nameserver: Optional[str] = None  # None: the system's resolver configuration
    port: int = DEFAULT_DNS_PORT

    @classmethod
    def from_options(cls, options: Mapping[str, str]) -> DnsSrvOptions:
        """Read the connection-string options; ``ValueError`` names a bad one."""
        enabled = True
        for name in ("dnssrv", "enable_dns_srv"):
            raw = options.get(name)
            if raw is None:
                continue
            if raw.lower() in _OFF:
                enabled = False
            elif raw.lower() not in _ON:
                raise ValueError(f"{name} must be on or off (true/false), not {raw!r}")
        timeout = DEFAULT_DNS_SRV_TIMEOUT
        raw = options.get("dns_srv_timeout")
        if raw is not None:
            try:
                timeout = parse_duration(raw)
            except ValueError:
                raise ValueError(f"bad value for dns_srv_timeout: {raw!r}") from None
            if timeout <= 0:
                raise ValueError(f"dns_srv_timeout must be positive, not {raw!r}")
        port = DEFAULT_DNS_PORT
        raw = options.get("dns_port")
        if raw is not None:
            if not raw.isdigit() or not 0 < int(raw) < 65536:
                raise ValueError(f"dns_port must be a port number, not {raw!r}")
            port = int(raw)
        return cls(enabled, timeout, options.get("dns_nameserver") or None, port)


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def srv_query_name(cs: ConnectionString) -> Optional[str]:
    """The SRV name to look up for ``cs``, or None when SRV does not apply."""
    prefix = PREFIXES.get(cs.scheme)
    if prefix is None or len(cs.hosts) != 1:
        return None
    host, port, port_type = cs.hosts[0]
    if port is not None or port_type is not None or _is_address(host):
        return None
    name = host.rstrip(".").lower()
    if name.rpartition(".")[2] in ("localhost", "invalid"):
        return None
    return prefix + host.rstrip(".")


def order_records(records: Sequence[SrvRecord],
                  rng: Optional[random.Random] = None) -> list[SrvRecord]:
    """Lowest priority first; within a priority, RFC 2782's weighted random order
    (a record's chance to come next is its weight over the remaining weights;
    weight-0 records stand first in the draw, so they come last unless all are 0)."""
    draw = rng.random if rng is not None else random.random
    out: list[SrvRecord] = []
    for priority in sorted({r.priority for r in records}):
        group = sorted((r for r in records if r.priority == priority), key=lambda r: r.weight)
        while group:
            total = sum(r.weight for r in group)
            if total == 0:
                pick = int(draw() * len(group))
            else:
                point, pick, running = draw() * total, 0, group[0].weight
                while running <= point and pick < len(group) - 1:
                    pick += 1
                    running += group[pick].weight
            out.append(group.pop(min(pick, len(group) - 1)))
    return out


def with_records(cs: ConnectionString, records: Sequence[SrvRecord]) -> ConnectionString:
    """``cs`` with its hosts replaced by the records' targets and ports (in order)."""
    hosts = tuple((r.target, r.port, None) for r in records)
    return replace(cs, hosts=hosts)


Lookup = Callable[[str, DnsSrvOptions, float], Optional[list[SrvRecord]]]
"""``lookup(name, options, timeout)``: the records (``[]``: none exist), or None when
the lookup could not be made (no DNS library, no answer in time, DNS error)."""


def lookup_srv(name: str, options: DnsSrvOptions, timeout: float) -> Optional[list[SrvRecord]]:
    """Ask DNS for ``name``'s SRV records with dnspython, within ``timeout`` seconds."""
    try:
        import dns.exception
        import dns.resolver
    except ImportError:
        emit(_LOG, WARNING, "DNS SRV: %s not looked up: dnspython is not installed "
             "(pip install 'couchbase-pure[dns]'); using the name as a host", name)
        return None
    try:
        if options.nameserver is not None:
            resolver = dns.resolver.Resolver(configure=False)
            resolver.nameservers = [options.nameserver]
            resolver.port = options.port
        else:
            resolver = dns.resolver.Resolver()
        resolver.timeout = timeout
        answer = resolver.resolve(name, "SRV", lifetime=timeout, search=False)
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        return []
    except dns.exception.Timeout:
        emit(_LOG, WARNING, "DNS SRV: no answer for %s in %.3gs", name, timeout)
        return None
    except (dns.exception.DNSException, OSError, ValueError) as exc:
        emit(_LOG, WARNING, "DNS SRV: lookup of %s failed: %s", name, exc)
        return None
    records = []
    for rdata in answer:
        target = rdata.target.to_text(omit_final_dot=True)
        if target in ("", "."):  # RFC 2782: "." means the service is not offered here
            continue
        records.append(SrvRecord(rdata.priority, rdata.weight, rdata.port, target))
    return records


def asks_dns(cs: ConnectionString) -> bool:
    """Whether :func:`resolve_seeds` would ask DNS for ``cs`` (and may take up to
    ``dns_srv_timeout``): the event-loop drivers then run it off the loop."""
    return srv_query_name(cs) is not None and DnsSrvOptions.from_options(cs.options).enabled


def resolve_seeds(cs: ConnectionString, bootstrap_timeout: float,
                  lookup: Lookup = lookup_srv) -> ConnectionString:
    """``cs`` with the hosts its SRV records name, or ``cs`` itself (SRV does not apply,
    is disabled, has no record, or the lookup failed)."""
    name = srv_query_name(cs)
    if name is None:
        return cs
    options = DnsSrvOptions.from_options(cs.options)
    if not options.enabled:
        return cs
    timeout = min(options.timeout, bootstrap_timeout / 2)
    records = lookup(name, options, timeout)
    if not records:
        if records is not None:
            emit(_LOG, DEBUG, "DNS SRV: no record for %s; using %s as a host", name,
                 cs.hosts[0][0])
        return cs
    ordered = order_records(records)
    emit(_LOG, INFO, "DNS SRV: %s -> %s", name,
         ", ".join(f"{r.target}:{r.port}" for r in ordered))
    return with_records(cs, ordered)


__all__ = ["DEFAULT_DNS_SRV_TIMEOUT", "DnsSrvOptions", "Lookup", "SrvRecord", "asks_dns",
           "lookup_srv",
           "order_records", "resolve_seeds", "srv_query_name", "with_records"]
