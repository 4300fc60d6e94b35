"""CREATE/DROP VECTOR INDEX (createvectorindex.adoc, dropvectorindex.adoc,
hyperscale-vector-index.adoc): the definition is validated and kept, listed in
system:indexes, and nearest-neighbour queries give the exact nearest documents.

The examples' `vector-sample`.color.rgb is `travel`.color.rgb here, with 3-dimensional
vectors (the pages' 1536 dimensions need their sample data)."""

from __future__ import annotations

import pytest
from n1ql_sample import make_engine

from couchbase_mock.n1ql import N1QLError

RGB = "`travel`.`color`.`rgb`"
COLORS = {"red": [255, 0, 0], "green": [0, 128, 0], "blue": [0, 0, 255],
          "sky blue": [135, 206, 235], "navy": [0, 0, 128], "white": [255, 255, 255]}
WITH = '{ "dimension":3, "similarity":"L2", "description":"IVF8,SQ4" }'


@pytest.fixture
def eng():
    engine = make_engine()
    engine.datastore.create_collection("travel", "color", "rgb")
    engine.query(f"CREATE PRIMARY INDEX ON {RGB}")
    for i, (color, vec) in enumerate(COLORS.items()):
        engine.query(f'INSERT INTO {RGB} VALUES ("c{i}", {{"color": "{color}", '
                     f'"brightness": {sum(vec) / 3}, "embedding_vector_dot": {vec}}})')
    return engine


def code_of(engine, statement: str) -> int:
    with pytest.raises(N1QLError) as info:
        engine.query(statement)
    return info.value.code


def index_row(engine, name: str) -> dict:
    rows = engine.query(f"SELECT RAW i FROM system:indexes i WHERE i.name = '{name}'").results
    assert len(rows) == 1
    return rows[0]


def test_create_a_hyperscale_vector_index(eng):
    # createvectorindex.adoc, ex-create-rgb-idx
    eng.query(f"CREATE VECTOR INDEX `color_desc_hyperscale` ON {RGB}"
              f"(`embedding_vector_dot` VECTOR) WITH {WITH}")
    row = index_row(eng, "color_desc_hyperscale")
    assert row["index_key"] == ["`embedding_vector_dot` VECTOR"]
    assert row["with"] == {"dimension": 3, "similarity": "L2", "description": "IVF8,SQ4"}
    assert (row["state"], row["using"], row["keyspace_id"]) == ("online", "gsi", "rgb")


def test_create_with_included_scalar_and_no_persist(eng):
    # ex-create-idx-brightness, ex-create-rgb-no-persist
    eng.query(f"CREATE VECTOR INDEX `color_desc_hyperscale_brightness` ON {RGB}"
              f"(`embedding_vector_dot` VECTOR) INCLUDE (`brightness`) WITH {WITH}")
    assert index_row(eng, "color_desc_hyperscale_brightness")["index_key"] == [
        "`embedding_vector_dot` VECTOR", "`brightness`"]
    eng.query(f"CREATE VECTOR INDEX `color_desc_hyperscale_no_persist` ON {RGB}"
              '(`embedding_vector_dot` VECTOR) WITH { "dimension":3, "similarity":"L2", '
              '"description":"IVF8,SQ4", "persist_full_vector": false}')
    index_row(eng, "color_desc_hyperscale_no_persist")


def test_nearest_neighbours_are_exact(eng):
    # hyperscale-vector-index.adoc, "Query with a Hyperscale Vector Index": ORDER BY
    # APPROX_VECTOR_DISTANCE(...) LIMIT n gives the nearest documents
    eng.query(f"CREATE VECTOR INDEX v ON {RGB}(embedding_vector_dot VECTOR) WITH {WITH}")
    got = eng.query(f"SELECT RAW b.color FROM {RGB} AS b ORDER BY APPROX_VECTOR_DISTANCE("
                    'b.embedding_vector_dot, [130, 200, 230], "l2", 4) LIMIT 3').results
    assert got == ["sky blue", "white", "blue"]
    brighter = eng.query(f"SELECT RAW b.color FROM {RGB} AS b WHERE b.brightness > 100 "
                         "ORDER BY APPROX_VECTOR_DISTANCE(b.embedding_vector_dot, "
                         '[0, 0, 200], "l2", 4) LIMIT 2').results
    assert brighter == ["sky blue", "white"]


def test_drop_vector_index_both_syntaxes(eng):
    # dropvectorindex.adoc, ex-1: both forms, IF EXISTS
    for stmt in (f"DROP VECTOR INDEX `v` IF EXISTS ON {RGB}",
                 "DROP VECTOR INDEX IF EXISTS default:`travel`.color.rgb.`v`"):
        eng.query(f"CREATE VECTOR INDEX v ON {RGB}(embedding_vector_dot VECTOR) WITH {WITH}")
        eng.query(stmt)
        assert eng.query("SELECT RAW name FROM system:indexes WHERE name = 'v'").results == []
    eng.query(f"DROP VECTOR INDEX `v` IF EXISTS ON {RGB}")
    assert code_of(eng, f"DROP VECTOR INDEX v ON {RGB}") == 12016


def test_if_not_exists_and_duplicate(eng):
    eng.query(f"CREATE VECTOR INDEX v ON {RGB}(embedding_vector_dot VECTOR) WITH {WITH}")
    eng.query(f"CREATE VECTOR INDEX v IF NOT EXISTS ON {RGB}(color VECTOR) WITH {WITH}")
    assert index_row(eng, "v")["index_key"] == ["`embedding_vector_dot` VECTOR"]
    assert code_of(eng, f"CREATE VECTOR INDEX v ON {RGB}(embedding_vector_dot VECTOR) "
                        f"WITH {WITH}") == 4300


@pytest.mark.parametrize("with_", [
    "",                                                                # WITH is needed
    '{"similarity": "L2", "description": "IVF,SQ8"}',                  # no dimension
    '{"dimension": 0, "similarity": "L2", "description": "IVF,SQ8"}',
    '{"dimension": 3, "similarity": "manhattan", "description": "IVF,SQ8"}',
    '{"dimension": 3, "similarity": "L2"}',
    '{"dimension": 3, "similarity": "L2", "description": "IVF,SQ5"}',   # SQ4, SQ6, SQ8 only
    '{"dimension": 3, "similarity": "L2", "description": "IVF1024,PQ2x8"}',  # 2 does not
    '{"dimension": 3, "similarity": "L2", "description": "HNSW"}',           # divide 3
])
def test_invalid_with_options(eng, with_):
    w = f"WITH {with_}" if with_ else ""
    assert code_of(eng, f"CREATE VECTOR INDEX bad ON {RGB}(embedding_vector_dot VECTOR) "
                        f"{w}") == 19301
    assert eng.query("SELECT RAW name FROM system:indexes WHERE name = 'bad'").results == []


@pytest.mark.parametrize("similarity, description", [
    ("cosine", "IVF,SQ8"), ("DOT", "IVF1024,PQ3x8"), ("euclidean_squared", "IVF,SQ6"),
    ("L2_SQUARED", "IVF2,SQ4"), ("EUCLIDEAN", "IVF,PQ1x8"),
])
def test_documented_metrics_and_settings_are_accepted(eng, similarity, description):
    eng.query(f"CREATE VECTOR INDEX ok ON {RGB}(embedding_vector_dot VECTOR) WITH "
              f'{{"dimension": 3, "similarity": "{similarity}", '
              f'"description": "{description}"}}')


@pytest.mark.parametrize("keys", ["(embedding_vector_dot)",
                                  "(embedding_vector_dot VECTOR, color)"])
def test_one_vector_key(eng, keys):
    assert code_of(eng, f"CREATE VECTOR INDEX k ON {RGB}{keys} WITH {WITH}") == 3000
