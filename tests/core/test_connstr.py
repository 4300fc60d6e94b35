"""Connection strings and durations."""

from __future__ import annotations

import pytest

from couchbase._core.connstr import (
    ConnectionString,
    parse_connection_string,
    parse_duration,
    split_host_port,
)

P = parse_connection_string

CASES = [
    # text, scheme, hosts, bucket, options
    ("couchbase://localhost", "couchbase", (("localhost", None, None),), None, {}),
    ("couchbase://h1,h2:12000/beer", "couchbase",
     (("h1", None, None), ("h2", 12000, None)), "beer", {}),
    ("couchbases://h1;h2/b?a=1&b=two", "couchbases",
     (("h1", None, None), ("h2", None, None)), "b", {"a": "1", "b": "two"}),
    ("http://h1:8091,h2/default", "http", (("h1", 8091, None), ("h2", None, None)), "default", {}),
    ("localhost", "couchbase", (("localhost", None, None),), None, {}),
    ("10.0.0.1:11210", "couchbase", (("10.0.0.1", 11210, None),), None, {}),
    ("couchbase://[::1]:11210/b", "couchbase", (("::1", 11210, None),), "b", {}),
    ("couchbase://[fe80::1],::1", "couchbase", (("fe80::1", None, None), ("::1", None, None)),
     None, {}),
    ("couchbase://h:11210=mcd,h:8091=http", "couchbase",
     (("h", 11210, "mcd"), ("h", 8091, "http")), None, {}),
    ("couchbase://h:12000=MCD", "couchbase", (("h", 12000, "mcd"),), None, {}),
    ("couchbase://", "couchbase", (("localhost", None, None),), None, {}),
    ("couchbase://h/", "couchbase", (("h", None, None),), None, {}),
    ("couchbase://h?operation_timeout=2.5", "couchbase", (("h", None, None),), None,
     {"operation_timeout": "2.5"}),
    ("couchbase://h/my%20bucket?x=a%26b", "couchbase", (("h", None, None),), "my bucket",
     {"x": "a&b"}),
    ("COUCHBASE://h", "couchbase", (("h", None, None),), None, {}),
    ("couchbase://h:8091", "couchbase", (("h", None, None),), None, {}),  # lcb forgives this
    (" couchbase://h1 , h2 ", "couchbase", (("h1", None, None), ("h2", None, None)), None, {}),
]


@pytest.mark.parametrize("text,scheme,hosts,bucket,options", CASES, ids=[c[0] for c in CASES])
def test_parse(text: str, scheme: str, hosts: tuple, bucket: str | None, options: dict) -> None:
    cs = P(text)
    assert cs == ConnectionString(scheme, hosts, bucket, options)


def test_frozen() -> None:
    cs = P("couchbase://h")
    with pytest.raises(AttributeError):
        cs.bucket = "x"  # type: ignore[misc]


def test_tls() -> None:
    assert P("couchbases://h").tls
    assert P("https://h").tls
    assert not P("couchbase://h").tls
    assert not P("http://h").tls


PORTS = [
    ("couchbase://a,b:12000", [("a", 11210), ("b", 12000)], [("a", 8091), ("b", 8091)]),
    ("couchbases://a", [("a", 11207)], [("a", 18091)]),
    ("http://a,b:9000", [], [("a", 8091), ("b", 9000)]),
    ("https://a", [], [("a", 18091)]),
    ("a:11210=mcd,a:9000=http", [("a", 11210)], [("a", 9000)]),
    ("a:11210=mcd,b:8091=http", [("a", 11210)], [("a", 8091), ("b", 8091)]),
    ("couchbase://a,a", [("a", 11210)], [("a", 8091)]),
    ("couchbase://[::1]:12000", [("::1", 12000)], [("::1", 8091)]),
]


@pytest.mark.parametrize("text,kv,http", PORTS, ids=[p[0] for p in PORTS])
def test_kv_and_http_hosts(text: str, kv: list, http: list) -> None:
    cs = P(text)
    assert cs.kv_hosts() == kv
    assert cs.http_hosts() == http


BAD = [
    ("", "empty"),
    ("ftp://h", "scheme"),
    ("couchbase://h:0", "port"),
    ("couchbase://h:70000", "port"),
    ("couchbase://h:abc", "port"),
    ("couchbase://h:11210=foo", "port type"),
    ("couchbase://h=mcd", "needs a port"),
    ("couchbase://[::1", "unclosed"),
    ("couchbase://[::1]x", "IPv6"),
    ("couchbase://h/a/b", "bucket"),
    ("couchbase://h?novalue", "key=value"),
    ("couchbase://h?k=", "key=value"),
    ("couchbase://h:", "port"),
]


@pytest.mark.parametrize("text,fragment", BAD, ids=[b[0] or "empty" for b in BAD])
def test_invalid(text: str, fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        P(text)


def test_split_host_port() -> None:
    assert split_host_port("h") == ("h", None)
    assert split_host_port("h:1") == ("h", 1)
    assert split_host_port("[::1]:80") == ("::1", 80)
    assert split_host_port("[::1]") == ("::1", None)
    assert split_host_port("fe80::1:2") == ("fe80::1:2", None)


DURATIONS = [
    ("2.5", 2.5), ("10", 10.0), ("0", 0.0), (".5", 0.5), ("2500ms", 2.5), ("1.5s", 1.5),
    ("1m30s", 90.0), ("10us", 1e-5), ("10\u00b5s", 1e-5), ("100ns", 1e-7), ("2h", 7200.0),
    ("1h2m3s4ms", 3723.004), ("+5s", 5.0), (" 75000ms ", 75.0),
]


@pytest.mark.parametrize("text,seconds", DURATIONS)
def test_parse_duration(text: str, seconds: float) -> None:
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["", "abc", "5x", "ms", "1.2.3", "-1s", "nan", "inf", "1s2",
                                  "5 s", "1e3"])
def test_parse_duration_invalid(text: str) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(text)
