"""STAT on one node: one request, then one response per statistic until an empty key.

Sans-IO: a driver writes :meth:`StatsCollector.request`, feeds every response
carrying its opaque to :meth:`StatsCollector.feed` until it returns True, and
reads :attr:`StatsCollector.pairs`. A cluster-wide ``stats()`` runs one
collector per KV node.
"""

from __future__ import annotations

from typing import Optional

from .errors import ServerError
from .opcode import Magic, Opcode
from .packet import Packet, encode_packet


class StatsCollector:
    """The statistics of group ``group`` (``b""``: the default group) from one node."""

    __slots__ = ("group", "where", "pairs", "done", "error")

    def __init__(self, group: bytes, where: str = "") -> None:
        self.group = group
        self.where = where  # "host:port", for error messages
        self.pairs: list[tuple[str, str]] = []
        self.done = False
        self.error: Optional[BaseException] = None

    def request(self, opaque: int) -> bytes:
        return encode_packet(Magic.REQUEST, Opcode.STAT, self.group, opaque=opaque)

    def feed(self, pkt: Packet) -> bool:
        """Take one response; True once the last one (the empty key) arrived.

        Raises :class:`~couchbase._core.errors.ServerError` for an error status.
        """
        if pkt.status:
            group = self.group.decode("utf-8", "replace")
            raise ServerError(f"STAT {group!r} failed on {self.where or 'a node'} "
                              f"(status 0x{pkt.status:02x})", pkt.status)
        if not pkt.key:
            self.done = True
            return True
        self.pairs.append((pkt.key.decode("utf-8", "replace"),
                           pkt.value.decode("utf-8", "replace")))
        return False
