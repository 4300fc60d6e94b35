"""INFER, ADVISE, UPDATE STATISTICS / ANALYZE.

Pages (docs-devex modules/n1ql/pages/n1ql-language-reference): infer.adoc
("Options", "Schema Output", examples), advise.adoc ("Return Value",
"Recommendation Rules", "Index Names", examples with their results in
modules/n1ql/examples/utility/advise-*.jsonc), statistics-expressions.adoc,
statistics-index.adoc, statistics-indexes.adoc, statistics-delete.adoc.
"""

from __future__ import annotations

import json

import pytest
from n1ql_sample import make_engine

from couchbase_mock.n1ql import MemoryDatastore, N1QLError, QueryEngine
from couchbase_mock.n1ql.statements.statistics import statistics_of

AIRPORT = ("my-db", "samples", "airport")
LANDMARK = ("my-db", "samples", "landmark")


@pytest.fixture
def samples() -> QueryEngine:
    ds = MemoryDatastore()
    ds.create_collection(*AIRPORT)
    ds.create_collection(*LANDMARK)
    for i, (name, alt) in enumerate([("Calais Dunkerque", 12), ("Peronne St Quentin", 295),
                                     ("Les Loges", 334)]):
        ds.upsert(AIRPORT, f"airport_{i}", json.dumps(
            {"airportname": name, "geo": {"alt": alt}, "type": "airport"}).encode())
    for i, city in enumerate(["Paris", "London", "Lyon"]):
        ds.upsert(LANDMARK, f"landmark_{i}", json.dumps({"city": city}).encode())
    engine = QueryEngine(ds)
    engine.query("CREATE PRIMARY INDEX idx_airport_primary ON `my-db`.samples.airport")
    engine.query("CREATE PRIMARY INDEX def_samples_landmark_primary ON `my-db`.samples.landmark")
    return engine


def error(engine: QueryEngine, statement: str) -> N1QLError:
    with pytest.raises(N1QLError) as info:
        engine.query(statement)
    return info.value


# -- infer.adoc ------------------------------------------------------------------------------


def test_infer_multiple_flavors():
    # infer.adoc "Infer metadata for a keyspace containing multiple document flavors"
    engine = make_engine()
    [flavors] = engine.query('INFER `beer-sample` WITH {"sample_size": 10000, '
                             '"num_sample_values": 5, "similarity_metric": 0.6};').results
    assert [(f["#docs"], f["Flavor"]) for f in flavors] == [
        (12, '`type` = "beer"'), (5, '`type` = "brewery"')]
    beer = flavors[0]
    assert beer["$schema"] == "http://json-schema.org/draft-06/schema"
    assert beer["type"] == "object"
    assert beer["properties"]["type"] == {"#docs": 12, "%docs": 100, "samples": ["beer"],
                                          "type": "string"}
    # "style" is missing from one beer: #docs and %docs count the documents that have it
    assert beer["properties"]["style"]["#docs"] == 11
    assert beer["properties"]["style"]["%docs"] == 91.67
    assert len(beer["properties"]["name"]["samples"]) == 5
    # a field with values of two types lists each type ("equipment" in the first example)
    category = beer["properties"]["category"]
    assert category["type"] == ["null", "string"] and category["#docs"] == [1, 11]
    assert category["samples"][0] == [None]


def test_infer_arrays_objects_and_options():
    # infer.adoc "Schema Output": items/minItems/maxItems for arrays, properties for objects
    engine = make_engine()
    [flavors] = engine.query('INFER COLLECTION `beer-sample` WITH {"num_sample_values": 2}'
                             ).results
    brewery = next(f for f in flavors if f["Flavor"] == '`type` = "brewery"')
    address = brewery["properties"]["address"]
    assert (address["type"], address["minItems"], address["maxItems"]) == ("array", 0, 1)
    assert address["items"]["type"] == "string"
    geo = brewery["properties"]["geo"]
    assert geo["type"] == "object" and geo["#docs"] == 4 and geo["%docs"] == 80
    assert set(geo["properties"]) == {"accuracy", "lat", "lon"}
    assert all(len(p["samples"]) <= 2 for p in brewery["properties"].values())


def test_infer_sample_size_and_similarity():
    # infer.adoc "Options": sample_size documents are read; similarity_metric 0 puts
    # every document in one flavor
    engine = make_engine()
    [flavors] = engine.query('INFER `beer-sample` WITH {"sample_size": 3}').results
    assert sum(f["#docs"] for f in flavors) == 3
    [flavors] = engine.query('INFER `beer-sample` WITH {"similarity_metric": 0}').results
    assert [f["#docs"] for f in flavors] == [17]


def test_infer_long_sample_strings_are_cut():
    # infer.adoc example 2: "Robust, Dark and Smooth, ho..." (30 characters and ...)
    engine = make_engine()
    [flavors] = engine.query("INFER `beer-sample`").results
    samples = flavors[0]["properties"]["description"]["samples"]
    assert "A delightful example of the cl..." in samples


def test_infer_errors():
    engine = make_engine()
    assert error(engine, "INFER nosuch").code == 12003
    assert error(engine, 'INFER `beer-sample` WITH {"sample_size": -1}').code == 7014
    assert error(engine, 'INFER `beer-sample` WITH {"similarity_metric": 2}').code == 7014
    assert error(engine, 'INFER `beer-sample` WITH {"bogus": 1}').code == 7014
    assert error(engine, "INFER `beer-sample` WITH 5").code == 7014


def test_infer_can_be_prepared():
    engine = make_engine()
    engine.query("PREPARE inf FROM INFER `beer-sample`")
    assert engine.query("EXECUTE inf").results[0][0]["#docs"] == 12


# -- advise.adoc -------------------------------------------------------------------------------


def test_advise_recommended_index_and_covering_index(samples):
    # advise.adoc "Recommended index and covering index" (advise-indexes.jsonc)
    query = "SELECT airportname FROM `my-db`.samples.airport WHERE geo.alt NOT BETWEEN 0 AND 100;"
    [row] = samples.query("ADVISE " + query).results
    assert row == {
        "#operator": "Advise",
        "advice": {
            "#operator": "IndexAdvice",
            "adviseinfo": {
                "current_indexes": [{
                    "index_statement": "CREATE PRIMARY INDEX idx_airport_primary ON "
                                       "`default`:`my-db`.`samples`.`airport`",
                    "keyspace_alias": "airport"}],
                "recommended_indexes": {
                    "covering_indexes": [{
                        "index_statement": "CREATE INDEX adv_geo_alt_airportname ON "
                                           "`default`:`my-db`.`samples`.`airport`"
                                           "(`geo`.`alt`,`airportname`)",
                        "keyspace_alias": "airport"}],
                    "indexes": [{
                        "index_statement": "CREATE INDEX adv_geo_alt ON "
                                           "`default`:`my-db`.`samples`.`airport`(`geo`.`alt`)",
                        "keyspace_alias": "airport",
                        "recommending_rule": "Index keys follow order of predicate types: "
                                             "5. less than/greater than."}]}}},
        "query": query,
    }


def test_advise_no_index_can_be_recommended(samples):
    # advise.adoc "No index can be recommended" (advise-none.jsonc)
    [row] = samples.query("ADVISE SELECT * FROM `my-db`.samples.landmark LIMIT 5;").results
    info = row["advice"]["adviseinfo"]
    assert info["recommended_indexes"] == "No index recommendation at this time."
    assert info["current_indexes"] == [{
        "index_statement": "CREATE PRIMARY INDEX def_samples_landmark_primary ON "
                           "`default`:`my-db`.`samples`.`landmark`",
        "keyspace_alias": "landmark"}]


def test_advise_current_index_is_identical(samples):
    # advise.adoc "Current index is identical to the recommended index" (advise-identical.jsonc)
    samples.query("CREATE INDEX def_samples_landmark_city ON `my-db`.samples.landmark(city)")
    [row] = samples.query('ADVISE SELECT * FROM `my-db`.samples.landmark '
                          'WHERE city LIKE "Par%" OR city LIKE "Lon%";').results
    info = row["advice"]["adviseinfo"]
    assert info["recommended_indexes"] == "No index recommendation at this time."
    assert info["current_indexes"] == [{
        "index_statement": "CREATE INDEX def_samples_landmark_city ON "
                           "`default`:`my-db`.`samples`.`landmark`(`city`)",
        "index_status": "SAME TO THE INDEX WE CAN RECOMMEND",
        "keyspace_alias": "landmark",
        "recommending_rule": "Index keys follow order of predicate types: 1. Common leading "
                             "key for disjunction (4. not less than/between/not greater than)."}]


def test_advise_orders_keys_by_rule(samples):
    # advise.adoc "Recommendation Rules": keys sorted by rule priority; "Index Names"
    [row] = samples.query("ADVISE INDEX SELECT a.airportname FROM `my-db`.samples.airport a "
                          "WHERE a.geo.alt > 10 AND a.type = 'airport' AND a.tz IS NOT NULL "
                          "AND a.icao IN ['X', 'Y'] AND a.airportname LIKE '%ne'").results
    [index] = row["advice"]["adviseinfo"]["recommended_indexes"]["indexes"]
    assert index["index_statement"] == (
        "CREATE INDEX adv_type_icao_geo_alt_tz_airportname ON "
        "`default`:`my-db`.`samples`.`airport`(`type`,`icao`,`geo`.`alt`,`tz`,`airportname`)")
    assert index["keyspace_alias"] == "airport_a"  # alias appended with an underscore
    assert index["recommending_rule"] == (
        "Index keys follow order of predicate types: 2. equality/null/missing, 3. in, "
        "5. less than/greater than, 7. not null/not missing/valued, 8. like.")


def test_advise_update_and_functional_keys(samples):
    # advise.adoc "Purpose": UPDATE and DELETE queries; rule 2 "functional index"
    [row] = samples.query("ADVISE UPDATE `my-db`.samples.airport SET x = 1 "
                          "WHERE LOWER(airportname) = 'les loges'").results
    [index] = row["advice"]["adviseinfo"]["recommended_indexes"]["indexes"]
    assert index["index_statement"].endswith("(lower(`airportname`))")
    assert "covering_indexes" not in row["advice"]["adviseinfo"]["recommended_indexes"]
    [row] = samples.query("ADVISE DELETE FROM `my-db`.samples.airport WHERE geo.alt = 1"
                          ).results
    assert row["advice"]["adviseinfo"]["recommended_indexes"]["indexes"]


def test_advise_needs_a_query_on_a_keyspace(samples):
    assert error(samples, "ADVISE SELECT 1").code == 3000
    assert error(samples, "ADVISE").code == 3000


# -- statistics-*.adoc -------------------------------------------------------------------------


def test_update_statistics_for_expressions_and_delete():
    # statistics-expressions.adoc and statistics-delete.adoc: no rows, recorded
    engine = make_engine()
    path = ("beer-sample", "_default", "_default")
    assert engine.query("UPDATE STATISTICS FOR `beer-sample`(abv, LOWER(style)) "
                        'WITH {"resolution": 0.5}').results == []
    assert set(statistics_of(engine)[path]) == {"`abv`", "lower(`style`)"}
    assert statistics_of(engine)[path]["`abv`"]["resolution"] == 0.5
    engine.query("UPDATE STATISTICS FOR `beer-sample` DELETE (abv)")
    assert set(statistics_of(engine)[path]) == {"lower(`style`)"}
    engine.query("ANALYZE KEYSPACE `beer-sample`(name)")
    engine.query("UPDATE STATISTICS FOR `beer-sample` DELETE ALL")
    assert statistics_of(engine)[path] == {}


def test_update_statistics_for_indexes():
    # statistics-index.adoc, statistics-indexes.adoc
    engine = make_engine()
    path = ("beer-sample", "_default", "_default")
    engine.query("UPDATE STATISTICS FOR INDEX beer_type ON `beer-sample`")
    assert statistics_of(engine)[path]["`type`"]["index"] == "beer_type"
    engine.query("UPDATE STATISTICS FOR INDEX `beer-sample`.beer_abv USING GSI")
    engine.query("UPDATE STATISTICS FOR `beer-sample` INDEX (beer_type, beer_abv)")
    engine.query("ANALYZE COLLECTION `beer-sample` INDEX ALL")
    assert {"`type`", "`abv`", "`name`"} <= set(statistics_of(engine)[path])
    assert error(engine, "UPDATE STATISTICS FOR INDEX nosuch ON `beer-sample`").code == 12016
    assert error(engine, "UPDATE STATISTICS FOR nosuch(a)").code == 12003
    assert error(engine, "UPDATE STATISTICS FOR `beer-sample`").code == 3000
