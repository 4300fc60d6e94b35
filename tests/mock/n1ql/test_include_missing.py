"""INCLUDE MISSING on an index's leading key.

The reference: createindex.adoc, "INCLUDE MISSING Clause" (documents without
the leading key are indexed only with INCLUDE MISSING; only the leading key
may have it; before or after ASC/DESC) and its example "Create index with
missing leading key"; selectintro.adoc, "Index Selection" (without INCLUDE
MISSING the optimizer cannot choose an index whose leading key a document
lacks; with it, it can).
"""

from __future__ import annotations

import json
import random

import pytest

from couchbase_mock.n1ql import QueryEngine
from couchbase_mock.n1ql.errors import N1QLError
from couchbase_mock.n1ql.explain import operators

AIRPORTS = {
    "airport_1": {"type": "airport", "city": "Lyon", "district": "Rhone", "alt": 250},
    "airport_2": {"type": "airport", "city": "Lyon", "alt": 800},  # no district
    "airport_3": {"type": "airport", "city": "Nice", "district": None, "alt": 10},
    "airport_4": {"type": "airport", "city": "Paris", "district": "Ile", "alt": 100},
    "airport_5": {"type": "airport", "city": "Paris"},  # no district, no alt
    "airport_6": {"type": "airport", "district": "Var", "alt": 5},  # no city
}


@pytest.fixture
def eng(fresh: QueryEngine) -> QueryEngine:
    for key, doc in AIRPORTS.items():
        fresh.query(f"INSERT INTO empty (KEY, VALUE) VALUES ({json.dumps(key)}, "
                    f"{json.dumps(doc)})")
    return fresh


def ids(engine: QueryEngine, stmt: str) -> list:
    return sorted(r["id"] for r in engine.query(stmt).results)


def ops(engine: QueryEngine, stmt: str) -> list:
    return list(operators(engine.query("EXPLAIN " + stmt).results[0]["plan"]))


def scan_of(engine: QueryEngine, stmt: str) -> dict:
    return next(o for o in ops(engine, stmt) if o["#operator"].startswith(
        ("IndexScan", "PrimaryScan")))


def test_without_include_missing_documents_lacking_the_key_are_not_indexed(eng) -> None:
    # createindex.adoc example: "will not index airports where the district field is
    # missing"; with no primary index, a query on another key finds no index (4000).
    eng.query("CREATE INDEX adv_district ON empty(district, city)")
    with pytest.raises(N1QLError) as err:
        eng.query("SELECT META().id FROM empty WHERE city = 'Lyon'")
    assert err.value.code == 4000
    # the index holds the documents that have a district (NULL included)
    rows = ids(eng, "SELECT META().id FROM empty USE INDEX (adv_district) "
                    "WHERE district IS NOT MISSING")
    assert rows == ["airport_1", "airport_3", "airport_4", "airport_6"]


def test_include_missing_serves_a_predicate_on_another_key(eng) -> None:
    # createindex.adoc example: "will index all airports, even if the district field
    # is not included in the document"; selectintro.adoc "Index Selection".
    eng.query("CREATE INDEX adv_district_inc ON empty(district INCLUDE MISSING, city)")
    stmt = "SELECT META().id FROM empty WHERE city = 'Lyon'"
    assert ids(eng, stmt) == ["airport_1", "airport_2"]
    scan = scan_of(eng, stmt)
    assert scan["#operator"] == "IndexScan3" and scan["index"] == "adv_district_inc"


def test_include_missing_after_desc_and_in_system_indexes(eng) -> None:
    # createindex.adoc: INCLUDE MISSING may come before or after ASC/DESC.
    eng.query("CREATE INDEX d1 ON empty(district DESC INCLUDE MISSING)")
    eng.query("CREATE INDEX d2 ON empty(district INCLUDE MISSING ASC, alt)")
    keys = {r["name"]: r["index_key"] for r in eng.query(
        "SELECT name, index_key FROM system:indexes WHERE keyspace_id = 'empty'").results}
    assert "INCLUDE MISSING" in keys["d1"][0] and "INCLUDE MISSING" in keys["d2"][0]
    assert ids(eng, "SELECT META().id FROM empty USE INDEX (d1) WHERE alt > 0") == [
        "airport_1", "airport_2", "airport_3", "airport_4", "airport_6"]


def test_include_missing_only_on_the_leading_key(eng) -> None:
    # createindex.adoc: "can only be applied to the leading index key".
    with pytest.raises(N1QLError) as err:
        eng.query("CREATE INDEX bad ON empty(city, district INCLUDE MISSING)")
    assert err.value.code == 3000


def test_is_missing_on_the_leading_key(eng) -> None:
    eng.query("CREATE INDEX inc ON empty(district INCLUDE MISSING)")
    stmt = "SELECT META().id FROM empty WHERE district IS MISSING"
    assert ids(eng, stmt) == ["airport_2", "airport_5"]
    assert scan_of(eng, stmt)["index"] == "inc"


def test_covered_scan_of_every_document_without_a_primary_index(eng) -> None:
    # Without a WHERE, an INCLUDE MISSING index holds every document: META().id is
    # answered from it alone (no Fetch), in place of a primary scan.
    eng.query("CREATE INDEX inc ON empty(district INCLUDE MISSING, city)")
    stmt = "SELECT META().id FROM empty"
    assert ids(eng, stmt) == sorted(AIRPORTS)
    names = [o["#operator"] for o in ops(eng, stmt)]
    assert "IndexScan3" in names and "Fetch" not in names
    before = eng.stats["fetches"]
    rows = eng.query("SELECT district, city FROM empty ORDER BY district, city").results
    assert eng.stats["fetches"] == before  # covered
    # ORDER BY: MISSING first, then NULL, then values (orderby.adoc collation)
    assert rows == [{"city": "Lyon"}, {"city": "Paris"}, {"city": "Nice", "district": None},
                    {"city": "Paris", "district": "Ile"}, {"city": "Lyon", "district": "Rhone"},
                    {"district": "Var"}]


def test_without_include_missing_no_predicate_needs_the_primary(eng) -> None:
    eng.query("CREATE INDEX plain ON empty(district, city)")
    with pytest.raises(N1QLError) as err:
        eng.query("SELECT META().id FROM empty")
    assert err.value.code == 4000


def test_entries_follow_changes(eng) -> None:
    eng.query("CREATE INDEX inc ON empty(district INCLUDE MISSING, city)")
    eng.query("UPDATE empty USE KEYS 'airport_1' UNSET district")
    eng.query("UPDATE empty USE KEYS 'airport_2' SET district = 'Rhone'")
    eng.query("DELETE FROM empty USE KEYS 'airport_5'")
    assert ids(eng, "SELECT META().id FROM empty WHERE district IS MISSING") == ["airport_1"]
    assert ids(eng, "SELECT META().id FROM empty WHERE city = 'Lyon'") == [
        "airport_1", "airport_2"]


def test_results_equal_a_primary_scan(eng) -> None:
    # property: for random predicates, the INCLUDE MISSING index answers as the
    # primary index does.
    eng.query("CREATE PRIMARY INDEX ON empty")
    eng.query("CREATE INDEX inc ON empty(district INCLUDE MISSING, city, alt)")
    rnd = random.Random(13)
    preds = ["city = 'Lyon'", "city = 'Paris'", "alt > 50", "alt < 300", "alt IS MISSING",
             "district IS MISSING", "district IS NULL", "district IS NOT MISSING",
             "district = 'Var'", "city LIKE 'P%'", "district IS VALUED", "TRUE"]
    for _ in range(40):
        where = " AND ".join(rnd.sample(preds, rnd.randint(1, 3)))
        got = ids(eng, f"SELECT META().id FROM empty USE INDEX (inc) WHERE {where}")
        want = ids(eng, f"SELECT META().id FROM empty USE INDEX (`#primary`) WHERE {where}")
        assert got == want, where
