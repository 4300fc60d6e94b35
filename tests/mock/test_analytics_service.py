"""The local cluster's analytics service at the REST level (issue 16): the cbas port
in the cluster map, /analytics/service requests and answers (Analytics Service REST
API), the DDL (SQL++ for Analytics: dataverses, datasets, analytics collections,
indexes, CONNECT/DISCONNECT LINK), datasets following KV writes, Metadata queries,
errors with their codes, async handles and /analytics/link."""

from __future__ import annotations

import http.client
import json
from typing import Any, Iterator, Optional
from urllib.parse import quote, urlencode

import pytest
from mock_http import ADMIN, basic_auth, fetch
from mock_kvclient import ClusterKV

from couchbase._core.opcode import Opcode
from couchbase_mock import MockCluster


@pytest.fixture(scope="module")
def mock() -> Iterator[MockCluster]:
    with MockCluster(nodes=2, replicas=0, buckets={"default": {}, "travel": {}}) as made:
        made.create_scope("travel", "inventory")
        made.create_collection("travel", "inventory", "airline")
        yield made


def call(mock: MockCluster, method: str, path: str, body: Any = None, node: int = 0,
         headers: Optional[dict[str, str]] = None, form: bool = False) -> tuple[int, Any]:
    conn = http.client.HTTPConnection(mock.host, mock.nodes[node].ports["cbas"], timeout=10)
    try:
        hdrs = dict(ADMIN if headers is None else headers)
        data: Optional[bytes] = None
        if body is not None:
            data = (urlencode(body) if form else json.dumps(body)).encode()
            hdrs["Content-Type"] = "application/x-www-form-urlencoded" if form \
                else "application/json"
        conn.request(method, path, body=data, headers=hdrs)
        resp = conn.getresponse()
        return resp.status, json.loads(resp.read() or b"null")
    finally:
        conn.close()


def aq(mock: MockCluster, statement: str, **fields: Any) -> tuple[int, dict[str, Any]]:
    return call(mock, "POST", "/analytics/service", {"statement": statement, **fields})


def ok(mock: MockCluster, statement: str, **fields: Any) -> list[Any]:
    status, answer = aq(mock, statement, **fields)
    assert status == 200 and answer["status"] == "success", answer
    return answer["results"]


def error(mock: MockCluster, statement: str, **fields: Any) -> tuple[int, int, str]:
    status, answer = aq(mock, statement, **fields)
    assert answer["status"] in ("fatal", "timeout") and answer["metrics"]["errorCount"] == 1
    (err,) = answer["errors"]
    return status, err["code"], err["msg"]


def n1ql(mock: MockCluster, statement: str) -> None:
    conn = http.client.HTTPConnection(mock.host, mock.nodes[0].query_port, timeout=10)
    conn.request("POST", "/query/service", body=json.dumps({"statement": statement}),
                 headers={**ADMIN, "Content-Type": "application/json"})
    answer = json.loads(conn.getresponse().read())
    conn.close()
    assert answer["status"] == "success", answer


def test_the_cluster_map_lists_the_analytics_port(mock: MockCluster) -> None:
    status, services = fetch(mock, "/pools/default/nodeServices")
    assert status == 200
    for entry, node in zip(services["nodesExt"], mock.nodes):
        assert entry["services"]["cbas"] == node.ports["cbas"] > 0
    status, pool = fetch(mock, "/pools/default")
    assert all("cbas" in node["services"] for node in pool["nodes"])


def test_a_select_without_datasets_and_the_response_shape(mock: MockCluster) -> None:
    status, answer = aq(mock, "SELECT 1 + 1 AS two, $who AS who, ? AS pos", args=["a"],
                        **{"$who": "me"}, client_context_id="ctx-1")
    assert status == 200
    assert answer["results"] == [{"two": 2, "who": "me", "pos": "a"}]
    assert answer["requestID"] and answer["clientContextID"] == "ctx-1"
    assert answer["signature"] == {"*": "*"} and answer["status"] == "success"
    metrics = answer["metrics"]
    assert set(metrics) >= {"elapsedTime", "executionTime", "resultCount", "resultSize",
                            "processedObjects", "errorCount", "warningCount"}
    assert metrics["resultCount"] == 1 and metrics["errorCount"] == 0
    assert metrics["resultSize"] == len(json.dumps({"two": 2, "who": "me", "pos": "a"},
                                                   separators=(",", ":")))
    assert metrics["elapsedTime"].endswith("s")


def test_every_node_and_the_query_path_answer(mock: MockCluster) -> None:
    assert call(mock, "POST", "/analytics/service", {"statement": "SELECT VALUE 1"},
                node=1)[1]["results"] == [1]
    assert call(mock, "POST", "/query/service", {"statement": "SELECT VALUE 2"})[1][
        "results"] == [2]
    status, answer = call(mock, "POST", "/analytics/service",
                          {"statement": "SELECT VALUE $n", "$n": "3"}, form=True)
    assert status == 200 and answer["results"] == [3]


def test_a_dataset_follows_kv_writes_once_its_link_is_connected(mock: MockCluster) -> None:
    with ClusterKV(mock) as kv:
        kv.set(b"beer-1", b'{"type": "beer", "name": "Pale", "abv": 5}')
        kv.set(b"brewery-1", b'{"type": "brewery", "name": "Kona"}')
        ok(mock, "CREATE DATASET beers ON `default` WHERE `type` = 'beer'")
        assert ok(mock, "SELECT VALUE b.name FROM beers b") == []  # not connected yet
        ok(mock, "CONNECT LINK Local")
        assert ok(mock, "SELECT VALUE b.name FROM beers b") == ["Pale"]
        kv.set(b"beer-2", b'{"type": "beer", "name": "Stout", "abv": 8}')
        kv.set(b"beer-1", b'{"type": "beer", "name": "Pale Ale", "abv": 5}')
        kv.set(b"not-json", b"\x00\x01binary")
        rows = ok(mock, "SELECT VALUE b.name FROM beers b ORDER BY b.name")
        assert rows == ["Pale Ale", "Stout"]
        kv.doc(Opcode.DELETE, b"beer-2")
        kv.set(b"beer-1", b'{"type": "ale", "name": "Pale Ale"}')  # filtered out now
        assert ok(mock, "SELECT VALUE COUNT(*) FROM beers") == [0]
        kv.set(b"beer-3", b'{"type": "beer", "name": "Porter", "abv": 6}')
        _, answer = aq(mock, "SELECT b.name, meta(b).id AS id FROM beers b")
        assert answer["results"] == [{"name": "Porter", "id": "beer-3"}]
        assert answer["metrics"]["processedObjects"] == 1
        ok(mock, "DISCONNECT LINK Local")
        kv.set(b"beer-4", b'{"type": "beer", "name": "Lager"}')
        kv.set(b"beer-5", b'{"type": "beer", "name": "Bock"}')
        assert ok(mock, "SELECT VALUE COUNT(*) FROM beers") == [1]  # not ingested
        assert call(mock, "GET", "/analytics/node/agg/stats/remaining")[1]["Default"][
            "beers"] == 2
        ok(mock, "CONNECT LINK `Default`.Local")
        assert ok(mock, "SELECT VALUE COUNT(*) FROM beers") == [3]
        assert call(mock, "GET", "/analytics/node/agg/stats/remaining")[1]["Default"][
            "beers"] == 0


def test_select_with_parameters_over_a_dataverse(mock: MockCluster) -> None:
    n1ql(mock, 'UPSERT INTO travel.inventory.airline (KEY, VALUE) VALUES '
               '("a1", {"name": "Air One", "country": "FR"}), '
               '("a2", {"name": "Two Air", "country": "US"}), '
               '("a3", {"name": "Third", "country": "US"})')
    ok(mock, "CREATE DATAVERSE trips; USE trips; "
             "CREATE ANALYTICS COLLECTION airlines ON travel.inventory.airline; "
             "CREATE INDEX by_country ON airlines(country: string); CONNECT LINK Local")
    rows = ok(mock, "SELECT a.name FROM trips.airlines a WHERE a.country = $c "
                    "ORDER BY a.name", **{"$c": "US"})
    assert rows == [{"name": "Third"}, {"name": "Two Air"}]
    rows = ok(mock, "USE trips; SELECT VALUE a.name FROM airlines a WHERE a.country = ?",
              args=["FR"])
    assert rows == ["Air One"]
    counts = ok(mock, "SELECT a.country, COUNT(*) AS n FROM `trips`.`airlines` a "
                      "GROUP BY a.country ORDER BY a.country")
    assert counts == [{"country": "FR", "n": 1}, {"country": "US", "n": 2}]
    n1ql(mock, 'DELETE FROM travel.inventory.airline USE KEYS "a3"')
    assert ok(mock, "SELECT VALUE COUNT(*) FROM trips.airlines") == [2]


def test_a_scope_query_context_names_its_dataverse(mock: MockCluster) -> None:
    ok(mock, "CREATE ANALYTICS SCOPE `travel`.`inventory` IF NOT EXISTS")
    ok(mock, "CREATE DATASET IF NOT EXISTS `travel`.`inventory`.`airline` "
             "ON travel.inventory.airline")
    ok(mock, "CONNECT LINK `travel`.`inventory`.`Local`")
    rows = ok(mock, "SELECT VALUE a.name FROM airline a ORDER BY a.name",
              query_context="default:`travel`.`inventory`")
    assert rows == ["Air One", "Two Air"]
    assert ok(mock, "SELECT VALUE COUNT(*) FROM `travel`.`inventory`.airline") == [2]


def test_metadata_lists_dataverses_datasets_and_indexes(mock: MockCluster) -> None:
    ok(mock, "CREATE DATAVERSE meta_dv IF NOT EXISTS; "
             "CREATE DATASET meta_dv.ds ON `default` WHERE `type` = 'x'")
    dataverses = ok(mock, "SELECT VALUE d.DataverseName FROM Metadata.`Dataverse` d")
    assert {"Default", "Metadata", "meta_dv", "trips"} <= set(dataverses)
    (row,) = ok(mock, "SELECT d.* FROM Metadata.`Dataset` d WHERE d.DataverseName = "
                      "'meta_dv'")
    assert (row["DatasetName"], row["BucketName"], row["LinkName"]) == ("ds", "default",
                                                                          "Local")
    indexes = ok(mock, "SELECT VALUE i.IndexName FROM Metadata.`Index` i WHERE "
                       "i.DataverseName = 'trips' AND NOT i.IsPrimary")
    assert indexes == ["by_country"]
    ok(mock, "DROP INDEX trips.airlines.by_country")
    ok(mock, "DROP DATAVERSE meta_dv")
    assert "meta_dv" not in ok(mock, "SELECT VALUE d.DataverseName FROM Metadata.`Dataverse` d")


def test_ddl_errors_carry_analytics_codes(mock: MockCluster) -> None:
    assert error(mock, "SELECT * FROM no_such_dataset")[:2] == (400, 24045)
    assert error(mock, "SELECT * FROM nodv.ds")[1] == 24045  # (not a dataverse: a path)
    assert error(mock, "USE no_such_dv")[1] == 24034
    assert error(mock, "CREATE DATASET no_dv.ds ON `default`")[1] == 24034
    ok(mock, "CREATE DATAVERSE twice")
    assert error(mock, "CREATE DATAVERSE twice")[1] == 24039
    ok(mock, "CREATE DATASET twice.ds ON `default`")
    assert error(mock, "CREATE DATASET twice.ds ON `default`")[1] == 24040
    ok(mock, "CREATE DATASET twice.ds IF NOT EXISTS ON `default`")
    ok(mock, "CREATE INDEX ix ON twice.ds(name: string)")
    assert error(mock, "CREATE INDEX ix ON twice.ds(name: string)")[1] == 24048
    assert error(mock, "DROP INDEX twice.ds.nope")[1] == 24047
    ok(mock, "DROP INDEX twice.ds.nope IF EXISTS")
    ok(mock, "DROP DATASET twice.ds")
    assert error(mock, "DROP DATASET twice.ds")[1] == 24025  # (DDL: not 24045)
    ok(mock, "DROP DATASET twice.ds IF EXISTS")
    assert error(mock, "CONNECT LINK twice.Remote")[1] == 24006
    assert error(mock, "SELEKT 1")[1] == 24000
    assert ok(mock, "SELECT VALUE 1", readonly=True) == [1]
    assert error(mock, "CREATE DATAVERSE ro", readonly=True)[1] == 24131


def test_bad_requests(mock: MockCluster) -> None:
    status, answer = call(mock, "POST", "/analytics/service", {"args": []})
    assert status == 400 and answer["errors"][0]["code"] == 21006
    status, answer = aq(mock, "SELECT VALUE 1", timeout="soon")
    assert status == 400 and answer["errors"][0]["code"] == 21008
    status, answer = aq(mock, "SELECT VALUE 1", scan_consistency="at_plus")
    assert status == 400 and answer["errors"][0]["code"] == 21008
    status, answer = call(mock, "POST", "/analytics/service", {"statement": "SELECT 1"},
                          headers=basic_auth("Administrator", "wrong"))
    assert status == 401 and answer["errors"][0]["code"] == 20000


def test_async_mode_gives_status_and_result_handles(mock: MockCluster) -> None:
    status, answer = aq(mock, "SELECT VALUE x FROM [1, 2, 3] AS x", mode="async")
    assert 200 <= status < 300 and answer["status"] == "running"
    handle = answer["handle"]
    path = "/" + handle.split("/", 3)[3]
    status, polled = call(mock, "GET", path)
    assert status == 200 and polled["status"] == "success" and polled["resultCount"] == 3
    status, rows = call(mock, "GET", "/" + polled["handle"].split("/", 3)[3])
    assert rows == [1, 2, 3]
    assert call(mock, "GET", "/analytics/status/nope")[0] == 404


def test_links_rest(mock: MockCluster) -> None:
    ok(mock, "CREATE DATAVERSE linked IF NOT EXISTS")
    settings = {"type": "couchbase", "hostname": "remote:8091", "encryption": "none",
                "username": "u", "password": "secret"}
    assert call(mock, "POST", "/analytics/link/linked/far", settings, form=True)[0] == 200
    status, answer = call(mock, "POST", "/analytics/link/linked/far", settings, form=True)
    assert status == 400 and answer["errors"][0]["code"] == 24055
    status, links = call(mock, "GET", "/analytics/link/linked")
    assert status == 200 and len(links) == 1
    assert (links[0]["name"], links[0]["hostname"]) == ("far", "remote:8091")
    assert links[0]["password"] != "secret"
    assert call(mock, "PUT", "/analytics/link/linked/far",
                {**settings, "hostname": "other:8091"}, form=True)[0] == 200
    assert call(mock, "GET", "/analytics/link?dataverse=linked&name=far")[1][0][
        "hostname"] == "other:8091"
    assert call(mock, "GET", "/analytics/link?type=s3")[1] == []
    assert call(mock, "DELETE", "/analytics/link/linked/far")[0] == 200
    status, answer = call(mock, "DELETE", "/analytics/link/linked/far")
    assert status == 400 and answer["errors"][0]["code"] == 24006
    status, answer = call(mock, "GET", f"/analytics/link/{quote('nodv')}")
    assert answer["errors"][0]["code"] == 24034
