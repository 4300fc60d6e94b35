"""DNS SRV bootstrap, against a DNS responder this module runs on 127.0.0.1.

What a user relies on (SDK connection-string rules, RFC 0011, and SDK 4.x's
``dns_nameserver``/``dns_port``/``dns_srv_timeout`` options): a
``couchbase://name`` with one host and no port bootstraps from the targets of
``_couchbase._tcp.name``; a node that is down is passed over; no record, or a
DNS server that never answers, leaves the name as the host within the DNS
timeout; a port or a second host means no lookup at all. (Bootstrap through
SRV on every front end, and the event loops kept running during the lookup:
tests/frontends/test_frontend_srv_altaddr.py.)
"""

from __future__ import annotations

import random
import time
from collections import Counter
from typing import Any, Iterator

import pytest

from couchbase._core.connstr import parse_connection_string
from couchbase._core.dnssrv import (
    DnsSrvOptions,
    SrvRecord,
    lookup_srv,
    order_records,
    resolve_seeds,
    srv_query_name,
)
from couchbase.admin import Admin
from couchbase.bucket import Bucket
from couchbase.cluster import Cluster, PasswordAuthenticator
from couchbase.exceptions import ArgumentError

pytest.importorskip("dns.message")
from dns_responder import Responder  # noqa: E402  (tests/, shared with tests/frontends)


@pytest.fixture
def responder() -> Iterator[Responder]:
    r = Responder()
    yield r
    r.close()


# -- when SRV applies --------------------------------------------------------------------------
@pytest.mark.parametrize("text, name", [
    ("couchbase://example.com", "_couchbase._tcp.example.com"),
    ("couchbases://example.com/beer?x=1", "_couchbases._tcp.example.com"),
    ("example.com", "_couchbase._tcp.example.com"),  # no scheme: couchbase://
    ("couchbase://example.com:11210", None),  # a port
    ("couchbase://a.example.com,b.example.com", None),  # two hosts
    ("couchbase://example.com:11210=mcd", None),
    ("http://example.com", None),  # only couchbase:// and couchbases://
    ("couchbase://10.1.2.3", None),  # addresses have no SRV records
    ("couchbase://[::1]", None),
    ("couchbase://localhost", None),  # RFC 6761: never in DNS
    ("couchbase://db.localhost", None),
    ("couchbase://nowhere.invalid", None),
])
def test_which_strings_are_looked_up(text: str, name: Any) -> None:
    assert srv_query_name(parse_connection_string(text)) == name


def test_order_is_priority_then_weighted_random() -> None:
    records = [SrvRecord(20, 0, 1, "late"), SrvRecord(10, 90, 2, "heavy"),
               SrvRecord(10, 10, 3, "light"), SrvRecord(5, 0, 4, "first")]
    rng = random.Random(7)
    firsts: Counter[str] = Counter()
    for _ in range(2000):
        order = [r.target for r in order_records(records, rng)]
        assert order[0] == "first" and order[-1] == "late"
        assert set(order[1:3]) == {"heavy", "light"}
        firsts[order[1]] += 1
    assert 1650 < firsts["heavy"] < 1950  # 90 % of the draws


def test_order_of_zero_weights_keeps_every_record() -> None:
    records = [SrvRecord(0, 0, 11210, f"n{i}") for i in range(5)]
    assert sorted(order_records(records)) == sorted(records)


@pytest.mark.parametrize("option", [
    "dnssrv=maybe", "enable_dns_srv=2", "dns_srv_timeout=soon", "dns_srv_timeout=0",
    "dns_port=0", "dns_port=70000", "dns_port=x",
])
def test_bad_dns_option_is_refused_before_any_io(option: str) -> None:
    with pytest.raises(ArgumentError):
        Bucket(f"couchbase://example.invalid/default?{option}")


def test_options_are_read() -> None:
    opts = DnsSrvOptions.from_options({"dns_nameserver": "127.0.0.9", "dns_port": "5353",
                                       "dns_srv_timeout": "250ms", "dnssrv": "on"})
    assert opts == DnsSrvOptions(True, 0.25, "127.0.0.9", 5353)
    assert not DnsSrvOptions.from_options({"enable_dns_srv": "false"}).enabled


# -- the lookup against the responder ---------------------------------------------------------
def test_records_replace_the_host(responder: Responder) -> None:
    responder.records["_couchbases._tcp.db.test"] = [(0, 0, 11207, "n1.db.test"),
                                                     (0, 0, 11207, "n2.db.test")]
    cs = parse_connection_string(f"couchbases://db.test/beer?{responder.options()}")
    seeds = resolve_seeds(cs, 5.0)
    assert sorted(seeds.kv_hosts()) == [("n1.db.test", 11207), ("n2.db.test", 11207)]
    assert ("db.test", 11207) not in seeds.kv_hosts()  # RFC 0011: the name is replaced
    assert seeds.bucket == "beer" and responder.queries == ["_couchbases._tcp.db.test"]


def test_no_record_leaves_the_name_as_host(responder: Responder) -> None:
    cs = parse_connection_string(f"couchbase://nosrv.test?{responder.options()}")
    assert resolve_seeds(cs, 5.0).kv_hosts() == [("nosrv.test", 11210)]
    assert responder.queries == ["_couchbase._tcp.nosrv.test"]


@pytest.mark.parametrize("hosts", ["db.test:11210", "db.test,db2.test"])
def test_port_or_second_host_means_no_lookup(responder: Responder, hosts: str) -> None:
    responder.records["_couchbase._tcp.db.test"] = [(0, 0, 1, "elsewhere.test")]
    cs = parse_connection_string(f"couchbase://{hosts}?{responder.options()}")
    assert resolve_seeds(cs, 5.0) is cs
    assert responder.queries == []


def test_disabled_means_no_lookup(responder: Responder) -> None:
    responder.records["_couchbase._tcp.db.test"] = [(0, 0, 1, "elsewhere.test")]
    for switch in ("dnssrv=off", "enable_dns_srv=false"):
        cs = parse_connection_string(f"couchbase://db.test?{responder.options()}&{switch}")
        assert resolve_seeds(cs, 5.0) is cs
    assert responder.queries == []


def test_silent_server_is_bounded_by_the_dns_timeout(responder: Responder) -> None:
    responder.silent = True
    cs = parse_connection_string(f"couchbase://db.test?{responder.options(0.3)}")
    start = time.monotonic()
    assert resolve_seeds(cs, 5.0) is cs
    assert 0.25 < time.monotonic() - start < 1.5
    assert responder.queries  # it was asked


def test_dns_timeout_is_at_most_half_the_bootstrap_timeout(responder: Responder) -> None:
    responder.silent = True
    cs = parse_connection_string(f"couchbase://db.test?{responder.options(30)}")
    start = time.monotonic()
    assert resolve_seeds(cs, 0.6) is cs
    assert time.monotonic() - start < 1.5


def test_without_dnspython_the_name_is_a_host(monkeypatch: pytest.MonkeyPatch,
                                              responder: Responder) -> None:
    import builtins

    real_import = builtins.__import__

    def no_dns(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "dns" or name.startswith("dns."):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_dns)
    opts = DnsSrvOptions.from_options({"dns_nameserver": "127.0.0.1",
                                       "dns_port": str(responder.port)})
    assert lookup_srv("_couchbase._tcp.db.test", opts, 1.0) is None
    assert responder.queries == []


# -- management over HTTP: Admin and a 2.x Cluster with no bucket open -------------------------
ADMIN_HOST = "127.0.0.5"  # the SRV record's target, port 8091 there forwarded to the mock


@pytest.fixture
def mgmt_on_8091(mock_cluster: Any) -> Iterator[None]:
    """``ADMIN_HOST:8091`` (the management port a couchbase:// string implies) forwarded
    to the local cluster's management port."""
    from port_mapper import PortMapper

    mapper = PortMapper(ADMIN_HOST)
    try:
        mapper.forward(mock_cluster.host, mock_cluster.nodes[0].mgmt_port, 8091)
    except OSError:
        mapper.close()
        pytest.skip(f"cannot listen on {ADMIN_HOST}:8091 here")
    yield
    mapper.close()


def test_admin_bootstraps_through_srv(responder: Responder, mgmt_on_8091: None) -> None:
    responder.records["_couchbase._tcp.adm.test"] = [(0, 0, 11210, ADMIN_HOST)]
    adm = Admin("Administrator", "password",
                connection_string=f"couchbase://adm.test?{responder.options()}")
    assert (adm.host, adm.port) == (ADMIN_HOST, 8091)
    assert adm.http_request("/pools/default").value["nodes"]
    assert responder.queries == ["_couchbase._tcp.adm.test"]


def test_cluster_manager_of_a_2x_cluster_bootstraps_through_srv(
        responder: Responder, mgmt_on_8091: None) -> None:
    responder.records["_couchbase._tcp.adm.test"] = [(0, 0, 11210, ADMIN_HOST)]
    cluster = Cluster(f"couchbase://adm.test?{responder.options()}")
    cluster.authenticate(PasswordAuthenticator("Administrator", "password"))
    adm = cluster.cluster_manager()  # no bucket open: the connection string's address
    assert adm.host == ADMIN_HOST and adm.bucket_info("default").value["name"] == "default"


def test_admin_with_a_bad_dns_option_is_an_argument_error() -> None:
    with pytest.raises(ArgumentError):
        Admin("Administrator", "password",
              connection_string="couchbase://adm.test?dns_srv_timeout=soon")
