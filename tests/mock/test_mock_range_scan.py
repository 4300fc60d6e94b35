"""KV range scans on the local cluster, from kv_engine's docs/range_scans/*.md:
RANGE_SCAN_CREATE (0xDA), RANGE_SCAN_CONTINUE (0xDB), RANGE_SCAN_CANCEL (0xDC)."""

from __future__ import annotations

import base64
import json
import struct
from typing import Any, Iterator, Optional

import pytest
from mock_kvclient import DEFAULT_FEATURES, KV, connect

from couchbase._core.feature import Datatype, Feature
from couchbase._core.leb128 import decode_leb128
from couchbase._core.opcode import Opcode
from couchbase._core.packet import Packet
from couchbase._core.status import Status
from couchbase_mock import range_scan
from couchbase_mock.mock import MockCluster

FEATURES = DEFAULT_FEATURES + (Feature.COLLECTIONS,)
VB = 5  # every test scans this vbucket


@pytest.fixture(scope="module")
def mock() -> Iterator[MockCluster]:
    with MockCluster(nodes=2, replicas=1) as m:
        m.create_scope("default", "inventory")
        m.create_collection("default", "inventory", "items")
        yield m


def _active(mock: MockCluster, vb: int = VB) -> int:
    return mock.call(lambda c: c.buckets["default"].vbmap[vb][0])


@pytest.fixture
def kv(mock: MockCluster) -> Iterator[KV]:
    conn = connect(mock, _active(mock), features=FEATURES)
    yield conn
    conn.close()


def _cid(mock: MockCluster, name: str = "items") -> int:
    manifest = mock.manifest("default")
    for scope in manifest["scopes"]:
        for coll in scope["collections"]:
            if coll["name"] == name:
                return int(coll["uid"], 16)
    raise AssertionError(name)


def _b64(key: bytes) -> str:
    return base64.b64encode(key).decode()


def create(kv: KV, spec: dict[str, Any], vb: int = VB) -> Packet:
    return kv.request(Opcode.RANGE_SCAN_CREATE, value=json.dumps(spec).encode(), vbucket=vb,
                      datatype=Datatype.JSON)


def continue_scan(kv: KV, sid: bytes, items: int = 0, ms: int = 0, nbytes: int = 0,
                  vb: int = VB) -> list[Packet]:
    """Every response of one continue, the last one with a range-scan status."""
    opaque = kv.send(Opcode.RANGE_SCAN_CONTINUE, extras=struct.pack(">16sIII", sid, items, ms,
                                                                    nbytes), vbucket=vb)
    out = []
    while True:
        resp = kv.recv()
        assert resp.opaque == opaque
        out.append(resp)
        if resp.status != Status.SUCCESS:
            return out


def keys_of(value: bytes) -> list[bytes]:
    keys, pos = [], 0
    while pos < len(value):
        n, pos = decode_leb128(value, pos)
        keys.append(value[pos:pos + n])
        pos += n
    return keys


def docs_of(value: bytes) -> list[tuple[bytes, bytes, tuple[int, ...]]]:
    docs, pos = [], 0
    while pos < len(value):
        meta = struct.unpack_from(">IIQQB", value, pos)
        pos += 25
        n, pos = decode_leb128(value, pos)
        key = value[pos:pos + n]
        pos += n
        n, pos = decode_leb128(value, pos)
        docs.append((key, value[pos:pos + n], meta))
        pos += n
    return docs


def drain(kv: KV, sid: bytes, items: int = 0, key_only: bool = True) -> tuple[list[Any], int]:
    """Everything a scan returns, and how many continues it took."""
    found: list[Any] = []
    continues = 0
    while True:
        continues += 1
        responses = continue_scan(kv, sid, items)
        for resp in responses:
            assert resp.extras == struct.pack(">I", 0 if key_only else 1)
            found += keys_of(resp.value) if key_only else docs_of(resp.value)
        last = responses[-1].status
        if last == Status.RANGE_SCAN_COMPLETE:
            return found, continues
        assert last == Status.RANGE_SCAN_MORE, hex(last)


def store(kv: KV, key: bytes, value: bytes, cid: int = 0, flags: int = 0,
          vb: int = VB) -> Packet:
    datatype = Datatype.JSON if value.startswith(b"{") else 0
    resp = kv.set(key, value, flags=flags, cid=cid, vbucket=vb, datatype=datatype)
    assert resp.status == Status.SUCCESS
    return resp


@pytest.fixture
def items(mock: MockCluster, kv: KV) -> tuple[int, list[bytes]]:
    """A fresh collection's worth of keys in VB: item-00 ... item-19, plus others."""
    cid = _cid(mock)
    keys = [f"item-{i:02d}".encode() for i in range(20)]
    for key in keys:
        store(kv, key, b'{"n":1}', cid=cid, flags=7)
    store(kv, b"other", b"x", cid=cid)
    return cid, keys


def _range(cid: int, start: bytes, end: bytes, key_only: bool = True,
           excl: Optional[str] = None) -> dict[str, Any]:
    rng = {"start": _b64(start), "end": _b64(end)}
    if excl:
        rng[f"excl_{excl}"] = rng.pop(excl)
    return {"collection": format(cid, "x"), "key_only": key_only, "range": rng}


def test_range_scan_returns_keys_in_order_in_batches(kv, items):
    cid, keys = items
    resp = create(kv, _range(cid, b"item-", b"item-\xff"))
    assert resp.status == Status.SUCCESS and len(resp.value) == 16
    found, continues = drain(kv, resp.value, items=6)
    assert found == keys
    assert continues == 4  # 6 + 6 + 6 + 2


def test_range_scan_bounds_inclusive_and_exclusive(kv, items):
    cid, keys = items
    got = drain(kv, create(kv, _range(cid, b"item-05", b"item-07")).value)[0]
    assert got == keys[5:8]
    got = drain(kv, create(kv, _range(cid, b"item-05", b"item-07", excl="start")).value)[0]
    assert got == keys[6:8]
    got = drain(kv, create(kv, _range(cid, b"item-05", b"item-07", excl="end")).value)[0]
    assert got == keys[5:7]


def test_document_scan_sends_meta_and_values(kv, items):
    cid, keys = items
    sid = create(kv, _range(cid, b"item-00", b"item-01", key_only=False)).value
    docs = drain(kv, sid, key_only=False)[0]
    assert [d[0] for d in docs] == keys[:2]
    key, value, (flags, expiry, seqno, cas, datatype) = docs[0]
    assert (value, flags, expiry, datatype) == (b'{"n":1}', 7, 0, Datatype.JSON)
    got = kv.get(key, cid=cid, vbucket=VB)
    assert got.cas == cas and seqno > 0


def test_scan_reads_a_snapshot(kv, items):
    cid, keys = items
    sid = create(kv, _range(cid, b"item-", b"item-\xff")).value
    store(kv, b"item-05x", b"new", cid=cid)  # written after the create
    assert kv.doc(Opcode.DELETE, keys[3], cid=cid, vbucket=VB).status == Status.SUCCESS
    assert drain(kv, sid)[0] == keys
    store(kv, keys[3], b"back", cid=cid)


def test_continue_byte_limit_returns_at_least_one_record(kv, items):
    cid, keys = items
    sid = create(kv, _range(cid, b"item-", b"item-\xff")).value
    responses = continue_scan(kv, sid, nbytes=1)
    assert responses[-1].status == Status.RANGE_SCAN_MORE
    assert sum(len(keys_of(r.value)) for r in responses) == 1
    kv.request(Opcode.RANGE_SCAN_CANCEL, extras=sid, vbucket=VB)


def test_large_continue_spans_several_responses(kv, mock):
    cid = _cid(mock)
    big = b"v" * 5000
    for i in range(12):
        store(kv, f"big-{i:02d}".encode(), big, cid=cid)
    sid = create(kv, _range(cid, b"big-", b"big-\xff", key_only=False)).value
    responses = continue_scan(kv, sid)
    assert len(responses) > 1
    assert all(r.status == Status.SUCCESS for r in responses[:-1])
    assert responses[-1].status == Status.RANGE_SCAN_COMPLETE
    docs = [d for r in responses for d in docs_of(r.value)]
    assert len(docs) == 12 and all(d[1] == big for d in docs)


def test_completed_and_cancelled_scans_are_gone(kv, items):
    cid, _keys = items
    sid = create(kv, _range(cid, b"item-00", b"item-00")).value
    assert drain(kv, sid)[0] == [b"item-00"]
    assert continue_scan(kv, sid)[-1].status == Status.KEY_ENOENT
    sid = create(kv, _range(cid, b"item-", b"item-\xff")).value
    assert kv.request(Opcode.RANGE_SCAN_CANCEL, extras=sid, vbucket=VB).status == 0
    assert kv.request(Opcode.RANGE_SCAN_CANCEL, extras=sid, vbucket=VB).status == \
        Status.KEY_ENOENT
    assert continue_scan(kv, sid)[-1].status == Status.KEY_ENOENT
    assert continue_scan(kv, b"\x00" * 16)[-1].status == Status.KEY_ENOENT


def test_sampling_scan(kv, mock):
    mock.create_collection("default", "inventory", "sampled")
    cid = _cid(mock, "sampled")
    keys = sorted(f"s-{i:02d}".encode() for i in range(40))
    for key in keys:
        store(kv, key, b"1", cid=cid)
    everything = drain(kv, create(kv, {"collection": format(cid, "x"), "key_only": True,
                                       "sampling": {"samples": 100}}).value)[0]
    assert everything == keys  # asked for more than there are: all of them
    spec = {"collection": format(cid, "x"), "key_only": True,
            "sampling": {"samples": 10, "seed": 42}}
    first = drain(kv, create(kv, spec).value)[0]
    again = drain(kv, create(kv, spec).value)[0]
    assert first == again and 0 < len(first) < len(keys)  # about 10, the same for a seed
    assert first == sorted(first) and set(first) <= set(keys)


def test_default_collection_and_empty_range(kv, mock):
    store(kv, b"dflt-a", b"1")
    sid = create(kv, {"range": {"start": _b64(b"dflt-"), "end": _b64(b"dflt-\xff")}}).value
    assert drain(kv, sid, key_only=False)[0][0][0] == b"dflt-a"
    resp = create(kv, {"range": {"start": _b64(b"zzz-none"), "end": _b64(b"zzz-none\xff")}})
    assert resp.status == Status.KEY_ENOENT


@pytest.mark.parametrize("spec", [
    {},
    {"range": {"start": "YQ==", "end": "Yg=="}, "sampling": {"samples": 1}},
    {"range": {"start": "YQ=="}},
    {"range": {"start": "YQ==", "excl_start": "YQ==", "end": "Yg=="}},
    {"range": {"start": "not base64!", "end": "Yg=="}},
    {"range": {"start": _b64(b"k" * 251), "end": "Yg=="}},
    {"sampling": {"seed": 1}},
    {"sampling": {"samples": 0}},
    {"collection": 12, "range": {"start": "YQ==", "end": "Yg=="}},
    {"key_only": "yes", "range": {"start": "YQ==", "end": "Yg=="}},
])
def test_invalid_create_requests(kv, spec):
    resp = create(kv, spec)
    assert resp.status == Status.EINVAL


def test_create_needs_json_datatype_and_body(kv):
    value = json.dumps({"range": {"start": "YQ==", "end": "Yg=="}}).encode()
    assert kv.request(Opcode.RANGE_SCAN_CREATE, value=value, vbucket=VB).status == Status.EINVAL
    assert kv.request(Opcode.RANGE_SCAN_CREATE, value=b"{", vbucket=VB,
                      datatype=Datatype.JSON).status == Status.EINVAL


def test_unknown_collection(kv):
    resp = create(kv, {"collection": "7f", "range": {"start": "YQ==", "end": "Yg=="}})
    assert resp.status == Status.UNKNOWN_COLLECTION
    assert "manifest_uid" in json.loads(resp.value)


def test_not_my_vbucket_on_a_replica_node(mock):
    replica = 1 - _active(mock)
    with connect(mock, replica, features=FEATURES) as other:
        resp = create(other, {"range": {"start": "YQ==", "end": "Yg=="}})
        assert resp.status == Status.NOT_MY_VBUCKET


def test_snapshot_requirements(kv, items, mock):
    cid, _keys = items
    node = _active(mock)
    uuid = mock.call(lambda c: c.engines["default"].vbucket(node, VB).uuid)
    high = mock.call(lambda c: c.engines["default"].vbucket(node, VB).seqno)
    spec = _range(cid, b"item-", b"item-\xff")
    ok = dict(spec, snapshot_requirements={"vb_uuid": str(uuid), "seqno": high})
    assert create(kv, ok).status == Status.SUCCESS
    wrong_uuid = dict(spec, snapshot_requirements={"vb_uuid": str(uuid ^ 1), "seqno": high})
    assert create(kv, wrong_uuid).status == Status.VBUUID_NOT_EQUAL
    ahead = dict(spec, snapshot_requirements={"vb_uuid": str(uuid), "seqno": high + 100})
    assert create(kv, ahead).status == Status.ETMPFAIL
    store(kv, b"item-00", b"again", cid=cid)  # item-00's first seqno is gone
    first = high - 20  # the seqno item-00 had when the fixture stored it
    missing = dict(spec, snapshot_requirements={"vb_uuid": str(uuid), "seqno": first,
                                                "seqno_exists": True})
    assert create(kv, missing).status == Status.NOT_STORED
    bad = dict(spec, snapshot_requirements={"vb_uuid": uuid, "seqno": high})
    assert create(kv, bad).status == Status.EINVAL


def test_too_many_open_scans_on_one_vbucket(kv, items):
    cid, _keys = items
    spec = _range(cid, b"item-", b"item-\xff")
    opened = []
    for _ in range(range_scan.MAX_SCANS_PER_VBUCKET):
        resp = create(kv, spec)
        if resp.status == Status.EBUSY:
            break
        assert resp.status == Status.SUCCESS
        opened.append(resp.value)
    assert create(kv, spec).status == Status.EBUSY
    for sid in opened:
        kv.request(Opcode.RANGE_SCAN_CANCEL, extras=sid, vbucket=VB)
    assert create(kv, spec).status == Status.SUCCESS


def test_continue_after_the_collection_is_dropped(mock):
    mock.create_collection("default", "inventory", "doomed")
    cid = _cid(mock, "doomed")
    with connect(mock, _active(mock), features=FEATURES) as kv:
        store(kv, b"d1", b"1", cid=cid)
        sid = create(kv, _range(cid, b"d", b"d\xff")).value
        mock.drop_collection("default", "inventory", "doomed")
        assert continue_scan(kv, sid)[-1].status == Status.UNKNOWN_COLLECTION


def test_bucket_config_advertises_range_scan(kv):
    assert "rangeScan" in kv.config()["bucketCapabilities"]
