"""``GET /sampleBuckets`` and ``POST /sampleBuckets/install`` on the REST port.

As a 7.0 server answers (the version the local cluster reports): the listing
is ``[{"name", "installed", "quotaNeeded"}]``; an install takes a JSON list
of names, checks them all first, creates the buckets and answers ``202 []``
while the documents load in the background (as on the server), or ``400``
with the list of the server's messages
(``"Sample bucket beer-sample is already loaded."``) and installs nothing.
Installing is for those who may create buckets (others get the server's 403).

While a sample loads, ``GET /pools/default/tasks`` lists it as the server does
(``{"type": "loadingSampleBucket", "status": "running", "bucket": ...}``, after
the rebalance entry that is always there); the local cluster adds
``"docsLoaded"`` and ``"docsTotal"`` (its own fields: a progress bar's count
and total) to that entry.
"""

from __future__ import annotations

import json
import weakref
from functools import partial
from typing import Any

from ..cluster import Cluster
from .install import SAMPLES, check, install

QUOTA_NEEDED = 200 * 1024 * 1024
"""The memory quota the server gives (and asks free for) each sample bucket."""

Answer = tuple[int, Any]

_loading: weakref.WeakKeyDictionary[Cluster, dict[str, list[int]]] = \
    weakref.WeakKeyDictionary()
"""The samples each cluster is loading: name -> [documents written, of how many]."""


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
    loading = _loading.setdefault(cluster, {})
    for name in dict.fromkeys(names):
        counts = loading[name] = [0, 0]
        loaded = install(cluster, name, report=partial(_count, counts))
        loaded.add_done_callback(partial(_finished, cluster, name, counts))
    return 202, []


def _count(counts: list[int], written: int, total: int) -> None:
    counts[:] = [written, total]  # (from the loader's worker thread)


def _finished(cluster: Cluster, name: str, counts: list[int], _: object) -> None:
    loading = _loading.get(cluster, {})
    if loading.get(name) is counts:
        del loading[name]


def tasks(cluster: Cluster) -> list[dict[str, Any]]:
    """``GET /pools/default/tasks``: no rebalance, and the samples being loaded."""
    answer: list[dict[str, Any]] = [{"type": "rebalance", "status": "notRunning",
                                     "statusIsStale": False, "masterRequestTimedOut": False}]
    for name, (written, total) in sorted(_loading.get(cluster, {}).items()):
        answer.append({"type": "loadingSampleBucket", "status": "running",
                       "recommendedRefreshPeriod": 2.0, "bucket": name,
                       "docsLoaded": written, "docsTotal": total or None})
    return answer
