"""``GET /sampleBuckets`` and ``POST /sampleBuckets/install`` on the REST port.

As a 7.0 server answers (the version the local cluster reports): the listing
is ``[{"name", "installed", "quotaNeeded"}]``; an install takes a JSON list
of names, checks them all first, and answers ``202 []`` once they are
loaded (the server loads in the background; here the buckets are complete
when the answer is sent), or ``400`` with the list of the server's messages
(``"Sample bucket beer-sample is already loaded."``) and installs nothing.
Installing is for those who may create buckets (others get the server's 403).
"""

from __future__ import annotations

import json
from typing import Any

from ..cluster import Cluster
from .install import SAMPLES, check, install

QUOTA_NEEDED = 200 * 1024 * 1024
"""The memory quota the server gives (and asks free for) each sample bucket."""

Answer = tuple[int, Any]


def handle(cluster: Cluster, method: str, rest: list[str], body: bytes,
           may_install: bool) -> Answer:
    """Answer ``/sampleBuckets[/install]``: ``(status, JSON-ready body)``."""
    if rest == [] and method == "GET":
        return 200, [{"name": name, "installed": name in cluster.buckets,
                      "quotaNeeded": QUOTA_NEEDED} for name in sorted(SAMPLES)]
    if rest == ["install"] and method == "POST":
        if not may_install:
            return 403, {"message": "Forbidden. User needs the following permissions",
                         "permissions": ["cluster.samples!write"]}
        return _install(cluster, body)
    if rest in ([], ["install"]):
        return 405, b""
    return 404, b"Requested resource not found.\r\n"  # (plain text, as the server sends it)


def _install(cluster: Cluster, body: bytes) -> Answer:
    try:
        names = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):  # nested too deep: not names
        return 400, ["Invalid JSON"]
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        return 400, ["A list of sample bucket names must be given"]
    problems = [p for p in (check(cluster, n) for n in dict.fromkeys(names)) if p is not None]
    if problems:
        return 400, problems
    for name in dict.fromkeys(names):
        install(cluster, name)
    return 202, []
