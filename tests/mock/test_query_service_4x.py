"""What 4.x applications send the query service: query_context (scope-relative
keyspaces, 12021 for a missing scope), profile, PARTITION BY HASH and array
index keys in CREATE INDEX, and expressions as FROM terms."""

from __future__ import annotations

from typing import Iterator

import pytest
from test_query_service import q

from couchbase_mock import MockCluster

CONTEXT = "default:`shop`.`inventory`"


@pytest.fixture(scope="module")
def mock() -> Iterator[MockCluster]:
    with MockCluster(nodes=2, replicas=1, buckets={"shop": {}}) as m:
        m.create_scope("shop", "inventory")
        m.create_collection("shop", "inventory", "items")
        assert q(m, "CREATE PRIMARY INDEX ON `shop`.`inventory`.`items`").status == 200
        assert q(m, "INSERT INTO `shop`.`inventory`.`items` (KEY, VALUE) VALUES "
                    "('i1', {'name': 'pen', 'tags': ['a', 'b', 'a']}), "
                    "('i2', {'name': 'ink', 'tags': ['b']})").status == 200
        yield m


@pytest.mark.parametrize("context", [CONTEXT, "shop.inventory", "default:shop.inventory"])
def test_query_context_makes_one_word_keyspaces_collections(mock, context):
    answer = q(mock, "SELECT RAW name FROM items ORDER BY name", query_context=context)
    assert answer.results == ["ink", "pen"]


def test_query_context_leaves_full_paths_and_system_alone(mock):
    answer = q(mock, "SELECT RAW name FROM `shop`.`inventory`.`items` USE KEYS 'i1'",
               query_context="default:shop._default")
    assert answer.results == ["pen"]
    answer = q(mock, "SELECT RAW name FROM system:keyspaces WHERE name = 'items'",
               query_context=CONTEXT)
    assert answer.results == ["items"]


def test_query_context_with_writes_and_prepared(mock):
    assert q(mock, "UPSERT INTO items (KEY, VALUE) VALUES ('i3', {'name': 'cap'})",
             query_context=CONTEXT).status == 200
    answer = q(mock, "PREPARE byname FROM SELECT RAW name FROM items WHERE name = $n",
               query_context=CONTEXT)
    assert answer.status == 200
    # prepare.adoc "Query Context": executed under the context it was prepared in
    assert q(mock, prepared="byname", query_context=CONTEXT,
             **{"$n": "cap"}).results == ["cap"]
    assert q(mock, prepared="byname", **{"$n": "cap"}).error[0] == 4040
    assert q(mock, "DELETE FROM items USE KEYS 'i3'", query_context=CONTEXT).status == 200


def test_missing_scope_is_12021(mock):
    answer = q(mock, "SELECT * FROM items", query_context="default:shop.nosuch")
    assert answer.status == 404 or answer.status >= 400
    assert answer.error == (12021, "Scope not found in CB datastore default:shop.nosuch")


def test_missing_collection_in_context_is_12003(mock):
    answer = q(mock, "SELECT * FROM nosuch", query_context=CONTEXT)
    assert answer.error[0] == 12003


def test_invalid_query_context(mock):
    answer = q(mock, "SELECT 1", query_context="a.b.c")
    assert answer.status == 400 and answer.error[0] == 1060


@pytest.mark.parametrize("profile", ["phases", "timings"])
def test_profile(mock, profile):
    answer = q(mock, "SELECT RAW name FROM items ORDER BY name", query_context=CONTEXT,
               profile=profile)
    assert answer.results == ["ink", "pen"]
    prof = answer.doc["profile"]
    assert {"phaseTimes", "phaseCounts", "phaseOperators"} <= set(prof)
    assert ("executionTimings" in prof) == (profile == "timings")


def test_no_profile_unless_asked(mock):
    assert "profile" not in q(mock, "SELECT 1 AS one").doc
    assert "profile" not in q(mock, "SELECT 1 AS one", profile="off").doc
    answer = q(mock, "SELECT 1 AS one", profile="sometimes")
    assert answer.status == 400 and answer.error[0] == 1060


def test_expression_from_terms(mock):
    assert q(mock, "SELECT RAW x FROM ARRAY_RANGE(0, 3) AS x").results == [0, 1, 2]
    assert q(mock, "SELECT COUNT(*) AS n FROM ARRAY_RANGE(0, 100) AS x").results == \
        [{"n": 100}]
    assert q(mock, "SELECT RAW v * 2 FROM [1, 2] AS v").results == [2, 4]


def test_partitioned_and_array_indexes(mock):
    statements = [
        "CREATE INDEX ix_part ON `shop`.`inventory`.`items`(name) PARTITION BY HASH(META().id)",
        "CREATE INDEX ix_tags ON `shop`.`inventory`.`items`(DISTINCT ARRAY t FOR t IN tags END)",
        "create index ix_all on `shop`.`inventory`.`items`(all array t for t in tags end, name)"
        " partition by hash(name) where name is not null with {'num_partition': 4}",
    ]
    for statement in statements:
        answer = q(mock, statement)
        assert answer.status == 200, answer.doc
    rows = {r["name"]: r for r in q(mock, "SELECT RAW i FROM system:indexes AS i "
                                          "WHERE i.keyspace_id = 'items'").results}
    assert rows["ix_part"]["partition"] == "HASH((meta().`id`))"
    assert "partition" not in rows["ix_tags"]
    assert rows["ix_tags"]["index_key"][0].startswith("(distinct array")
    assert rows["ix_all"]["index_key"][0].startswith("(all array")
    assert rows["ix_all"]["partition"] == "HASH(`name`)"
    # the indexed keyspace still answers
    assert q(mock, "SELECT RAW name FROM items WHERE name = 'pen'",
             query_context=CONTEXT).results == ["pen"]


@pytest.mark.parametrize("statement", [
    # (``DISTINCT name`` is valid: the simple array expression of indexing-arrays.adoc)
    "CREATE INDEX bad1 ON `shop`(DISTINCT ARRAY v FOR v IN tags)",
    "CREATE INDEX bad2 ON `shop`(name) PARTITION BY RANGE(name)",
    "CREATE INDEX bad3 ON `shop`(name) PARTITION HASH(name)",
])
def test_malformed_index_definitions(mock, statement):
    assert q(mock, statement).error[0] == 3000
