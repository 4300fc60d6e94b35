"""Queries that use a vector index (hyperscale-vector-index.adoc, "Query with a
Hyperscale Vector Index"; hyperscale-filter.adoc; vectorfun.adoc APPROX_VECTOR_DISTANCE).

The page: a SELECT whose ORDER BY calls APPROX_VECTOR_DISTANCE on the vector
key the index covers, with the index's distance metric, uses the index, and
the LIMIT is pushed down into the index scan. Here the index answers with the
exact nearest documents, so every query is checked against its answer without
the index (the same statement before CREATE VECTOR INDEX)."""

from __future__ import annotations

import random

import pytest
from n1ql_sample import make_engine

from couchbase_mock.n1ql.explain import operators

RGB = "`travel`.`color`.`rgb`"


def with_(similarity: str) -> str:
    return f'{{"dimension": 3, "similarity": "{similarity}", "description": "IVF8,SQ4"}}'


@pytest.fixture(scope="module")
def docs():
    rnd = random.Random(13)
    out = {}
    for i in range(300):
        out[f"c{i:03d}"] = {"n": i, "brightness": i % 7,
                            "embedding": [rnd.randint(0, 6) for _ in range(3)]}
    out["twin_b"] = {"n": 1000, "brightness": 3, "embedding": [9, 9, 9]}
    out["twin_a"] = {"n": 1001, "brightness": 3, "embedding": [9, 9, 9]}
    return out


def engine_with(docs, index: str = "") -> object:
    engine = make_engine()
    engine.datastore.create_collection("travel", "color", "rgb")
    engine.query(f"CREATE PRIMARY INDEX ON {RGB}")
    for key, doc in docs.items():
        engine.query(f"INSERT INTO {RGB} VALUES ($k, $d)", named={"$k": key, "$d": doc})
    if index:
        engine.query(index)
    return engine


L2_INDEX = (f"CREATE VECTOR INDEX vx ON {RGB}(embedding VECTOR) INCLUDE (brightness) "
            f"WITH {with_('L2')}")


@pytest.fixture(scope="module")
def plain(docs):
    return engine_with(docs)


@pytest.fixture(scope="module")
def indexed(docs):
    return engine_with(docs, L2_INDEX)


def scan_of(engine, statement: str, named=None) -> dict:
    plan = engine.query("EXPLAIN " + statement, named=named).results[0]["plan"]
    return next(op for op in operators(plan) if op["#operator"].endswith("Scan3"))


def same(plain, indexed, statement: str, named=None) -> list:
    want = plain.query(statement, named=named).results
    got = indexed.query(statement, named=named).results
    assert got == want
    return got


TOP5 = (f"SELECT META().id, n FROM {RGB} "
        f"ORDER BY APPROX_VECTOR_DISTANCE(embedding, [1, 2, 3], 'L2') LIMIT 5")


def test_top_k_uses_the_vector_index(plain, indexed):
    # "The query selects the Hyperscale Vector index when this function includes
    # the vector key that the index covers" ... "pushes the LIMIT clause down"
    got = same(plain, indexed, TOP5)
    assert len(got) == 5
    scan = scan_of(indexed, TOP5)
    assert scan["#operator"] == "IndexScan3" and scan["index"] == "vx"
    assert scan["index_order"] == [{"keypos": 0}] and scan["limit"] == "5"
    assert scan["index_vector"]["similarity"] == "L2"
    assert scan_of(plain, TOP5)["#operator"] == "PrimaryScan3"


def test_results_are_the_exact_nearest(indexed, docs):
    got = indexed.query(TOP5).results
    dist = {k: sum((a - b) ** 2 for a, b in zip(d["embedding"], [1, 2, 3]))
            for k, d in docs.items()}
    best = sorted(dist.values())[:5]
    assert sorted(dist[r["id"]] for r in got) == best


def test_query_vector_as_a_named_parameter(plain, indexed):
    q = (f"SELECT RAW META().id FROM {RGB} "
         f"ORDER BY APPROX_VECTOR_DISTANCE(embedding, $vec, 'L2') LIMIT 7")
    same(plain, indexed, q, named={"$vec": [4, 0, 6]})
    assert scan_of(indexed, q, named={"$vec": [4, 0, 6]})["index"] == "vx"


def test_filter_on_an_included_scalar(plain, indexed):
    # hyperscale-filter.adoc: included scalar values as predicates in WHERE
    q = (f"SELECT META().id, brightness FROM {RGB} WHERE brightness = 3 "
         f"ORDER BY APPROX_VECTOR_DISTANCE(embedding, [6, 6, 6], 'L2') LIMIT 4")
    got = same(plain, indexed, q)
    assert len(got) == 4 and all(r["brightness"] == 3 for r in got)
    assert scan_of(indexed, q)["index"] == "vx"


def test_ties_keep_the_order_without_the_index(plain, indexed):
    q = (f"SELECT RAW META().id FROM {RGB} "
         f"ORDER BY APPROX_VECTOR_DISTANCE(embedding, [9, 9, 9], 'L2') LIMIT 2")
    assert same(plain, indexed, q) == ["twin_a", "twin_b"]


def test_offset_and_limit(plain, indexed):
    q = (f"SELECT RAW n FROM {RGB} "
         f"ORDER BY APPROX_VECTOR_DISTANCE(embedding, [0, 1, 0], 'EUCLIDEAN') LIMIT 3 OFFSET 4")
    assert len(same(plain, indexed, q)) == 3
    assert scan_of(indexed, q)["index"] == "vx"  # EUCLIDEAN is L2's other name


def test_distance_in_the_results(plain, indexed):
    # hyperscale-vector-index.adoc, "Getting the Vector Distance"
    q = (f"SELECT META().id, APPROX_VECTOR_DISTANCE(embedding, [2, 2, 2], 'L2') AS d "
         f"FROM {RGB} ORDER BY APPROX_VECTOR_DISTANCE(embedding, [2, 2, 2], 'L2') LIMIT 6")
    got = same(plain, indexed, q)
    assert [r["d"] for r in got] == sorted(r["d"] for r in got)


@pytest.mark.parametrize("statement", [
    # no LIMIT: nothing to push down
    f"SELECT RAW META().id FROM {RGB} ORDER BY APPROX_VECTOR_DISTANCE(embedding, [1,2,3], 'L2')",
    # another metric than the index's similarity
    f"SELECT RAW META().id FROM {RGB} "
    f"ORDER BY APPROX_VECTOR_DISTANCE(embedding, [1,2,3], 'COSINE') LIMIT 5",
    # VECTOR_DISTANCE is a brute-force search (the page's NOTE)
    f"SELECT RAW META().id FROM {RGB} "
    f"ORDER BY VECTOR_DISTANCE(embedding, [1,2,3], 'L2') LIMIT 5",
    # farthest first is not the index's order
    f"SELECT RAW META().id FROM {RGB} "
    f"ORDER BY APPROX_VECTOR_DISTANCE(embedding, [1,2,3], 'L2') DESC LIMIT 5",
])
def test_falls_back_without_the_index(plain, indexed, statement):
    same(plain, indexed, statement)
    assert scan_of(indexed, statement)["#operator"] == "PrimaryScan3"


def test_cosine_index_and_use_index(docs):
    q = (f"SELECT RAW META().id FROM {RGB} USE INDEX (vc) "
         f"ORDER BY APPROX_VECTOR_DISTANCE(embedding, [5, 1, 1], 'cosine') LIMIT 8")
    cosine = engine_with(docs, f"CREATE VECTOR INDEX vc ON {RGB}(embedding VECTOR) "
                               f"WITH {with_('COSINE')}")
    assert cosine.query(q).results == engine_with(docs).query(q).results
    assert scan_of(cosine, q)["index"] == "vc"


def test_index_follows_changes(docs):
    eng = engine_with(docs, L2_INDEX)
    eng.query(f'UPSERT INTO {RGB} VALUES ("near", {{"n": -1, "embedding": [1, 2, 3]}})')
    eng.query(f'DELETE FROM {RGB} WHERE META().id = "twin_a"')
    assert eng.query(TOP5).results[0] == {"id": "near", "n": -1}
    q = (f"SELECT RAW META().id FROM {RGB} "
         f"ORDER BY APPROX_VECTOR_DISTANCE(embedding, [9, 9, 9], 'L2') LIMIT 1")
    assert eng.query(q).results == ["twin_b"]
