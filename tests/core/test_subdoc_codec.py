"""The sub-document codec with bytes alone: requests as kv_engine's SubDocument.md lays
them out, responses built by hand (its examples among them), malformed bodies refused."""

from __future__ import annotations

import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from couchbase._core.errors import RemoteProtocolError
from couchbase._core.opcode import Magic, Opcode
from couchbase._core.packet import Packet, decode_packet
from couchbase._core.status import Status
from couchbase._core.subdoc import (
    MAX_PATH_LENGTH,
    MAX_SPECS,
    DocFlag,
    Field,
    PathFlag,
    PathSpec,
    SubdocCommand,
    spec_problem,
)

GET, EXISTS, COUNT = Opcode.SUBDOC_GET, Opcode.SUBDOC_EXISTS, Opcode.SUBDOC_GET_COUNT
UPSERT, COUNTER, REMOVE = Opcode.SUBDOC_DICT_UPSERT, Opcode.SUBDOC_COUNTER, Opcode.SUBDOC_DELETE
OK, ENOENT, MISMATCH = Status.SUCCESS, Status.SUBDOC_PATH_ENOENT, Status.SUBDOC_PATH_MISMATCH
MULTI_FAILURE = Status.SUBDOC_MULTI_PATH_FAILURE


def lookup(*paths: bytes, opcode: int = GET) -> SubdocCommand:
    return SubdocCommand([PathSpec(opcode, p) for p in paths], lookup=True)


def response(opcode: int, status: int = OK, value: bytes = b"", cas: int = 7) -> Packet:
    return Packet(Magic.RESPONSE, opcode, status=status, value=value, cas=cas)


def lookup_fields(*fields: tuple[int, bytes]) -> bytes:
    return b"".join(struct.pack(">HI", s, len(v)) + v for s, v in fields)


def mutation_fields(*fields: tuple[int, int, bytes]) -> bytes:
    out = b""
    for index, status, value in fields:
        out += struct.pack(">BH", index, status)
        if status == OK:
            out += struct.pack(">I", len(value)) + value
    return out


# -- requests --------------------------------------------------------------------
def test_a_single_path_mutation_is_its_own_opcode_with_3_bytes_of_extras():
    spec = PathSpec(UPSERT, b"games.revolution.rank", PathFlag.MKDIR_P, b'"Comandante"')
    req = SubdocCommand([spec], lookup=False).request(b"user:hugo_chavez", cas=0xDEADBEEF)
    wire = decode_packet(req.encode(668, 0xFEE5, False))
    assert wire.opcode == UPSERT and wire.vbucket == 668 and wire.cas == 0xDEADBEEF
    assert wire.extras == struct.pack(">HB", 21, PathFlag.MKDIR_P)
    assert wire.key == b"user:hugo_chavez"
    assert wire.value == b'games.revolution.rank"Comandante"'


@pytest.mark.parametrize("expiry, doc_flags, extras", [
    (0, 0, struct.pack(">HB", 1, 0)),
    (60, 0, struct.pack(">HBI", 1, 0, 60)),
    (0, DocFlag.MKDOC, struct.pack(">HBB", 1, 0, DocFlag.MKDOC)),
    (60, DocFlag.ADD, struct.pack(">HBIB", 1, 0, 60, DocFlag.ADD)),
])
def test_single_path_extras_carry_expiry_and_doc_flags_only_when_set(expiry, doc_flags, extras):
    req = SubdocCommand([PathSpec(UPSERT, b"a", 0, b"1")], lookup=False).request(
        b"k", expiry=expiry, doc_flags=doc_flags)
    assert req.extras == extras


def test_multi_lookup_request_matches_the_spec_example():
    specs = [PathSpec(GET, b"from"), PathSpec(GET, b"to"), PathSpec(EXISTS, b"bcc"),
             PathSpec(GET, b"subject"), PathSpec(EXISTS, b"body")]
    req = SubdocCommand(specs, lookup=True).request(b"u:1234", doc_flags=DocFlag.ACCESS_DELETED)
    assert req.opcode == Opcode.SUBDOC_MULTI_LOOKUP
    assert req.extras == bytes((DocFlag.ACCESS_DELETED,))
    assert req.value == (b"\xc5\x00\x00\x04from" b"\xc5\x00\x00\x02to" b"\xc6\x00\x00\x03bcc"
                         b"\xc5\x00\x00\x07subject" b"\xc6\x00\x00\x04body")
    assert len(req.encode(0, 1, False)) - 24 == 47  # the example's body length


def test_multi_mutation_request_lays_out_each_spec_and_the_extras():
    specs = [PathSpec(Opcode.SUBDOC_ARRAY_ADD_UNIQUE, b"login_locations", PathFlag.MKDIR_P,
                      b'"192.168.3.4"'),
             PathSpec(COUNTER, b"login_count", PathFlag.MKDIR_P, b"1"),
             PathSpec(REMOVE, b"queue")]
    req = SubdocCommand(specs, lookup=False).request(b"u:1234", cas=5, expiry=10,
                                                     doc_flags=DocFlag.MKDOC)
    assert req.opcode == Opcode.SUBDOC_MULTI_MUTATION and req.cas == 5
    assert req.extras == struct.pack(">IB", 10, DocFlag.MKDOC)
    assert req.value == (struct.pack(">BBHI", 0xCE, 1, 15, 13) + b'login_locations"192.168.3.4"'
                         + struct.pack(">BBHI", 0xCF, 1, 11, 1) + b"login_count1"
                         + struct.pack(">BBHI", 0xC9, 0, 5, 0) + b"queue")


def test_a_whole_document_spec_always_goes_in_the_multi_form():
    command = SubdocCommand([PathSpec(Opcode.GET, b"")], lookup=True)
    assert command.multi and command.request(b"k").opcode == Opcode.SUBDOC_MULTI_LOOKUP


def test_xattr_specs_are_sent_first_and_answers_mapped_back():
    command = SubdocCommand([PathSpec(GET, b"body"), PathSpec(GET, b"_meta", PathFlag.XATTR),
                             PathSpec(EXISTS, b"x")], lookup=True)
    assert command.request(b"k").value.startswith(b"\xc5\x04\x00\x05_meta")
    reply = command.decode(response(0xD0, value=lookup_fields((OK, b'"x-value"'),
                                                               (OK, b'"body"'), (ENOENT, b""))))
    assert reply.fields == [Field(OK, b'"body"'), Field(OK, b'"x-value"'), Field(ENOENT)]


# -- responses -------------------------------------------------------------------
def test_multi_lookup_response_from_the_spec_example():
    command = lookup(b"from", b"to", b"cc", b"bcc", b"subject")
    body = lookup_fields((OK, b'"mnunberg"'), (OK, b'"couchbase"'), (ENOENT, b""),
                         (ENOENT, b""), (OK, b'"Subdoc Commands"'))
    reply = command.decode(response(0xD0, MULTI_FAILURE, body, cas=0xCAFEBABE))
    assert reply.accessed and reply.status == MULTI_FAILURE and reply.cas == 0xCAFEBABE
    assert [f.status for f in reply.fields] == [OK, OK, ENOENT, ENOENT, OK]
    assert reply.fields[4].value == b'"Subdoc Commands"'


def test_multi_mutation_success_gives_values_where_the_server_sent_them():
    specs = [PathSpec(UPSERT, b"a", 0, b"1"), PathSpec(COUNTER, b"n", 0, b"1"),
             PathSpec(UPSERT, b"b", 0, b"2"), PathSpec(REMOVE, b"queue")]
    body = mutation_fields((1, OK, b"42"), (3, OK, b'"deleteme"'))
    reply = SubdocCommand(specs, lookup=False).decode(response(0xD1, OK, body))
    assert reply.failed is None and reply.accessed
    assert reply.fields == [Field(OK), Field(OK, b"42"), Field(OK), Field(OK, b'"deleteme"')]


def test_multi_mutation_failure_names_the_first_failed_spec():
    specs = [PathSpec(UPSERT, b"a", 0, b"1"), PathSpec(UPSERT, b"b.c", 0, b"2")]
    reply = SubdocCommand(specs, lookup=False).decode(
        response(0xD1, MULTI_FAILURE, mutation_fields((1, MISMATCH, b""))))
    assert reply.accessed and reply.failed == 1
    assert reply.fields == [None, Field(MISMATCH)]


def test_a_failed_single_path_looks_like_a_multi_path_failure_of_one_spec():
    reply = lookup(b"nope").decode(response(GET, ENOENT))
    assert reply.accessed and reply.status == MULTI_FAILURE
    assert reply.fields == [Field(ENOENT)] and reply.failed is None
    mutation = SubdocCommand([PathSpec(Opcode.SUBDOC_DICT_ADD, b"a", 0, b"1")], lookup=False)
    reply = mutation.decode(response(Opcode.SUBDOC_DICT_ADD, Status.SUBDOC_PATH_EEXISTS))
    assert reply.failed == 0 and reply.fields == [Field(Status.SUBDOC_PATH_EEXISTS)]


def test_single_path_success_is_the_value_itself():
    reply = lookup(b"a", opcode=COUNT).decode(response(COUNT, OK, b"3"))
    assert reply.fields == [Field(OK, b"3")] and reply.cas == 7


@pytest.mark.parametrize("status", [Status.KEY_ENOENT, Status.KEY_EEXISTS, Status.E2BIG,
                                    Status.SUBDOC_INVALID_COMBO, Status.ETMPFAIL])
def test_document_level_errors_carry_no_fields(status):
    for command in (lookup(b"a"), lookup(b"a", b"b")):
        reply = command.decode(response(command.opcode, status))
        assert not reply.accessed and reply.status == status and reply.fields == []


def test_an_answer_on_a_deleted_document_says_so():
    reply = lookup(b"a", b"b").decode(response(0xD0, Status.SUBDOC_SUCCESS_DELETED,
                                               lookup_fields((OK, b"1"), (OK, b"2"))))
    assert reply.accessed and reply.deleted


@pytest.mark.parametrize("command, status, body", [
    (lookup(b"a", b"b"), OK, lookup_fields((OK, b"1"))),  # one result of two
    (lookup(b"a", b"b"), OK, lookup_fields((OK, b"1"), (OK, b"2")) + b"\x00"),  # extra bytes
    (lookup(b"a", b"b"), OK, struct.pack(">HI", 0, 99) + b"1"),  # value past the end
    (SubdocCommand([PathSpec(UPSERT, b"a", 0, b"1")] * 2, lookup=False), OK,
     mutation_fields((5, OK, b"1"))),  # index of no spec
    (SubdocCommand([PathSpec(UPSERT, b"a", 0, b"1")] * 2, lookup=False), MULTI_FAILURE,
     b""),  # failed, but says not where
    (SubdocCommand([PathSpec(COUNTER, b"a", 0, b"1")] * 2, lookup=False), OK,
     b"\x00\x00\x00\x00\x00"),  # value length cut short
])
def test_malformed_bodies_are_the_servers_protocol_error(command, status, body):
    with pytest.raises(RemoteProtocolError):
        command.decode(response(command.opcode, status, body))


@given(st.binary(max_size=64))
def test_no_body_makes_the_decoder_fail_other_than_by_protocol_error(body):
    for command in (lookup(b"a", b"b"),
                    SubdocCommand([PathSpec(COUNTER, b"a", 0, b"1")] * 3, lookup=False)):
        for status in (OK, MULTI_FAILURE):
            try:
                command.decode(response(command.opcode, status, body))
            except RemoteProtocolError:
                pass


# -- what a client checks before sending ----------------------------------------------
@pytest.mark.parametrize("specs, lookup_, problem", [
    ([], True, "at least one"),
    ([PathSpec(GET, b"a")] * (MAX_SPECS + 1), True, "at most 16"),
    ([PathSpec(UPSERT, b"a", 0, b"1")], True, "not valid in lookup_in"),
    ([PathSpec(GET, b"a")], False, "not valid in mutate_in"),
    ([PathSpec(GET, b"")], True, "empty path"),
    ([PathSpec(GET, b"a" * (MAX_PATH_LENGTH + 1))], True, "at most 1024"),
])
def test_spec_problems(specs, lookup_, problem):
    assert problem in (spec_problem(specs, lookup_) or "")
    with pytest.raises(ValueError):
        SubdocCommand(specs, lookup_)


def test_sixteen_specs_and_root_paths_are_fine():
    assert spec_problem([PathSpec(GET, b"a")] * MAX_SPECS, True) is None
    assert spec_problem([PathSpec(COUNT, b"")], True) is None
    assert spec_problem([PathSpec(Opcode.SUBDOC_ARRAY_PUSH_LAST, b"", 0, b"1")], False) is None
