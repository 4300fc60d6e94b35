"""Faults a test can inject into a node's key-value service.

Each node has one :class:`NodeFaults`; the KV connection checks ``active``
once per packet, so a cluster without faults pays one attribute read.

- hiccup: every response is cut after ``hiccup_offset`` bytes and the rest
  sent ``hiccup_ms`` milliseconds later (a node that stalls mid-packet);
- truncate: only the first ``truncate`` bytes of each write are sent (a node
  sending garbage; use with failover to simulate a half-dead node);
- opfail: the next ``opfail_left`` document commands (negative: all of them)
  fail with status ``opfail_code``;
- cccp off: GET_CLUSTER_CONFIG answers NOT_SUPPORTED (clients fall back to
  HTTP configs);
- sync write delay: the replicas of this node's active vbuckets acknowledge a
  synchronous (durable) write ``sync_write_ms`` milliseconds late (negative:
  never). Until then the write is pending: another durable write to the key gets
  SYNC_WRITE_IN_PROGRESS; past the write's durability timeout it is aborted and
  answered SYNC_WRITE_AMBIGUOUS (see :mod:`couchbase_mock.kv_mutation`).

These are the faults of Couchbase's Java mock (CouchbaseMock) control API,
which :mod:`couchbase_mock.control` speaks.
"""

from __future__ import annotations

from typing import Optional


class NodeFaults:
    __slots__ = ("hiccup_ms", "hiccup_offset", "truncate", "opfail_code", "opfail_left",
                 "cccp_off", "active", "sync_write_ms", "sync_pending")

    def __init__(self) -> None:
        self.hiccup_ms = 0
        self.hiccup_offset = 0
        self.truncate = 0
        self.opfail_code = 0
        self.opfail_left = 0
        self.cccp_off: set[Optional[str]] = set()
        """Buckets (``None``: all) whose CCCP is off on this node."""
        self.active = False
        self.sync_write_ms = 0
        self.sync_pending: set[tuple[str, int, bytes]] = set()
        """Durable writes held by the sync write delay: (bucket, vbucket, key)."""

    def refresh(self) -> None:
        """Recompute ``active`` after a change."""
        self.active = bool(self.hiccup_ms or self.truncate or self.opfail_left or self.cccp_off)

    def take_opfail(self) -> int:
        """The status the next document command must fail with (0: none)."""
        left = self.opfail_left
        if not left:
            return 0
        if left > 0:
            self.opfail_left = left - 1
            if left == 1:
                self.refresh()
        return self.opfail_code

    def cccp_enabled(self, bucket: Optional[str]) -> bool:
        return None not in self.cccp_off and bucket not in self.cccp_off

    def shape(self, data: bytes) -> tuple[bytes, bytes]:
        """``(send now, send after the hiccup)`` for one write."""
        if self.truncate:
            data = data[: self.truncate]
        if self.hiccup_ms:
            return data[: self.hiccup_offset], data[self.hiccup_offset:]
        return data, b""
