"""Object functions and utility functions, checked against the examples of the
N1QL (SQL++) language reference with their stated results.

OF = docs.couchbase.com/server/current/n1ql/n1ql-language-reference/objectfun.html
MF = .../metafun.html (Miscellaneous Utility Functions)

The reference's examples that read travel-sample documents are run here on the
same document written as a literal; ``WITH x AS (expr)`` is written as ``expr``.
Cases marked "derived" have no example in the reference: they follow its text.
"""

from __future__ import annotations

import re

import pytest

from couchbase_mock.n1ql import N1QLError, QueryEngine

SCHEDULE0 = '{"day": 0, "flight": "AF198", "utc": "10:13:00"}'
AIRLINE10 = ('{"callsign": "MILE-AIR", "country": "United States", "iata": "Q5", '
             '"icao": "MLA", "id": 10, "name": "40-Mile Air", "type": "airline"}')
FLIGHT = '{"flight": "AI444", "utc": "4:44:44", "codename": "green"}'
HOTEL = ('{"id": 10025, "name": "Medway Youth Hostel", "vacancy": true, '
         '"public_likes": ["Julius Tromp I", "Corrine Hilll"], '
         '"geo": {"accuracy": "RANGE_INTERPOLATED", "lat": 51.35785, "lon": 0.55818}, '
         '"reviews": [{"author": "Ann"}, {"author": "Barton Marks", "ratings": '
         '{"Business service (e.g., internet access)": 4, "Overall": 4}}]}')
AIRLINE_OUT = {"callsign": "MILE-AIR", "country": "United States", "iata": "Q5",
               "icao": "MLA", "id": 10, "name": "40-Mile Air", "type": "airline"}

CASES = [
    # OF OBJECT_ADD example
    (f"SELECT RAW OBJECT_ADD({SCHEDULE0}, 'day_new', 1)",
     {"day": 0, "day_new": 1, "flight": "AF198", "utc": "10:13:00"}),
    # OF OBJECT_ADD return value rules (derived): duplicate key -> NULL; MISSING or
    # NULL key, MISSING value -> object unmodified; not an object -> NULL
    ("SELECT RAW OBJECT_ADD({'a': 1}, 'a', 2)", None),
    ("SELECT RAW OBJECT_ADD({'a': 1}, NULL, 2)", {"a": 1}),
    ("SELECT RAW OBJECT_ADD({'a': 1}, 'b', MISSING)", {"a": 1}),
    ("SELECT RAW OBJECT_ADD({'a': 1}, MISSING, 1)", {"a": 1}),
    ("SELECT RAW OBJECT_ADD('str', 'b', 2)", None),
    # OF OBJECT_CONCAT example
    ('SELECT RAW OBJECT_CONCAT({"abc": 1}, {"def": 2}, {"ghi": 3}, {"ghi": 4}, '
     '{"ghi": [5, 6, 7]})', {"abc": 1, "def": 2, "ghi": [5, 6, 7]}),
    ("SELECT RAW OBJECT_CONCAT({'a': 1}, 'x')", None),  # derived: not an object
    # OF OBJECT_CONCAT2 (derived from the text): later arguments may be arrays of
    # objects, the first may not
    ("SELECT RAW OBJECT_CONCAT2({'a': 1}, [{'b': 2}, {'a': 3}], {'c': 4})",
     {"a": 3, "b": 2, "c": 4}),
    ("SELECT RAW OBJECT_CONCAT2([{'a': 1}], {'b': 2})", None),
    ("SELECT RAW OBJECT_CONCAT2({'a': 1}, [1])", None),
    # OF OBJECT_FIELD examples 1 and 2 (the hotel document cut to the fields used)
    (f'SELECT OBJECT_FIELD({HOTEL}, "public_likes") AS `array`, '
     f'OBJECT_FIELD({HOTEL}, "vacancy") AS `boolean`, '
     f'OBJECT_FIELD({HOTEL}, "id") AS `number`, OBJECT_FIELD({HOTEL}, "geo") AS `object`, '
     f'OBJECT_FIELD({HOTEL}, "name") AS `string`',
     {"array": ["Julius Tromp I", "Corrine Hilll"], "boolean": True, "number": 10025,
      "object": {"accuracy": "RANGE_INTERPOLATED", "lat": 51.35785, "lon": 0.55818},
      "string": "Medway Youth Hostel"}),
    (f'SELECT RAW OBJECT_FIELD({HOTEL}, '
     '"reviews[1].ratings.`Business service (e.g., internet access)`")', 4),
    (f'SELECT RAW OBJECT_FIELD({HOTEL}, "reviews[1]").author', "Barton Marks"),
    # OF OBJECT_FIELD: a field not found -> NULL (derived from the text)
    (f'SELECT RAW OBJECT_FIELD({HOTEL}, "reviews[5].author")', None),
    (f'SELECT RAW OBJECT_FIELD({HOTEL}, "geo.nothing")', None),
    (f'SELECT RAW OBJECT_FIELD({HOTEL}, "geo..lat")', None),
    # OF OBJECT_INNER_PAIRS / OBJECT_INNER_VALUES example 1
    (f"SELECT RAW OBJECT_INNER_PAIRS({FLIGHT})",
     [{"name": "codename", "val": "green"}, {"name": "flight", "val": "AI444"},
      {"name": "utc", "val": "4:44:44"}]),
    (f"SELECT RAW OBJECT_INNER_VALUES({FLIGHT})", ["green", "AI444", "4:44:44"]),
    # OF OBJECT_LENGTH example, and NULL for a non-object (text)
    ('SELECT RAW OBJECT_LENGTH({"abc": 1, "def": 2, "ghi": {"uvw": 3, "xyz": 4}})', 3),
    ("SELECT RAW OBJECT_LENGTH([1])", None),
    # OF OBJECT_NAMES example 1
    (f"SELECT RAW OBJECT_NAMES({FLIGHT})", ["codename", "flight", "utc"]),
    # OF OBJECT_PAIRS examples 1 and 2, and the OBJECT_OUTER_PAIRS alias
    (f"SELECT RAW OBJECT_PAIRS({FLIGHT})",
     [{"name": "codename", "val": "green"}, {"name": "flight", "val": "AI444"},
      {"name": "utc", "val": "4:44:44"}]),
    (f'SELECT RAW OBJECT_OUTER_PAIRS({FLIGHT}, {{"types": TRUE}})',
     [{"name": "codename", "type": "string"}, {"name": "flight", "type": "string"},
      {"name": "utc", "type": "string"}]),
    # OF OBJECT_PAIRS_NESTED example 1
    ('SELECT OBJECT_PAIRS_NESTED({"attribute": {"flight-name": "AI444", "flight-number": 737}})'
     ' AS nested_pairs, OBJECT_PAIRS_NESTED({"attribute": {"flight-name": "AI444", '
     '"flight-number": 737}}, {"composites": true}) AS nested_pairs_comp, '
     'OBJECT_PAIRS_NESTED({"attribute": {"flight-name": "AI444", "flight-number": 737}}, '
     '{"pattern": "name"}) AS nested_pairs_pattern, OBJECT_PAIRS_NESTED({"attribute": '
     '{"flight-name": "AI444", "flight-number": 737}}, {"types": true}) AS nested_pairs_types',
     {"nested_pairs": [{"name": "attribute.flight-name", "val": "AI444"},
                       {"name": "attribute.flight-number", "val": 737}],
      "nested_pairs_comp": [
          {"name": "attribute", "val": {"flight-name": "AI444", "flight-number": 737}},
          {"name": "attribute.flight-name", "val": "AI444"},
          {"name": "attribute.flight-number", "val": 737}],
      "nested_pairs_pattern": [{"name": "attribute.flight-name", "val": "AI444"}],
      "nested_pairs_types": [{"name": "attribute.flight-name", "type": "string"},
                             {"name": "attribute.flight-number", "type": "number"}]}),
    # OF OBJECT_PAIRS_NESTED example 2, on the object special_flights[*] gives
    # (the outer-join nulls written out)
    ('SELECT RAW OBJECT_PAIRS_NESTED({"alert": [null, "red", null], '
     '"flight": ["AI444", "AI333"]}, {"composites": true})',
     [{"name": "alert", "val": [None, "red", None]}, {"name": "alert[0]", "val": None},
      {"name": "alert[1]", "val": "red"}, {"name": "alert[2]", "val": None},
      {"name": "flight", "val": ["AI444", "AI333"]}, {"name": "flight[0]", "val": "AI444"},
      {"name": "flight[1]", "val": "AI333"}]),
    # OF OBJECT_PATHS example 1
    ('SELECT OBJECT_PATHS({"attribute": {"first-part": 1, "second-part": 2}}, '
     '{"composites": true}) AS composite, OBJECT_PATHS({"attribute": {"first-part": 1, '
     '"second-part": 2}}, {"composites": false}) AS non_composite',
     {"composite": ["attribute", "attribute.first-part", "attribute.second-part"],
      "non_composite": ["attribute.first-part", "attribute.second-part"]}),
    # OF OBJECT_PATHS example 2
    ('SELECT OBJECT_PATHS({"attribute": [{"name": "elem1"}, {"name": "elem2"}]}, '
     '{"arraysubscript": true}) AS subscripts, OBJECT_PATHS({"attribute": [{"name": "elem1"},'
     ' {"name": "elem2"}]}, {"arraysubscript": false, "unique": false}) AS '
     'no_subscripts_not_unique, OBJECT_PATHS({"attribute": [{"name": "elem1"}, '
     '{"name": "elem2"}]}, {"arraysubscript": false, "unique": true}) AS no_subscripts_unique',
     {"no_subscripts_not_unique": ["attribute", "attribute[*].name", "attribute[*].name"],
      "no_subscripts_unique": ["attribute", "attribute[*].name"],
      "subscripts": ["attribute", "attribute[0].name", "attribute[1].name"]}),
    # OF OBJECT_PATHS example 3
    ('SELECT OBJECT_PATHS({"attribute": {"name": "elem1"}}) AS all_paths, '
     'OBJECT_PATHS({"attribute": {"name": "elem1"}}, {"pattern": "^n", '
     '"patternspace": "field"}) AS field_starts_with_n, OBJECT_PATHS({"attribute": '
     '{"name": "elem1"}}, {"pattern": "^n", "patternspace": "path"}) AS path_starts_with_n',
     {"all_paths": ["attribute", "attribute.name"], "field_starts_with_n": ["attribute.name"],
      "path_starts_with_n": []}),
    # OF OBJECT_PATHS example 4 (part): escaped names, an array of strings is a leaf
    (f'SELECT RAW OBJECT_PATHS({HOTEL}, {{"composites": false, "arraysubscript": false}})',
     ["geo.accuracy", "geo.lat", "geo.lon", "id", "name", "public_likes",
      "reviews[*].author", "reviews[*].ratings.Overall",
      "reviews[*].ratings.`Business service (e.g., internet access)`", "vacancy"]),
    # OF OBJECT_PATHS return value: not an object, options not an object -> NULL
    ("SELECT RAW OBJECT_PATHS('x')", None),
    ("SELECT RAW OBJECT_PATHS({'a': 1}, 'x')", None),
    # OF OBJECT_PUT example, and its rules (derived): MISSING value deletes the key
    (f"SELECT RAW OBJECT_PUT({SCHEDULE0}, 'day', 1)",
     {"day": 1, "flight": "AF198", "utc": "10:13:00"}),
    ("SELECT RAW OBJECT_PUT({'a': 1, 'b': 2}, 'a', MISSING)", {"b": 2}),
    ("SELECT RAW OBJECT_PUT(5, 'a', 1)", None),
    # OF OBJECT_RENAME example
    (f"SELECT RAW OBJECT_RENAME({AIRLINE10}, 'name', 'new_name')",
     {**{k: v for k, v in AIRLINE_OUT.items() if k != "name"}, "new_name": "40-Mile Air"}),
    # OF OBJECT_REMOVE examples 1 and 2
    (f"SELECT RAW OBJECT_REMOVE({SCHEDULE0}, 'day')", {"flight": "AF198", "utc": "10:13:00"}),
    ('SELECT RAW OBJECT_REMOVE({"abc": 1, "def": 2, "ghi": 3}, "def")', {"abc": 1, "ghi": 3}),
    # OF OBJECT_REPLACE example
    (f"SELECT RAW OBJECT_REPLACE({AIRLINE10}, 'airline', 'airplane')",
     {**AIRLINE_OUT, "type": "airplane"}),
    # OF OBJECT_TYPES example
    ('SELECT RAW OBJECT_TYPES({"flight": "AI444", "duration": 180, "gate": NULL, '
     '"aircraft": {"model": "Boeing 737"}})',
     {"flight": "string", "duration": "number", "gate": "null", "aircraft": "object"}),
    # OF OBJECT_TYPES_NESTED example
    ('SELECT RAW OBJECT_TYPES_NESTED({"flight":"AI444", "crewMembers": ["Alice Bobson", '
     '"John Flo", true], "gate": NULL, "aircraft": {"model": "Boeing 737", "capacity":200}})',
     {"flight": "string", "crewMembers": ["string", "string", "boolean"], "gate": "null",
      "aircraft": {"model": "string", "capacity": "number"}}),
    # OF OBJECT_UNWRAP example
    ('SELECT OBJECT_UNWRAP({"name": "value"}) AS single, OBJECT_UNWRAP({"name": MISSING}) AS '
     '`missing`, OBJECT_UNWRAP({"name": "value", "name2": "value2"}) AS multiple, '
     'OBJECT_UNWRAP("some-string") AS `string`',
     {"missing": None, "multiple": None, "single": "value", "string": None}),
    # OF OBJECT_VALUES example 1, and the OBJECT_OUTER_VALUES alias
    (f"SELECT RAW OBJECT_VALUES({FLIGHT})", ["green", "AI444", "4:44:44"]),
    (f"SELECT RAW OBJECT_OUTER_VALUES({FLIGHT})", ["green", "AI444", "4:44:44"]),
    # MF BASE64 example (MISSING: the field is left out of the result)
    ('SELECT BASE64([1, 2, 3, 4]) AS `array`, BASE64(false) AS `boolean`, BASE64(missing) AS '
     '`missing`, BASE64(null) AS `null`, BASE64(1234) AS `number`, BASE64( {"a": 1, "b": 2, '
     '"c": [1, 2, 3]} ) AS `object`, BASE64("Couchbase") AS `string`',
     {"array": "WzEsMiwzLDRd", "boolean": "ZmFsc2U=", "null": "bnVsbA==", "number": "MTIzNA==",
      "object": "eyJhIjoxLCJiIjoyLCJjIjpbMSwyLDNdfQ==", "string": "IkNvdWNoYmFzZSI="}),
    ('SELECT RAW BASE64_ENCODE("Couchbase")', "IkNvdWNoYmFzZSI="),  # MF: alias of BASE64
    # MF BASE64_DECODE example
    ('SELECT BASE64_DECODE("WzEsMiwzLDRd") AS `array`, BASE64_DECODE("ZmFsc2U=") AS `boolean`,'
     ' BASE64_DECODE(missing) AS `missing`, BASE64_DECODE("bnVsbA==") AS `null`, '
     'BASE64_DECODE("MTIzNA==") AS `number`, BASE64_DECODE("eyJhIjoxLCJiIjoyLCJjIjpbMSwyLDNdfQ'
     '==") AS `object`, BASE64_DECODE("IkNvdWNoYmFzZSI=") AS `string`',
     {"array": [1, 2, 3, 4], "boolean": False, "null": None, "number": 1234,
      "object": {"a": 1, "b": 2, "c": [1, 2, 3]}, "string": "Couchbase"}),
    ('SELECT RAW BASE64_DECODE("not base64!")', None),  # derived: not valid base64
    ('SELECT RAW BASE64_DECODE(12)', None),  # derived: not a string
    # MF LEN example
    ('SELECT LEN([1, 2, 3, 4]) AS `array`, LEN(false) AS `boolean`, LEN(missing) AS '
     '`missing`, LEN(null) AS `null`, LEN(1234) AS `number`, LEN( {"a": 1, "b": 2, '
     '"c": [1, 2, 3]} ) AS `object`, LEN("Couchbase") AS `string`',
     {"array": 4, "boolean": 1, "null": None, "number": 4, "object": 3, "string": 9}),
    # MF PAIRS example 2 (the hotel's public_likes as a literal) and example 3b
    ('SELECT PAIRS(["a", "b"]) AS pairs_array_t, PAIRS({"public_likes": ["a", "b"]}) '
     'AS pairs_obj_t',
     {"pairs_array_t": [], "pairs_obj_t": [["public_likes", ["a", "b"]], ["public_likes", "a"],
                                            ["public_likes", "b"]]}),
    ('SELECT PAIRS("N1QL") AS constant_string, PAIRS(4) AS constant_int, PAIRS([1,2,3]) AS '
     'constant_int_array, PAIRS({"name" : 3}) AS object_constant_int, PAIRS({"name" : [1,2,3]})'
     ' AS object_constant_int_array',
     {"constant_int": None, "constant_int_array": [], "constant_string": None,
      "object_constant_int": [["name", 3]],
      "object_constant_int_array": [["name", [1, 2, 3]], ["name", 1], ["name", 2],
                                    ["name", 3]]}),
    # derived: MISSING in gives MISSING out for the object functions (field left out)
    ("SELECT OBJECT_PATHS(MISSING) AS p, OBJECT_UNWRAP(MISSING) AS u, "
     "OBJECT_FIELD(MISSING, 'a') AS f, OBJECT_CONCAT({'a': 1}, MISSING) AS c", {}),
]


@pytest.mark.parametrize("statement,expected", CASES)
def test_reference_example(engine: QueryEngine, statement: str, expected: object) -> None:
    assert engine.query(statement).results == [expected]


def test_abort_stops_the_query_with_5011(engine: QueryEngine) -> None:
    """MF ABORT example 1: code 5011 and the documented message."""
    with pytest.raises(N1QLError) as err:
        engine.query('SELECT ABORT("Something went wrong")')
    assert err.value.code == 5011
    assert err.value.msg == 'Abort: "Something went wrong". - cause: "Something went wrong"'


def test_ds_version_is_the_server_version(engine: QueryEngine) -> None:
    """MF DS_VERSION example: a string like "7.6.0-1886-enterprise"."""
    [v] = engine.query("SELECT RAW DS_VERSION()").results
    assert re.fullmatch(r"\d+\.\d+\.\d+-\d+-(enterprise|community)", v)


def test_uuid_is_a_fresh_version_4_uuid(engine: QueryEngine) -> None:
    """MF UUID (derived): an RFC 4122 UUID string, a new one each call."""
    a, b = engine.query("SELECT RAW [UUID(), UUID()]").results[0]
    pattern = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
    assert re.fullmatch(pattern, a) and a != b


def test_random_seed_repeats(engine: QueryEngine) -> None:
    """mathfun RANDOM([seed]) (derived): in [0, 1), the same number for one seed."""
    a, b, c = engine.query("SELECT RAW [RANDOM(7), RANDOM(7), RANDOM()]").results[0]
    assert a == b and 0 <= a < 1 and 0 <= c < 1
    assert engine.query("SELECT RAW RANDOM([1])").results == [None]


def test_collated_objects_of_array_star(engine: QueryEngine) -> None:
    """OF OBJECT_INNER_PAIRS example 2: special_flights[*] collates similarly named
    fields; a name found in one object only has its one value ("alert": "red")."""
    q = ('WITH special_flights AS ([{"flight": "AI444", "codename": "green"}, '
         '{"flight": "AI333", "alert": "red"}]) '
         "SELECT RAW OBJECT_INNER_PAIRS(special_flights[*])")
    assert engine.query(q).results == [[
        {"name": "alert", "val": "red"}, {"name": "codename", "val": "green"},
        {"name": "flight", "val": ["AI444", "AI333"]}]]


SPECIAL_FLIGHTS = ('WITH special_flights AS ([{"flight": "AI444", "utc": "4:44:44", '
                   '"codename": "green"}, {"flight": "AI333", "utc": "3:33:33", "alert": "red"}, '
                   '{"flight": "AI222", "utc": "2:22:22", "codename": "yellow"}]) ')


@pytest.mark.parametrize("fn,expected", [
    # objectfun.adoc OBJECT_INNER_PAIRS / OBJECT_INNER_VALUES / OBJECT_VALUES Example 2
    ("OBJECT_INNER_PAIRS", [{"name": "alert", "val": "red"},
                            {"name": "codename", "val": ["green", "yellow"]},
                            {"name": "flight", "val": ["AI444", "AI333", "AI222"]},
                            {"name": "utc", "val": ["4:44:44", "3:33:33", "2:22:22"]}]),
    ("OBJECT_INNER_VALUES", ["red", ["green", "yellow"], ["AI444", "AI333", "AI222"],
                             ["4:44:44", "3:33:33", "2:22:22"]]),
    ("OBJECT_VALUES", [[None, "red", None], ["green", None, "yellow"],
                       ["AI444", "AI333", "AI222"], ["4:44:44", "3:33:33", "2:22:22"]]),
    ("OBJECT_NAMES", ["alert", "codename", "flight", "utc"]),
])
def test_special_flights_example(engine: QueryEngine, fn: str, expected: list) -> None:
    q = SPECIAL_FLIGHTS + f"SELECT RAW {fn}(special_flights[*])"
    assert engine.query(q).results == [expected]


def test_pairs_nested_of_array_star_keeps_absent_fields_as_null(engine: QueryEngine) -> None:
    """objectfun.adoc OBJECT_PAIRS_NESTED Example 2 (first two objects): an object
    without the field gives a null entry, like an OUTER JOIN."""
    q = ('WITH f AS ([{"flight": "AI444"}, {"flight": "AI333", "alert": "red"}]) '
         'SELECT RAW OBJECT_PAIRS_NESTED(f[*], {"composites": true})')
    assert engine.query(q).results == [[
        {"name": "alert", "val": [None, "red"]}, {"name": "alert[0]", "val": None},
        {"name": "alert[1]", "val": "red"}, {"name": "flight", "val": ["AI444", "AI333"]},
        {"name": "flight[0]", "val": "AI444"}, {"name": "flight[1]", "val": "AI333"}]]
