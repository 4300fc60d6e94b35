"""The official Couchbase SDK's cluster.query() against couchbase_mock's query service.

The ``official_python`` and ``mock_process`` fixtures live in conftest.py; the
script official_sdk_query.py runs in the official SDK's virtualenv. Its last
two parameterised queries are run again here with this project's client and
over plain HTTP: all three must see the same rows.
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

from couchbase.auth import PasswordAuthenticator
from couchbase.cluster import Cluster
from couchbase.options import ClusterOptions

POSITIONAL = ("SELECT META(d).id, d.name, d.abv FROM `default` d "
              "WHERE d.type = $1 AND d.abv > $2 ORDER BY d.abv")
NAMED = "SELECT RAW d.name FROM `default` d WHERE d.brewery = $brewery ORDER BY d.name"


def _http_query(mock_process: dict, body: dict) -> dict:
    """POST /query/service on the query port the cluster config names."""
    mgmt = urlsplit(mock_process["mgmt"])
    token = base64.b64encode(
        f"{mock_process['username']}:{mock_process['password']}".encode()).decode()
    auth = {"Authorization": f"Basic {token}"}
    conn = http.client.HTTPConnection(mgmt.hostname, mgmt.port, timeout=10)
    conn.request("GET", "/pools/default", headers=auth)
    nodes = json.loads(conn.getresponse().read())["nodesExt"]
    conn.close()
    conn = http.client.HTTPConnection(mgmt.hostname, nodes[-1]["services"]["n1ql"], timeout=10)
    try:
        conn.request("POST", "/query/service", body=json.dumps(body),
                     headers={**auth, "Content-Type": "application/json"})
        resp = conn.getresponse()
        doc = json.loads(resp.read())
        assert resp.status == 200, doc
        return doc
    finally:
        conn.close()


def test_official_sdk_runs_queries_and_our_client_sees_the_same_rows(official_python,
                                                                     mock_process):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    out = subprocess.run(
        [str(official_python), str(Path(__file__).with_name("official_sdk_query.py")),
         mock_process["connstr"], mock_process["username"], mock_process["password"]],
        capture_output=True, text=True, timeout=180, env=env,
    )
    assert out.returncode == 0 and "ALL OK" in out.stdout, out.stdout + out.stderr[-3000:]
    line = next(x for x in out.stdout.splitlines() if x.startswith("ROWS "))
    official = json.loads(line[len("ROWS "):])
    assert official == {
        "positional": [{"id": "beer-1", "name": "Pale Ale", "abv": 5.6},
                       {"id": "beer-3", "name": "Lager", "abv": 5.8}],
        "named": ["Pale Ale"],
    }

    http_positional = _http_query(mock_process, {"statement": POSITIONAL, "args": ["beer", 5]})
    http_named = _http_query(mock_process, {"statement": NAMED, "$brewery": "b1"})
    assert http_positional["results"] == official["positional"]
    assert http_named["results"] == official["named"]

    auth = PasswordAuthenticator(mock_process["username"], mock_process["password"])
    cluster = Cluster.connect(mock_process["connstr"], ClusterOptions(auth))
    try:
        cluster.bucket("default")
        assert list(cluster.query(POSITIONAL, "beer", 5)) == official["positional"]
        assert list(cluster.query(NAMED, brewery="b1")) == official["named"]
    finally:
        cluster.close()
