"""Query: encoding of every option, the range helpers, and rejection of bad values."""

from __future__ import annotations

from urllib.parse import parse_qsl

import pytest

from couchbase.exceptions import ArgumentError
from couchbase.views.params import UNSPEC, Query


def decoded(q: Query) -> dict[str, str]:
    return dict(parse_qsl(q.encoded, keep_blank_values=True))


@pytest.mark.parametrize("options, expected", [
    ({"limit": 10}, {"limit": "10"}),
    ({"skip": 0}, {"skip": "0"}),
    ({"limit": "5"}, {"limit": "5"}),
    ({"descending": True}, {"descending": "true"}),
    ({"descending": False}, {"descending": "false"}),
    ({"descending": "true"}, {"descending": "true"}),
    ({"inclusive_end": 0}, {"inclusive_end": "false"}),
    ({"reduce": False}, {"reduce": "false"}),
    ({"group": True, "group_level": 2}, {"group": "true", "group_level": "2"}),
    ({"full_set": True, "debug": False}, {"full_set": "true", "debug": "false"}),
    ({"stale": False}, {"stale": "false"}),
    ({"stale": True}, {"stale": "ok"}),
    ({"stale": "ok"}, {"stale": "ok"}),
    ({"stale": "update_after"}, {"stale": "update_after"}),
    ({"on_error": "continue"}, {"on_error": "continue"}),
    ({"key": "abc"}, {"key": '"abc"'}),
    ({"key": None}, {"key": "null"}),
    ({"key": [1, "a", None]}, {"key": '[1,"a",null]'}),
    ({"startkey": {"a": 1}, "endkey": 2.5}, {"startkey": '{"a":1}', "endkey": "2.5"}),
    ({"start_key": "a", "end_key": "b"}, {"startkey": '"a"', "endkey": '"b"'}),
    ({"startkey_docid": "doc 1", "endkey_docid": "doc&2"},
     {"startkey_docid": "doc 1", "endkey_docid": "doc&2"}),
    ({"mapkey_single": "x"}, {"key": '"x"'}),
    ({"mapkey_multi": ["x", 1]}, {"keys": '["x",1]'}),
    ({"keys": ("a", "b")}, {"keys": '["a","b"]'}),
    ({"connection_timeout": 60000}, {"connection_timeout": "60000"}),
    ({"limit": None}, {}),
])
def test_encoding(options: dict, expected: dict) -> None:
    assert decoded(Query(**options)) == expected


def test_encoded_is_url_quoted_and_in_a_stable_order() -> None:
    q = Query(stale=False, limit=3, startkey="a b&c", descending=True)
    assert q.encoded == "descending=true&limit=3&stale=false&startkey=%22a%20b%26c%22"


def test_string_range_end_and_mapkey_range() -> None:
    assert Query.STRING_RANGE_END == "\u0fff"
    q = Query()
    q.mapkey_range = ["abbaye", "abbaye" + Query.STRING_RANGE_END]
    assert q.mapkey_range == ["abbaye", "abbaye\u0fff"]
    assert q.startkey == "abbaye" and q.endkey == "abbaye\u0fff"
    assert decoded(q) == {"startkey": '"abbaye"', "endkey": '"abbaye\u0fff"'}
    assert "endkey=%22abbaye%E0%BF%BF%22" in q.encoded  # UTF-8, percent-encoded
    q.mapkey_range = ["b"]  # start only
    assert decoded(q) == {"startkey": '"b"'}
    q.mapkey_range = UNSPEC
    assert q.encoded == "" and q.mapkey_range is UNSPEC


def test_dockey_range() -> None:
    q = Query(dockey_range=["a", "b"])
    assert decoded(q) == {"startkey_docid": "a", "endkey_docid": "b"}


def test_properties_read_back_what_was_set() -> None:
    q = Query(limit=4, stale=False)
    assert q.limit == 4 and q.stale is False and q.skip is UNSPEC
    assert q.mapkey_single is UNSPEC
    q.key = "k"
    assert q.mapkey_single == "k"
    q.limit = UNSPEC
    assert decoded(q) == {"stale": "false", "key": '"k"'}


def test_keys_go_in_a_post_body_when_the_uri_would_be_too_long() -> None:
    from couchbase.views.iterator import MAX_URI_LENGTH

    q = Query(keys=["a", 2], limit=1)
    assert q._for_request() == (q.encoded, None)  # short: in the query string (2.x did so)
    query_string, body = q._for_request(path_length=MAX_URI_LENGTH)
    assert query_string == "limit=1"
    assert body == b'{"keys":["a",2]}'
    many = Query(keys=[f"key-{i:05d}" for i in range(500)])
    assert many._for_request()[1] is not None
    assert Query(limit=1)._for_request(path_length=10**6) == ("limit=1", None)


def test_raw_query_string() -> None:
    q = Query.from_any("limit=3&skip=1&stale=false")
    assert q.encoded == "limit=3&skip=1&stale=false"
    assert q.has_blob
    q.update(descending=True)
    assert q.encoded == "limit=3&skip=1&stale=false&descending=true"


def test_from_any_copies_and_update_chains() -> None:
    q = Query(limit=1)
    copy = Query.from_any(q)
    copy.limit = 2
    assert q.limit == 1
    assert Query.from_any({"skip": 3}).encoded == "skip=3"
    other = q.update(copy=True, skip=4)
    assert other is not q and q.skip is UNSPEC and other.encoded == "limit=1&skip=4"
    assert q.update(skip=5) is q
    with pytest.raises(ArgumentError):
        Query.from_any(42)  # type: ignore[arg-type]


def test_unknown_options() -> None:
    with pytest.raises(ArgumentError, match="unknown view option"):
        Query(limt=3)
    q = Query(unrecognized_ok=True, limt=3)
    assert q.encoded == "limt=3" and q.has_blob


def test_passthrough_sends_values_as_given() -> None:
    q = Query(passthrough=True, startkey='"a"', limit="7")
    assert q.encoded == 'limit=7&startkey="a"'


@pytest.mark.parametrize("options", [
    {"limit": -1},
    {"limit": "ten"},
    {"limit": 1.5},
    {"limit": True},
    {"skip": [1]},
    {"group_level": "x"},
    {"descending": "yes"},
    {"descending": [True]},
    {"reduce": None.__class__},
    {"stale": "later"},
    {"stale": 3},
    {"on_error": "ignore"},
    {"key": object()},
    {"startkey": float("nan")},
    {"keys": "abc"},
    {"keys": {"a": 1}},
    {"startkey_docid": ["a"]},
    {"endkey_docid": True},
    {"mapkey_range": "ab"},
    {"mapkey_range": ["a", "b", "c"]},
    {"dockey_range": 5},
])
def test_bad_values(options: dict) -> None:
    with pytest.raises(ArgumentError):
        Query(**options)


def test_range_conflicts_with_explicit_keys() -> None:
    with pytest.raises(ArgumentError, match="cannot be set together"):
        Query(startkey="a", mapkey_range=["b", "c"])
    q = Query(mapkey_range=["b", "c"])
    with pytest.raises(ArgumentError, match="cannot be set together"):
        q.endkey = "z"
    q.mapkey_range = ["d", "e"]  # replacing the range itself is fine
    assert q.startkey == "d"


def test_reduce_detection_for_include_docs() -> None:
    assert Query(reduce=True)._reduces
    assert Query(group_level=1)._reduces
    assert not Query(reduce=False)._reduces
    assert not Query(limit=1)._reduces


def test_repr() -> None:
    assert repr(Query(limit=1)) == "Query('limit=1')"
