"""How much one client can make the local cluster hold, and what happens past it.

A real node protects itself with a connection cap, a packet size limit and
flow control; the mock does the same at its network edge so that no client,
authenticated or not, can grow it without bound:

- **Connections.** Each listening port (one node's KV, management, views or
  query service) accepts at most ``max_connections`` at a time; the next one is
  accepted and closed at once, as memcached does at its ``max_connections``.
  Memcached's default is large (65,000) because a real node has the memory for
  it; the mock's 1,000 bounds what unauthenticated connections can hold on a
  KV port to about 1,000 x (``kv_unauthenticated_packet`` + a read of 256 KiB)
  in the worst case, a few MB in practice.
- **KV packets.** Before SASL completes, a packet (or the part of one received
  so far) may be at most ``kv_unauthenticated_packet`` bytes: HELLO, SASL and
  GET_ERROR_MAP fit in a few hundred. Past it the connection is closed, as the
  server closes one that sends an oversized packet. After authentication the
  packet codec's limit applies and values over 20 MiB get ``E2BIG`` (see
  :mod:`couchbase_mock.engine`).
- **KV write backpressure.** When a connection's unsent output passes
  ``kv_unsent_high`` bytes the server stops reading from it (and stops
  answering requests it has already read) until the output drains below
  ``kv_unsent_low``. A client that pipelines requests without reading answers
  costs the server at most about ``kv_unsent_high`` + 256 KiB of output + the
  requests of one 256 KiB read, plus one response when a single document is
  larger than that.
- **HTTP.** Credentials and ``Content-Length`` are checked when the request
  head arrives, before any of the body is read: a request without valid
  credentials gets 401 and one over ``http_body`` bytes gets 413, and if it
  announced a body the connection is closed after the answer. Request heads
  are limited to ``http_head`` bytes (431).
- **Search indexes.** An index stops growing at ``search_index_bytes``
  (estimated; by default 512 MiB, the server's default search memory
  quota): queries on it get 429 ``query request rejected`` until it has
  room again (see :mod:`couchbase_mock.search.service`). ``None``: no limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

KiB = 1024
MiB = 1024 * KiB


@dataclass(frozen=True)
class Limits:
    """The limits of one mock cluster's servers (see the module docstring).

    >>> Limits(max_connections=50).kv_unsent_high == 4 * MiB
    True
    """

    max_connections: int = 1000
    kv_unauthenticated_packet: int = 16 * KiB
    kv_unsent_high: int = 4 * MiB
    kv_unsent_low: int = 1 * MiB
    # The query service's default request-size-cap: the largest of the mock's services.
    http_body: int = 64 * MiB
    http_head: int = 16 * KiB
    search_index_bytes: Optional[int] = 512 * MiB

    def __post_init__(self) -> None:
        if self.max_connections < 1:
            raise ValueError("max_connections must be at least 1")
        if not 0 <= self.kv_unsent_low <= self.kv_unsent_high:
            raise ValueError("need 0 <= kv_unsent_low <= kv_unsent_high")


DEFAULT_LIMITS = Limits()
