"""Serializers (4.x): how the JSON transcoder turns values into JSON bytes and back.

Subclass :class:`Serializer` to use another JSON library and pass it as
``JSONTranscoder(serializer=...)`` (or ``ClusterOptions(serializer=...)``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from . import formats


class Serializer(ABC):
    """``serialize(value) -> bytes`` and ``deserialize(bytes) -> value``."""

    @abstractmethod
    def serialize(self, value: Any) -> bytes:
        """The JSON bytes of ``value``."""

    @abstractmethod
    def deserialize(self, value: bytes) -> Any:
        """The value of JSON bytes."""


class DefaultJsonSerializer(Serializer):
    """The standard library's JSON (with this SDK's fast paths, see
    :func:`couchbase.formats.json_dumps`); honours ``couchbase.formats.set_json_converters``."""

    def serialize(self, value: Any) -> bytes:
        encoded = formats._json_encode(value)
        return encoded.encode("utf-8") if isinstance(encoded, str) else bytes(encoded)

    def deserialize(self, value: bytes) -> Any:
        return formats._json_decode(value.decode("utf-8") if isinstance(
            value, (bytes, bytearray, memoryview)) else value)


__all__ = ["DefaultJsonSerializer", "Serializer"]
