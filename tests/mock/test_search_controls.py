"""Search index controls on the local cluster, as the search service's REST API
offers them: ``ingestControl/{pause,resume}`` (new mutations wait while paused),
``queryControl/{allow,disallow}`` (queries refused while disallowed),
``planFreezeControl/{freeze,unfreeze}``, each kept in the definition's
``planParams``; and ``analyzeDoc`` (the tokens the index makes of a document)."""

from __future__ import annotations

from typing import Any, Iterator

import pytest
from test_search_service import DYNAMIC, request

from couchbase.bucket import Bucket
from couchbase_mock import MockCluster


@pytest.fixture(scope="module")
def mock() -> Iterator[MockCluster]:
    with MockCluster(nodes=1, replicas=0) as mock:
        cb = Bucket(f"{mock.connstr}/default", username="Administrator", password="password")
        cb.upsert("doc-1", {"text": "quick brown foxes"})
        cb.close()
        assert request(mock, "PUT", "/api/index/ctl", DYNAMIC)[0] == 200
        yield mock


def _post(mock: MockCluster, path: str, body: Any = None) -> tuple[int, Any]:
    return request(mock, "POST", f"/api/index/ctl/{path}", raw=b"" if body is None else None,
                   body=body)


def _plan(mock: MockCluster) -> dict[str, Any]:
    status, doc = request(mock, "GET", "/api/index/ctl")
    assert status == 200
    return doc["indexDef"]["planParams"]  # type: ignore[no-any-return]


def _count(mock: MockCluster) -> int:
    return request(mock, "GET", "/api/index/ctl/count")[1]["count"]  # type: ignore[no-any-return]


def test_pausing_ingest_holds_new_mutations_back(mock: MockCluster) -> None:
    assert _count(mock) == 1
    assert _post(mock, "ingestControl/pause") == (200, {"status": "ok"})
    assert _plan(mock)["nodePlanParams"][""][""]["canWrite"] is False
    cb = Bucket(f"{mock.connstr}/default", username="Administrator", password="password")
    try:
        cb.upsert("doc-2", {"text": "lazy dogs"})
        assert _count(mock) == 1  # (not indexed while paused)
        assert _post(mock, "ingestControl/resume")[0] == 200
        assert _count(mock) == 2
        assert _plan(mock)["nodePlanParams"][""][""]["canWrite"] is True
    finally:
        cb.remove("doc-2", quiet=True)
        cb.close()


def test_disallowing_queries_refuses_them(mock: MockCluster) -> None:
    query = {"query": {"match": "quick"}}
    assert request(mock, "POST", "/api/index/ctl/query", query)[0] == 200
    assert _post(mock, "queryControl/disallow")[0] == 200
    status, doc = request(mock, "POST", "/api/index/ctl/query", query)
    assert status == 400 and doc["status"] == "fail" and "disallowed" in doc["error"]
    assert _post(mock, "queryControl/allow")[0] == 200
    assert request(mock, "POST", "/api/index/ctl/query", query)[0] == 200


def test_freezing_the_plan(mock: MockCluster) -> None:
    assert _post(mock, "planFreezeControl/freeze")[0] == 200
    assert _plan(mock)["planFrozen"] is True
    assert _post(mock, "planFreezeControl/unfreeze")[0] == 200
    assert _plan(mock)["planFrozen"] is False


def test_controls_of_a_missing_index_and_unknown_actions(mock: MockCluster) -> None:
    status, doc = request(mock, "POST", "/api/index/nope/ingestControl/pause", raw=b"")
    assert status == 400 and "index not found" in doc["error"]
    status, doc = _post(mock, "ingestControl/sideways")
    assert status == 400 and doc["status"] == "fail"


def test_analyze_doc_gives_each_text_fields_tokens(mock: MockCluster) -> None:
    status, doc = _post(mock, "analyzeDoc", {"text": "Quick brown foxes", "n": 3,
                                             "inner": {"word": "Jumping"}})
    assert status == 200 and doc["status"] == "ok"
    (fields,) = doc["analyzed"]
    assert [t["term"] for t in fields["text"]] == ["quick", "brown", "foxes"]
    assert fields["text"][0] == {"term": "quick", "position": 1, "start": 0, "end": 5}
    assert [t["term"] for t in fields["inner.word"]] == ["jumping"]
    assert request(mock, "POST", "/api/index/ctl/analyzeDoc", raw=b"{nope")[0] == 400
