"""A table of queries over the beer-sample-like data set, with exact results."""

from __future__ import annotations

import pytest

from couchbase_mock.n1ql import QueryEngine

BS = "`beer-sample`"

QUERIES = [
    # -- filtering, ordering, paging
    (f'SELECT name FROM {BS} WHERE type = "beer" AND abv > 9 ORDER BY name',
     [{"name": "Hel & Verdoemenis"}, {"name": "Tsjernobyl"}]),
    (f'SELECT RAW name FROM {BS} WHERE type = "brewery" ORDER BY name',
     ["21st Amendment Brewery Cafe", "Anchor Brewing", "Big River Brewery",
      "Brouwerij de Molen", "Sierra Nevada Brewing Co."]),
    (f'SELECT name, abv FROM {BS} WHERE type = "beer" ORDER BY abv DESC LIMIT 3',
     [{"name": "Hel & Verdoemenis", "abv": 10.0}, {"name": "Tsjernobyl", "abv": 9.5},
      {"name": "Old Foghorn", "abv": 8.8}]),
    (f'SELECT name, abv FROM {BS} WHERE type = "beer" ORDER BY abv DESC LIMIT 2 OFFSET 2',
     [{"name": "Old Foghorn", "abv": 8.8}, {"name": "21A IPA", "abv": 7.2}]),
    (f'SELECT RAW name FROM {BS} WHERE type = "beer" AND abv < 5 ORDER BY abv, name',
     ["Big River Mild", "Kellerweis", "Anchor Steam", "Watermelon Wheat"]),
    (f'SELECT RAW name FROM {BS} WHERE type = "beer" AND abv < 5 ORDER BY abv DESC, name DESC',
     ["Watermelon Wheat", "Anchor Steam", "Kellerweis", "Big River Mild"]),
    (f'SELECT RAW name FROM {BS} WHERE type = "beer" AND abv >= 9.5 OR name = "Kellerweis" '
     'ORDER BY name', ["Hel & Verdoemenis", "Kellerweis", "Tsjernobyl"]),
    (f'SELECT RAW name FROM {BS} WHERE type = "beer" AND NOT (abv > 1) ', ["Big River Mild"]),
    # -- aggregates and grouping
    (f'SELECT COUNT(*) AS n FROM {BS} WHERE type = "beer"', [{"n": 12}]),
    (f"SELECT COUNT(*) FROM {BS}", [{"$1": 17}]),
    (f'SELECT brewery_id, COUNT(*) AS n, ROUND(AVG(abv), 2) AS avg_abv FROM {BS} '
     'WHERE type = "beer" GROUP BY brewery_id ORDER BY brewery_id',
     [{"brewery_id": "21st_amendment_brewery_cafe", "n": 3, "avg_abv": 6},
      {"brewery_id": "anchor_brewing", "n": 3, "avg_abv": 6.57},
      {"brewery_id": "big_river", "n": 1, "avg_abv": 0},
      {"brewery_id": "brouwerij_de_molen", "n": 2, "avg_abv": 9.75},
      {"brewery_id": "sierra_nevada", "n": 3, "avg_abv": 5.73}]),
    (f'SELECT brewery_id, COUNT(*) AS n FROM {BS} WHERE type = "beer" '
     "GROUP BY brewery_id HAVING COUNT(*) > 2 ORDER BY brewery_id",
     [{"brewery_id": "21st_amendment_brewery_cafe", "n": 3},
      {"brewery_id": "anchor_brewing", "n": 3}, {"brewery_id": "sierra_nevada", "n": 3}]),
    (f'SELECT MIN(abv) AS lo, MAX(abv) AS hi, SUM(ibu) AS ibu FROM {BS} WHERE type = "beer"',
     [{"lo": 0, "hi": 10.0, "ibu": 117}]),
    (f'SELECT category, ARRAY_AGG(DISTINCT style) AS styles FROM {BS} '
     'WHERE type = "beer" AND category = "British Ale" GROUP BY category',
     [{"category": "British Ale", "styles": ["Imperial Stout"]}]),
    (f'SELECT COUNT(DISTINCT category) AS cats, COUNT(style) AS styled, COUNT(category) AS c '
     f'FROM {BS} WHERE type = "beer"', [{"cats": 5, "styled": 11, "c": 11}]),
    (f'SELECT COUNT(*) AS n, SUM(abv) AS s, AVG(abv) AS a, MAX(name) AS m FROM {BS} '
     'WHERE type = "nothing"', [{"n": 0, "s": None, "a": None, "m": None}]),
    (f'SELECT state, COUNT(*) AS n FROM {BS} WHERE type = "brewery" GROUP BY state '
     "ORDER BY n DESC, state LIMIT 2",
     [{"state": "California", "n": 3}, {"state": "Tennessee", "n": 1}]),
    (f'SELECT RAW ARRAY_SORT(ARRAY_DISTINCT(ARRAY_AGG(category))) FROM {BS} '
     'WHERE type = "beer"',
     [[None, "British Ale", "German Ale", "North American Ale", "North American Lager",
       "Other Style"]]),
    (f'SELECT c, COUNT(*) AS n FROM {BS} LET c = category WHERE type = "beer" AND c IS VALUED '
     "GROUP BY c ORDER BY n DESC, c LIMIT 2",
     [{"c": "North American Ale", "n": 6}, {"c": "British Ale", "n": 2}]),
    # -- USE KEYS, joins, NEST, UNNEST
    (f'SELECT name FROM {BS} USE KEYS ["anchor_brewing-liberty_ale", '
     '"sierra_nevada-kellerweis", "nope"] ORDER BY name',
     [{"name": "Kellerweis"}, {"name": "Liberty Ale"}]),
    (f'SELECT RAW abv FROM {BS} USE KEYS "brouwerij_de_molen-tsjernobyl"', [9.5]),
    (f"SELECT b.* FROM {BS} b USE KEYS 'sierra_nevada-kellerweis'",
     [{"name": "Kellerweis", "abv": 4.8, "ibu": 15, "srm": 0, "upc": 0, "type": "beer",
       "brewery_id": "sierra_nevada", "updated": "2010-07-22 20:00:20", "description": "",
       "style": "South German-Style Hefeweizen", "category": "German Ale"}]),
    (f"SELECT * FROM {BS} b USE KEYS 'big_river'",
     [{"b": {"name": "Big River Brewery", "city": "Chattanooga", "state": "Tennessee",
             "code": "37402", "country": "United States", "phone": None, "website": "",
             "type": "brewery", "updated": "2010-07-22 20:00:20", "description": "",
             "address": []}}]),
    (f"SELECT beer.name AS beer, brewery.name AS brewery FROM {BS} beer "
     f"JOIN {BS} brewery ON KEYS beer.brewery_id "
     'WHERE beer.type = "beer" AND beer.abv > 9 ORDER BY beer.name',
     [{"beer": "Hel & Verdoemenis", "brewery": "Brouwerij de Molen"},
      {"beer": "Tsjernobyl", "brewery": "Brouwerij de Molen"}]),
    (f"SELECT b.name, br.name AS brewery FROM {BS} b LEFT JOIN {BS} br ON KEYS b.brewery_id "
     'WHERE b.type = "brewery" AND b.city = "San Francisco" ORDER BY b.name',
     [{"name": "21st Amendment Brewery Cafe"}, {"name": "Anchor Brewing"}]),
    (f"SELECT b.name FROM {BS} b JOIN {BS} br ON KEYS b.brewery_id "
     'WHERE b.type = "brewery"', []),
    (f"SELECT b.name, br.city FROM {BS} b JOIN {BS} br ON META(br).id = b.brewery_id "
     'WHERE b.type = "beer" AND b.abv = 4.8', [{"name": "Kellerweis", "city": "Chico"}]),
    (f"SELECT b.name, ARRAY x.city FOR x IN brs END AS cities FROM {BS} b "
     f"NEST {BS} brs ON KEYS [b.brewery_id] WHERE b.type = 'beer' AND b.abv >= 9.5 "
     "ORDER BY b.name",
     [{"name": "Hel & Verdoemenis", "cities": ["Bodegraven"]},
      {"name": "Tsjernobyl", "cities": ["Bodegraven"]}]),
    (f"SELECT br.name, ARRAY_LENGTH(beers) AS n FROM {BS} br NEST {BS} beers ON KEYS "
     'ARRAY "anchor_brewing-" || s FOR s IN ["liberty_ale", "anchor_steam", "gone"] END '
     'WHERE META(br).id = "anchor_brewing"', [{"name": "Anchor Brewing", "n": 2}]),
    (f"SELECT br.name, a AS addr FROM {BS} br UNNEST br.address AS a "
     'WHERE br.type = "brewery" ORDER BY br.name',
     [{"name": "21st Amendment Brewery Cafe", "addr": "563 Second Street"},
      {"name": "Anchor Brewing", "addr": "1705 Mariposa Street"},
      {"name": "Brouwerij de Molen", "addr": "Overtocht 43"},
      {"name": "Sierra Nevada Brewing Co.", "addr": "1075 East 20th Street"}]),
    (f"SELECT RAW br.name FROM {BS} br LEFT UNNEST br.address AS a "
     'WHERE br.type = "brewery" AND a IS MISSING', ["Big River Brewery"]),
    # -- collection predicates and comprehensions
    (f'SELECT RAW name FROM {BS} WHERE type = "brewery" AND ANY a IN address SATISFIES '
     'a LIKE "%Street" END ORDER BY name',
     ["21st Amendment Brewery Cafe", "Anchor Brewing", "Sierra Nevada Brewing Co."]),
    (f'SELECT RAW name FROM {BS} WHERE type = "brewery" AND EVERY a IN address SATISFIES '
     'a LIKE "%Street" END ORDER BY name',
     ["21st Amendment Brewery Cafe", "Anchor Brewing", "Big River Brewery",
      "Sierra Nevada Brewing Co."]),
    (f'SELECT RAW ARRAY UPPER(a) FOR a IN address END FROM {BS} USE KEYS "brouwerij_de_molen"',
     [["OVERTOCHT 43"]]),
    ("SELECT RAW ARRAY x * 2 FOR x IN [1, 2, 3, 4] WHEN x % 2 = 0 END", [[4, 8]]),
    ("SELECT RAW FIRST x FOR x IN [1, 5, 7] WHEN x > 2 END", [5]),
    ("SELECT RAW ARRAY [i, v] FOR i:v IN ['a', 'b'] END", [[[0, "a"], [1, "b"]]]),
    ("SELECT RAW ANY v WITHIN {'a': [1, {'b': 42}]} SATISFIES v = 42 END", [True]),
    # -- CASE, LIKE, IN, BETWEEN
    (f'SELECT name, CASE WHEN abv >= 8 THEN "strong" WHEN abv >= 5 THEN "regular" '
     f'ELSE "light" END AS strength FROM {BS} WHERE brewery_id = "anchor_brewing" ORDER BY name',
     [{"name": "Anchor Steam", "strength": "light"}, {"name": "Liberty Ale",
                                                       "strength": "regular"},
      {"name": "Old Foghorn", "strength": "strong"}]),
    (f'SELECT RAW CASE country WHEN "Netherlands" THEN "NL" WHEN "United States" THEN "US" END '
     f'FROM {BS} WHERE type = "brewery" ORDER BY name', ["US", "US", "US", "NL", "US"]),
    (f'SELECT RAW name FROM {BS} WHERE type = "beer" AND name LIKE "%Ale" ORDER BY name',
     ["Celebration Ale", "Liberty Ale", "Sierra Nevada Pale Ale"]),
    (f'SELECT RAW name FROM {BS} WHERE type = "brewery" AND name LIKE "_nchor%"',
     ["Anchor Brewing"]),
    (f'SELECT RAW name FROM {BS} WHERE type = "brewery" AND name NOT LIKE "%Brew%"',
     ["Brouwerij de Molen"]),
    (f'SELECT RAW name FROM {BS} WHERE type = "beer" AND abv IN [4.9, 9.5] ORDER BY name',
     ["Anchor Steam", "Tsjernobyl", "Watermelon Wheat"]),
    (f'SELECT RAW META().id FROM {BS} WHERE type = "brewery" AND state NOT IN ["California"] '
     "ORDER BY META().id", ["big_river", "brouwerij_de_molen"]),
    (f'SELECT RAW name FROM {BS} WHERE type = "beer" AND abv BETWEEN 5.9 AND 6.8 ORDER BY abv',
     ["Oyster Point Oyster Stout", "Liberty Ale", "Celebration Ale"]),
    # -- NULL, MISSING, VALUED
    (f'SELECT RAW name FROM {BS} WHERE type = "beer" AND category IS NULL', ["Big River Mild"]),
    (f'SELECT RAW name FROM {BS} WHERE type = "beer" AND style IS MISSING', ["Big River Mild"]),
    (f'SELECT RAW name FROM {BS} WHERE type = "brewery" AND geo IS MISSING',
     ["Big River Brewery"]),
    (f'SELECT RAW name FROM {BS} WHERE type = "brewery" AND phone IS NOT VALUED',
     ["Big River Brewery"]),
    (f'SELECT COUNT(*) AS n FROM {BS} WHERE type = "brewery" AND phone IS VALUED', [{"n": 4}]),
    (f'SELECT RAW name FROM {BS} WHERE type = "beer" AND style IS NULL', []),
    (f'SELECT phone, geo FROM {BS} USE KEYS "big_river"', [{"phone": None}]),
    (f"SELECT category IS NULL AS a, style IS NULL AS b, style IS MISSING AS c FROM {BS} "
     'USE KEYS "big_river-mild"', [{"a": True, "c": True}]),
    # -- constructors, paths, META
    (f'SELECT RAW {{"n": name, "loc": [city, state]}} FROM {BS} USE KEYS "sierra_nevada"',
     [{"n": "Sierra Nevada Brewing Co.", "loc": ["Chico", "California"]}]),
    (f'SELECT RAW {{name, city}} FROM {BS} USE KEYS "sierra_nevada"',
     [{"name": "Sierra Nevada Brewing Co.", "city": "Chico"}]),
    (f'SELECT RAW [geo.lat, address[0], geo.nope] FROM {BS} USE KEYS "anchor_brewing"',
     [[37.7633, "1705 Mariposa Street", None]]),
    (f'SELECT RAW address[5] FROM {BS} USE KEYS "anchor_brewing"', []),
    (f'SELECT META().id, META().type FROM {BS} USE KEYS "anchor_brewing"',
     [{"id": "anchor_brewing", "type": "json"}]),
    (f'SELECT META(b).id AS k, IS_NUMBER(META(b).cas) AS c FROM {BS} b USE KEYS "big_river"',
     [{"k": "big_river", "c": True}]),
    # -- functions
    (f"SELECT LOWER(name) AS l, UPPER(city) AS u, LENGTH(name) AS n, SUBSTR(name, 0, 6) AS s "
     f'FROM {BS} USE KEYS "anchor_brewing"',
     [{"l": "anchor brewing", "u": "SAN FRANCISCO", "n": 14, "s": "Anchor"}]),
    (f'SELECT RAW name FROM {BS} WHERE type = "beer" AND CONTAINS(description, "hop") '
     "ORDER BY name", ["21A IPA", "Celebration Ale", "Sierra Nevada Pale Ale"]),
    ('SELECT RAW [TRIM("  x  "), SPLIT("a,b,c", ","), CONCAT("a", "b", "c"), "x" || "y", '
     '"a" || 1, LTRIM("xxy", "x"), REPLACE("aXbX", "X", "-"), POSITION("abc", "c")]',
     [["x", ["a", "b", "c"], "abc", "xy", None, "y", "a-b-", 2]]),
    ("SELECT RAW [ROUND(3.14159, 2), FLOOR(-1.5), CEIL(1.2), ABS(-3), ROUND(2.5), TRUNC(1.99), "
     "SQRT(16), POWER(2, 10)]", [[3.14, -2, 2, 3, 2, 1, 4, 1024]]),  # ROUND: half to even
    ("SELECT RAW [1 + 2 * 3 - 4 / 2, 7 % 3, -2 * 3, 10 / 4, 1 / 0, 'a' + 1]",
     [[5, 1, -6, 2.5, None, None]]),
    (f'SELECT RAW [ARRAY_LENGTH(address), ARRAY_CONTAINS(address, "Overtocht 43"), '
     f'ARRAY_APPEND(address, "x"), ARRAY_POSITION(address, "x")] '
     f'FROM {BS} USE KEYS "brouwerij_de_molen"', [[1, True, ["Overtocht 43", "x"], -1]]),
    ("SELECT RAW [ARRAY_DISTINCT([1, 1, 2]), ARRAY_SUM([1, 2, 3]), ARRAY_MAX([3, 'a', 1]), "
     "ARRAY_MIN([3, 1]), ARRAY_AVG([1, 2]), ARRAY_CONCAT([1], [2])]",
     [[[1, 2], 6, "a", 1, 1.5, [1, 2]]]),
    (f'SELECT RAW OBJECT_NAMES(geo) FROM {BS} USE KEYS "anchor_brewing"',
     [["accuracy", "lat", "lon"]]),
    (f"SELECT RAW [TYPE(name), TYPE(abv), TYPE(address), TYPE(geo), TYPE(phone), TYPE(true), "
     f'TYPE(1)] FROM {BS} USE KEYS "big_river"',
     [["string", "missing", "array", "missing", "null", "boolean", "number"]]),
    (f"SELECT RAW [IS_STRING(name), IS_NUMBER(name), IS_ARRAY(address), IS_OBJECT(geo), "
     f'IS_BOOLEAN(false)] FROM {BS} USE KEYS "anchor_brewing"',
     [[True, False, True, True, True]]),
    (f'SELECT RAW [TOSTRING(abv), TONUMBER("12.5"), TONUMBER("x"), TOSTRING(true), '
     f'TONUMBER("7")] FROM {BS} USE KEYS "anchor_brewing-old_foghorn"',
     [["8.8", 12.5, None, "true", 7]]),
    (f'SELECT RAW [STR_TO_MILLIS(updated), MILLIS_TO_STR(STR_TO_MILLIS(updated)), '
     f'DATE_PART_STR(updated, "year"), DATE_PART_STR(updated, "month"), '
     f'MILLIS_TO_STR(0, "2006-01-02")] FROM {BS} USE KEYS "anchor_brewing"',
     [[1279828820000, "2010-07-22T20:00:20Z", 2010, 7, "1970-01-01"]]),
    (f'SELECT RAW name FROM {BS} WHERE type = "beer" AND '
     'STR_TO_MILLIS(updated) > STR_TO_MILLIS("2010-08-01")', ["Celebration Ale"]),
    ('SELECT RAW [IFMISSING(MISSING, 1), IFNULL(NULL, 2), IFMISSINGORNULL(NULL, MISSING, 3), '
     "GREATEST(1, 5, 3), LEAST(4, 2)]", [[1, 2, 3, 5, 2]]),
    # -- collation of mixed types
    ("SELECT RAW [1 < 'a', 'a' < [], [] < {}, NULL = NULL, false < true, [1, 2] < [1, 3], "
     "[1] < [1, 0], 1 = 1.0, {'a': 1} = {'a': 1}]",
     [[True, True, True, None, True, True, True, True, True]]),
    ('SELECT x FROM [{"v": 2}, {"v": null}, {}, {"v": "a"}, {"v": false}, {"v": [1]}, '
     '{"v": {"a": 1}}, {"v": true}] AS x ORDER BY x.v',
     [{"x": {}}, {"x": {"v": None}}, {"x": {"v": False}}, {"x": {"v": True}}, {"x": {"v": 2}},
      {"x": {"v": "a"}}, {"x": {"v": [1]}}, {"x": {"v": {"a": 1}}}]),
    ("SELECT RAW x.v FROM [{'v': 1}, {}, {'v': null}, {'v': 'b'}] AS x ORDER BY x.v DESC",
     ["b", 1, None]),
    # -- DISTINCT, subqueries, LET, set operations
    (f'SELECT DISTINCT category FROM {BS} WHERE type = "beer" AND category IS VALUED '
     "ORDER BY category",
     [{"category": c} for c in ["British Ale", "German Ale", "North American Ale",
                                "North American Lager", "Other Style"]]),
    (f'SELECT DISTINCT RAW city FROM {BS} WHERE type = "brewery" ORDER BY city',
     ["Bodegraven", "Chattanooga", "Chico", "San Francisco"]),
    (f'SELECT RAW name FROM {BS} WHERE type = "brewery" AND META().id IN '
     f'(SELECT RAW b.brewery_id FROM {BS} b WHERE b.type = "beer" AND b.abv > 9)',
     ["Brouwerij de Molen"]),
    (f"SELECT t.c, COUNT(*) AS n FROM (SELECT category AS c FROM {BS} WHERE type = 'beer') "
     "AS t WHERE t.c IS VALUED GROUP BY t.c ORDER BY n DESC, t.c LIMIT 2",
     [{"c": "North American Ale", "n": 6}, {"c": "British Ale", "n": 2}]),
    (f"SELECT b.name, (SELECT RAW br.city FROM {BS} br USE KEYS b.brewery_id)[0] AS city "
     f'FROM {BS} b WHERE b.type = "beer" AND b.abv > 9 ORDER BY b.name',
     [{"name": "Hel & Verdoemenis", "city": "Bodegraven"},
      {"name": "Tsjernobyl", "city": "Bodegraven"}]),
    (f"SELECT name, strength FROM {BS} LET strength = abv * 2 "
     'WHERE type = "beer" AND strength > 18 ORDER BY name',
     [{"name": "Hel & Verdoemenis", "strength": 20}, {"name": "Tsjernobyl", "strength": 19}]),
    (f'SELECT city FROM {BS} WHERE type = "brewery" AND state = "California" UNION '
     f'SELECT city FROM {BS} WHERE type = "brewery" AND country = "Netherlands" ORDER BY city',
     [{"city": "Bodegraven"}, {"city": "Chico"}, {"city": "San Francisco"}]),
    # -- keyspace names
    ("SELECT RAW name FROM travel.inventory.airline ORDER BY name",
     ["40-Mile Air", "Air France", "British Airways"]),
    ("SELECT RAW a.iata FROM default:travel.inventory.airline a WHERE a.country = 'France'",
     ["AF"]),
    (f"SELECT RAW COUNT(*) FROM default:{BS} WHERE type = 'brewery'", [5]),
    ("SELECT 1 + 1, 'a' AS s, [1, 2][0], {'x': 1}.x", [{"$1": 2, "s": "a", "$2": 1, "x": 1}]),
]


@pytest.mark.parametrize("statement, expected", QUERIES, ids=[str(i) for i in range(len(QUERIES))])
def test_query(engine: QueryEngine, statement: str, expected: list) -> None:
    assert engine.query(statement).results == expected


def test_table_has_at_least_sixty_queries() -> None:
    assert len(QUERIES) >= 60


def test_union_all_keeps_duplicates(engine: QueryEngine) -> None:
    rows = engine.query(
        f'SELECT RAW city FROM {BS} WHERE type = "brewery" AND state = "California" UNION ALL '
        f'SELECT RAW city FROM {BS} USE KEYS "sierra_nevada"').results
    assert sorted(rows) == ["Chico", "Chico", "San Francisco", "San Francisco"]


def test_not_between(engine: QueryEngine) -> None:
    rows = engine.query(f'SELECT RAW name FROM {BS} WHERE type = "beer" AND '
                        "abv NOT BETWEEN 1 AND 9.9 ORDER BY name").results
    assert rows == ["Big River Mild", "Hel & Verdoemenis"]


def test_meta_cas_is_the_stored_cas(engine: QueryEngine) -> None:
    rec = engine.datastore.get(("beer-sample", "_default", "_default"), "anchor_brewing")
    rows = engine.query(f'SELECT RAW META().cas FROM {BS} USE KEYS "anchor_brewing"').results
    assert rows == [rec.cas]


def test_now_str_uses_the_request_time(engine: QueryEngine) -> None:
    res = engine.query("SELECT RAW [NOW_STR(), NOW_MILLIS()]", now=86400.5)
    assert res.results == [["1970-01-02T00:00:00.5Z", 86400500]]
