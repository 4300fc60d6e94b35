"""formats.json_loads and json_dumps: the standard library's results and errors, faster."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from couchbase.formats import decode_value, json_dumps, json_loads

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner), max_leaves=20)


@given(JSON, st.sampled_from(["", " ", "\n\t "]), st.sampled_from(["", " ", "\r\n"]))
def test_same_values_as_json_loads(value, before, after) -> None:
    text = before + json.dumps(value, ensure_ascii=False) + after
    assert json_loads(text) == json.loads(text)


@pytest.mark.parametrize("text", ["", " ", "{", '{"a": 1} x', "[1] [2]", "nope", "1 2"])
def test_same_errors_as_json_loads(text: str) -> None:
    with pytest.raises(json.JSONDecodeError) as ours:
        json_loads(text)
    with pytest.raises(json.JSONDecodeError) as theirs:
        json.loads(text)
    assert str(ours.value) == str(theirs.value)


def test_nan_and_big_numbers_as_json_loads() -> None:
    assert json_loads("NaN") != json_loads("NaN")  # (NaN)
    assert json_loads("123456789012345678901234567890") == 123456789012345678901234567890


def test_documents_decode_through_it() -> None:
    assert decode_value(b'{"beer": "Jule\\u00f8l", "abv": 5.9}', 0x02000000) == {
        "beer": "Juleøl", "abv": 5.9}


@given(JSON)
def test_json_dumps_is_the_sdks_encoder(value) -> None:
    expected = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode(value)
    assert json_dumps(value) == expected


def test_json_dumps_refuses_what_the_encoder_refuses() -> None:
    loop: list = []
    loop.append(loop)
    with pytest.raises(ValueError, match="Circular reference"):
        json_dumps(loop)
    with pytest.raises(ValueError, match="Circular reference"):  # and again: no stale state
        json_dumps(loop)
    with pytest.raises(TypeError, match="not JSON serializable"):
        json_dumps({"a": object()})
    assert json_dumps("plain ü") == '"plain ü"' and json_dumps([]) == "[]"
