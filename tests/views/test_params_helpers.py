"""couchbase.views.params' 2.x helpers: make_options_string and make_dvpath."""

from __future__ import annotations

import pytest

from couchbase.exceptions import ArgumentError
from couchbase.views.params import STALE_OK, Query, make_dvpath, make_options_string


def test_make_options_string_from_a_dict_a_query_or_a_string():
    assert make_options_string({"limit": 10, "stale": STALE_OK}) == "limit=10&stale=ok"
    assert make_options_string(Query(key="beer")) == "key=%22beer%22"
    assert make_options_string("?limit=5") == "limit=5"
    with pytest.raises(ArgumentError):
        make_options_string({"no_such_option": 1})
    assert make_options_string({"no_such_option": 1}, unrecognized_ok=True) == \
        "no_such_option=1"
    assert make_options_string({"startkey": "[1"}, passthrough=True) == "startkey=[1"


def test_make_dvpath():
    assert make_dvpath("beer", "by_name") == "_design/beer/_view/by_name?"
