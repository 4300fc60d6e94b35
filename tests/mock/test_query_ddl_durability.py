"""Index, scope, collection, bucket and user changes acknowledged by the query
service (or the management REST API) survive a SIGKILL sent the moment the
answer arrives: the answer waits until the flusher has synced the change.

Each round starts ``python -m couchbase_mock --data-dir`` (2 nodes), checks that
every change acknowledged in the rounds before is there, makes one more change,
and SIGKILLs the process as soon as its answer is read.

References (docs-devex, modules/n1ql/pages/n1ql-language-reference/):
createindex.adoc and createprimaryindex.adoc (the index is listed in
system:indexes; ``WITH {"defer_build": true}`` leaves it ``deferred``),
build-index.adoc (BUILD INDEX makes a deferred index ``online``), dropindex.adoc,
dropprimaryindex.adoc, alterindex.adoc (``replica_count``), createvectorindex.adoc
and dropvectorindex.adoc, createscope.adoc, dropscope.adoc, createcollection.adoc,
dropcollection.adoc, createuser.adoc, dropuser.adoc, createbucket.adoc; the
REST API's "Creating and Editing a Scope" / "Creating and Editing a Collection"
(POST /pools/default/buckets/<b>/scopes[/<s>/collections]) and "Create a Local
User" (PUT /settings/rbac/users/local/<name>).
"""

from __future__ import annotations

import logging
import signal
import time
import urllib.parse
from typing import Any, Callable

import crash_harness
from test_query_catalog_persistence import http, q

from couchbase_mock import MockCluster
from couchbase_mock.flusher import Flusher
from couchbase_mock.persistence import META_DURABLE_WAIT
from couchbase_mock.views import jsengine

KS = "default.s1.c1"
VEC = '{"dimension": 2, "similarity": "L2", "description": "IVF,SQ8"}'


class Model:
    """What the cluster has been told and has acknowledged."""

    def __init__(self) -> None:
        self.collections: dict[str, set[str]] = {"_default": {"_default"}}
        self.indexes: dict[tuple[str, str, str], str] = {}  # (scope, coll, name) -> state
        self.users: set[str] = set()
        self.buckets: set[str] = {"default"}
        self.replicas: dict[str, int] = {}  # index name -> num_replica

    def drop_collection(self, scope: str, coll: str) -> None:
        self.collections[scope].discard(coll)
        self.drop_collection_indexes(scope, coll)

    def drop_scope(self, scope: str) -> None:
        for coll in list(self.collections.pop(scope)):
            self.drop_collection_indexes(scope, coll)

    def drop_collection_indexes(self, scope: str, coll: str) -> None:
        for key in [k for k in self.indexes if k[:2] == (scope, coll)]:
            del self.indexes[key]


def form(base: str, path: str, fields: dict[str, str], method: str = "POST") -> int:
    body = urllib.parse.urlencode(fields).encode()
    return http(base, path, body, method, "application/x-www-form-urlencoded")[0]


def _n1ql(statement: str, update: Callable[[Model], None]) -> Callable[[str, str, Model], None]:
    def step(base: str, _mgmt: str, model: Model) -> None:
        q(base, statement)
        update(model)
    return step


def _rest(path: str, fields: dict[str, str], update: Callable[[Model], None],
          method: str = "POST") -> Callable[[str, str, Model], None]:
    def step(_base: str, mgmt: str, model: Model) -> None:
        assert form(mgmt, path, fields, method) == 200
        update(model)
    return step


def _set(attr: str, key: Any, value: Any) -> Callable[[Model], None]:
    return lambda m: getattr(m, attr).__setitem__(key, value)


STEPS: list[Callable[[str, str, Model], None]] = [
    _n1ql("CREATE SCOPE default.s1", _set("collections", "s1", set())),
    _n1ql(f"CREATE COLLECTION {KS}", lambda m: m.collections["s1"].add("c1")),
    _n1ql(f"CREATE INDEX ix_a ON {KS}(a)", _set("indexes", ("s1", "c1", "ix_a"), "online")),
    _n1ql(f"CREATE PRIMARY INDEX ON {KS}", _set("indexes", ("s1", "c1", "#primary"), "online")),
    _n1ql(f'CREATE INDEX ix_b ON {KS}(b) WITH {{"defer_build": true}}',
          _set("indexes", ("s1", "c1", "ix_b"), "deferred")),
    _n1ql(f"BUILD INDEX ON {KS}(ix_b)", _set("indexes", ("s1", "c1", "ix_b"), "online")),
    _n1ql(f'ALTER INDEX ix_b ON {KS} WITH {{"action": "replica_count", "num_replica": 1}}',
          _set("replicas", "ix_b", 1)),
    _n1ql(f"CREATE VECTOR INDEX ix_v ON {KS}(v VECTOR) WITH {VEC}",
          _set("indexes", ("s1", "c1", "ix_v"), "online")),
    _n1ql(f"DROP INDEX ix_a ON {KS}", lambda m: m.indexes.pop(("s1", "c1", "ix_a"))),
    _n1ql(f"DROP VECTOR INDEX ix_v ON {KS}", lambda m: m.indexes.pop(("s1", "c1", "ix_v"))),
    _n1ql(f"DROP PRIMARY INDEX ON {KS}", lambda m: m.indexes.pop(("s1", "c1", "#primary"))),
    _n1ql("CREATE USER ann PASSWORD 'secret1'", lambda m: m.users.add("ann")),
    _n1ql("CREATE BUCKET extra", lambda m: m.buckets.add("extra")),
    _rest("/pools/default/buckets/default/scopes", {"name": "s2"},
          _set("collections", "s2", set())),
    _rest("/pools/default/buckets/default/scopes/s2/collections", {"name": "c2"},
          lambda m: m.collections["s2"].add("c2")),
    _rest("/settings/rbac/users/local/bob", {"password": "secret2", "roles": "admin"},
          lambda m: m.users.add("bob"), "PUT"),
    _n1ql("CREATE INDEX ix_c ON default.s2.c2(c)", _set("indexes", ("s2", "c2", "ix_c"),
                                                        "online")),
    _n1ql("DROP COLLECTION default.s2.c2", lambda m: m.drop_collection("s2", "c2")),
    _n1ql("DROP SCOPE default.s2", lambda m: m.drop_scope("s2")),
    _n1ql("DROP USER ann", lambda m: m.users.discard("ann")),
]


def _observed(base: str, mgmt: str) -> Model:
    seen = Model()
    status, manifest = http(mgmt, "/pools/default/buckets/default/scopes")
    assert status == 200, manifest
    seen.collections = {s["name"]: {c["name"] for c in s["collections"]}
                        for s in manifest["scopes"]}
    for row in q(base, "SELECT RAW i FROM system:indexes AS i WHERE bucket_id = 'default'"):
        seen.indexes[(row["scope_id"], row["keyspace_id"], row["name"])] = row["state"]
        replicas = row.get("metadata", {}).get("num_replica")
        if replicas:
            seen.replicas[row["name"]] = replicas
    status, users = http(mgmt, "/settings/rbac/users")
    assert status == 200, users
    seen.users = {u["id"] for u in users}
    status, buckets = http(mgmt, "/pools/default/buckets")
    seen.buckets = {b["name"] for b in buckets}
    return seen


def _check(base: str, mgmt: str, model: Model, step: int) -> None:
    seen = _observed(base, mgmt)
    for attr in ("collections", "indexes", "users", "buckets", "replicas"):
        assert getattr(seen, attr) == getattr(model, attr), (step, attr)


def test_every_acknowledged_ddl_change_survives_a_sigkill_right_after_its_answer(tmp_path):
    data_dir = str(tmp_path)
    model = Model()
    started = time.monotonic()
    for n, step in enumerate(STEPS):
        proc, ready = crash_harness.spawn(data_dir)
        try:
            mgmt = ready["mgmt"]
            base = _query_base(mgmt)
            _check(base, mgmt, model, n)
            step(base, mgmt, model)  # answered: must be on disk now
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
    proc, ready = crash_harness.spawn(data_dir)
    try:
        _check(_query_base(ready["mgmt"]), ready["mgmt"], model, len(STEPS))
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert time.monotonic() - started < 60


def _query_base(mgmt: str) -> str:
    _status, doc = http(mgmt, "/pools/default/nodeServices")
    node = doc["nodesExt"][0]
    return f"http://{node.get('hostname', '127.0.0.1')}:{node['services']['n1ql']}"


# -- in one process: the answer comes after the sync, not only usually ----------------

DYNAMIC = {"type": "fulltext-index", "sourceType": "gocbcore", "sourceName": "default",
           "params": {"mapping": {"default_mapping": {"enabled": True, "dynamic": True}}}}
DDOC = {"views": {"by_a": {"map": "function (doc, meta) { emit(doc.a, null); }"}}}


def _synced(flusher: Flusher) -> bool:
    """Every metadata snapshot queued so far is on disk."""
    return flusher.meta_written == flusher.meta_mark() and not flusher.meta_pending(0)


def test_each_change_is_synced_when_its_answer_arrives(tmp_path):
    with MockCluster(nodes=1, buckets={"default": {}}, data_dir=str(tmp_path)) as mock:
        flusher = mock.cluster.flusher
        assert flusher is not None
        base, mgmt, node = mock.query_url, mock.mgmt_url, mock.cluster.nodes[0]
        changes: list[Callable[[], Any]] = [
            lambda: q(base, "CREATE SCOPE default.s1"),
            lambda: q(base, "CREATE COLLECTION default.s1.c1"),
            lambda: q(base, "CREATE INDEX ix ON default.s1.c1(a)"),
            lambda: q(base, "DROP INDEX ix ON default.s1.c1"),
            lambda: q(base, "CREATE USER ann PASSWORD 'secret1'"),
            lambda: form(mgmt, "/pools/default/buckets/default/scopes", {"name": "s2"}),
            lambda: form(mgmt, "/settings/rbac/users/local/bob",
                         {"password": "secret2", "roles": "admin"}, "PUT"),
            # Search index definitions (the search REST API's PUT /api/index/<name>)
            lambda: http(f"http://{mock.host}:{node.search_port}", "/api/index/fts1",
                         DYNAMIC, "PUT"),
        ]
        if jsengine.available():  # design documents: PUT /<bucket>/_design/<name>
            changes.append(lambda: http(f"http://{mock.host}:{node.capi_port}",
                                        "/default/_design/dd", DDOC, "PUT"))
        for n, change in enumerate(changes):
            before = flusher.meta_mark()
            change()
            assert flusher.meta_mark() > before, n  # it did change the metadata
            assert _synced(flusher), n


def test_reads_and_document_writes_wait_for_no_metadata_sync(tmp_path):
    with MockCluster(nodes=1, buckets={"default": {}}, data_dir=str(tmp_path)) as mock:
        flusher = mock.cluster.flusher
        assert flusher is not None
        mark = flusher.meta_mark()
        q(mock.query_url, "INSERT INTO default (KEY, VALUE) VALUES ('k', {'a': 1})")
        assert q(mock.query_url, "SELECT RAW a FROM default USE KEYS 'k'") == [1]
        assert http(mock.mgmt_url, "/pools/default/buckets")[0] == 200
        assert flusher.meta_mark() == mark and not flusher.meta_pending(mark)


def test_a_failed_disk_still_answers_and_says_so_in_the_log(tmp_path, caplog):
    """The flusher stopped (its disk failed): a DDL statement is answered at once
    (from memory, as every write then is) with a warning logged, never a hang."""
    caplog.set_level(logging.WARNING, logger="couchbase_mock.persistence")
    with MockCluster(nodes=1, buckets={"default": {}}, data_dir=str(tmp_path)) as mock:
        flusher = mock.cluster.flusher
        assert flusher is not None

        def broken(_meta: Any) -> None:
            raise OSError(28, "No space left on device")

        flusher.store.put_meta = broken  # type: ignore[method-assign]
        started = time.monotonic()
        q(mock.query_url, "CREATE PRIMARY INDEX ON default")
        assert form(mock.mgmt_url, "/pools/default/buckets/default/scopes",
                    {"name": "s1"}) == 200
        assert time.monotonic() - started < META_DURABLE_WAIT / 2
        assert isinstance(flusher.failure, OSError)
        assert q(mock.query_url, "SELECT RAW name FROM system:indexes") == ["#primary"]
        mock.cluster.detach_flusher()  # its thread is gone: nothing to close but the store
        flusher.store.close()
    warned = [r.getMessage() for r in caplog.records if "not on disk" in r.getMessage()]
    assert len(warned) >= 2, warned


def test_a_barrier_is_done_once_what_was_queued_before_it_is_committed(tmp_path):
    from couchbase_mock.disk import DiskStore

    flusher = Flusher(DiskStore(str(tmp_path)))
    try:
        mark = flusher.meta_mark()
        flusher.note_meta({"extra": {}, "buckets": {}})
        flusher.barrier().result(10)
        assert not flusher.meta_pending(mark) and flusher.meta_written == mark + 1
        assert flusher.sync(10)
    finally:
        flusher.close()
    assert flusher.barrier().done()  # its thread is gone: a waiter is never left hanging
