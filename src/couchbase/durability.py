"""Durability (4.x): how sure a mutation must be before it returns.

- :class:`ServerDurability` ``(DurabilityLevel.MAJORITY)``: the server holds the
  answer until the write is on a majority of the nodes (synchronous durability,
  sent in the request's durability frame).
- :class:`ClientDurability` ``(persist_to=PersistTo.ONE, replicate_to=ReplicateTo.ONE)``:
  the client polls with OBSERVE after the write (the 2.x ``persist_to`` /
  ``replicate_to``, the same code path).

Pass either as ``durability=`` to a mutation or its options object.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any, Union

from ._core.frameinfo import DurabilityLevel as _WireLevel


class DurabilityLevel(IntEnum):
    """Server (synchronous) durability levels, with the values the wire uses."""

    NONE = _WireLevel.NONE
    MAJORITY = _WireLevel.MAJORITY
    MAJORITY_AND_PERSIST_TO_ACTIVE = _WireLevel.MAJORITY_AND_PERSIST_TO_ACTIVE
    PERSIST_TO_MAJORITY = _WireLevel.PERSIST_TO_MAJORITY

    @classmethod
    def to_server_str(cls, value: DurabilityLevel) -> str:
        """The name the management REST API uses (``majority`` ... ``none``)."""
        return {0: "none", 1: "majority", 2: "majorityAndPersistActive",
                3: "persistToMajority"}[int(value)]

    @classmethod
    def from_server_str(cls, value: str) -> DurabilityLevel:
        names = {"none": 0, "majority": 1, "majorityAndPersistActive": 2,
                 "persistToMajority": 3}
        return cls(names[value])


class ReplicateTo(IntEnum):
    """How many replicas a :class:`ClientDurability` mutation waits for."""

    NONE = 0
    ONE = 1
    TWO = 2
    THREE = 3


class PersistTo(IntEnum):
    """How many nodes' disks a :class:`ClientDurability` mutation waits for: ``ONE`` is
    the active only (value 2 counts "active plus" as the official SDK does:
    ``ONE`` = the active, ``TWO`` = the active and a replica ...)."""

    NONE = 0
    ONE = 2
    TWO = 3
    THREE = 4


class PersistToExtended(IntEnum):
    NONE = 0
    ACTIVE = 1
    ONE = 2
    TWO = 3
    THREE = 4
    FOUR = 5


class ServerDurability:
    """Synchronous durability at ``level`` (a :class:`DurabilityLevel`)."""

    def __init__(self, level: DurabilityLevel) -> None:
        from ._errors4x import InvalidArgumentException

        if isinstance(level, bool) or not isinstance(level, int) or \
                level not in DurabilityLevel._value2member_map_:
            raise InvalidArgumentException(message=f"unknown durability level {level!r}")
        self._level = DurabilityLevel(level)

    @property
    def level(self) -> DurabilityLevel:
        return self._level

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ServerDurability) and other.level == self.level

    def __hash__(self) -> int:
        return hash(self._level)

    def __repr__(self) -> str:
        return f"ServerDurability({self._level.name})"


class ClientDurability:
    """Observe-based durability: wait until ``replicate_to`` replicas have the write
    and ``persist_to`` nodes have it on disk (see :class:`PersistTo`)."""

    def __init__(self, replicate_to: Any = ReplicateTo.NONE,
                 persist_to: Any = PersistTo.NONE) -> None:
        from ._errors4x import InvalidArgumentException

        for name, value in (("replicate_to", replicate_to), ("persist_to", persist_to)):
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 5:
                raise InvalidArgumentException(message=f"{name} must be a {name.title()} "
                                               f"value, not {value!r}")
        self._replicate_to = int(replicate_to)
        self._persist_to = int(persist_to)

    @property
    def replicate_to(self) -> int:
        return self._replicate_to

    @property
    def persist_to(self) -> int:
        return self._persist_to

    def observe_counts(self) -> tuple[int, int]:
        """``(persist_to, replicate_to)`` as the 2.x engine counts them (persist_to:
        nodes including the active)."""
        persist = self._persist_to - 1 if self._persist_to >= 2 else self._persist_to
        return persist, self._replicate_to

    def __repr__(self) -> str:
        return (f"ClientDurability(replicate_to={self._replicate_to}, "
                f"persist_to={self._persist_to})")


Durability = Union[ServerDurability, ClientDurability]
DurabilityType = Durability

__all__ = ["ClientDurability", "Durability", "DurabilityLevel", "DurabilityType", "PersistTo",
           "PersistToExtended", "ReplicateTo", "ServerDurability"]
