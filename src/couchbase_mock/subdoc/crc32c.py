"""CRC-32C (Castagnoli), table driven, for ``$document.value_crc32c`` and the
``${Mutation.value_crc32c}`` macro.

Pure Python runs at about 6 MB/s on CPython (slicing-by-8 measured no faster),
so callers compute it only when asked for, and :func:`value_crc32c` remembers
the last value's.

>>> hex(crc32c(b"123456789"))
'0xe3069283'
"""

from __future__ import annotations

_POLY = 0x82F63B78  # the Castagnoli polynomial, bit-reversed


def _table() -> list[int]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ _POLY if crc & 1 else crc >> 1
        table.append(crc)
    return table


_TABLE = _table()


def crc32c(data: bytes, crc: int = 0) -> int:
    """The CRC-32C of ``data`` (continuing from ``crc``)."""
    crc ^= 0xFFFFFFFF
    table = _TABLE
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


_last: tuple[bytes, int] = (b"", 0)


def value_crc32c(value: bytes) -> int:
    """:func:`crc32c` of a document value, remembered for the last value seen
    (a body that XATTR-only mutations leave alone is the same object)."""
    global _last
    last = _last
    if last[0] is value:
        return last[1]
    crc = crc32c(value)
    _last = (value, crc)
    return crc
