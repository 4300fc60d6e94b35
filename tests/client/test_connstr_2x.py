"""couchbase.connstr.ConnectionString: the 2.x helper, and Bucket taking it."""

from __future__ import annotations

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
