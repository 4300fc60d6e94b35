"""Function results as the query service's response carries them: numbers in
the Go service's form, NaN and infinities as strings, a request's user in
CURRENT_USERS (metafun.adoc, condfunnum.adoc, typefun.adoc)."""

from __future__ import annotations

import http.client
import json
from typing import Any

from mock_http import basic_auth

from couchbase_mock import MockCluster


def run(mock: MockCluster, statement: str, user: str = "Administrator",
        password: str = "password") -> tuple[str, Any]:
    conn = http.client.HTTPConnection(mock.host, mock.nodes[0].query_port, timeout=30)
    try:
        headers = dict(basic_auth(user, password))
        headers["Content-Type"] = "application/json"
        conn.request("POST", "/query/service", body=json.dumps({"statement": statement}),
                     headers=headers)
        text = conn.getresponse().read().decode()
    finally:
        conn.close()
    return text, json.loads(text)


def test_numbers_are_written_as_the_service_writes_them(mock_cluster: MockCluster) -> None:
    text, doc = run(mock_cluster, "SELECT RAW [0.1 + 0.2, 1e21, 1e20, 0.0000001, 3.0, "
                                  "TOSTRING(1e-7), TOSTRING(2.50)]")
    assert doc["status"] == "success"
    assert '[0.30000000000000004,1e+21,100000000000000000000,1e-7,3,"1e-7","2.5"]' in text


def test_nan_and_infinities_are_strings(mock_cluster: MockCluster) -> None:
    """condfunnum.adoc NANIF/NEGINFIF/POSINFIF examples; IFNAN's sqrt(-1) is NaN."""
    _text, doc = run(mock_cluster, "SELECT NANIF(10, 10) AS nan_equal, "
                                   "NEGINFIF(10, 10) AS neg_inf_equal, "
                                   "POSINFIF(10, 10) AS pos_inf_equal, SQRT(-1) AS root")
    assert doc["results"] == [{"nan_equal": "NaN", "neg_inf_equal": "-Infinity",
                               "pos_inf_equal": "+Infinity", "root": "NaN"}]


def test_current_users_names_the_request_user(mock_cluster: MockCluster) -> None:
    """metafun.adoc CURRENT_USERS: ["builtin:Administrator"] for the administrator."""
    _text, doc = run(mock_cluster, "SELECT CURRENT_USERS() AS current_users")
    assert doc["results"] == [{"current_users": ["builtin:Administrator"]}]
