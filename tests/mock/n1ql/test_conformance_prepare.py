"""Conformance: PREPARE and EXECUTE, from the N1QL language reference
(docs-devex, modules/n1ql/pages/n1ql-language-reference/prepare.adoc and
execute.adoc, with the examples in modules/n1ql/examples/utility/prepare-*.jsonc)
over a small ``travel.inventory.hotel`` collection.

Not reproducible here: the plans' optimizer estimates and index ids (CBO), the
``[127.0.0.1:8091]`` prefix of a returned name (one node: the local name alone is
returned, and a full name is still accepted by EXECUTE), ``featureControls``;
"Statement Propagation" (one query node).
"""

from __future__ import annotations

import pytest
from conformance_data import engine_with

from couchbase_mock.n1ql import N1QLError, QueryEngine

HOTEL = "travel.inventory.hotel"
HOTELS = {
    "hotel_1": {"name": "Le Grand", "city": "Paris", "country": "France"},
    "hotel_2": {"name": "La Mer", "city": "Nice", "country": "France"},
    "hotel_3": {"name": "Paris Inn", "city": "Paris", "country": "United States"},
}


@pytest.fixture
def engine() -> QueryEngine:
    e = engine_with({HOTEL: HOTELS})
    e.query(f"CREATE INDEX def_hotel_city ON {HOTEL}(city)")
    return e


def err(engine: QueryEngine, statement: str, **kw) -> N1QLError:
    with pytest.raises(N1QLError) as info:
        engine.query(statement, **kw)
    return info.value


def test_prepared_statement_result_fields(engine: QueryEngine) -> None:
    """prepare.adoc, "Result" and Example "Prepared statement": name, operator,
    signature, the full PREPARE text, encoded_plan, namespace, queryContext."""
    text = f'PREPARE SELECT * FROM {HOTEL}\nWHERE city = "Nice";'
    row = engine.query(text).results[0]
    assert row["text"] == text
    assert row["signature"] == {"*": "*"}
    assert row["namespace"] == "default" and row["queryContext"] == ""
    assert row["encoded_plan"] and row["operator"]["#operator"]
    assert engine.query(f"EXECUTE `{row['name']}`").results == [{"hotel": HOTELS["hotel_2"]}]


def test_named_parameters(engine: QueryEngine) -> None:
    """prepare.adoc, "Parameters" / Example "Prepared statement with named
    parameters"; execute.adoc, "Parameters" (USING an object)."""
    row = engine.query(f"PREPARE NameParam AS\nSELECT RAW name FROM {HOTEL}\n"
                       "WHERE city=$city AND country=$country;").results[0]
    assert row["name"] == "NameParam"
    out = engine.query('EXECUTE NameParam USING {"city": "Paris", "country": "France"}')
    assert out.results == ["Le Grand"]
    out = engine.query("EXECUTE NameParam", named={"city": "Paris", "$country": "United States"})
    assert out.results == ["Paris Inn"]


def test_numbered_parameters(engine: QueryEngine) -> None:
    """prepare.adoc, Example "Prepared statement with numbered parameters";
    execute.adoc, "Parameters" (USING an array)."""
    engine.query(f"PREPARE NumParam AS SELECT RAW name FROM {HOTEL} "
                 "WHERE city=$1 AND country=$2;")
    assert engine.query('EXECUTE NumParam USING ["Nice", "France"]').results == ["La Mer"]
    assert engine.query(None, ["Paris", "France"], prepared="NumParam").results == ["Le Grand"]


def test_positional_parameters(engine: QueryEngine) -> None:
    """prepare.adoc, Example "Prepared statement with positional parameters" (``?``)."""
    engine.query(f"PREPARE PosParam AS SELECT RAW name FROM {HOTEL} WHERE city=? AND country=?")
    assert engine.query('EXECUTE PosParam USING ["Paris", "United States"]').results == \
        ["Paris Inn"]


def test_using_and_request_parameters_together_is_5003(engine: QueryEngine) -> None:
    """execute.adoc, "Parameters" (IMPORTANT): error 5003."""
    engine.query(f"PREPARE p AS SELECT RAW name FROM {HOTEL} WHERE city=$1")
    e = err(engine, 'EXECUTE p USING ["Nice"]', positional=["Paris"])
    assert (e.code, e.msg) == (5003, "cannot have both USING clause and request parameters")


def test_execute_by_full_name_and_hyphenated_name(engine: QueryEngine) -> None:
    """execute.adoc, "Syntax" (name ``[host:port]local-name``; a name with hyphens
    in backticks or double quotes) and Example "Executing a prepared statement"."""
    engine.query(f"PREPARE `fave-hotels` FROM SELECT RAW name FROM {HOTEL} WHERE city = 'Nice'")
    assert engine.query("EXECUTE `[127.0.0.1:8091]fave-hotels`").results == ["La Mer"]
    assert engine.query('EXECUTE "fave-hotels"').results == ["La Mer"]
    assert engine.query(None, prepared="[127.0.0.1:8091]fave-hotels").results == ["La Mer"]


def test_anonymous_name_is_a_uuid_of_the_text(engine: QueryEngine) -> None:
    """prepare.adoc, "FROM / AS Clause" and "Statement Cache": the engine makes
    a UUID from the statement text; the same text finds the same statement."""
    stmt = f"SELECT RAW name FROM {HOTEL} WHERE city = 'Nice'"
    first = engine.query("PREPARE " + stmt).results[0]["name"]
    assert len(first) == 36 and first.count("-") == 4
    assert engine.query("PREPARE " + stmt).results[0]["name"] == first
    assert engine.query("PREPARE FORCE " + stmt).results[0]["name"] == first
    assert engine.query("PREPARE " + stmt.replace("Nice", "Paris")).results[0]["name"] != first
    assert engine.query(None, prepared=first).results == ["La Mer"]


def test_same_name_other_text_is_a_duplicate_name(engine: QueryEngine) -> None:
    """prepare.adoc, "Statement Cache": the same text returns the existing
    statement; another text is a duplicate name error, even with FORCE."""
    engine.query(f"PREPARE P1 FROM SELECT RAW name FROM {HOTEL} WHERE city = 'Nice'")
    again = engine.query(f"PREPARE P1 FROM SELECT RAW name FROM {HOTEL} WHERE city = 'Nice'")
    assert again.results[0]["name"] == "P1"
    assert engine.query(f"PREPARE FORCE P1 FROM SELECT RAW name FROM {HOTEL} "
                        "WHERE city = 'Nice'").results[0]["name"] == "P1"
    e = err(engine, f"PREPARE P1 FROM SELECT RAW name FROM {HOTEL} LIMIT 10")
    assert e.code == 4060 and "Unable to add name: duplicate name: P1" in e.msg
    e = err(engine, f"PREPARE FORCE P1 AS SELECT RAW name FROM {HOTEL} LIMIT 10")
    assert e.code == 4060
    assert engine.query("EXECUTE P1").results == ["La Mer"]


def test_one_name_per_query_context(engine: QueryEngine) -> None:
    """prepare.adoc / execute.adoc, "Query Context": the same name in two query
    contexts is two statements; a statement is found only in its own context."""
    engine.query("PREPARE q AS SELECT RAW 1", query_context="default:travel.inventory")
    engine.query("PREPARE q AS SELECT RAW 2")
    assert engine.query("EXECUTE q", query_context="default:travel.inventory").results == [1]
    assert engine.query("EXECUTE q").results == [2]
    e = err(engine, "EXECUTE q", query_context="default:travel.other")
    assert e.code == 4040


def test_unknown_name_is_an_error(engine: QueryEngine) -> None:
    """execute.adoc, "Statement Retrieval": an error if the name identifies no statement."""
    e = err(engine, "EXECUTE nothing_here")
    assert (e.code, e.msg) == (4040, "No such prepared statement: nothing_here")


def test_auto_reprepare_after_index_changes(engine: QueryEngine) -> None:
    """execute.adoc, "Auto-Reprepare": a dropped index makes the statement use what
    is left; with no index left it fails until one is created again."""
    engine.query(f"PREPARE byCity AS SELECT RAW name FROM {HOTEL} WHERE city = 'Nice'")
    engine.query(f"DROP INDEX def_hotel_city ON {HOTEL}")
    assert engine.query("EXECUTE byCity").results == ["La Mer"]  # the primary index
    engine.query(f"DROP PRIMARY INDEX ON {HOTEL}")
    assert err(engine, "EXECUTE byCity").code == 4000
    engine.query(f"CREATE INDEX def_hotel_city ON {HOTEL}(city)")
    assert engine.query("EXECUTE byCity").results == ["La Mer"]
    plan = engine.query(f"EXPLAIN SELECT RAW name FROM {HOTEL} WHERE city = 'Nice'").results
    assert "def_hotel_city" in str(plan)


def test_prepare_dml_and_execute(engine: QueryEngine) -> None:
    """prepare.adoc, "RBAC Examples": an UPDATE ... RETURNING can be prepared."""
    engine.query(f'PREPARE fix AS UPDATE {HOTEL} SET city = "San Francisco" '
                 'WHERE lower(city) = "sanfrancisco" RETURNING name')
    engine.query(f'UPSERT INTO {HOTEL} (KEY, VALUE) VALUES ("hotel_4", '
                 '{"name": "Golden", "city": "SanFrancisco"})')
    assert engine.query("EXECUTE fix").results == [{"name": "Golden"}]
    assert engine.query(f"SELECT RAW city FROM {HOTEL} USE KEYS 'hotel_4'").results == \
        ["San Francisco"]
