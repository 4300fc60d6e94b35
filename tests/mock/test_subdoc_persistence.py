"""XATTRs and tombstones in the data directory: a restart keeps them."""

from __future__ import annotations

import json
import os
import sqlite3

from mock_kvclient import connect, key_with_active
from subdoc_wire import ACCESS_DELETED, XATTR, lookup_in, lookup_results, mutate_in

from couchbase._core.feature import Datatype
from couchbase._core.opcode import Opcode
from couchbase._core.status import Status
from couchbase_mock import MockCluster
from couchbase_mock.disk import FILE_NAME

UPSERT = Opcode.SUBDOC_DICT_UPSERT
GET = Opcode.SUBDOC_GET


def test_xattrs_and_system_xattr_tombstones_survive_a_restart(tmp_path):
    with MockCluster(nodes=2, data_dir=str(tmp_path)) as mock:
        live = key_with_active(mock, 0, "live")
        gone = key_with_active(mock, 0, "gone")
        with connect(mock, 0) as kv:
            kv.set(live, b'{"a":1}', datatype=Datatype.JSON)
            written = mutate_in(kv, live, [(UPSERT, XATTR, "_sys", b'{"v":1}')])
            assert mutate_in(kv, live, [(UPSERT, XATTR, "user", b'"u"')]).status == 0
            kv.set(gone, b"{}", datatype=Datatype.JSON)
            mutate_in(kv, gone, [(UPSERT, XATTR, "_sync", b'"kept"')])
            assert kv.doc(Opcode.DELETE, gone).status == Status.SUCCESS
        assert mock.cluster.flusher is not None and mock.cluster.flusher.sync(30)
    with MockCluster(nodes=2, data_dir=str(tmp_path)) as mock, connect(mock, 0) as kv:
        assert kv.get(live).value == b'{"a":1}'
        resp = lookup_in(kv, live, [(GET, XATTR, "_sys")])
        assert lookup_results(resp.value) == [(Status.SUCCESS, b'{"v":1}')]
        assert lookup_results(lookup_in(kv, live, [(GET, XATTR, "user")]).value) == \
            [(Status.SUCCESS, b'"u"')]
        assert resp.cas > written.cas  # (the user XATTR came later)
        assert kv.get(gone).status == Status.KEY_ENOENT
        resp = lookup_in(kv, gone, [(GET, XATTR, "_sync")], doc_flags=ACCESS_DELETED)
        assert resp.status == Status.SUBDOC_SUCCESS_DELETED
        assert lookup_results(resp.value) == [(Status.SUCCESS, b'"kept"')]


def test_a_data_directory_from_before_xattrs_still_loads(tmp_path):
    with MockCluster(nodes=2, data_dir=str(tmp_path)) as mock:
        key = key_with_active(mock, 0, "old")
        with connect(mock, 0) as kv:
            kv.set(key, b'{"old":true}', datatype=Datatype.JSON)
        assert mock.cluster.flusher is not None and mock.cluster.flusher.sync(30)
    # Rewrite the table as the earlier schema had it: no xattrs, no deleted column.
    db = sqlite3.connect(os.path.join(str(tmp_path), FILE_NAME), isolation_level=None)
    db.execute("CREATE TABLE old_docs (bucket TEXT NOT NULL, cid INTEGER NOT NULL,"
               " key BLOB NOT NULL, vb INTEGER NOT NULL, value BLOB NOT NULL, flags INTEGER"
               " NOT NULL, expiry INTEGER NOT NULL, cas INTEGER NOT NULL, datatype INTEGER"
               " NOT NULL, seqno INTEGER NOT NULL, revno INTEGER NOT NULL,"
               " PRIMARY KEY (bucket, cid, key)) WITHOUT ROWID")
    db.execute("INSERT INTO old_docs SELECT bucket, cid, key, vb, value, flags, expiry, cas,"
               " datatype, seqno, revno FROM docs")
    db.execute("DROP TABLE docs")
    db.execute("ALTER TABLE old_docs RENAME TO docs")
    db.close()
    with MockCluster(nodes=2, data_dir=str(tmp_path)) as mock, connect(mock, 0) as kv:
        assert json.loads(kv.get(key).value) == {"old": True}
        assert mutate_in(kv, key, [(UPSERT, XATTR, "x", b"1")]).status == Status.SUCCESS
        assert mock.cluster.flusher is not None and mock.cluster.flusher.sync(30)
