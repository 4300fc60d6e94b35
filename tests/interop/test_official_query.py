"""The official Couchbase SDK's cluster.query() against couchbase_mock's query service.

The ``official_python`` and ``mock_process`` fixtures live in conftest.py; the
script official_sdk_query.py runs in the official SDK's virtualenv, and its
rows are checked here against plain HTTP requests to the same process.
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import subprocess
from pathlib import Path
from urllib.parse import urlsplit


def _query(mock_process: dict, body: dict) -> dict:
    """POST /query/service on the query port the cluster config names."""
    mgmt = urlsplit(mock_process["mgmt"])
    token = base64.b64encode(
        f"{mock_process['username']}:{mock_process['password']}".encode()).decode()
    auth = {"Authorization": f"Basic {token}"}
    conn = http.client.HTTPConnection(mgmt.hostname, mgmt.port, timeout=10)
    conn.request("GET", "/pools/default", headers=auth)
    nodes = json.loads(conn.getresponse().read())["nodesExt"]
    conn.close()
    port = nodes[-1]["services"]["n1ql"]
    conn = http.client.HTTPConnection(mgmt.hostname, port, timeout=10)
    try:
        conn.request("POST", "/query/service", body=json.dumps(body),
                     headers={**auth, "Content-Type": "application/json"})
        resp = conn.getresponse()
        doc = json.loads(resp.read())
        assert resp.status == 200, doc
        return doc
    finally:
        conn.close()


def test_official_sdk_runs_queries(official_python, mock_process):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    out = subprocess.run(
        [str(official_python), str(Path(__file__).with_name("official_sdk_query.py")),
         mock_process["connstr"], mock_process["username"], mock_process["password"]],
        capture_output=True, text=True, timeout=180, env=env,
    )
    assert out.returncode == 0 and "ALL OK" in out.stdout, out.stdout + out.stderr[-3000:]
    line = next(x for x in out.stdout.splitlines() if x.startswith("ROWS "))
    seen = json.loads(line[len("ROWS "):])

    # The same queries over plain HTTP give the same rows. beer-2 is gone and
    # beer-3 has abv 5.8 by now, so query the state the script saw through
    # USE KEYS on what is left, and the named query as the script ran it.
    positional = _query(mock_process, {
        "statement": "SELECT META(d).id, d.name, d.abv FROM `default` d "
                     "WHERE d.type = $1 AND d.abv > $2 ORDER BY d.abv",
        "args": ["beer", 5]})
    assert positional["results"][0] == seen["positional"][0]
    assert positional["results"][1] == {"id": "beer-3", "name": "Lager", "abv": 5.8}
    named = _query(mock_process, {
        "statement": "SELECT RAW d.name FROM `default` d WHERE d.brewery = $brewery "
                     "ORDER BY d.name", "$brewery": "b1"})
    assert named["results"] == ["Pale Ale"]  # Stout (beer-2) was removed
    assert seen["named"] == ["Pale Ale", "Stout"]
