"""The search service cannot stall the local cluster or grow without bound.

A large index is built and searched on worker threads while KV gets go on
answering within a generous bound; the index keeps its postings in objects
the garbage collector does not walk (full collections once stopped every
thread for over a second); an index stops at the cluster's
``Limits.search_index_bytes`` and its queries are refused with the
server's 429 ``query request rejected``, until deletions make room.
"""

from __future__ import annotations

import base64
import gc
import http.client
import json
import random
import threading
import time
from typing import Any, Iterator, Optional

import pytest
from mock_kvclient import key_with_active
from mock_views import store

from couchbase.bucket import Bucket
from couchbase_mock import MockCluster
from couchbase_mock.limits import Limits
from couchbase_mock.search.service import search_state

DOCS = 6000
INDEX = {"type": "fulltext-index", "sourceType": "gocbcore", "sourceName": "default",
         "params": {"mapping": {"default_mapping": {"enabled": True, "dynamic": True},
                                "store_dynamic": True}}}
WORDS = [f"w{i}" for i in range(3000)]
MAX_GET = 1.0  # seconds: generous on a shared 2-core machine (a stall was 1.3 s)


def beers(count: int, prefix: str = "beer") -> Iterator[tuple[str, dict[str, Any]]]:
    """Documents shaped like beer-sample's beers: ten fields, ~300 bytes of text."""
    rng = random.Random(count)
    for i in range(count):
        yield f"{prefix}_{i:05d}", {
            "type": "beer", "name": f"{rng.choice(WORDS)} {rng.choice(WORDS)} ale",
            "abv": rng.randint(30, 120) / 10, "ibu": rng.randint(0, 90),
            "srm": rng.randint(0, 40), "upc": rng.randint(0, 10**6),
            "updated": "2010-07-22 20:00:20", "brewery_id": f"brewery_{rng.randint(0, 900)}",
            "style": rng.choice(["Porter", "Stout", "India Pale Ale", "Pilsener"]),
            "description": " ".join(rng.choices(WORDS[:400], k=60))[:300]}


def request(mock: MockCluster, method: str, path: str, body: Any = None,
            ) -> tuple[int, Any]:
    auth = base64.b64encode(f"{mock.username}:{mock.password}".encode()).decode()
    conn = http.client.HTTPConnection(mock.host, mock.nodes[0].search_port, timeout=120)
    try:
        conn.request(method, path, body=None if body is None else json.dumps(body),
                     headers={"Authorization": f"Basic {auth}",
                              "Content-Type": "application/json"})
        resp = conn.getresponse()
        return resp.status, json.loads(resp.read())
    finally:
        conn.close()


class Prober(threading.Thread):
    """Gets a document on every node in a loop, timing each get."""

    def __init__(self, mock: MockCluster) -> None:
        super().__init__(daemon=True)
        self.keys = [key_with_active(mock, n, "probe").decode() for n in range(len(mock.nodes))]
        store(mock, ((k, {"k": k}) for k in self.keys))
        self.cb = Bucket(f"{mock.connstr}/default?operation_timeout=30", password="")
        self.times: list[float] = []
        self.error: Optional[BaseException] = None
        self.done = threading.Event()

    def run(self) -> None:
        try:
            while not self.done.is_set():
                for key in self.keys:
                    started = time.monotonic()
                    assert self.cb.get(key).value == {"k": key}
                    self.times.append(time.monotonic() - started)
                time.sleep(0.002)
        except BaseException as exc:  # reported by stop()
            self.error = exc

    def stop(self) -> list[float]:
        self.done.set()
        self.join(60)
        self.cb.close()
        if self.error is not None:
            raise self.error
        return self.times


@pytest.fixture(scope="module")
def mock() -> Iterator[MockCluster]:
    with MockCluster(nodes=2, replicas=0) as cluster:
        store(cluster, beers(DOCS))
        yield cluster


def test_kv_answers_while_a_large_index_is_built_and_searched(mock):
    prober = Prober(mock)
    prober.start()
    try:
        deadline = time.monotonic() + 10
        while not prober.times and time.monotonic() < deadline:  # the prober is running
            time.sleep(0.01)
        status, body = request(mock, "PUT", "/api/index/big", INDEX)
        assert status == 200, body
        status, body = request(mock, "GET", "/api/index/big/count")  # builds it
        assert (status, body["count"]) == (200, DOCS + len(mock.nodes))
        during_build = len(prober.times)
        status, body = request(mock, "POST", "/api/index/big/query", {
            "query": {"match_all": {}}, "size": 10000, "fields": ["*"], "sort": ["-abv"],
            "facets": {"styles": {"field": "style", "size": 4}}})
        assert status == 200 and body["total_hits"] == DOCS + len(mock.nodes)
        assert len(body["hits"]) == DOCS + len(mock.nodes)
        assert body["hits"][0]["fields"]["abv"] == 12.0
    finally:
        times = prober.stop()
    assert during_build > 20 and len(times) > during_build  # it kept going all along
    assert max(times) < MAX_GET, f"a get waited {max(times):.2f} s"


def test_the_index_gives_the_collector_little_to_walk(mock):
    status, _ = request(mock, "PUT", "/api/index/walk", INDEX)
    assert status == 200
    gc.collect()
    before = len(gc.get_objects())
    count = request(mock, "GET", "/api/index/walk/count")[1]["count"]
    assert count in (DOCS, DOCS + len(mock.nodes))  # (+ the probe keys, if that test ran)
    gc.collect()
    gc.collect()  # a container is untracked once what it holds is
    # One per document, as the bucket's own store keeps; postings with their
    # locations once made ~100 tracked objects per document.
    assert len(gc.get_objects()) - before < 1.2 * DOCS
    index = mock.call(lambda c: search_state(c).indexes["walk"])
    assert not any(gc.is_tracked(p) for f in index.fields.values() for p in f.postings.values())


def test_an_index_over_its_size_limit_refuses_queries_until_it_fits():
    limit = 1024 * 1024  # about 80 of these documents (~13 KB each, locations included)
    with MockCluster(nodes=1, replicas=0, limits=Limits(search_index_bytes=limit)) as mock:
        store(mock, beers(40, "small"))
        assert request(mock, "PUT", "/api/index/capped", INDEX)[0] == 200
        query = {"query": {"match": "ale", "field": "name"}, "size": 1}
        status, body = request(mock, "POST", "/api/index/capped/query", query)
        assert status == 200 and body["total_hits"] == 40
        store(mock, beers(400, "more"))
        status, body = request(mock, "POST", "/api/index/capped/query", query)
        assert status == 429 and body["status"] == "fail"
        assert body["error"].startswith("rest_index: Query, indexName: capped, err: "
                                        "query request rejected")
        assert body["request"] == query
        status, body = request(mock, "GET", "/api/index/capped/count")  # what it holds
        assert status == 200 and 40 < body["count"] < 440
        index = mock.call(lambda c: search_state(c).indexes["capped"])
        assert index.size <= limit
        cb = Bucket(f"{mock.connstr}/default", password="")
        try:
            cb.remove_multi([k for k, _ in beers(400, "more")])
        finally:
            cb.close()
        status, body = request(mock, "POST", "/api/index/capped/query", query)
        assert status == 200 and body["total_hits"] == 40


def test_limits_default_to_the_servers_search_quota():
    assert Limits().search_index_bytes == 512 * 1024 * 1024
    assert Limits(search_index_bytes=None).search_index_bytes is None
