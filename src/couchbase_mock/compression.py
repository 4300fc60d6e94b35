"""Snappy on the local cluster's KV connections, as the data service does it.

- HELLO SNAPPY (0x0A) is acknowledged whatever the bucket's mode (the mode
  is a bucket setting; HELLO comes before SELECT_BUCKET).
- A request whose datatype has the SNAPPY bit (0x02) from a connection that
  did not negotiate it is refused with EINVAL; from one that did, its value is
  inflated before any handler sees it (so JSON detection looks at the real
  value). Malformed Snappy is EINVAL, an inflated value over the size limit
  E2BIG: the connection and the cluster go on.
- Values are stored inflated. A bucket's ``compression_mode`` is ``off``,
  ``passive`` (the default) or ``active``. Passive would answer compressed
  what was sent compressed; remembering that is not worth it here, so reads
  get plain values (the server's "may" compress, never "must"). Active
  answers compressed to a connection that negotiated SNAPPY whenever the value
  compresses to at most 0.83 of its size. A connection that did not
  negotiate never sees the bit.

:func:`counters` tells tests what arrived and left compressed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional
from weakref import WeakKeyDictionary

from couchbase._core import snappy
from couchbase._core.document import MAX_VALUE_SIZE
from couchbase._core.feature import Datatype
from couchbase._core.packet import Packet
from couchbase._core.status import Status

if TYPE_CHECKING:
    from .kv import KVSession

MODES = ("off", "passive", "active")
DEFAULT_MODE = "passive"
MIN_RATIO = 0.83  # the server's default compression_min_ratio
MIN_SIZE = 32
SNAPPY = Datatype.SNAPPY
_NOT_SNAPPY = ~Datatype.SNAPPY


class Counters:
    """What one bucket received and sent compressed (for tests and STAT-like looks)."""

    __slots__ = ("received", "received_bytes", "inflated_bytes", "refused", "sent")

    def __init__(self) -> None:
        self.received = 0  # requests that carried compressed values
        self.received_bytes = 0  # their compressed sizes
        self.inflated_bytes = 0  # ... and their sizes once inflated
        self.refused = 0  # compressed requests refused (not negotiated, malformed, too big)
        self.sent = 0  # responses sent compressed

    def __repr__(self) -> str:
        return (f"Counters(received={self.received}, received_bytes={self.received_bytes}, "
                f"inflated_bytes={self.inflated_bytes}, refused={self.refused}, "
                f"sent={self.sent})")


_COUNTERS: WeakKeyDictionary[Any, Counters] = WeakKeyDictionary()


def counters(bucket: Any) -> Counters:
    """The :class:`Counters` of a :class:`~couchbase_mock.bucket.Bucket`."""
    found = _COUNTERS.get(bucket)
    if found is None:
        found = _COUNTERS[bucket] = Counters()
    return found


def mode_of(bucket: Any) -> str:
    """A bucket's compression mode (``compression_mode``, default passive)."""
    return getattr(bucket, "compression_mode", DEFAULT_MODE)


def inflate_request(s: KVSession, req: Packet) -> Optional[bytes]:
    """Replace a compressed request's value by the inflated one and clear the bit;
    the error reply instead if it may not or cannot be inflated."""
    stats = counters(s.bucket)
    if not s.snappy:
        stats.refused += 1
        return s.reply(req, Status.EINVAL)
    try:
        length, _ = snappy.uncompressed_length(req.value)
        if length > MAX_VALUE_SIZE:
            stats.refused += 1
            return s.reply(req, Status.E2BIG)
        value = snappy.decompress(req.value, MAX_VALUE_SIZE)
    except snappy.SnappyError:
        stats.refused += 1
        return s.reply(req, Status.EINVAL)
    stats.received += 1
    stats.received_bytes += len(req.value)
    stats.inflated_bytes += len(value)
    req.value = value
    req.datatype &= _NOT_SNAPPY
    return None


def deflate_reply(s: KVSession, value: bytes, datatype: int) -> tuple[bytes, int]:
    """The value and datatype a read answers with on a connection that negotiated
    SNAPPY: compressed in an active bucket when it is worth it."""
    if len(value) < MIN_SIZE or mode_of(s.bucket) != "active":
        return value, datatype
    packed = snappy.compress(value)
    if len(packed) > len(value) * MIN_RATIO:
        return value, datatype
    counters(s.bucket).sent += 1
    return packed, datatype | SNAPPY


__all__ = ["Counters", "DEFAULT_MODE", "MODES", "counters", "deflate_reply", "inflate_request",
           "mode_of"]
