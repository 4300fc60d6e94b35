"""HELLO feature codes and datatype bits."""

from __future__ import annotations

import struct
from enum import IntEnum
from typing import Iterable


class Feature(IntEnum):
    DATATYPE = 0x01
    TLS = 0x02
    TCPNODELAY = 0x03
    MUTATION_SEQNO = 0x04
    TCPDELAY = 0x05
    XATTR = 0x06
    XERROR = 0x07
    SELECT_BUCKET = 0x08
    SNAPPY = 0x0A
    JSON = 0x0B
    DUPLEX = 0x0C
    CLUSTERMAP_CHANGE_NOTIFICATION = 0x0D
    UNORDERED_EXECUTION = 0x0E
    TRACING = 0x0F
    ALT_REQUEST_SUPPORT = 0x10
    SYNC_REPLICATION = 0x11
    COLLECTIONS = 0x12
    OPEN_TRACING = 0x13
    PRESERVE_TTL = 0x14
    VATTR = 0x15
    POINT_IN_TIME_RECOVERY = 0x16
    SUBDOC_CREATE_AS_DELETED = 0x17
    SUBDOC_DOCUMENT_MACRO_SUPPORT = 0x18
    SUBDOC_REPLACE_BODY_WITH_XATTR = 0x19
    REPORT_UNIT_USAGE = 0x1A
    NON_BLOCKING_THROTTLING_MODE = 0x1B
    SUBDOC_REPLICA_READ = 0x1C
    GET_CLUSTER_CONFIG_WITH_KNOWN_VERSION = 0x1D
    DEDUPE_NOT_MY_VBUCKET_CLUSTERMAP = 0x1E
    CLUSTERMAP_CHANGE_NOTIFICATION_BRIEF = 0x1F
    SUBDOC_ALLOWS_ACCESS_ON_MULTIPLE_XATTR_KEYS = 0x20
    SUBDOC_BINARY_XATTR = 0x21  # the BINARY_VALUE path flag (Server 7.6.2+)


def encode_features(features: Iterable[int]) -> bytes:
    """The value of a HELLO request or response: one big-endian u16 per feature."""
    codes = list(features)
    return struct.pack(f">{len(codes)}H", *codes)


def decode_features(value: bytes) -> list[int]:
    """Feature codes in a HELLO value; a trailing odd byte is ignored."""
    count = len(value) // 2
    return list(struct.unpack(f">{count}H", value[: count * 2]))


class Datatype:
    """Bits of the datatype header byte."""

    RAW = 0x00
    JSON = 0x01
    SNAPPY = 0x02
    XATTR = 0x04
