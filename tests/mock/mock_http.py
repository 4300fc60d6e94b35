"""Blocking HTTP helpers for the mock's management REST port."""

from __future__ import annotations

import base64
import http.client
import json
from typing import Any, Optional


def basic_auth(user: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


ADMIN = basic_auth("Administrator", "password")


def fetch(mock: Any, path: str, headers: Optional[dict[str, str]] = None, node: int = 0,
          method: str = "GET", body: Optional[str] = None) -> tuple[int, Any]:
    conn = http.client.HTTPConnection(mock.host, mock.nodes[node].mgmt_port, timeout=5)
    try:
        hdrs = dict(headers if headers is not None else ADMIN)
        if body is not None:
            hdrs["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=hdrs)
        resp = conn.getresponse()
        data = resp.read()
        ctype = resp.getheader("Content-Type", "")
        return resp.status, json.loads(data) if data and "json" in ctype else data
    finally:
        conn.close()
