"""Flex indexes (flex-indexes.adoc, Usage; hints.adoc USE INDEX (USING FTS);
keyspace-hints.adoc INDEX_FTS): the hint is accepted and the query answered as
without it. With no Search index for the keyspace, the engine falls back on
GSI and primary indexes ("If none of the full-text indexes qualify, the query
engine considers other available GSI and primary indexes") and EXPLAIN says
the FTS hint was not followed."""

from __future__ import annotations

import pytest

from couchbase_mock.n1ql import N1QLError, QueryEngine

WHERE = "WHERE d.city = 'San Francisco' AND d.type = 'brewery'"
EXPECTED = [{"id": "21st_amendment_brewery_cafe"}, {"id": "anchor_brewing"}]


def ids(engine: QueryEngine, use: str) -> list:
    return engine.query(f"SELECT META(d).id FROM `beer-sample` AS d {use} {WHERE} "
                        "ORDER BY META(d).id").results


@pytest.mark.parametrize("use", [
    "USE INDEX (USING FTS)",  # flex-indexes.adoc, "Use FTS, no index specified"
    "USE INDEX (USING FTS, USING GSI)",  # "Use FTS or GSI, no index specified"
    "USE INDEX (fix1 USING FTS, beer_type USING GSI)",  # "Prefer the specified FTS and GSI"
])
def test_use_index_using_fts_answers_as_without_it(engine: QueryEngine, use: str) -> None:
    assert ids(engine, use) == ids(engine, "") == EXPECTED


def test_index_fts_hint_answers_as_without_it(engine: QueryEngine) -> None:
    # keyspace-hints.adoc, INDEX_FTS: "If none of the available FTS indexes are
    # qualified, the available GSI indexes are considered instead."
    rows = engine.query("SELECT /*+ INDEX_FTS(d) */ META(d).id FROM `beer-sample` AS d "
                        f"{WHERE} ORDER BY META(d).id").results
    assert rows == EXPECTED


def test_explain_reports_the_fts_hint_not_followed_without_a_search_index(
        engine: QueryEngine) -> None:
    row = engine.query("EXPLAIN SELECT META(d).id FROM `beer-sample` AS d "
                       f"USE INDEX (USING FTS) {WHERE}").results[0]
    assert row["optimizer_hints"] == {
        "hints_not_followed": ["INDEX_FTS(d): INDEX_FTS hint cannot be followed"]}


def test_unknown_index_type_is_a_syntax_error(engine: QueryEngine) -> None:
    # hints.adoc, index type: GSI or FTS
    with pytest.raises(N1QLError) as e:
        ids(engine, "USE INDEX (USING VIEW2)")
    assert e.value.code == 3000
