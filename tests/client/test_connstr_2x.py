"""couchbase.connstr.ConnectionString: the 2.x helper, and Bucket taking it."""

from __future__ import annotations

from typing import Any

import pytest

from couchbase.bucket import Bucket
from couchbase.connstr import ConnectionString


def test_parse_and_encode_round_trip():
    cs = ConnectionString.parse("couchbases://h1:1111,h2/beer?operation_timeout=4&network=external")
    assert (cs.scheme, cs.hosts, cs.bucket) == ("couchbases", ["h1:1111", "h2"], "beer")
    assert cs.options == {"operation_timeout": ["4"], "network": ["external"]}
    assert cs.implicit_port == 11207
    assert cs.encode() == "couchbases://h1:1111,h2/beer?operation_timeout=4&network=external"
    assert str(ConnectionString.parse(cs.encode())) == str(cs)


def test_options_can_be_set_read_and_cleared():
    cs = ConnectionString(hosts=["localhost"])
    assert cs.encode() == "couchbase://localhost/default" and cs.get_option("x", "d") == "d"
    cs.set_option("certpath", "/etc/ca.pem")
    assert cs.get_option("certpath") == "/etc/ca.pem"
    assert cs.encode() == "couchbase://localhost/default?certpath=/etc/ca.pem"
    cs.clear_option("certpath")
    cs.clear_option("never-set")
    assert cs.options == {} and ConnectionString(scheme="gopher").implicit_port == -1


def test_a_bucket_takes_a_connection_string_object(mock_cluster):
    cs = ConnectionString.parse(mock_cluster.connstr)
    cs.bucket = "default"
    cb = Bucket(cs, password="")
    cb.upsert("connstr-object", 1)
    assert cb.get("connstr-object").value == 1
    cb.close()


# -- options: a misspelt one stops the program, as libcouchbase's lcb_create did -------------
def test_an_unknown_option_is_refused_naming_it() -> None:
    from couchbase.exceptions import NotSupportedError

    with pytest.raises(NotSupportedError) as info:
        Bucket("couchbase://127.0.0.1:1/default?operation_timout=5&fetch_mutation_tokens=true")
    assert "operation_timout" in str(info.value)
    assert "fetch_mutation_tokens" not in str(info.value)


def test_libcouchbase_options_this_client_ignores_are_accepted(mock_cluster: Any) -> None:

    cb = Bucket(f"{mock_cluster.connstr}/default?http_poolsize=0&detailed_errcodes=1"
                "&config_cache=/tmp/nowhere&ipv6=disabled&OPERATION_TIMEOUT=2",
                username="Administrator", password="password")
    try:
        assert cb.upsert("connstr-accepted", 1).success
    finally:
        cb.close()
