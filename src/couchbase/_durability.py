"""persist_to / replicate_to: what OBSERVE answers mean for a mutation.

Sans-IO: the driver sends :func:`observe_request` to the active node and each
replica, feeds the answers to :class:`DurabilityCheck`, and polls until
``satisfied`` or its deadline.
"""

from __future__ import annotations

import struct
from typing import Any, Optional

from ._core.observe import FOUND_NOT_PERSISTED, FOUND_PERSISTED, LOGICALLY_DELETED, NOT_FOUND
from ._core.opcode import Opcode
from ._core.packet import Packet
from ._core.request import Request
from ._kv import encode_key
from .exceptions import ArgumentError
from .result import ObserveInfo

_HEAD = struct.Struct(">HH")
_CAS = struct.Struct(">Q")


def observe_request(key: Any, replica: int) -> Request:
    """OBSERVE for one key on the active node (replica 0) or replica ``replica``."""
    return Request(Opcode.OBSERVE, encode_key(key), replica=replica)


def parse_observe(key: Any, pkt: Packet, from_master: bool) -> Optional[ObserveInfo]:
    """The state in an OBSERVE response, or None when the node could not answer."""
    if pkt.status:
        return None
    value = pkt.value
    if len(value) < 4:
        return None
    _, keylen = _HEAD.unpack_from(value)
    pos = 4 + keylen
    if len(value) < pos + 9:
        return None
    state = value[pos]
    (cas,) = _CAS.unpack_from(value, pos + 1)
    return ObserveInfo(key, state, cas, from_master)


def check_requirements(persist_to: int, replicate_to: int, replicas: int) -> tuple[int, int]:
    """Resolve -1 ("all") and refuse what the cluster cannot satisfy."""
    if persist_to < 0:
        persist_to = replicas + 1
    if replicate_to < 0:
        replicate_to = replicas
    if persist_to > replicas + 1 or replicate_to > replicas:
        raise ArgumentError(
            f"durability asks for persist_to={persist_to}, replicate_to={replicate_to} but the "
            f"bucket has {replicas} replica(s)", rc=0x21)
    return persist_to, replicate_to


class DurabilityCheck:
    """Counts the nodes whose OBSERVE answer meets the requirement."""

    def __init__(self, cas: int, persist_to: int, replicate_to: int,
                 check_removed: bool = False) -> None:
        self.cas = cas
        self.persist_to = persist_to
        self.replicate_to = replicate_to
        self.check_removed = check_removed
        self.persisted = 0
        self.replicated = 0

    def reset(self) -> None:
        self.persisted = self.replicated = 0

    def add(self, info: Optional[ObserveInfo]) -> None:
        if info is None:
            return
        state = info.flags
        if self.check_removed:
            durable = state in (NOT_FOUND, LOGICALLY_DELETED)
            persisted = state == NOT_FOUND  # LOGICALLY_DELETED: not on disk yet
        else:
            durable = state in (FOUND_NOT_PERSISTED, FOUND_PERSISTED) and \
                (not self.cas or info.cas == self.cas)
            persisted = durable and state == FOUND_PERSISTED
        if persisted:
            self.persisted += 1
        if durable and not info.from_master:
            self.replicated += 1

    @property
    def satisfied(self) -> bool:
        return self.persisted >= self.persist_to and self.replicated >= self.replicate_to


DEFAULT_TIMEOUT = 5.0  # seconds a mutation waits for its persist_to / replicate_to


class Durability:
    """What ``with cb.durability(persist_to, replicate_to, timeout):`` applies to
    every mutation in the block that does not ask for durability itself."""

    __slots__ = ("persist_to", "replicate_to", "timeout")

    def __init__(self, persist_to: Any, replicate_to: Any, timeout: Any) -> None:
        for name, value in (("persist_to", persist_to), ("replicate_to", replicate_to)):
            if isinstance(value, bool) or not isinstance(value, int) or value < -1:
                raise ArgumentError(f"{name} must be an integer of -1 or more, not {value!r}",
                                    objextra=value)
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout < 0:
            raise ArgumentError(f"timeout must be a number of seconds, not {timeout!r}",
                                objextra=timeout)
        self.persist_to = persist_to
        self.replicate_to = replicate_to
        self.timeout = float(timeout) or DEFAULT_TIMEOUT


class DurabilityContext:
    """The context manager ``Bucket.durability()`` returns; blocks may nest."""

    def __init__(self, opts: Any, durability: Durability) -> None:
        self._opts = opts
        self._durability = durability
        self._saved: list[Optional[Durability]] = []

    def __enter__(self) -> DurabilityContext:
        self._saved.append(self._opts.durability)
        self._opts.durability = self._durability
        return self

    def __exit__(self, *exc: Any) -> None:
        self._opts.durability = self._saved.pop()
