"""The official Couchbase SDK 4.x runs distributed ACID transactions against the local
cluster (issue 16).

official_sdk_transactions4x.py runs, with the official SDK, a 2-document transfer, a
lambda that raises (rolled back), insert + remove, a staged write seen only after
commit, write-write conflicts between two threads, a per-transaction metadata
collection, then times N transfers. Every step's outcome is what the protocol
promises an application; the data service facts it needs from the cluster
(user xattrs on tombstones, ACCESS_DELETED, CREATE_AS_DELETED, REVIVE_DOCUMENT,
REPLACE_BODY_WITH_XATTR, ``${Mutation.CAS}`` / ``${Mutation.value_crc32c}`` macros,
``$document`` and ``$vbucket`` virtual xattrs, durable writes) live in
couchbase_mock/subdoc and kv_mutation.py.
"""

from __future__ import annotations

import base64
import json
import sys
import urllib.request
import uuid

import pytest
from test_official_4x import run_script  # the one runner of the 4.x scripts

pytestmark = pytest.mark.timeout(240)

SCRIPT = "official_sdk_transactions4x.py"
BENCH_N = 200

EXPECTED = {
    "transfer": {"has_id": True, "unstaging_complete": True},
    "transfer seen by get": [{"v": 70}, {"v": 30}],
    "transfer leaves no txn xattr": [None, None],
    "staged write invisible": {
        "plain get": {"v": 70}, "staged": {"v": 1}, "after": {"v": 1},
        "op type": "replace", "atr id": True, "atr state": "PENDING",
        "restore": ["CAS", "exptime", "revid"]},
    "lambda raises": {"raised": "TransactionFailed"},
    "rolled back: documents unchanged": [{"v": 1}, {"v": 30}, None],
    "rolled back: no staged data": [None, None, None],
    "rolled back: ATR entry": True,
    "insert and remove": [{"v": "new"}, None],
    "insert over a removed document": {"v": "again"},
    "insert of an existing document": {"raised": "TransactionFailed"},
    "get of a missing document": {"raised": "TransactionFailed"},
    "insert, get, replace in one transaction": {"v": 2},
    "write-write conflict": {"final": {"v": 2}, "errors": [], "A tries": 1, "B retried": True},
    "both read then write, lambda catches": {"added": 2, "committed": 2, "retried": True},
    "both read then write, lambda raises": {"no lost update": True,
                                            "one committed at least": True},
    "metadata collection": {"bkt": "default", "scp": "Pmeta", "coll": "atrs"},
    "binary insert": {"bytes": "\x00\x01raw"},
    "binary replace": {"in txn": {"bytes": "\x00\x01raw"}, "after": {"bytes": "\xffnew"}},
}


@pytest.fixture(scope="module")
def official_run(official_python, mock_process) -> dict:
    steps = run_script(str(official_python), SCRIPT, mock_process,
                       f"o{uuid.uuid4().hex[:6]}-", False, (str(BENCH_N),))
    return dict(steps)


def test_official_sdk_transactions_on_the_local_cluster(official_run):
    outcomes = {step: out for step, out in official_run.items() if step != "bench"}
    assert list(outcomes) == list(EXPECTED)
    differ = {step: (outcomes[step], want) for step, want in EXPECTED.items()
              if outcomes[step] != want}
    assert not differ, "\n".join(f"{s}: got {g!r}, want {w!r}" for s, (g, w) in differ.items())


def test_official_sdk_transfer_throughput(official_run, record_property):
    bench = official_run["bench"]
    assert bench["n"] == BENCH_N and bench["sum kept"]
    rate = BENCH_N / bench["seconds"]
    record_property("official_transfers_per_second", round(rate, 1))
    print(f"official SDK 4.x, 2-document transfers against couchbase_mock: {rate:.0f}/s")
    assert rate > 5  # a loop of 200 must not crawl (measured: ~300/s on 2 shared cores)


def test_cluster_config_advertises_what_transactions_use(mock_process):
    """The SDKs read these bucket capabilities before using the matching sub-document
    features (gocbcore: tombstonedUserXAttrs gates create-as-deleted)."""
    request = urllib.request.Request(f"{mock_process['mgmt']}/pools/default/b/default")
    token = base64.b64encode(
        f"{mock_process['username']}:{mock_process['password']}".encode()).decode()
    request.add_header("Authorization", f"Basic {token}")
    with urllib.request.urlopen(request, timeout=10) as reply:
        caps = set(json.load(reply)["bucketCapabilities"])
    assert {"durableWrite", "tombstonedUserXAttrs", "xattr", "subdoc.ReviveDocument",
            "subdoc.ReplaceBodyWithXattr", "subdoc.DocumentMacroSupport",
            "subdoc.BinaryXattr"} <= caps


# The same script under our SDK gives EXPECTED too (tests/client/test_transactions_interop.py
# checks that the two SDKs see each other's staged and committed data).
def test_our_sdk_transactions_on_the_local_cluster(mock_process):
    steps = dict(run_script(sys.executable, SCRIPT, mock_process,
                            f"p{uuid.uuid4().hex[:6]}-", True))
    assert steps == EXPECTED
