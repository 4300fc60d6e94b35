"""Scope-level search indexes (Server 7.6): ``/api/bucket/{bucket}/scope/{scope}/index``
and ``.../index/{name}[/query|/count|...]`` on the local cluster; the index is named
``bucket.scope.name`` (the global routes reach it by that name) and reads the documents
of its scope's collections. Through the 4.x SDK: ``scope.search_indexes()`` (the
ScopeSearchIndexManager) and ``scope.search_query`` sent to the scope's route.
"""

from __future__ import annotations

import uuid
from typing import Any, Iterator

import pytest
from test_search_service import request

from couchbase.auth import PasswordAuthenticator
from couchbase.exceptions import (
    InvalidArgumentException,
    QueryIndexNotFoundException,
    SearchIndexNotFoundException,
)
from couchbase.management.search import ScopeSearchIndexManager, SearchIndex
from couchbase.options import ClusterOptions
from couchbase.search import MatchQuery, TermQuery
from couchbase_mock import MockCluster

DYNAMIC = {"type": "fulltext-index", "sourceType": "gocbcore",
           "params": {"mapping": {"default_mapping": {"enabled": True, "dynamic": True},
                                  "store_dynamic": True}}}
SCOPED = "/api/bucket/default/scope/inventory/index"


@pytest.fixture(scope="module")
def mock() -> Iterator[MockCluster]:
    from couchbase.cluster import Cluster

    with MockCluster(nodes=1, replicas=0) as mock:
        cluster = Cluster(mock.connstr, ClusterOptions(
            PasswordAuthenticator("Administrator", "password")))
        manager = cluster.bucket("default").collections()
        for scope, colls in (("inventory", ("hotel", "airline")), ("tenant", ("hotel",))):
            manager.create_scope(scope)
            for name in colls:
                manager.create_collection(scope, name)
        bucket = cluster.bucket("default")
        bucket.scope("inventory").collection("hotel").upsert(
            "h1", {"text": "seaside hotel with garden"})
        bucket.scope("inventory").collection("airline").upsert(
            "a1", {"text": "garden airline"})
        bucket.scope("tenant").collection("hotel").upsert("t1", {"text": "tenant garden"})
        bucket.default_collection().upsert("d1", {"text": "default garden"})
        cluster.close()
        yield mock


def hits(mock: MockCluster, path: str, term: str = "garden") -> list[str]:
    status, doc = request(mock, "POST", path, {"query": {"match": term}})
    assert status == 200, doc
    return sorted(hit["id"] for hit in doc["hits"])


def test_scoped_index_reads_its_scope_only(mock: MockCluster) -> None:
    assert request(mock, "PUT", f"{SCOPED}/inv", DYNAMIC)[0] == 200
    try:
        assert hits(mock, f"{SCOPED}/inv/query") == ["a1", "h1"]
        # the global route reaches it by its full name
        assert hits(mock, "/api/index/default.inventory.inv/query") == ["a1", "h1"]
        assert request(mock, "GET", f"{SCOPED}/inv/count")[1]["count"] == 2
        status, doc = request(mock, "GET", f"{SCOPED}/inv")
        assert status == 200 and doc["indexDef"]["name"] == "default.inventory.inv"
        assert doc["indexDef"]["sourceName"] == "default"
        listed = request(mock, "GET", SCOPED)[1]["indexDefs"]["indexDefs"]
        assert list(listed) == ["default.inventory.inv"]
        assert request(mock, "GET", "/api/bucket/default/scope/tenant/index")[1][
            "indexDefs"]["indexDefs"] == {}
        assert "default.inventory.inv" in request(mock, "GET", "/api/index")[1][
            "indexDefs"]["indexDefs"]
    finally:
        assert request(mock, "DELETE", f"{SCOPED}/inv")[0] == 200
    status, doc = request(mock, "POST", f"{SCOPED}/inv/query", {"query": {"match": "x"}})
    assert status == 400 and "index not found" in doc["error"]


def test_same_name_in_two_scopes_and_a_global_index(mock: MockCluster) -> None:
    tenant = "/api/bucket/default/scope/tenant/index"
    assert request(mock, "PUT", f"{SCOPED}/same", DYNAMIC)[0] == 200
    assert request(mock, "PUT", f"{tenant}/same", DYNAMIC)[0] == 200
    assert request(mock, "PUT", "/api/index/same", {**DYNAMIC, "sourceName": "default"})[
        0] == 200
    try:
        assert hits(mock, f"{tenant}/same/query") == ["t1"]
        assert hits(mock, f"{SCOPED}/same/query") == ["a1", "h1"]
        assert hits(mock, "/api/index/same/query") == ["d1"]  # the default collection
    finally:
        for path in (f"{SCOPED}/same", f"{tenant}/same", "/api/index/same"):
            request(mock, "DELETE", path)


def test_scoped_definitions_the_service_refuses(mock: MockCluster) -> None:
    status, doc = request(mock, "PUT", f"{SCOPED}/bad", {**DYNAMIC, "sourceName": "other"})
    assert status == 400 and "is not the bucket" in doc["error"]
    status, doc = request(mock, "PUT", f"{SCOPED}/9bad", DYNAMIC)
    assert status == 400 and "indexName is invalid" in doc["error"]
    status, doc = request(mock, "PUT", "/api/bucket/nobucket/scope/s/index/x", DYNAMIC)
    assert status == 400 and "bucket not found" in doc["error"]
    assert request(mock, "GET", "/api/bucket/nobucket/scope/s/index")[0] == 400
    assert request(mock, "GET", "/api/bucket/default/scope/inventory")[0] == 404


def test_a_new_collection_of_the_scope_is_read(mock: MockCluster) -> None:
    from couchbase.cluster import Cluster

    assert request(mock, "PUT", f"{SCOPED}/grow", DYNAMIC)[0] == 200
    cluster = Cluster(mock.connstr, ClusterOptions(
        PasswordAuthenticator("Administrator", "password")))
    try:
        assert hits(mock, f"{SCOPED}/grow/query") == ["a1", "h1"]
        name = f"c{uuid.uuid4().hex[:6]}"
        cluster.bucket("default").collections().create_collection("inventory", name)
        coll = cluster.bucket("default").scope("inventory").collection(name)
        coll.upsert("n1", {"text": "new garden"})
        assert hits(mock, f"{SCOPED}/grow/query") == ["a1", "h1", "n1"]
        coll.remove("n1")
        assert hits(mock, f"{SCOPED}/grow/query") == ["a1", "h1"]
    finally:
        cluster.close()
        request(mock, "DELETE", f"{SCOPED}/grow")


# -- through the 4.x SDK ------------------------------------------------------------------------
@pytest.fixture
def scope(mock: MockCluster) -> Iterator[Any]:
    from couchbase.cluster import Cluster

    cluster = Cluster(mock.connstr, ClusterOptions(
        PasswordAuthenticator("Administrator", "password")))
    yield cluster.bucket("default").scope("inventory")
    cluster.close()


def test_scope_search_index_manager_life_cycle(scope: Any) -> None:
    manager = scope.search_indexes()
    assert isinstance(manager, ScopeSearchIndexManager)
    manager.upsert_index(SearchIndex(name="sdk", source_name="default",
                                     params=DYNAMIC["params"]))
    try:
        got = manager.get_index("sdk")
        assert got.name == "sdk" and got.source_name == "default"
        assert [i.name for i in manager.get_all_indexes()] == ["sdk"]
        assert manager.get_indexed_documents_count("sdk") == 2
        manager.upsert_index(got)  # replacing: the definition names its uuid
        rows = scope.search_query("sdk", MatchQuery("seaside")).rows()
        assert [r.id for r in rows] == ["h1"]
        assert sorted(r.id for r in scope.search_query("sdk", TermQuery("garden")).rows()) \
            == ["a1", "h1"]
        manager.pause_ingest("sdk")
        manager.resume_ingest("sdk")
        assert manager.analyze_document("sdk", {"text": "Garden"})
    finally:
        manager.drop_index("sdk")
    with pytest.raises(SearchIndexNotFoundException):
        manager.get_index("sdk")
    with pytest.raises(SearchIndexNotFoundException):
        manager.drop_index("sdk")
    with pytest.raises(QueryIndexNotFoundException):
        list(scope.search_query("sdk", MatchQuery("garden")).rows())
    with pytest.raises(InvalidArgumentException):
        manager.get_index("")


def test_scope_search_indexes_on_asyncio(mock: MockCluster) -> None:
    import asyncio

    from acouchbase.cluster import Cluster
    from acouchbase.management.search import ScopeSearchIndexManager as AsyncScoped

    async def main() -> list[str]:
        cluster = await Cluster.connect(mock.connstr, ClusterOptions(
            PasswordAuthenticator("Administrator", "password")))
        try:
            scope = cluster.bucket("default").scope("inventory")
            manager = scope.search_indexes()
            assert isinstance(manager, AsyncScoped)
            await manager.upsert_index(SearchIndex(name="aio", source_name="default",
                                                   params=DYNAMIC["params"]))
            try:
                result = scope.search_query("aio", MatchQuery("garden"))
                return sorted([row.id async for row in result.rows()])
            finally:
                await manager.drop_index("aio")
        finally:
            await cluster.close()

    assert asyncio.run(main()) == ["a1", "h1"]
