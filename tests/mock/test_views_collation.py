"""View collation: the order of mixed-type keys, strings in ICU (UCA) order,
arrays and objects, checked on the key encoding and through a real view."""

from __future__ import annotations

import random

import pytest

from couchbase_mock.views.collation import compare, sort_key

# In collation order, each strictly before the next.
ORDERED = [
    None,
    False,
    True,
    -1e300,
    -5,
    -1.5,
    0,
    1,
    1.5,
    2,
    1e21,
    "",
    " ",
    "_",
    "-",
    "~",
    "$",
    "0",
    "1",
    "9",
    "a",
    "A",
    "á",
    "Á",
    "aa",
    "AA",
    "ab",
    "b",
    "B",
    "ba",
    "z",
    "Z",
    "ω",
    [],
    [None],
    [1],
    [1, 2],
    [1, 2, 3],
    [1, "a"],
    [2],
    ["a"],
    ["a", []],
    [[]],
    [[1]],
    [{}],
    {},
    {"a": 1},
    {"a": 2},
    {"b": 1},
    {"b": 2, "c": 2},
]


def test_each_key_sorts_before_the_next():
    for a, b in zip(ORDERED, ORDERED[1:]):
        assert sort_key(a) < sort_key(b), (a, b)
        assert compare(a, b) == -1 and compare(b, a) == 1


def test_sorting_a_shuffle_restores_the_order():
    shuffled = ORDERED[:]
    random.Random(7).shuffle(shuffled)
    assert sorted(shuffled, key=sort_key) == ORDERED


def test_equal_values_have_equal_keys():
    assert sort_key(1) == sort_key(1.0)
    assert sort_key(-0.0) == sort_key(0)
    assert sort_key([1, "x"]) == sort_key([1.0, "x"])
    # Distinct strings never tie, even when every collation level agrees but
    # the code points differ.
    assert sort_key("a") != sort_key("b")
    assert sort_key("\u00e9") == sort_key("e\u0301")  # one character, two spellings


@pytest.mark.parametrize(
    "words",
    [
        # The CouchDB documentation's examples of ICU order.
        ["a", "A", "aa", "b", "B", "ba", "bb"],
        ["abc123", "ABC123", "abc223", "ABC223", "abcd23", "bbc123", "bbcd23"],
        ["apple", "Apple", "Zebra"],
        ["role", "rôle", "roles", "rôles"],
    ],
)
def test_string_order(words):
    assert sorted(reversed(words), key=sort_key) == words


def test_range_ends_for_prefix_searches():
    # The SDKs' STRING_RANGE_END ("\u0fff", unassigned) and CouchDB's advice
    # ("\ufff0") both sort after every letter, so [v, v + END] is a prefix search.
    for end in ("\u0fff", "\ufff0"):
        words = ["pale", "Pale 3", "palea", "PALEZ", "pale\u00e9", "pale\u03c9",
                 "pale\u4e00"]
        for w in words:
            assert sort_key("pale") <= sort_key(w) < sort_key("pale" + end) < sort_key("palf"), w


def test_symbols_sort_before_digits_and_letters():
    symbols = " `^_-,;:!?.'\"()[]{}@*/\\&#%+<=>|~$"
    keys = [sort_key(c) for c in symbols]
    assert keys == sorted(keys)
    assert max(keys) < sort_key("0") < sort_key("9") < sort_key("a")


def test_mixed_keys_through_a_view(fresh_mock):
    pytest.importorskip("py_mini_racer")
    from mock_views import put_ddoc, query, store

    store(fresh_mock, {f"c{i:03d}": {"collate": k} for i, k in enumerate(ORDERED)})
    # Two documents with one key: ordered by document id.
    store(fresh_mock, {"dup-b": {"collate": "dup"}, "dup-a": {"collate": "dup"}})
    put_ddoc(fresh_mock, "coll", {"v": {"map": "function (doc) { if ('collate' in doc) "
                                                "emit(doc.collate, null); }"}})
    rows = query(fresh_mock, "coll", "v")["rows"]
    expected = sorted(ORDERED + ["dup", "dup"], key=sort_key)
    assert [r["key"] for r in rows] == expected
    dups = [r["id"] for r in rows if r["key"] == "dup"]
    assert dups == ["dup-a", "dup-b"]
    rows = query(fresh_mock, "coll", "v", descending="true")["rows"]
    assert [r["key"] for r in rows] == expected[::-1]
