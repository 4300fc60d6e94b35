"""Geo search on the local cluster, as the search service documents it: fields mapped
``"type": "geopoint"`` (points as ``{"lat", "lon"}``, ``[lon, lat]`` or ``"lat,lon"``),
queried by ``geo_distance`` (location + distance with units), ``geo_bounding_box``
(top_left, bottom_right) and ``geo_polygon`` (polygon_points); over the REST API
and through the 4.x SDK (GeoDistanceQuery, GeoBoundingBoxQuery, GeoPolygonQuery).
"""

from __future__ import annotations

from typing import Any, Iterator

import pytest
from test_search_service import request

from couchbase.bucket import Bucket
from couchbase_mock import MockCluster

# (lon, lat) of a few places
PLACES = {
    "sf": {"name": "San Francisco", "geo": {"lat": 37.7749, "lon": -122.4194}},
    "oakland": {"name": "Oakland", "geo": [-122.2712, 37.8044]},
    "sanjose": {"name": "San Jose", "geo": "37.3382,-121.8863"},
    "la": {"name": "Los Angeles", "geo": {"lat": 34.0522, "lng": -118.2437}},
    "london": {"name": "London", "geo": [-0.1276, 51.5072]},
    "fiji": {"name": "Suva", "geo": [178.4419, -18.1416]},
    "samoa": {"name": "Apia", "geo": [-171.7514, -13.8333]},
    "nowhere": {"name": "No point", "geo": "somewhere"},
}
GEO_INDEX = {
    "type": "fulltext-index", "sourceType": "gocbcore", "sourceName": "default",
    "params": {"doc_config": {"mode": "type_field", "type_field": "kind"},
               "mapping": {"default_mapping": {"enabled": False},
                           "types": {"place": {"enabled": True, "dynamic": False,
                                               "properties": {
                                                   "geo": {"fields": [{
                                                       "name": "geo", "type": "geopoint",
                                                       "index": True, "store": True}]},
                                                   "name": {"fields": [{
                                                       "name": "name", "type": "text",
                                                       "index": True, "store": True}]}}}}}},
}


@pytest.fixture(scope="module")
def mock() -> Iterator[MockCluster]:
    with MockCluster(nodes=1, replicas=0) as mock:
        cb = Bucket(f"{mock.connstr}/default", username="Administrator", password="password")
        for key, doc in PLACES.items():
            cb.upsert(f"place-{key}", {"kind": "place", **doc})
        cb.close()
        assert request(mock, "PUT", "/api/index/geo", GEO_INDEX)[0] == 200
        yield mock


def ids(mock: MockCluster, query: dict[str, Any]) -> set[str]:
    status, doc = request(mock, "POST", "/api/index/geo/query",
                          {"query": query, "size": 50})
    assert status == 200, doc
    return {hit["id"].removeprefix("place-") for hit in doc["hits"]}


def test_geo_distance_with_units(mock: MockCluster) -> None:
    sf = {"lat": 37.7749, "lon": -122.4194}
    # Oakland is about 13 km from San Francisco, San Jose about 68 km, LA about 560 km
    assert ids(mock, {"location": sf, "distance": "20km", "field": "geo"}) == {"sf", "oakland"}
    assert ids(mock, {"location": sf, "distance": "50mi", "field": "geo"}) == {
        "sf", "oakland", "sanjose"}
    assert ids(mock, {"location": [-122.4194, 37.7749], "distance": "600000",
                      "field": "geo"}) == {"sf", "oakland", "sanjose", "la"}
    assert ids(mock, {"location": "37.7749,-122.4194", "distance": "1m",
                      "field": "geo"}) == {"sf"}


def test_geo_bounding_box_and_the_antimeridian(mock: MockCluster) -> None:
    bay = {"top_left": [-122.6, 38.0], "bottom_right": [-121.8, 37.2], "field": "geo"}
    assert ids(mock, bay) == {"sf", "oakland", "sanjose"}
    pacific = {"top_left": [170.0, 0.0], "bottom_right": [-170.0, -30.0], "field": "geo"}
    assert ids(mock, pacific) == {"fiji", "samoa"}


def test_geo_polygon(mock: MockCluster) -> None:
    # a triangle around San Francisco and Oakland, leaving San Jose out
    triangle = [[-122.6, 37.6], [-122.1, 37.6], [-122.3, 38.0]]
    assert ids(mock, {"polygon_points": triangle, "field": "geo"}) == {"sf", "oakland"}
    as_strings = ["37.6,-122.6", "37.6,-122.1", "38.0,-122.3"]
    assert ids(mock, {"polygon_points": as_strings, "field": "geo"}) == {"sf", "oakland"}
    # a vertex on a point counts as inside
    assert ids(mock, {"polygon_points": [[-0.1276, 51.5072], [1, 52], [1, 51]],
                      "field": "geo"}) == {"london"}


def test_geo_queries_combine_and_return_stored_points(mock: MockCluster) -> None:
    status, doc = request(mock, "POST", "/api/index/geo/query", {"query": {"conjuncts": [
        {"location": {"lat": 37.7749, "lon": -122.4194}, "distance": "100km", "field": "geo"},
        {"match": "jose", "field": "name"}]}, "fields": ["geo"]})
    assert status == 200
    [hit] = doc["hits"]
    assert hit["id"] == "place-sanjose" and hit["fields"]["geo"] == "37.3382,-121.8863"


@pytest.mark.parametrize("query", [
    {"location": {"lat": 37.7, "lon": -122.4}, "distance": "10parsecs", "field": "geo"},
    {"location": {"lat": 137.7, "lon": -122.4}, "distance": "10km", "field": "geo"},
    {"location": "not a point", "distance": "10km", "field": "geo"},
    {"top_left": [-122.6, 38.0], "field": "geo"},
    {"polygon_points": [[-122.6, 37.6], [-122.1, 37.6]], "field": "geo"},
])
def test_bad_geo_queries_are_refused(mock: MockCluster, query: dict[str, Any]) -> None:
    status, doc = request(mock, "POST", "/api/index/geo/query", {"query": query})
    assert status == 400 and doc["status"] == "fail"


def test_a_changed_document_moves_its_point(mock: MockCluster) -> None:
    cb = Bucket(f"{mock.connstr}/default", username="Administrator", password="password")
    try:
        sf = {"location": {"lat": 37.7749, "lon": -122.4194}, "distance": "5km", "field": "geo"}
        cb.upsert("place-moving", {"kind": "place", "name": "Mover", "geo": [-122.42, 37.77]})
        assert "moving" in ids(mock, sf)
        cb.upsert("place-moving", {"kind": "place", "name": "Mover", "geo": [2.35, 48.85]})
        assert "moving" not in ids(mock, sf)
        cb.remove("place-moving")
        assert "moving" not in ids(mock, {"location": [2.35, 48.85], "distance": "5km",
                                          "field": "geo"})
    finally:
        cb.close()


def test_the_4x_sdk_geo_queries(mock: MockCluster) -> None:
    from couchbase.auth import PasswordAuthenticator
    from couchbase.cluster import Cluster
    from couchbase.options import ClusterOptions, SearchOptions
    from couchbase.search import (
        GeoBoundingBoxQuery,
        GeoDistanceQuery,
        GeoPolygonQuery,
        SearchRequest,
        SearchRowFields,
    )

    cluster = Cluster(mock.connstr, ClusterOptions(
        PasswordAuthenticator("Administrator", "password")))
    try:
        def found(query: Any, **kwargs: Any) -> set[str]:
            result = cluster.search_query("geo", query, SearchOptions(limit=50, **kwargs))
            return {row.id.removeprefix("place-") for row in result.rows()}

        assert found(GeoDistanceQuery("20km", (-122.4194, 37.7749), field="geo")) == {
            "sf", "oakland"}
        assert found(GeoBoundingBoxQuery((-122.6, 38.0), (-121.8, 37.2), field="geo")) == {
            "sf", "oakland", "sanjose"}
        polygon = GeoPolygonQuery([(-122.6, 37.6), (-122.1, 37.6), (-122.3, 38.0)],
                                  field="geo")
        assert polygon.encodable["polygon_points"] == [[-122.6, 37.6], [-122.1, 37.6],
                                                       [-122.3, 38.0]]
        assert found(polygon) == {"sf", "oakland"}
        rows = list(cluster.search("geo", SearchRequest.create(GeoPolygonQuery(
            polygon_points=[(-0.2, 51.4), (0.0, 51.6), (-0.3, 51.6)], field="geo")),
            SearchOptions(fields=["name"])).rows())
        assert [r.id for r in rows] == ["place-london"]
        assert isinstance(rows[0].fields, SearchRowFields) and rows[0].fields == {
            "name": "London"}
    finally:
        cluster.close()


def test_geo_polygon_query_checks_its_points() -> None:
    from couchbase.search import GeoPolygonQuery

    with pytest.raises(ValueError):
        GeoPolygonQuery([(1.0, 2.0), (3.0, 4.0)])
    with pytest.raises(ValueError):
        GeoPolygonQuery([(1.0, 2.0), "x", (3.0, 4.0)])
    with pytest.raises(ValueError):
        GeoPolygonQuery(field="geo")
