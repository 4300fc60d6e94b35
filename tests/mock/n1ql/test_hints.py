"""Optimizer hints (optimizer-hints.adoc, keyspace-hints.adoc,
negative-keyspace-hints.adoc, query-hints.adoc, hints.adoc): hint comments after
SELECT/UPDATE/DELETE, simple and JSON syntax, the legacy USE INDEX clause, and
the ``optimizer_hints`` report of EXPLAIN. A hint never fails a statement;
two hint comments in one block are a syntax error."""

from __future__ import annotations

from typing import Any

import pytest
from n1ql_sample import make_engine

from couchbase_mock.n1ql import N1QLError, QueryEngine
from couchbase_mock.n1ql.explain import operators


@pytest.fixture(scope="module")
def eng() -> QueryEngine:
    e = make_engine()
    e.query("CREATE INDEX beer_city ON `beer-sample`(city)")
    return e


def explain(eng: QueryEngine, stmt: str) -> dict:
    return eng.query("EXPLAIN " + stmt).results[0]


def index_used(row: dict) -> Any:
    for op in operators(row["plan"]):
        if op.get("#operator") in ("IndexScan3", "PrimaryScan3"):
            return op["index"]
    return None


CHICO = "WHERE city = 'Chico'"


def test_block_hint_comment_is_followed(eng: QueryEngine) -> None:
    # optimizer-hints.adoc, "Block hint comment" and "Simple hint explain plan"
    row = explain(eng, f"SELECT /*+ INDEX(b beer_city) */ name FROM `beer-sample` b {CHICO}")
    assert row["optimizer_hints"] == {"hints_followed": ["INDEX(b beer_city)"]}
    assert index_used(row) == "beer_city"
    assert list(row) == ["optimizer_hints", "plan", "text"]


def test_line_hint_comment_ends_at_the_line(eng: QueryEngine) -> None:
    # optimizer-hints.adoc, "Line hint comment": the query goes on on the next line
    stmt = f"SELECT --+ INDEX(b beer_city)\n       name FROM `beer-sample` b {CHICO}"
    assert eng.query(stmt).results == [{"name": "Sierra Nevada Brewing Co."}]
    assert explain(eng, stmt)["optimizer_hints"]["hints_followed"] == ["INDEX(b beer_city)"]


def test_hinted_query_gives_the_same_results(eng: QueryEngine) -> None:
    plain = eng.query(f"SELECT META(b).id FROM `beer-sample` b {CHICO} ORDER BY META(b).id")
    hinted = eng.query("SELECT /*+ INDEX(b beer_city) NO_INDEX(b beer_type) */ META(b).id "
                       f"FROM `beer-sample` b {CHICO} ORDER BY META(b).id")
    assert hinted.results == plain.results and plain.results


def test_json_hint_is_equivalent(eng: QueryEngine) -> None:
    # optimizer-hints.adoc, "JSON hint" / "JSON hint explain plan": shown as JSON,
    # indexes as an array
    row = explain(eng, 'SELECT /*+ {"index": {"keyspace": "b", "indexes": "beer_city"}} */ '
                       f"name FROM `beer-sample` b {CHICO}")
    assert row["optimizer_hints"] == {
        "hints_followed": ['{"index":{"indexes":["beer_city"],"keyspace":"b"}}']}
    assert index_used(row) == "beer_city"


def test_json_alias_property_is_a_synonym(eng: QueryEngine) -> None:
    # keyspace-hints.adoc, Keyspace Property: synonym "alias"
    row = explain(eng, 'SELECT /*+ {"index": [{"alias": "b", "indexes": ["beer_city"]}]} */ '
                       f"name FROM `beer-sample` b {CHICO}")
    assert index_used(row) == "beer_city"
    assert "hints_followed" in row["optimizer_hints"]


def test_legacy_use_index_is_reported_as_an_index_hint(eng: QueryEngine) -> None:
    # optimizer-hints.adoc, "Legacy hint explain plan"
    row = explain(eng, f"SELECT name FROM `beer-sample` b USE INDEX (beer_city) {CHICO}")
    assert row["optimizer_hints"] == {"hints_followed": ["INDEX(b beer_city)"]}


def test_hint_that_cannot_be_followed(eng: QueryEngine) -> None:
    # optimizer-hints.adoc, "Unused hint explain plan"
    row = explain(eng, "SELECT /*+ INDEX(b beer_city) */ name FROM `beer-sample` b "
                       "WHERE b.city IS MISSING")
    assert row["optimizer_hints"] == {
        "hints_not_followed": ["INDEX(b beer_city): INDEX hint cannot be followed"]}


def test_invalid_hint_name_is_reported_not_raised(eng: QueryEngine) -> None:
    # optimizer-hints.adoc, "Invalid hint explain plan"
    stmt = ("SELECT /*+ INDEX(b beer_city) INDEX_SS(b beer_city) */ name "
            f"FROM `beer-sample` b {CHICO}")
    assert eng.query(stmt).results == [{"name": "Sierra Nevada Brewing Co."}]
    hints = explain(eng, stmt)["optimizer_hints"]
    assert hints["hints_followed"] == ["INDEX(b beer_city)"]
    assert hints["invalid_hints"] == ["INDEX_SS(b beer_city): Invalid hint name"]


def test_hint_must_name_the_explicit_alias(eng: QueryEngine) -> None:
    # keyspace-hints.adoc: with an explicit alias the hint must use the alias
    row = explain(eng, "SELECT /*+ INDEX(`beer-sample` beer_city) */ name "
                       f"FROM `beer-sample` b {CHICO}")
    assert list(row["optimizer_hints"]) == ["invalid_hints"]
    row = explain(eng, "SELECT /*+ INDEX(`beer-sample` beer_city) */ name "
                       f"FROM `beer-sample` {CHICO}")
    assert row["optimizer_hints"] == {"hints_followed": ["INDEX(`beer-sample` beer_city)"]}


def test_two_hint_comments_are_a_syntax_error(eng: QueryEngine) -> None:
    # optimizer-hints.adoc, Placement, "Multiple hint comments"
    with pytest.raises(N1QLError) as e:
        eng.query("SELECT /*+ ORDERED */\n /*+ INDEX(b beer_city) */ name FROM `beer-sample` b")
    assert e.value.code == 3000


def test_plain_comment_is_no_hint(eng: QueryEngine) -> None:
    # conventions: /* */ and -- are comments; without the + nothing is hinted
    row = explain(eng, f"SELECT /* INDEX(b beer_city) */ name FROM `beer-sample` b {CHICO}")
    assert "optimizer_hints" not in row
    assert eng.query("SELECT 1 AS one -- a comment\n").results == [{"one": 1}]


def test_hint_elsewhere_is_a_comment(eng: QueryEngine) -> None:
    # optimizer-hints.adoc, Placement: the hint goes right after the statement keyword
    row = explain(eng, f"SELECT name FROM `beer-sample` b /*+ INDEX(b beer_city) */ {CHICO}")
    assert "optimizer_hints" not in row


def test_negative_index_hint(eng: QueryEngine) -> None:
    # negative-keyspace-hints.adoc, NO_INDEX (and its AVOID_INDEX spelling)
    for name in ("NO_INDEX", "AVOID_INDEX"):
        row = explain(eng, f"SELECT /*+ {name}(b beer_city) */ name FROM `beer-sample` b {CHICO}")
        assert index_used(row) == "#primary"
        assert row["optimizer_hints"] == {"hints_followed": ["NO_INDEX(b beer_city)"]}


def test_no_index_without_an_index_is_ignored(eng: QueryEngine) -> None:
    # negative-keyspace-hints.adoc: "the optimizer ignores the NO_INDEX hint when
    # no indexes are specified"
    row = explain(eng, f"SELECT /*+ NO_INDEX(b) */ name FROM `beer-sample` b {CHICO}")
    assert index_used(row) == "beer_city"
    assert "hints_not_followed" in row["optimizer_hints"]


def test_update_and_delete_take_hints(eng: QueryEngine) -> None:
    # optimizer-hints.adoc, "Explain plan for UPDATE/DELETE with a simple index hint"
    row = explain(eng, f"UPDATE /*+ INDEX(b beer_city) */ `beer-sample` b SET x = 1 {CHICO}")
    assert row["optimizer_hints"] == {"hints_followed": ["INDEX(b beer_city)"]}
    row = explain(eng, f"DELETE /*+ INDEX (b beer_city) */ FROM `beer-sample` b {CHICO}")
    assert row["optimizer_hints"] == {"hints_followed": ["INDEX(b beer_city)"]}
    assert index_used(row) == "beer_city"


def test_join_hints(eng: QueryEngine) -> None:
    # keyspace-hints.adoc USE_NL / USE_HASH, query-hints.adoc ORDERED: joins here
    # are nested loops in the order written
    stmt = ("SELECT /*+ ORDERED USE_NL(br) USE_HASH(br/BUILD) */ b.name FROM `beer-sample` b "
            "JOIN `beer-sample` br ON b.brewery_id = META(br).id WHERE b.type = 'beer' LIMIT 1")
    hints = explain(eng, stmt)["optimizer_hints"]
    assert hints["hints_followed"] == ["ORDERED", "USE_NL(br)"]
    assert hints["hints_not_followed"] == ["USE_HASH(br/BUILD): USE_HASH hint cannot be followed"]
    assert len(eng.query(stmt).results) == 1


def test_hint_and_use_clause_on_one_keyspace_are_both_ignored(eng: QueryEngine) -> None:
    # optimizer-hints.adoc, Legacy Equivalents: both marked erroneous and ignored
    row = explain(eng, "SELECT /*+ INDEX(b beer_type) */ name FROM `beer-sample` b "
                       f"USE INDEX (beer_city) {CHICO}")
    assert len(row["optimizer_hints"]["invalid_hints"]) == 2
    assert eng.query("SELECT /*+ INDEX(b beer_type) */ name FROM `beer-sample` b "
                     f"USE INDEX (beer_city) {CHICO}").results == [
        {"name": "Sierra Nevada Brewing Co."}]


def test_malformed_hint_text_is_invalid_not_an_error(eng: QueryEngine) -> None:
    for text in ('{"index": ', "INDEX(b beer_city", "{\"ordered\": false}", "INDEX()"):
        stmt = f"SELECT /*+ {text} */ name FROM `beer-sample` b {CHICO}"
        assert eng.query(stmt).results == [{"name": "Sierra Nevada Brewing Co."}], text
        assert "invalid_hints" in explain(eng, stmt)["optimizer_hints"], text
