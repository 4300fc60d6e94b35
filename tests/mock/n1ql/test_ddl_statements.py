"""CREATE/DROP SCOPE and COLLECTION, from the language reference.

Pages: createscope.adoc, dropscope.adoc, createcollection.adoc,
dropcollection.adoc (docs-server modules/n1ql/pages/n1ql-language-reference);
error codes as the query service reports datastore failures (12003 keyspace
not found, 12021 scope not found, 12025-12028 create/drop scope/collection).
"""

from __future__ import annotations

import json
from typing import Iterator

import pytest

from couchbase_mock import MockCluster
from couchbase_mock.n1ql import MemoryDatastore, N1QLError, QueryEngine


@pytest.fixture
def ts() -> QueryEngine:
    ds = MemoryDatastore()
    ds.create_bucket("travel-sample")
    return QueryEngine(ds)


def error(engine: QueryEngine, statement: str) -> N1QLError:
    with pytest.raises(N1QLError) as info:
        engine.query(statement)
    return info.value


# -- createscope.adoc ---------------------------------------------------------------


def test_create_scope_example(ts):
    # createscope.adoc "Example": CREATE SCOPE `travel-sample`.events
    assert ts.query("CREATE SCOPE `travel-sample`.events").results == []
    assert "events" in ts.datastore.scopes("travel-sample")


def test_create_scope_with_namespace(ts):
    # createscope.adoc "Syntax": ( namespace ':' )? bucket '.' scope
    ts.query("CREATE SCOPE default:`travel-sample`.events")
    assert "events" in ts.datastore.scopes("travel-sample")


def test_create_scope_that_exists_fails_unless_if_not_exists(ts):
    # createscope.adoc "IF NOT EXISTS Clause"
    ts.query("CREATE SCOPE `travel-sample`.events")
    err = error(ts, "CREATE SCOPE `travel-sample`.events")
    assert err.code == 12025 and "already exists" in err.msg
    assert ts.query("CREATE SCOPE `travel-sample`.events IF NOT EXISTS").results == []


def test_create_scope_in_a_missing_bucket(ts):
    err = error(ts, "CREATE SCOPE nosuch.events")
    assert err.code == 12003 and "nosuch" in err.msg


@pytest.mark.parametrize("name", ["`_system`", "`%pct`", "`a.b`", "`" + "x" * 252 + "`"])
def test_create_scope_refuses_names_the_server_refuses(ts, name):
    # createscope.adoc "scope": "Refer to Naming for Scopes and Collections"
    err = error(ts, f"CREATE SCOPE `travel-sample`.{name}")
    assert err.code == 12025


def test_create_scope_needs_bucket_and_scope(ts):
    assert error(ts, "CREATE SCOPE events").code == 3000
    assert error(ts, "CREATE SCOPE `travel-sample`.a.b").code == 3000


# -- dropscope.adoc -----------------------------------------------------------------


def test_drop_scope_example_drops_its_collections(ts):
    # dropscope.adoc "Example" and "Usage": collections within the scope go too
    ts.query("CREATE SCOPE `travel-sample`.events")
    ts.query("CREATE COLLECTION `travel-sample`.events.talks")
    ts.query("CREATE PRIMARY INDEX ON `travel-sample`.events.talks")
    assert ts.query("DROP SCOPE `travel-sample`.events").results == []
    assert "events" not in ts.datastore.scopes("travel-sample")
    assert ts.catalog.of(("travel-sample", "events", "talks")) == []
    assert error(ts, "SELECT * FROM `travel-sample`.events.talks").code == 12003


def test_drop_missing_scope_fails_unless_if_exists(ts):
    # dropscope.adoc "IF EXISTS Clause"
    err = error(ts, "DROP SCOPE `travel-sample`.events")
    assert err.code == 12026 and "not found" in err.msg
    assert ts.query("DROP SCOPE `travel-sample`.events IF EXISTS").results == []


def test_default_scope_cannot_be_dropped(ts):
    assert error(ts, "DROP SCOPE `travel-sample`._default").code == 12026


# -- createcollection.adoc -------------------------------------------------------------


def test_create_collection_with_full_path(ts):
    # createcollection.adoc "Create collection with full path"
    ts.query("CREATE SCOPE `travel-sample`.inventory")
    assert ts.query("CREATE COLLECTION `travel-sample`.inventory.city").results == []
    ts.query("INSERT INTO `travel-sample`.inventory.city (KEY, VALUE) VALUES ('c1', {'n': 1})")
    assert ts.query("SELECT RAW n FROM `travel-sample`.inventory.city USE KEYS 'c1'"
                    ).results == [1]


def test_create_collection_needs_its_scope(ts):
    # createcollection.adoc "Usage": "If the scope does not exist, an error is generated."
    err = error(ts, "CREATE COLLECTION `travel-sample`.inventory.city")
    assert err.code == 12021
    assert err.msg == "Scope not found in CB datastore default:travel-sample.inventory"


def test_create_collection_that_exists(ts):
    ts.query("CREATE SCOPE `travel-sample`.inventory")
    ts.query("CREATE COLLECTION `travel-sample`.inventory.city")
    err = error(ts, "CREATE COLLECTION `travel-sample`.inventory.city")
    assert err.code == 12027 and "already exists" in err.msg
    assert ts.query("CREATE COLLECTION `travel-sample`.inventory.city IF NOT EXISTS"
                    ).results == []


def test_collection_name_alone_needs_a_query_context(ts):
    # createcollection.adoc "Usage": "If you specify a collection name by itself
    # without setting a valid query context, an error is generated."
    assert error(ts, "CREATE COLLECTION country").code == 3000


def test_create_collection_refuses_bad_names(ts):
    ts.query("CREATE SCOPE `travel-sample`.inventory")
    assert error(ts, "CREATE COLLECTION `travel-sample`.inventory.`_x`").code == 12027


# -- dropcollection.adoc ----------------------------------------------------------------


def test_drop_collection_and_if_exists(ts):
    ts.query("CREATE SCOPE `travel-sample`.inventory")
    ts.query("CREATE COLLECTION `travel-sample`.inventory.city")
    assert ts.query("DROP COLLECTION `travel-sample`.inventory.city").results == []
    err = error(ts, "DROP COLLECTION `travel-sample`.inventory.city")
    assert err.code == 12028 and "not found" in err.msg
    assert ts.query("DROP COLLECTION `travel-sample`.inventory.city IF EXISTS").results == []


# -- on the local cluster: the manifest the KV service and REST API use ------------------


@pytest.fixture(scope="module")
def cluster() -> Iterator[MockCluster]:
    with MockCluster(nodes=1, buckets={"shop": {}}) as m:
        yield m


def service(mock: MockCluster, statement: str, **params: object) -> dict:
    import http.client

    from mock_http import basic_auth

    body = json.dumps({"statement": statement, **params}).encode()
    conn = http.client.HTTPConnection(mock.host, mock.nodes[0].query_port, timeout=30)
    try:
        headers = dict(basic_auth("Administrator", "password"))
        headers["Content-Type"] = "application/json"
        conn.request("POST", "/query/service", body=body, headers=headers)
        return json.loads(conn.getresponse().read())
    finally:
        conn.close()


def test_cluster_collection_made_by_n1ql_is_in_the_manifest_and_usable(cluster):
    assert service(cluster, "CREATE SCOPE shop.sales")["status"] == "success"
    assert service(cluster, "CREATE COLLECTION country", query_context="default:shop.sales"
                   )["status"] == "success"
    scopes = {s["name"]: [c["name"] for c in s["collections"]]
              for s in cluster.manifest("shop")["scopes"]}
    assert scopes["sales"] == ["country"]
    from cluster4x import cluster_class, options

    with cluster_class("sync").connect(cluster.connstr, options()) as sdk:
        coll = sdk.bucket("shop").scope("sales").collection("country")
        coll.upsert("fr", {"name": "France"})
        assert coll.get("fr").content_as[dict] == {"name": "France"}
    answer = service(cluster, "SELECT RAW name FROM shop.sales.country USE KEYS 'fr'")
    assert answer["results"] == ["France"]


def test_cluster_drop_scope_reaches_the_manifest(cluster):
    service(cluster, "CREATE SCOPE shop.tmp")
    assert "tmp" in [s["name"] for s in cluster.manifest("shop")["scopes"]]
    assert service(cluster, "DROP SCOPE shop.tmp")["status"] == "success"
    assert "tmp" not in [s["name"] for s in cluster.manifest("shop")["scopes"]]
    answer = service(cluster, "DROP SCOPE shop.tmp")
    assert answer["errors"][0]["code"] == 12026
