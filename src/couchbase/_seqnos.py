"""Every vbucket's latest mutation, asked of the servers: ``MutationState.add_all(bucket)``.

The 2.x ``add_all(bucket)`` adds "every mutation made through a bucket". Keeping
a record of each mutation's token in the bucket would cost every mutation a
little; instead the servers are asked, when the application asks, for each
active vbucket's current sequence number and vbucket uuid (OBSERVE_SEQNO, one
write per node). The tokens that come back cover every mutation made through
the bucket before the call (and those of other clients too: a query consistent
with them may wait a little longer, never see less).
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING, Any, Optional

from ._core.commands import EachNode
from ._core.opcode import Magic, Opcode
from ._core.packet import Packet, encode_packet
from .mutation_state import MissingTokenError, MutationToken

if TYPE_CHECKING:
    from ._bucketbase import Flow
    from .mutation_state import MutationState

_ANY_UUID = bytes(8)
_REPLY = struct.Struct(">BHQQQ")


class HighSeqnos:
    """A node probe: OBSERVE_SEQNO of each vbucket the node is active for, written
    at once with one opaque; the answers come in order."""

    __slots__ = ("vbuckets", "found", "answered", "error")

    def __init__(self, vbuckets: list[int]) -> None:
        self.vbuckets = vbuckets
        self.found: list[tuple[int, int, int]] = []  # (vbucket, uuid, seqno)
        self.answered = 0
        self.error: Optional[BaseException] = None

    def request(self, opaque: int) -> bytes:
        return b"".join(encode_packet(Magic.REQUEST, Opcode.OBSERVE_SEQNO, value=_ANY_UUID,
                                      vbucket_or_status=vb, opaque=opaque)
                        for vb in self.vbuckets)

    def feed(self, pkt: Packet) -> bool:
        self.answered += 1
        if not pkt.status and len(pkt.value) >= _REPLY.size:
            _fmt, vb, uuid, _persisted, seqno = _REPLY.unpack_from(pkt.value)
            if seqno:
                self.found.append((vb, uuid, seqno))
        return self.answered == len(self.vbuckets)


def tokens_flow(bucket: Any) -> Flow:
    """Tokens at the current sequence number of every vbucket with mutations."""
    router = bucket._live().router
    config = router.config
    vbmap = config.vbucket_map if config is not None else None
    if not vbmap:
        return []
    by_node: dict[str, list[int]] = {}
    for vb, row in enumerate(vbmap):
        if row and row[0] >= 0:
            host, port = router.address(row[0])
            by_node.setdefault(f"{host}:{port}", []).append(vb)
    probes = {address: HighSeqnos(vbs) for address, vbs in by_node.items()}
    yield EachNode(probes.get)
    name = getattr(bucket, "bucket", "") or ""
    return [MutationToken(vb, uuid, seqno, name)
            for probe in probes.values() for vb, uuid, seqno in probe.found]


def add_all_flow(state: MutationState, bucket: Any, quiet: bool) -> Flow:
    tokens = yield from tokens_flow(bucket)
    if not tokens:
        if quiet:
            return False
        raise MissingTokenError("the bucket has no mutations to add")
    for token in tokens:
        state.add_mutation_token(token)
    return True


__all__ = ["HighSeqnos", "add_all_flow", "tokens_flow"]
