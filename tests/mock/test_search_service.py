"""The local cluster's search (FTS) service over REST, as the server's
documentation describes it: index definitions, every query type, facets,
sort, paging, fields, highlights, consistency, errors and limits, and an
index that follows the bucket's writes."""

from __future__ import annotations

import base64
import http.client
import json
import threading
import time
from typing import Any, Iterator, Optional

import pytest

from couchbase.bucket import Bucket
from couchbase_mock import MockCluster
from couchbase_mock.search.service import search_state

ADMIN = ("Administrator", "password")
DOCS = {
    "hotel_1": {"type": "hotel", "name": "Grand Budapest Hotel", "city": "Zubrowka",
                "description": "A swanky hotel with pink walls and a famous concierge",
                "rating": 4.5, "rooms": 120, "opened": "1932-06-01", "pets": True,
                "tags": ["luxury", "historic"]},
    "hotel_2": {"type": "hotel", "name": "The Overlook", "city": "Sidewinder",
                "description": "A remote mountain hotel, very quiet in winter",
                "rating": 2.0, "rooms": 237, "opened": "1977-01-28", "pets": False,
                "tags": ["remote", "haunted"]},
    "hotel_3": {"type": "hotel", "name": "Fawlty Towers", "city": "Torquay",
                "description": "A seaside hotel run by a rude manager",
                "rating": 1.5, "rooms": 12, "opened": "1975-09-19", "pets": True,
                "tags": ["seaside"]},
    "landmark_1": {"type": "landmark", "name": "Budapest Parliament", "city": "Budapest",
                   "description": "The parliament building on the Danube"},
    "landmark_2": {"type": "landmark", "name": "Hotel de Ville", "city": "Paris",
                   "description": "City hall of Paris"},
}
DYNAMIC = {"type": "fulltext-index", "sourceType": "gocbcore", "sourceName": "default",
           "params": {"mapping": {"default_mapping": {"enabled": True, "dynamic": True},
                                  "store_dynamic": True}}}


def request(mock: MockCluster, method: str, path: str, body: Any = None,
            auth: Optional[tuple[str, str]] = ADMIN, node: int = 0,
            raw: Optional[bytes] = None) -> tuple[int, Any]:
    conn = http.client.HTTPConnection(mock.host, mock.nodes[node].search_port, timeout=60)
    headers = {"Content-Type": "application/json"}
    if auth is not None:
        token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
        headers["Authorization"] = f"Basic {token}"
    data = raw if raw is not None else None if body is None else json.dumps(body).encode()
    try:
        conn.request(method, path, body=data, headers=headers)
        resp = conn.getresponse()
        text = resp.read()
        ctype = resp.getheader("Content-Type", "")
        return resp.status, json.loads(text) if "json" in ctype else text
    finally:
        conn.close()


@pytest.fixture(scope="module")
def mock() -> Iterator[MockCluster]:
    with MockCluster(nodes=2, replicas=0, buckets={"default": {}, "other": {}}) as mock:
        cb = Bucket(f"{mock.connstr}/default", username="Administrator", password="password")
        cb.upsert_multi(DOCS)
        cb.close()
        status, doc = request(mock, "PUT", "/api/index/hotels", DYNAMIC)
        assert status == 200 and doc["status"] == "ok", doc
        yield mock


@pytest.fixture
def cb(mock: MockCluster) -> Iterator[Bucket]:
    bucket = Bucket(f"{mock.connstr}/default", username="Administrator", password="password")
    yield bucket
    bucket.close()


def search(mock: MockCluster, query: Any, index: str = "hotels", **extra: Any) -> dict[str, Any]:
    status, doc = request(mock, "POST", f"/api/index/{index}/query", {"query": query, **extra})
    assert status == 200, doc
    return doc  # type: ignore[no-any-return]


def ids(mock: MockCluster, query: Any, **extra: Any) -> set[str]:
    return {hit["id"] for hit in search(mock, query, size=100, **extra)["hits"]}


def refused(mock: MockCluster, body: Any, index: str = "hotels") -> str:
    status, doc = request(mock, "POST", f"/api/index/{index}/query", body)
    assert status == 400 and doc["status"] == "fail", doc
    return doc["error"]  # type: ignore[no-any-return]


# -- wiring and index definitions ---------------------------------------------------------


def test_every_node_advertises_its_search_port(mock: MockCluster) -> None:
    status, doc = request(mock, "GET", "/api/ping")
    assert status == 200
    cb = Bucket(f"{mock.connstr}/default", username="Administrator", password="password")
    try:
        ports = [n.search_port for n in cb._live().router.config.nodes]
    finally:
        cb.close()
    assert sorted(ports) == sorted(n.search_port for n in mock.nodes) and all(ports)


def test_requests_need_credentials(mock: MockCluster) -> None:
    assert request(mock, "GET", "/api/index", auth=None)[0] == 401
    assert request(mock, "GET", "/api/index", auth=("Administrator", "wrong"))[0] == 401


def test_a_bucket_user_reaches_only_its_own_bucket(mock: MockCluster) -> None:
    status, doc = request(mock, "POST", "/api/index/hotels/query",
                          {"query": {"match_all": {}}}, auth=("other", ""))
    assert status == 403 and doc["status"] == "fail"
    status, doc = request(mock, "GET", "/api/index", auth=("other", ""))
    assert status == 200 and "hotels" not in doc["indexDefs"]["indexDefs"]


def test_create_get_list_replace_and_delete_an_index(mock: MockCluster) -> None:
    status, doc = request(mock, "PUT", "/api/index/crud", DYNAMIC)
    assert status == 200 and doc["status"] == "ok"
    uuid = doc["uuid"]
    status, doc = request(mock, "GET", "/api/index/crud")
    assert status == 200 and doc["status"] == "ok"
    assert doc["indexDef"]["name"] == "crud" and doc["indexDef"]["uuid"] == uuid
    assert doc["indexDef"]["sourceName"] == "default"
    assert doc["indexDef"]["type"] == "fulltext-index"
    listed = request(mock, "GET", "/api/index")[1]["indexDefs"]["indexDefs"]
    assert {"crud", "hotels"} <= set(listed)
    # the same name again: refused unless the current uuid is given
    status, doc = request(mock, "PUT", "/api/index/crud", DYNAMIC)
    assert status == 400 and "already exists" in doc["error"]
    status, doc = request(mock, "PUT", "/api/index/crud", {**DYNAMIC, "uuid": uuid})
    assert status == 200 and doc["uuid"] != uuid
    assert request(mock, "GET", "/api/index/crud/count")[1] == {"status": "ok",
                                                                "count": len(DOCS)}
    status, doc = request(mock, "DELETE", "/api/index/crud")
    assert status == 200 and doc["status"] == "ok"
    status, doc = request(mock, "GET", "/api/index/crud")
    assert status == 400 and "index not found" in doc["error"]
    status, doc = request(mock, "DELETE", "/api/index/crud")
    assert status == 400 and "index not found" in doc["error"]


@pytest.mark.parametrize("name, body, words", [
    ("1bad", DYNAMIC, "indexName is invalid"),
    ("nobucket", {**DYNAMIC, "sourceName": "missing"}, "sourceName: missing"),
    ("badtype", {**DYNAMIC, "type": "fulltext-thing"}, "unknown indexType"),
    ("badsource", {**DYNAMIC, "sourceType": "files"}, "unknown sourceType"),
    ("badanalyzer", {**DYNAMIC, "params": {"mapping": {"default_analyzer": "klingon"}}},
     "no analyzer with name or type 'klingon'"),
    ("badfield", {**DYNAMIC, "params": {"mapping": {"types": {"hotel": {"properties": {
        "name": {"fields": [{"name": "name", "type": "colour"}]}}}}}}}, "unknown field type"),
])
def test_bad_definitions_are_refused(mock: MockCluster, name: str, body: Any,
                                     words: str) -> None:
    status, doc = request(mock, "PUT", f"/api/index/{name}", body)
    assert status == 400 and doc["status"] == "fail" and words in doc["error"], doc
    assert request(mock, "GET", f"/api/index/{name}")[0] == 400


def test_a_definition_that_is_not_json_is_refused(mock: MockCluster) -> None:
    status, doc = request(mock, "PUT", "/api/index/notjson", raw=b"{nope")
    assert status == 400 and doc["status"] == "fail"


# -- queries ------------------------------------------------------------------------------

QUERIES = [
    ({"match": "swanky"}, {"hotel_1"}),
    ({"match": "SWANKY concierge", "operator": "and"}, {"hotel_1"}),
    ({"match": "swanky winter", "operator": "and"}, set()),
    ({"match": "swanki", "fuzziness": 1}, {"hotel_1"}),
    ({"match": "swanki", "fuzziness": 1, "prefix_length": 6}, set()),
    ({"match": "budapest", "field": "name"}, {"hotel_1", "landmark_1"}),
    ({"match": "the of a", "field": "description"}, set()),  # stop words only
    ({"match_phrase": "pink walls"}, {"hotel_1"}),
    ({"match_phrase": "walls pink"}, set()),
    ({"match_phrase": "mountain hotel", "field": "description"}, {"hotel_2"}),
    ({"term": "budapest", "field": "name"}, {"hotel_1", "landmark_1"}),
    ({"term": "Budapest", "field": "name"}, set()),  # terms are not analysed
    ({"term": "budapast", "field": "name", "fuzziness": 1}, {"hotel_1", "landmark_1"}),
    ({"terms": ["remote", "mountain"], "field": "description"}, {"hotel_2"}),
    ({"terms": ["mountain", "remote"], "field": "description"}, set()),
    ({"prefix": "budap", "field": "name"}, {"hotel_1", "landmark_1"}),
    ({"prefix": "budap"}, {"hotel_1", "landmark_1"}),
    ({"wildcard": "h?tel*", "field": "name"}, {"hotel_1", "landmark_2"}),
    ({"regexp": "over.*", "field": "name"}, {"hotel_2"}),
    ({"regexp": "over", "field": "name"}, set()),  # the whole term must match
    ({"query": "+hotel -pink"}, {"hotel_2", "hotel_3", "landmark_2"}),
    ({"query": "name:budapest rooms:>200"}, {"hotel_1", "hotel_2", "landmark_1"}),
    ({"query": "description:\"pink walls\""}, {"hotel_1"}),
    ({"query": "+type:hotel +rooms:<=120"}, {"hotel_1", "hotel_3"}),
    ({"query": "name:/fawl.*/"}, {"hotel_3"}),
    ({"query": "name:ov*"}, {"hotel_2"}),
    ({"query": "swanki~1"}, {"hotel_1"}),
    ({"query": "rooms:237"}, {"hotel_2"}),
    ({"query": ""}, set()),
    ({"min": 2, "max": 4.5, "field": "rating"}, {"hotel_2"}),
    ({"min": 2, "max": 4.5, "inclusive_max": True, "field": "rating"}, {"hotel_1", "hotel_2"}),
    ({"min": 2, "inclusive_min": False, "field": "rating"}, {"hotel_1"}),
    ({"max": 100, "field": "rooms"}, {"hotel_3"}),
    ({"start": "1970-01-01", "end": "1976-01-01", "field": "opened"}, {"hotel_3"}),
    ({"start": "1975-09-19T00:00:00Z", "inclusive_start": False, "field": "opened"},
     {"hotel_2"}),
    ({"min": "b", "max": "c", "field": "city"}, {"landmark_1"}),
    ({"conjuncts": [{"match": "hotel", "field": "type"}, {"bool": True, "field": "pets"}]},
     {"hotel_1", "hotel_3"}),
    ({"disjuncts": [{"match": "swanky"}, {"match": "pink"}, {"match": "mountain"}], "min": 2},
     {"hotel_1"}),
    ({"disjuncts": [{"match": "swanky"}, {"match": "mountain"}]}, {"hotel_1", "hotel_2"}),
    ({"must": {"conjuncts": [{"match": "hotel", "field": "type"}]},
      "must_not": {"disjuncts": [{"term": "haunted", "field": "tags"}]}},
     {"hotel_1", "hotel_3"}),
    ({"must": {"conjuncts": [{"match": "hotel", "field": "type"}]},
      "should": {"disjuncts": [{"match": "pink"}, {"match": "rude"}], "min": 1}},
     {"hotel_1", "hotel_3"}),
    ({"must_not": {"disjuncts": [{"match": "hotel", "field": "type"}]}},
     {"landmark_1", "landmark_2"}),
    ({"match_all": {}}, set(DOCS)),
    ({"match_none": {}}, set()),
    ({"ids": ["hotel_2", "nope"]}, {"hotel_2"}),
    ({"bool": False, "field": "pets"}, {"hotel_2"}),
]


@pytest.mark.parametrize("query, expected", QUERIES, ids=[json.dumps(q) for q, _ in QUERIES])
def test_query_types(mock: MockCluster, query: Any, expected: set[str]) -> None:
    doc = search(mock, query, size=100)
    assert {hit["id"] for hit in doc["hits"]} == expected
    assert doc["total_hits"] == len(expected)


def test_the_response_has_the_servers_layout(mock: MockCluster) -> None:
    doc = search(mock, {"match": "hotel", "field": "description"}, explain=True)
    assert doc["status"] == {"total": 1, "failed": 0, "successful": 1}
    assert doc["request"]["query"] == {"match": "hotel", "field": "description"}
    assert isinstance(doc["took"], int) and doc["took"] > 0
    assert doc["total_hits"] == 3 and doc["max_score"] == max(h["score"] for h in doc["hits"])
    assert doc["facets"] == {}
    hit = doc["hits"][0]
    assert set(hit) >= {"index", "id", "score", "locations", "sort", "explanation"}
    assert hit["index"].startswith("hotels_")
    loc = hit["locations"]["description"]["hotel"][0]
    text = DOCS[hit["id"]]["description"].encode()
    assert text[loc["start"]:loc["end"]] == b"hotel" and loc["pos"] >= 1
    assert hit["explanation"]["value"] == hit["score"]


def test_scores_rank_rarer_and_more_frequent_terms_higher(mock: MockCluster) -> None:
    hits = search(mock, {"match": "budapest parliament"})["hits"]
    assert [h["id"] for h in hits] == ["landmark_1", "hotel_1"]
    assert hits[0]["score"] > hits[1]["score"] > 0
    boosted = search(mock, {"disjuncts": [{"match": "budapest", "field": "name", "boost": 10},
                                          {"match": "parliament"}]})["hits"]
    assert boosted[0]["id"] == "landmark_1"  # it matches both clauses
    assert search(mock, {"match": "budapest"}, score="none")["hits"][0]["score"] == 0


def test_sort_by_field_id_and_score(mock: MockCluster) -> None:
    hotels = {"match": "hotel", "field": "type"}

    def order(sort: Any) -> list[str]:
        return [h["id"] for h in search(mock, hotels, sort=sort)["hits"]]

    assert order(["rooms"]) == ["hotel_3", "hotel_1", "hotel_2"]
    assert order(["-rooms"]) == ["hotel_2", "hotel_1", "hotel_3"]
    assert order(["_id"]) == ["hotel_1", "hotel_2", "hotel_3"]
    assert order([{"by": "id", "desc": True}]) == ["hotel_3", "hotel_2", "hotel_1"]
    assert order([{"by": "field", "field": "city"}]) == ["hotel_2", "hotel_3", "hotel_1"]
    assert order(["-pets", "_id"]) == ["hotel_1", "hotel_3", "hotel_2"]
    hits = search(mock, {"match_all": {}}, size=10,
                  sort=[{"by": "field", "field": "rooms", "missing": "first"}, "_id"])["hits"]
    assert [h["id"] for h in hits] == ["landmark_1", "landmark_2", "hotel_3", "hotel_1",
                                       "hotel_2"]
    assert hits[2]["sort"] == ["12", "hotel_3"]


def test_paging_with_size_and_from(mock: MockCluster) -> None:
    seen = []
    for start in range(0, 6, 2):
        doc = search(mock, {"match_all": {}}, size=2, **{"from": start}, sort=["_id"])
        assert doc["total_hits"] == len(DOCS)
        seen += [h["id"] for h in doc["hits"]]
    assert seen == sorted(DOCS)
    assert len(search(mock, {"match_all": {}})["hits"]) == len(DOCS)  # size defaults to 10
    assert search(mock, {"match_all": {}}, size=0)["hits"] == []


def test_facets(mock: MockCluster) -> None:
    facets = search(mock, {"match": "hotel", "field": "type"}, facets={
        "tags": {"field": "tags", "size": 2},
        "rating": {"field": "rating", "size": 5, "numeric_ranges": [
            {"name": "low", "max": 2}, {"name": "high", "min": 2}]},
        "era": {"field": "opened", "size": 5, "date_ranges": [
            {"name": "old", "end": "1950-01-01"}, {"name": "seventies",
                                                   "start": "1970-01-01",
                                                   "end": "1980-01-01"}]},
        "nothing": {"field": "nope", "size": 3},
    })["facets"]
    tags = facets["tags"]
    assert tags["field"] == "tags" and tags["total"] == 5 and tags["missing"] == 0
    assert len(tags["terms"]) == 2 and tags["other"] == 3
    assert all(t["count"] == 1 for t in tags["terms"])
    rating = facets["rating"]
    assert {r["name"]: r["count"] for r in rating["numeric_ranges"]} == {"low": 1, "high": 2}
    assert rating["numeric_ranges"][0] == {"name": "high", "min": 2, "count": 2}
    era = facets["era"]
    assert {r["name"]: r["count"] for r in era["date_ranges"]} == {"old": 1, "seventies": 2}
    assert facets["nothing"] == {"field": "nope", "total": 0, "missing": 3, "other": 0,
                                 "terms": []}


def test_fields_and_highlights(mock: MockCluster) -> None:
    hit = search(mock, {"match": "swanky"}, fields=["name", "tags", "rooms"],
                 highlight={"style": "html", "fields": ["description"]})["hits"][0]
    assert hit["fields"] == {"name": "Grand Budapest Hotel", "tags": ["luxury", "historic"],
                             "rooms": 120}
    assert hit["fragments"]["description"] == [
        "A <mark>swanky</mark> hotel with pink walls and a famous concierge"]
    hit = search(mock, {"match": "swanky"}, fields=["*"], highlight={"style": "ansi"})["hits"][0]
    assert hit["fields"]["city"] == "Zubrowka"
    assert "\x1b[43mswanky\x1b[0m" in hit["fragments"]["description"][0]
    assert "fields" not in search(mock, {"match": "swanky"})["hits"][0]


def test_analyzers_and_type_mappings(mock: MockCluster) -> None:
    body = {"type": "fulltext-index", "sourceType": "couchbase", "sourceName": "default",
            "params": {"doc_config": {"mode": "type_field", "type_field": "type"},
                       "mapping": {"default_mapping": {"enabled": False}, "types": {
                           "landmark": {"enabled": True, "dynamic": False, "properties": {
                               "name": {"fields": [{"name": "name", "type": "text",
                                                    "analyzer": "keyword", "store": True}]},
                               "description": {"fields": [{"name": "description",
                                                           "type": "text",
                                                           "analyzer": "en"}]}}}}}}}
    assert request(mock, "PUT", "/api/index/landmarks", body)[0] == 200
    assert request(mock, "GET", "/api/index/landmarks/count")[1]["count"] == 2
    assert ids(mock, {"term": "Hotel de Ville", "field": "name"}, index="landmarks") == {
        "landmark_2"}
    assert ids(mock, {"match": "Hotel de Ville", "field": "name"}, index="landmarks") == {
        "landmark_2"}  # the field's analyzer: keyword
    assert ids(mock, {"match": "buildings", "field": "description"}, index="landmarks") == {
        "landmark_1"}  # en: plurals meet their singular
    assert ids(mock, {"match": "budapest"}, index="landmarks") == set()  # city: not mapped
    assert ids(mock, {"match_all": {}}, index="landmarks") == {"landmark_1", "landmark_2"}


# -- errors and limits -----------------------------------------------------------------------


@pytest.mark.parametrize("body, words", [
    ({"query": {"nonsense": 1}}, "unknown query type"),
    ({}, "unknown query type"),
    ({"query": {"match": 5}}, "match must be a string"),
    ({"query": {"match": "x", "fuzziness": 3}}, "fuzziness exceeds max"),
    ({"query": {"regexp": "(", "field": "name"}}, "error parsing regexp"),
    ({"query": {"disjuncts": [{"match": "a"}], "min": 2}}, "fewer than the minimum"),
    ({"query": {"start": "yesterday", "field": "opened"}}, "unable to parse datetime"),
    ({"query": {"query": "name:\"unterminated"}}, "syntax error"),
    ({"query": {"match_all": {}}, "size": 10001}, "bleveMaxResultWindow"),
    ({"query": {"match_all": {}}, "size": -1}, "size must be a non-negative integer"),
    ({"query": {"match_all": {}}, "sort": [{"by": "colour"}]}, "unknown sort by"),
    ({"query": {"match_all": {}}, "highlight": {"style": "neon"}}, "no highlighter"),
    ({"query": {"match_all": {}}, "facets": {"f": {"size": 1}}}, "must name a field"),
    ({"query": {"match_all": {}}, "ctl": {"consistency": {"level": "strict"}}},
     "unsupported consistency level"),
])
def test_bad_queries_get_400_with_the_error_text(mock: MockCluster, body: Any,
                                                 words: str) -> None:
    error = refused(mock, body)
    assert error.startswith("rest_index: Query, indexName: hotels, err: ") and words in error


def test_a_body_that_is_not_json(mock: MockCluster) -> None:
    status, doc = request(mock, "POST", "/api/index/hotels/query", raw=b"{not json")
    assert status == 400 and doc["status"] == "fail"
    status, doc = request(mock, "POST", "/api/index/hotels/query",
                          raw=b"[" * 100000 + b"]" * 100000)
    assert status == 400 and doc["status"] == "fail"


def test_a_missing_index(mock: MockCluster) -> None:
    status, doc = request(mock, "POST", "/api/index/nosuch/query", {"query": {"match_all": {}}})
    assert status == 400 and "index not found" in doc["error"] and doc["status"] == "fail"
    assert request(mock, "GET", "/api/index/nosuch/count")[0] == 400
    assert request(mock, "GET", "/api/nothing/here")[0] == 404


def test_expansions_are_capped_like_the_server(mock: MockCluster, cb: Bucket) -> None:
    cb.upsert("many_words", {"words": " ".join(f"w{i:05d}" for i in range(2000))})
    try:
        assert "TooManyClauses" in refused(mock, {"query": {"prefix": "w", "field": "words"}})
        assert ids(mock, {"prefix": "w0000", "field": "words"}) == {"many_words"}
    finally:
        cb.remove("many_words")


def test_a_huge_query_string_is_answered_and_kv_keeps_going(mock: MockCluster,
                                                             cb: Bucket) -> None:
    text = " ".join(f"word{i}" for i in range(200000))  # ~1.9 MB
    answers: list[Any] = []

    def run() -> None:
        answers.append(request(mock, "POST", "/api/index/hotels/query",
                               {"query": {"match": text + " swanky"}}))

    worker = threading.Thread(target=run)
    worker.start()
    slowest = 0.0
    while worker.is_alive():
        started = time.perf_counter()
        cb.get("hotel_1")
        slowest = max(slowest, time.perf_counter() - started)
    worker.join()
    status, doc = answers[0]
    assert status == 200 and [h["id"] for h in doc["hits"]] == ["hotel_1"]
    assert slowest < 1.0, f"a KV get waited {slowest:.2f}s during the search"
    error = refused(mock, {"query": {"query": text}})
    assert "TooManyClauses" in error


# -- following the bucket ------------------------------------------------------------------------


def test_the_index_follows_upserts_and_removes_incrementally(mock: MockCluster,
                                                             cb: Bucket) -> None:
    assert ids(mock, {"match": "zeppelin"}) == set()
    index = mock.call(lambda c: search_state(c).indexes["hotels"])
    cb.upsert("airship", {"type": "vehicle", "name": "Hindenburg zeppelin"})
    assert ids(mock, {"match": "zeppelin"}) == {"airship"}
    assert index.last_applied == 1  # only what changed was read
    cb.upsert("airship", {"type": "vehicle", "name": "Graf balloon"})
    assert ids(mock, {"match": "zeppelin"}) == set()
    assert ids(mock, {"match": "balloon"}) == {"airship"}
    count = request(mock, "GET", "/api/index/hotels/count")[1]["count"]
    cb.remove("airship")
    assert ids(mock, {"match": "balloon"}) == set()
    assert request(mock, "GET", "/api/index/hotels/count")[1]["count"] == count - 1


def test_at_plus_consistency(mock: MockCluster, cb: Bucket) -> None:
    cb.upsert("fresh", {"note": "brandnew"})
    vbid = mock.call(lambda c: c.buckets["default"].vbucket_of(b"fresh"))
    uuid, seqno = mock.call(lambda c: next(
        (v.uuid, v.seqno) for v in [c.buckets["default"].stores[
            c.buckets["default"].active_node(vbid)].vbuckets[vbid]]))
    key = f"{vbid}/{uuid}"
    ctl = {"consistency": {"level": "at_plus", "vectors": {"hotels": {key: seqno}}}}
    assert ids(mock, {"match": "brandnew"}, ctl=ctl) == {"fresh"}
    wrong = {"consistency": {"level": "at_plus", "vectors": {"hotels": {f"{vbid}/1": 1}}}}
    assert "mismatched partition" in refused(mock, {"query": {"match_all": {}}, "ctl": wrong})
    future = {"timeout": 200, "consistency": {"level": "at_plus",
                                              "vectors": {"hotels": {key: seqno + 1000}}}}
    status, doc = request(mock, "POST", "/api/index/hotels/query",
                          {"query": {"match_all": {}}, "ctl": future})
    assert status == 412 and doc["status"] == "fail"
    cb.remove("fresh")


def test_definitions_survive_a_restart_with_a_data_directory(tmp_path: Any) -> None:
    with MockCluster(nodes=1, replicas=0, data_dir=str(tmp_path)) as mock:
        assert request(mock, "PUT", "/api/index/kept", DYNAMIC)[0] == 200
        cb = Bucket(f"{mock.connstr}/default", username="Administrator", password="password")
        cb.upsert("k", {"text": "persistent words"})
        cb.close()
        uuid = request(mock, "GET", "/api/index/kept")[1]["indexDef"]["uuid"]
    with MockCluster(nodes=1, replicas=0, data_dir=str(tmp_path)) as mock:
        status, doc = request(mock, "GET", "/api/index/kept")
        assert status == 200 and doc["indexDef"]["uuid"] == uuid
        assert ids(mock, {"match": "persistent"}, index="kept") == {"k"}


# -- documents and requests nested deeper than can be walked -------------------------------
def test_a_deeply_nested_document_is_skipped_not_a_failed_search(mock: MockCluster,
                                                                 cb: Bucket) -> None:
    """The server indexes what it can; one document nested 100,000 deep (stored as
    raw bytes by the data service) must not turn every search into a 500."""
    deep = b"[" * 100_000 + b"]" * 100_000
    cb.upsert("deep-nested-doc", deep, format=0x03000002)  # FMT_BYTES: as it is
    doc = search(mock, {"match": "Reno", "field": "city"})
    assert doc["status"]["failed"] == 0
    cb.remove("deep-nested-doc")


def test_a_deeply_nested_query_is_refused_with_400(mock: MockCluster) -> None:
    status, doc = request(mock, "POST", "/api/index/hotels/query",
                          raw=b'{"query":' + b"[" * 100_000 + b"]" * 100_000 + b"}")
    assert status == 400, doc
