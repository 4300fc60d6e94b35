"""Numbers in a response as the query service writes them (n1ql/jsontext.py).

The service is written in Go: a number is the shortest text that reads back as
the same float64, plain from 1e-6 up to 1e21 and in exponent form outside;
NaN and the infinities are written as the strings the reference's examples
show (condfunnum.adoc: "NaN", "+Infinity", "-Infinity").
"""

from __future__ import annotations

import json
import math

import pytest

from couchbase_mock.n1ql.jsontext import dumps, float_text

CASES = [
    (0.1 + 0.2, "0.30000000000000004"),
    (3.0, "3"),
    (-0.0, "-0"),
    (1e21, "1e+21"),
    (1e20, "100000000000000000000"),
    (1.5e16, "15000000000000000"),
    (123456789012345678.0, "123456789012345680"),
    (1e-7, "1e-7"),
    (1.5e-7, "1.5e-7"),
    (1e-6, "0.000001"),
    (2.5e-5, "0.000025"),
    (1e-10, "1e-10"),
    (-2.5e300, "-2.5e+300"),
    (0.42, "0.42"),
    (math.nan, "NaN"),
    (math.inf, "+Infinity"),
    (-math.inf, "-Infinity"),
]


@pytest.mark.parametrize("value,text", CASES)
def test_float_text(value: float, text: str) -> None:
    assert float_text(value) == text
    if math.isfinite(value):
        assert float(text) == value  # the text reads back as the same number


def test_dumps_writes_special_numbers_inside_values() -> None:
    value = {"a": [1e-7, 2.0, "x", None, True], "b": math.nan, "c": {"d": 1e21, "e": -math.inf}}
    text = dumps(value)
    assert text == ('{"a":[1e-7,2,"x",null,true],"b":"NaN",'
                    '"c":{"d":1e+21,"e":"-Infinity"}}')
    assert json.loads(text)["c"]["d"] == 1e21


def test_dumps_fast_path_is_plain_json() -> None:
    value = {"name": "Café", "n": [1, 2.5, 0.001], "ok": False}
    assert dumps(value) == json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    assert dumps({"b": 1, "a": 2}, sort_keys=True) == '{"a":2,"b":1}'


def test_dumps_uses_default_for_other_values() -> None:
    class Doc:
        pass

    assert dumps([Doc(), 1e-9], default=lambda v: "doc") == '["doc",1e-9]'
    with pytest.raises(TypeError):
        dumps([Doc(), 1e-9])
