"""A 4.x MutationResult makes its MutationToken from the response when
``mutation_token()`` is first called: the same token as made at once, named for
the collection's bucket; None when the server sent no MUTATION_SEQNO extras."""

from __future__ import annotations

import struct

import pytest

from couchbase import _kv4x
from couchbase._core.opcode import Magic, Opcode
from couchbase._core.packet import Packet
from couchbase.exceptions import DocumentNotFoundException
from couchbase.mutation_state import MutationState, MutationToken


class _Where:
    bucket_name = "travel"
    scope_name = "_default"
    name = "_default"


def _answer(extras: bytes, status: int = 0) -> Packet:
    pkt = Packet(Magic.RESPONSE, Opcode.SET, extras=extras, status=status, cas=42, opaque=1)
    pkt.vbucket = 17  # (the request's, as the drivers set it)
    return pkt


def test_token_made_on_first_use_and_kept() -> None:
    result = _kv4x.mutation_finish("k", _answer(struct.pack(">QQ", 0xABCDEF, 99)), _Where())
    assert result.cas == 42
    token = result.mutation_token()
    assert token == MutationToken(17, 0xABCDEF, 99, "travel")
    assert result.mutation_token() is token
    assert MutationState(result).scan_vectors() == {"travel": {"17": [99, str(0xABCDEF)]}}


def test_no_seqno_extras_no_token() -> None:
    assert _kv4x.mutation_finish("k", _answer(b""), _Where()).mutation_token() is None


def test_failure_still_raises() -> None:
    with pytest.raises(DocumentNotFoundException):
        _kv4x.mutation_finish("k", _answer(b"", status=0x01), _Where())
