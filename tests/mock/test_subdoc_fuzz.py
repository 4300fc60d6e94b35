"""No sub-document request, however malformed, crashes the server or its connection."""

from __future__ import annotations

import json

import pytest
from mock_kvclient import connect, key_with_active
from subdoc_wire import lookup_body, multi_extras, mutation_body, single_extras

from couchbase._core.feature import Datatype
from couchbase._core.opcode import Opcode
from couchbase._core.status import Status

hypothesis = pytest.importorskip("hypothesis")
st = hypothesis.strategies

SUBDOC_OPCODES = [int(op) for op in Opcode if 0xC5 <= op <= 0xD3] + [0x00, 0x01, 0x04, 0x99]
PATHS = st.text(alphabet="ab.[]`-10$_\\\"x", max_size=12) | st.sampled_from(
    ["", "a", "a.b", "a[0]", "a[-1]", "_x", "$document", "$document.CAS", "$XTOC", "l[9]"])
VALUES = st.sampled_from([b"", b"1", b"-1", b'"s"', b"[1,2]", b'{"k":1}', b"1,2", b"{", b"0",
                          b'"${Mutation.CAS}"', b'"${$document.CAS}"', b'"${x}"', b"null",
                          b"9223372036854775807", b"[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]"])
FLAGS = st.sampled_from([0, 0x01, 0x04, 0x05, 0x10, 0x14, 0x15, 0x02, 0xFF])
DOC_FLAGS = st.none() | st.sampled_from([0, 1, 2, 3, 4, 5, 6, 8, 9, 10, 12, 13, 16, 20, 28, 255])
SPECS = st.lists(st.tuples(st.sampled_from(SUBDOC_OPCODES), FLAGS, PATHS.map(str.encode),
                           VALUES), max_size=18)
BASE = {"a": {"b": [1, 2]}, "l": [1, "x"], "n": 5}


@pytest.fixture(scope="module")
def fuzz_kv(mock_cluster):
    key = key_with_active(mock_cluster, 0, "fuzz")
    with connect(mock_cluster, node=0) as kv:
        yield kv, key


def _still_serving(kv, key, resp, sent):
    assert resp.opaque == sent
    assert kv.request(Opcode.NOOP).status == Status.SUCCESS


@hypothesis.settings(max_examples=150)
@hypothesis.given(specs=SPECS, doc_flags=DOC_FLAGS, expiry=st.none() | st.just(30),
                  lookup=st.booleans(), cas=st.sampled_from([0, 1]))
def test_random_multi_requests_get_an_answer(fuzz_kv, specs, doc_flags, expiry, lookup, cas):
    kv, key = fuzz_kv
    kv.set(key, json.dumps(BASE).encode(), datatype=Datatype.JSON)
    if lookup:
        body = lookup_body([(op, fl, path) for op, fl, path, _ in specs])
        opcode = Opcode.SUBDOC_MULTI_LOOKUP
    else:
        body = mutation_body(specs)
        opcode = Opcode.SUBDOC_MULTI_MUTATION
    resp = kv.doc(opcode, key, body, multi_extras(expiry, doc_flags), cas=cas)
    assert resp.status != Status.EINTERNAL
    _still_serving(kv, key, resp, resp.opaque)


@hypothesis.settings(max_examples=150)
@hypothesis.given(opcode=st.sampled_from(SUBDOC_OPCODES), flags=FLAGS,
                  path=PATHS.map(str.encode), value=VALUES, doc_flags=DOC_FLAGS,
                  expiry=st.none() | st.just(30))
def test_random_single_path_requests_get_an_answer(fuzz_kv, opcode, flags, path, value,
                                                   doc_flags, expiry):
    kv, key = fuzz_kv
    kv.set(key, json.dumps(BASE).encode(), datatype=Datatype.JSON)
    resp = kv.doc(opcode, key, path + value, single_extras(path, flags, expiry, doc_flags))
    assert resp.status != Status.EINTERNAL
    _still_serving(kv, key, resp, resp.opaque)


@hypothesis.settings(max_examples=100)
@hypothesis.given(opcode=st.sampled_from(SUBDOC_OPCODES), extras=st.binary(max_size=10),
                  value=st.binary(max_size=64))
def test_random_bytes_get_an_answer(fuzz_kv, opcode, extras, value):
    kv, key = fuzz_kv
    resp = kv.doc(opcode, key, value, extras)
    assert resp.status != Status.EINTERNAL
    _still_serving(kv, key, resp, resp.opaque)
