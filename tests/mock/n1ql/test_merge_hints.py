"""Optimizer hints on MERGE (merge.adoc, Optimizer Hints, ANSI Merge Target Hint,
ANSI Merge Source Hints, Example 5; optimizer-hints.adoc): a hint comment after
MERGE in an ANSI merge, on the target or the source; reported in EXPLAIN's
optimizer_hints; ORDERED is not supported; a lookup merge takes none; a USE
clause and a hint comment on the same keyspace are both erroneous. A hint
never changes what the statement does."""

from __future__ import annotations

import pytest
from n1ql_sample import make_engine

BS = "`beer-sample`"
SET_X = "WHEN MATCHED THEN UPDATE SET t.merged = true WHERE b.abv > 6"


def hints_of(engine, statement: str) -> dict:
    return engine.query("EXPLAIN " + statement).results[0].get("optimizer_hints", {})


def merged(statement: str) -> list:
    eng = make_engine()
    eng.query(statement)
    return eng.query(f"SELECT RAW META().id FROM {BS} WHERE merged ORDER BY META().id").results


def test_example_5_hash_join_hint_on_the_source(engine):
    # Example 5: MERGE /*+ USE_HASH(airport) */ ... joins run as nested loops here,
    # so the hint is reported not followed; USE_NL is followed
    q = f"MERGE /*+ USE_HASH(b) */ INTO {BS} t USING {BS} b ON t.name = b.name {SET_X}"
    assert hints_of(engine, q) == {
        "hints_not_followed": ["USE_HASH(b): USE_HASH hint cannot be followed"]}
    q_nl = q.replace("USE_HASH", "USE_NL")
    assert hints_of(engine, q_nl) == {"hints_followed": ["USE_NL(b)"]}
    plain = q.replace("/*+ USE_HASH(b) */ ", "")
    assert merged(q) == merged(q_nl) == merged(plain) != []


def test_index_hints_on_target_and_source(engine):
    q = (f"MERGE /*+ NO_INDEX(b beer_type) INDEX(t beer_type) */ INTO {BS} t USING {BS} b "
         f"ON META(t).id = META(b).id {SET_X}")
    got = hints_of(engine, q)
    assert got["hints_followed"] == ["NO_INDEX(b beer_type)"]
    # the target is read by document key: no index serves it
    assert got["hints_not_followed"] == ["INDEX(t beer_type): INDEX hint cannot be followed"]
    assert merged(q) == merged(q.replace("/*+ NO_INDEX(b beer_type) INDEX(t beer_type) */ ",
                                         ""))


def test_json_hint_syntax(engine):
    q = (f'MERGE /*+ {{"use_nl": {{"keyspace": "b"}}}} */ INTO {BS} t USING {BS} b '
         f"ON META(t).id = META(b).id {SET_X}")
    assert hints_of(engine, q) == {"hints_followed": ['{"use_nl":{"keyspace":"b"}}']}


def test_ordered_is_not_supported(engine):
    q = (f"MERGE /*+ ORDERED */ INTO {BS} t USING {BS} b "
         f"ON META(t).id = META(b).id {SET_X}")
    assert list(hints_of(engine, q)) == ["invalid_hints"]


def test_lookup_merge_takes_no_hints(engine):
    # "Optimizer hints are available only in ANSI Merge"
    q = (f"MERGE /*+ USE_NL(b) */ INTO {BS} t USING {BS} b ON KEY META(b).id "
         f"WHEN MATCHED THEN UPDATE SET t.merged = true")
    assert hints_of(engine, q) == {
        "invalid_hints": ["USE_NL(b): Optimizer hints are only allowed in ANSI MERGE"]}


def test_use_clause_and_hint_on_the_same_keyspace(engine):
    # ANSI Merge Target Hint NOTE: both are marked erroneous and ignored
    q = (f"MERGE /*+ INDEX(t beer_type) */ INTO {BS} t USE INDEX (beer_type) "
         f"USING {BS} b ON META(t).id = META(b).id {SET_X}")
    invalid = hints_of(engine, q)["invalid_hints"]
    assert len(invalid) == 2
    assert all(h.endswith("USE clause and hint comment on the same keyspace") for h in invalid)


def test_unknown_keyspace_in_a_hint(engine):
    q = (f"MERGE /*+ USE_NL(nowhere) */ INTO {BS} t USING {BS} b "
         f"ON META(t).id = META(b).id {SET_X}")
    assert hints_of(engine, q) == {
        "invalid_hints": ["USE_NL(nowhere): Keyspace nowhere is not found in the query"]}


@pytest.mark.parametrize("hint", ["/*+ USE_HASH(b) */", "--+ USE_NL(b)\n"])
def test_statement_runs_the_same(hint):
    q = f"MERGE {hint} INTO {BS} t USING {BS} b ON META(t).id = META(b).id {SET_X}"
    assert merged(q) == merged(q.replace(hint, ""))
