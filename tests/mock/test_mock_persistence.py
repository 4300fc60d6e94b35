"""The data directory: what a restart restores, what persist_to promises, crashes."""

from __future__ import annotations

import base64
import json
import os
import urllib.request

import crash_harness
import pytest

from couchbase.bucket import Bucket
from couchbase.exceptions import DurabilityError, HTTPError, NotFoundError
from couchbase_mock import MockCluster
from couchbase_mock.disk import FILE_NAME, DiskError


def _bucket(mock: MockCluster, name: str = "default") -> Bucket:
    return Bucket(f"{mock.connstr}/{name}", password="")


def _bucket_info(mock: MockCluster) -> dict:
    request = urllib.request.Request(f"{mock.mgmt_url}/pools/default/buckets/default")
    token = base64.b64encode(f"{mock.username}:{mock.password}".encode()).decode()
    request.add_header("Authorization", f"Basic {token}")
    with urllib.request.urlopen(request, timeout=30) as resp:
        return dict(json.load(resp))


def _stat(cb: Bucket, name: str) -> set[str]:
    return {str(v) for v in cb.stats()[name].values()}


def test_a_restart_restores_documents_with_their_metadata(tmp_path):
    with MockCluster(nodes=2, data_dir=str(tmp_path)) as mock:
        cb = _bucket(mock)
        kept = cb.upsert("kept", {"a": 1}, ttl=3600)
        cb.upsert("text", "plain", format=0x04)  # FMT_UTF8 flags
        cb.upsert("removed", 1)
        cb.remove("removed")
        counter = cb.counter("counter", delta=5, initial=10)
        cb.upsert("expired", 1, ttl=1)
        mock.advance_time(2)
        with pytest.raises(NotFoundError):
            cb.get("expired")
        cb.close()
    with MockCluster(nodes=2, data_dir=str(tmp_path)) as mock:
        cb = _bucket(mock)
        got = cb.get("kept")
        assert got.value == {"a": 1} and got.cas == kept.cas
        assert cb.get("text").value == "plain"
        assert cb.get("counter").value == counter.value == 10
        for gone in ("removed", "expired"):
            with pytest.raises(NotFoundError):
                cb.get(gone)
        # New writes get CAS values above every restored one.
        assert cb.upsert("kept", 2).cas > kept.cas
        cb.close()


def test_a_restart_restores_buckets_scopes_and_collections(tmp_path):
    with MockCluster(nodes=2, data_dir=str(tmp_path)) as mock:
        mock.create_bucket("extra")
        mock.create_bucket("doomed")
        mock.create_scope("extra", "inventory")
        mock.create_collection("extra", "inventory", "hotels", max_ttl=60)
        mock.create_collection("extra", "inventory", "dropped")
        mock.drop_collection("extra", "inventory", "dropped")
        _bucket(mock, "doomed").upsert("k", 1)
        mock.delete_bucket("doomed")
        manifest = mock.manifest("extra")
        _bucket(mock, "extra").upsert("in-default", 1)
    with MockCluster(nodes=2, data_dir=str(tmp_path)) as mock:
        assert sorted(mock.bucket_names) == ["default", "extra"]
        assert mock.manifest("extra") == manifest
        # A new collection does not reuse the id of the dropped one.
        mock.create_collection("extra", "inventory", "fresh")
        ids = [int(c["uid"], 16) for s in mock.manifest("extra")["scopes"]
               for c in s["collections"]]
        assert len(ids) == len(set(ids)) and max(ids) == 11  # scope 8, hotels 9, dropped 10
        assert _bucket(mock, "extra").get("in-default").value == 1
        mock.create_bucket("doomed")  # created again: empty
        with pytest.raises(NotFoundError):
            _bucket(mock, "doomed").get("k")


def test_the_data_directory_seeds_only_once(tmp_path):
    with MockCluster(nodes=1, data_dir=str(tmp_path), buckets={"first": {}}):
        pass
    with MockCluster(nodes=1, data_dir=str(tmp_path), buckets={"second": {}}) as mock:
        assert mock.bucket_names == ["first"]


def test_persist_to_waits_for_the_disk_and_observe_tells_the_truth(tmp_path):
    with MockCluster(nodes=2, replicas=1, data_dir=str(tmp_path)) as mock:
        cb = _bucket(mock)
        result = cb.upsert("durable", "v", persist_to=2, replicate_to=1)
        assert result.success
        info = cb.observe("durable").value
        assert {i.flags for i in info} == {0x01}  # on disk, on both nodes
        cb.remove("durable", persist_to=1)
        mock.flush_to_disk()
        assert {i.flags for i in cb.observe("durable").value} == {0x80}
        assert _stat(cb, "ep_bucket_type") == {"persistent"}
        assert _bucket_info(mock)["bucketType"] == "membase"


def test_memory_only_clusters_say_so_and_never_satisfy_persist_to():
    with MockCluster(nodes=1) as mock:
        cb = _bucket(mock)
        stored = cb.upsert("k", 1)
        assert _stat(cb, "ep_bucket_type") == {"ephemeral"}
        assert _bucket_info(mock)["bucketType"] == "ephemeral"
        assert {i.flags for i in cb.observe("k").value} == {0x00}  # never on disk
        with pytest.raises(DurabilityError, match="persisted on 0/1"):
            cb.endure("k", persist_to=1, replicate_to=0, cas=stored.cas, timeout=0.2)
        with pytest.raises(RuntimeError, match="memory only"):
            mock.flush_to_disk()


def test_memcached_buckets_keep_nothing(tmp_path):
    buckets = {"default": {}, "cache": {"type": "memcached"}}
    with MockCluster(nodes=1, data_dir=str(tmp_path), buckets=buckets) as mock:
        _bucket(mock, "cache").upsert("k", 1)
    with MockCluster(nodes=1, data_dir=str(tmp_path)) as mock:
        with pytest.raises(NotFoundError):
            _bucket(mock, "cache").get("k")


def test_an_unusable_data_directory_is_refused_with_the_reason(tmp_path):
    a_file = tmp_path / "file"
    a_file.write_text("x")
    with pytest.raises(DiskError, match="not a directory"):
        MockCluster(nodes=1, data_dir=str(a_file))
    corrupt = tmp_path / "corrupt"
    corrupt.mkdir()
    (corrupt / FILE_NAME).write_bytes(os.urandom(4096))
    with pytest.raises(DiskError, match=FILE_NAME):
        MockCluster(nodes=1, data_dir=str(corrupt))


def test_no_acknowledged_persisted_write_is_lost_when_the_process_is_killed(tmp_path):
    """10 SIGKILLs at random moments under a persist_to=1 write load, each
    followed by a restart on the same directory (the long form, scripts/crash-test.py,
    does 100: run it after changing the store)."""
    report = crash_harness.run(str(tmp_path), rounds=10)
    assert report.rounds == 10 and report.persisted_acked > 10
    assert report.persisted_lost == []


def test_design_documents_survive_a_restart(tmp_path):
    pytest.importorskip("py_mini_racer")
    ddoc = {"views": {"by_n": {"map": "function (doc) { emit(doc.n, null); }",
                               "reduce": "_count"}}}
    with MockCluster(nodes=2, data_dir=str(tmp_path)) as mock:
        cb = _bucket(mock)
        cb.upsert_multi({f"d{i}": {"n": i} for i in range(5)})
        cb.bucket_manager().design_create("keep", ddoc, use_devmode=False)
    with MockCluster(nodes=2, data_dir=str(tmp_path)) as mock:
        cb = _bucket(mock)
        manager = cb.bucket_manager()
        assert manager.design_get("keep", use_devmode=False).value["views"] == ddoc["views"]
        rows = list(cb.query("keep", "by_n", stale=False, reduce=False))
        assert sorted(r.key for r in rows) == list(range(5))
        manager.design_delete("keep", use_devmode=False)
    with MockCluster(nodes=2, data_dir=str(tmp_path)) as mock:
        with pytest.raises(HTTPError, match="404"):
            _bucket(mock).bucket_manager().design_get("keep", use_devmode=False)


def test_index_definitions_survive_a_restart(tmp_path):
    def query(mock: MockCluster, statement: str) -> list:
        return [row for row in _bucket(mock).n1ql_query(statement)]

    with MockCluster(nodes=2, data_dir=str(tmp_path)) as mock:
        cb = _bucket(mock)
        cb.upsert_multi({f"b{i}": {"type": "beer", "abv": i} for i in range(10)})
        query(mock, "CREATE PRIMARY INDEX ON `default`")
        query(mock, "CREATE INDEX by_abv ON `default`(abv) WHERE type = 'beer'")
        query(mock, "CREATE INDEX later ON `default`(type) WITH {'defer_build': true}")
        query(mock, "CREATE INDEX gone ON `default`(name)")
        query(mock, "DROP INDEX `default`.gone")
    with MockCluster(nodes=2, data_dir=str(tmp_path)) as mock:
        rows = query(mock, "SELECT name, state, index_key, `condition` FROM system:indexes "
                           "ORDER BY name")
        assert [(r["name"], r["state"]) for r in rows] == [
            ("#primary", "online"), ("by_abv", "online"), ("later", "deferred")]
        assert rows[1]["index_key"] == ["`abv`"] and "beer" in rows[1]["condition"]
        plan = query(mock, "EXPLAIN SELECT abv FROM `default` WHERE type = 'beer' AND abv > 5")
        assert "by_abv" in json.dumps(plan)
        got = query(mock, "SELECT RAW abv FROM `default` WHERE type = 'beer' AND abv > 5 "
                          "ORDER BY abv")
        assert got == [6, 7, 8, 9]


def test_stat_config_tells_the_bucket_settings(tmp_path):
    with MockCluster(nodes=1, data_dir=str(tmp_path)) as mock:
        config = _bucket(mock).stats("config")
        assert _flat(config, "ep_bucket_type") == "persistent"
        assert _flat(config, "ep_max_item_size") == str(20 * 1024 * 1024)
        assert _flat(config, "ep_dbname").startswith(str(tmp_path))
    with MockCluster(nodes=1) as mock:
        config = _bucket(mock).stats("config")
        assert _flat(config, "ep_bucket_type") == "ephemeral"


def _flat(stats: dict, name: str) -> str:
    (value,) = {str(v) for v in stats[name].values()}
    return value
