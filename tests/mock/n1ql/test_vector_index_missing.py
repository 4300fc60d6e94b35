"""Documents without a vector, with and without a vector index.

hyperscale-vector-index.adoc ("Query with a Hyperscale Vector Index"): the
index holds the vector key of each document; a document without it (or whose
value is no vector of the index's dimension) has no entry, so a query the index
answers does not return it. Without the index, ORDER BY
APPROX_VECTOR_DISTANCE(...) ASC puts MISSING and NULL distances first
(orderby.adoc collation; vectorfun.adoc: NULL for a value that is not a vector).
With ``WHERE ISVECTOR(...)`` the two answers agree (vectorfun.adoc ISVECTOR).
"""

from __future__ import annotations

from n1ql_sample import make_engine

RGB = "`travel`.`color`.`rgb`"
DOCS = {
    "a": {"embedding": [1, 1, 1]},
    "b": {"embedding": [5, 5, 5]},
    "c": {"embedding": [2, 2, 2]},
    "no_vec": {"colour": "none"},
    "null_vec": {"embedding": None},
    "short_vec": {"embedding": [1, 1]},
    "text_vec": {"embedding": "red"},
}
INDEX = (f"CREATE VECTOR INDEX vx ON {RGB}(embedding VECTOR) WITH "
         "{'dimension': 3, 'similarity': 'L2', 'description': 'IVF,SQ8'}")
ORDER = "ORDER BY APPROX_VECTOR_DISTANCE(embedding, [1, 1, 1], 'L2') LIMIT 10"


def engine_with(index: bool):
    engine = make_engine()
    engine.datastore.create_collection("travel", "color", "rgb")
    engine.query(f"CREATE PRIMARY INDEX ON {RGB}")
    for key, doc in DOCS.items():
        engine.query(f"INSERT INTO {RGB} VALUES ($k, $d)", named={"$k": key, "$d": doc})
    if index:
        engine.query(INDEX)
    return engine


def keys(engine, where: str = "") -> list:
    return engine.query(f"SELECT RAW META().id FROM {RGB} {where} {ORDER}").results


def test_with_the_index_documents_without_a_vector_are_absent() -> None:
    assert keys(engine_with(True)) == ["a", "c", "b"]


def test_without_the_index_missing_and_null_distances_come_first() -> None:
    got = keys(engine_with(False))
    assert got[:1] == ["no_vec"]  # MISSING first
    assert sorted(got[1:4]) == ["null_vec", "short_vec", "text_vec"]  # then NULL
    assert got[4:] == ["a", "c", "b"]


def test_isvector_filter_makes_both_answers_equal() -> None:
    where = "WHERE ISVECTOR(embedding, 3, 'float32')"
    assert keys(engine_with(True), where) == keys(engine_with(False), where) == ["a", "c", "b"]
