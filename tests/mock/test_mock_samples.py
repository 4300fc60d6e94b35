"""Sample buckets: ``POST /sampleBuckets/install`` and ``GET /sampleBuckets`` as
on the server, ``--sample`` and ``MockCluster(samples=...)``, and the data the
developer guide and the SDK guides read from them."""

from __future__ import annotations

import hashlib
import http.client
import json
import time
from typing import Any, Iterator
from urllib.parse import urlencode, urlsplit

import pytest
from mock_http import ADMIN, basic_auth, fetch
from mock_views import query as view_query
from test_mock_cli import _read_line, _spawn

from couchbase.bucket import Bucket
from couchbase_mock import MockCluster
from couchbase_mock.samples import SAMPLES, beer, gamesim, travel

GUIDE_ROWS = [  # the developer guide's queryAll("beer", "brewery_beers", limit=5)
    (["21st_amendment_brewery_cafe"], "21st_amendment_brewery_cafe"),
    (["21st_amendment_brewery_cafe", "21st_amendment_brewery_cafe-21a_ipa"],
     "21st_amendment_brewery_cafe-21a_ipa"),
    (["21st_amendment_brewery_cafe", "21st_amendment_brewery_cafe-563_stout"],
     "21st_amendment_brewery_cafe-563_stout"),
    (["21st_amendment_brewery_cafe", "21st_amendment_brewery_cafe-amendment_pale_ale"],
     "21st_amendment_brewery_cafe-amendment_pale_ale"),
    (["21st_amendment_brewery_cafe", "21st_amendment_brewery_cafe-bitter_american"],
     "21st_amendment_brewery_cafe-bitter_american"),
]


def n1ql(mock: MockCluster, statement: str) -> dict[str, Any]:
    split = urlsplit(mock.query_url)
    conn = http.client.HTTPConnection(split.hostname, split.port, timeout=60)
    try:
        headers = dict(ADMIN, **{"Content-Type": "application/x-www-form-urlencoded"})
        conn.request("POST", "/query/service", urlencode({"statement": statement}), headers)
        return json.loads(conn.getresponse().read())  # type: ignore[no-any-return]
    finally:
        conn.close()


def rows(mock: MockCluster, statement: str) -> list[Any]:
    answer = n1ql(mock, statement)
    assert answer["status"] == "success", answer
    return answer["results"]  # type: ignore[no-any-return]


def post_install(mock: MockCluster, body: str, headers: Any = None) -> tuple[int, Any]:
    return fetch(mock, "/sampleBuckets/install", headers=headers, method="POST", body=body)


def wait_loaded(mock: MockCluster, index: str, timeout: float = 60.0) -> None:
    """The server loads in the background; its last step is the indexes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        states = rows(mock, f'SELECT RAW state FROM system:indexes WHERE name = "{index}"')
        if states == ["online"]:
            return
        time.sleep(0.1)
    raise AssertionError(f"{index} not online after {timeout}s")


def stored(mock: MockCluster, bucket: str) -> dict[tuple[int, bytes], bytes]:
    """Every document of a bucket, as the active vbuckets hold it."""
    def read(cluster: Any) -> dict[tuple[int, bytes], bytes]:
        b = cluster.buckets[bucket]
        out = {}
        for vb in range(b.num_vbuckets):
            for key, doc in b.stores[b.active_node(vb)].vbuckets[vb].docs.items():
                if not doc.deleted:
                    out[key] = bytes(doc.value)
        return out

    return mock.call(read)


@pytest.fixture(scope="module")
def rest_mock() -> Iterator[MockCluster]:
    """A cluster where beer-sample is installed over REST."""
    with MockCluster(nodes=2, buckets={"default": {}}) as mock:
        status, body = post_install(mock, '["beer-sample"]')
        assert (status, body) == (202, [])
        wait_loaded(mock, "beer_primary")
        yield mock


@pytest.fixture(scope="module")
def started_mock() -> Iterator[MockCluster]:
    """A cluster started with every sample bucket."""
    with MockCluster(nodes=2, samples=["travel-sample", "gamesim-sample", "beer-sample"]) as mock:
        yield mock


# -- REST ---------------------------------------------------------------------------------


def test_listing_says_what_is_installed(rest_mock):
    status, body = fetch(rest_mock, "/sampleBuckets")
    assert status == 200
    assert body == [{"name": name, "installed": name == "beer-sample", "quotaNeeded": 209715200}
                    for name in ("beer-sample", "gamesim-sample", "travel-sample")]


def test_installing_again_is_refused_with_the_servers_message(rest_mock):
    status, body = post_install(rest_mock, '["beer-sample"]')
    assert (status, body) == (400, ["Sample bucket beer-sample is already loaded."])


def test_unknown_name_is_refused_and_nothing_is_installed(rest_mock):
    status, body = post_install(rest_mock, '["gamesim-sample", "no-such-sample"]')
    assert (status, body) == (400, ["Sample no-such-sample is not a valid sample."])
    assert "gamesim-sample" not in rest_mock.bucket_names


@pytest.mark.parametrize("payload", ["", "not json", '{"name": "beer-sample"}', "[1]",
                                     '"beer-sample"', "[" * 100_000])
def test_a_body_that_is_not_a_list_of_names_is_refused(rest_mock, payload):
    status, body = post_install(rest_mock, payload)
    assert status == 400 and isinstance(body, list) and body


def test_only_those_who_may_create_buckets_may_install(rest_mock):
    status, body = post_install(rest_mock, '["gamesim-sample"]', basic_auth("default", ""))
    assert status == 403
    assert body["permissions"] == ["cluster.samples!write"]
    status, _ = post_install(rest_mock, '["gamesim-sample"]', {})
    assert status == 401
    assert "gamesim-sample" not in rest_mock.bucket_names


def test_wrong_method_and_path(rest_mock):
    assert fetch(rest_mock, "/sampleBuckets/install")[0] == 405
    assert fetch(rest_mock, "/sampleBuckets/other")[0] == 404


# -- beer-sample: what the developer guide reads -------------------------------------------


def test_hello_couchbase_reads_juleol(rest_mock):
    with Bucket(f"{rest_mock.connstr}/beer-sample") as cb:
        beer_doc = cb.get("aass_brewery-juleol").value
        brewery = cb.get("21st_amendment_brewery_cafe").value
        ipa = cb.get("21st_amendment_brewery_cafe-21a_ipa").value
    assert (beer_doc["name"], beer_doc["abv"], beer_doc["brewery_id"]) == (
        "Juleøl", 5.9, "aass_brewery")
    assert brewery["type"] == "brewery" and brewery["city"] == "San Francisco"
    assert set(brewery) == {"name", "city", "state", "code", "country", "phone", "website",
                            "type", "updated", "description", "address", "geo"}
    assert set(brewery["geo"]) == {"accuracy", "lat", "lon"}
    assert set(ipa) == {"name", "abv", "ibu", "srm", "upc", "type", "brewery_id", "updated",
                        "description", "style", "category"}
    assert ipa["name"] == "21A IPA" and ipa["brewery_id"] == "21st_amendment_brewery_cafe"


def test_beer_sample_has_the_real_sets_size_and_shape(rest_mock):
    counts = rows(rest_mock, "SELECT type, COUNT(*) AS n FROM `beer-sample` GROUP BY type "
                             "ORDER BY type")
    assert counts == [{"type": "beer", "n": 5891}, {"type": "brewery", "n": 1412}]
    orphans = rows(rest_mock, "SELECT RAW COUNT(*) FROM `beer-sample` b WHERE b.type = 'beer' "
                              "AND META(b).id NOT LIKE b.brewery_id || '-%'")
    assert orphans == [0]


def test_brewery_beers_answers_as_in_the_guide(rest_mock):
    body = view_query(rest_mock, "beer", "brewery_beers", bucket="beer-sample", limit=5)
    assert [(r["key"], r["id"]) for r in body["rows"]] == GUIDE_ROWS
    assert all(r["value"] is None for r in body["rows"])
    assert body["total_rows"] == 7303


def test_by_location_counts_breweries(rest_mock):
    total = view_query(rest_mock, "beer", "by_location", bucket="beer-sample")
    assert total["rows"] == [{"key": None, "value": 1412}]
    by_country = view_query(rest_mock, "beer", "by_location", bucket="beer-sample",
                            group_level=1)["rows"]
    assert sum(r["value"] for r in by_country) == 1412
    assert {"key": ["Norway"], "value": 1} in by_country
    ca = view_query(rest_mock, "beer", "by_location", bucket="beer-sample",
                    reduce="false", key=["United States", "California", "San Francisco"])
    assert "21st_amendment_brewery_cafe" in [r["id"] for r in ca["rows"]]


def test_n1ql_over_beer_sample(rest_mock):
    names = rows(rest_mock, 'SELECT name FROM `beer-sample` WHERE type="brewery" LIMIT 5')
    assert len(names) == 5 and all(isinstance(r["name"], str) and r["name"] for r in names)
    index = rows(rest_mock, 'SELECT is_primary, keyspace_id FROM system:indexes '
                            'WHERE name = "beer_primary"')
    assert index == [{"is_primary": True, "keyspace_id": "beer-sample"}]


def test_ddoc_listing_on_the_rest_port(rest_mock):
    status, body = fetch(rest_mock, "/pools/default/buckets/beer-sample/ddocs")
    assert status == 200
    assert [r["doc"]["meta"]["id"] for r in body["rows"]] == ["_design/beer"]


# -- travel-sample and gamesim-sample, and start-up -------------------------------------------


def test_started_cluster_has_only_the_samples(started_mock):
    assert sorted(started_mock.bucket_names) == sorted(SAMPLES)


def test_travel_sample_scopes_and_collections(started_mock):
    scopes = {s["name"]: sorted(c["name"] for c in s["collections"])
              for s in started_mock.manifest("travel-sample")["scopes"]}
    assert scopes["inventory"] == ["airline", "airport", "hotel", "landmark", "route"]
    for i in range(5):
        assert scopes[f"tenant_agent_{i:02d}"] == ["bookings", "users"]
    assert scopes["_default"] == ["_default"]


def test_travel_sample_documents_the_guides_read(started_mock):
    airline = rows(started_mock, "SELECT a.* FROM `travel-sample`.inventory.airline a "
                                 "USE KEYS 'airline_10'")
    assert airline == [{"id": 10, "type": "airline", "name": "40-Mile Air", "iata": "Q5",
                        "icao": "MLA", "callsign": "MILE-AIR", "country": "United States"}]
    with Bucket(f"{started_mock.connstr}/travel-sample") as cb:
        assert cb.get("airline_10").value == airline[0]  # the same in the default collection
        route = cb.get("route_10000").value
    assert route["airlineid"] == "airline_137" and route["sourceairport"] == "TLV"
    assert {"day", "utc", "flight"} <= set(route["schedule"][0])


def test_travel_sample_counts_and_indexes(started_mock):
    counts = rows(started_mock, "SELECT type, COUNT(*) AS n FROM `travel-sample` GROUP BY type "
                                "ORDER BY type")
    assert counts == [{"type": t, "n": n} for t, n in [
        ("airline", 187), ("airport", 1968), ("hotel", 917), ("landmark", 4495),
        ("route", travel.ROUTES)]]
    assert rows(started_mock, "SELECT RAW COUNT(*) FROM `travel-sample`.inventory.route") == [
        travel.ROUTES]
    names = rows(started_mock, 'SELECT RAW name FROM system:indexes WHERE state = "online" '
                               'AND name LIKE "def_%" ORDER BY name')
    assert len(names) == len(travel.SAMPLE.indexes) == 23
    for expected in ("def_primary", "def_faa", "def_route_src_dst_day",
                     "def_inventory_airport_faa", "def_inventory_route_primary"):
        assert expected in names


def test_n1ql_on_inventory_collections(started_mock):
    sfo = rows(started_mock, 'SELECT airportname, city FROM `travel-sample`.inventory.airport '
                             'WHERE faa = "SFO"')
    assert sfo == [{"airportname": "San Francisco Intl", "city": "San Francisco"}]
    routes = rows(started_mock, 'SELECT RAW COUNT(*) FROM `travel-sample`.inventory.route '
                                'WHERE sourceairport = "SFO"')
    default = rows(started_mock, 'SELECT RAW COUNT(*) FROM `travel-sample` '
                                 'WHERE type = "route" AND sourceairport = "SFO"')
    assert routes == default and routes[0] > 0


def test_gamesim_views_and_fields(started_mock):
    board = view_query(started_mock, "players", "leaderboard", bucket="gamesim-sample",
                       descending="true", limit=3)
    assert body_sorted_desc([r["key"] for r in board["rows"]])
    assert board["total_rows"] == gamesim.PLAYERS
    kinds = rows(started_mock, "SELECT jsonType, COUNT(*) AS n FROM `gamesim-sample` "
                               "GROUP BY jsonType ORDER BY jsonType")
    assert kinds == [{"jsonType": "item", "n": gamesim.ITEMS},
                     {"jsonType": "monster", "n": gamesim.MONSTERS},
                     {"jsonType": "player", "n": gamesim.PLAYERS}]


def body_sorted_desc(keys: list[Any]) -> bool:
    return len(keys) == 3 and keys == sorted(keys, reverse=True)


def test_two_installs_write_identical_documents(rest_mock, started_mock):
    assert stored(rest_mock, "beer-sample") == stored(started_mock, "beer-sample")
    assert beer.generate() == beer.generate()
    assert gamesim.generate() == gamesim.generate()
    first, second = (hashlib.sha256(b"".join(k.encode() + v for _, _, k, v in
                                             travel.SAMPLE.documents())).hexdigest()
                     for _ in range(2))
    assert first == second


def test_unknown_sample_on_mock_cluster():
    with pytest.raises(ValueError, match="no-such"):
        MockCluster(samples=["no-such"])


def test_cli_sample_flag_installs_before_the_ready_line():
    started = time.perf_counter()
    proc = _spawn("--nodes", "1", "--sample", "gamesim-sample", "--sample", "beer-sample")
    try:
        info = json.loads(_read_line(proc, timeout=60))
        print(f"CLI with gamesim-sample and beer-sample ready in "
              f"{time.perf_counter() - started:.2f}s")
        assert info["buckets"] == ["gamesim-sample", "beer-sample"]
        mgmt = urlsplit(info["mgmt"])
        conn = http.client.HTTPConnection(mgmt.hostname, mgmt.port, timeout=10)
        conn.request("GET", "/sampleBuckets", headers=ADMIN)
        listing = json.loads(conn.getresponse().read())
        conn.close()
        assert {s["name"]: s["installed"] for s in listing} == {
            "beer-sample": True, "gamesim-sample": True, "travel-sample": False}
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_cli_refuses_an_unknown_sample():
    proc = _spawn("--sample", "nope")
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 2 and "--sample" in err and "nope" in err
