"""``sample-load NAME...``: install sample buckets over REST and follow them with a progress
display until they are loaded.

As the server's console does: ``POST /sampleBuckets/install`` with the names (the
server checks them all and creates the buckets; the documents load in the background),
then each bucket's ``basicStats.itemCount`` and ``GET /pools/default/tasks`` (a
``loadingSampleBucket`` entry while it runs) until no bucket is loading. The total is
shown when the cluster says it (the local cluster's ``docsTotal``); otherwise the count
runs without one. Progress goes to stderr through :mod:`couchbase_mock.progress` (a rich
bar on a terminal, throttled lines otherwise), imported here only, so that ``import
couchbase`` never pulls in rich; a summary line per bucket goes to stdout.
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any, Optional

from ..exceptions import CouchbaseError
from .context import CliError, Context

POLL = 0.2  # seconds between looks at the counts and the tasks


def add_commands(commands: Any, common: argparse.ArgumentParser) -> None:
    help = "install sample buckets and show their loading progress"
    parser = commands.add_parser("sample-load", parents=[common], help=help, description=(
        f"{help.capitalize()} (beer-sample, travel-sample, gamesim-sample). Connects as a "
        "cluster administrator (-u, -P)."))
    parser.add_argument("names", nargs="+", metavar="NAME", help="a sample bucket's name")
    parser.add_argument("--wait", type=float, default=300.0, metavar="SECONDS",
                        help="give up waiting for the load after this long (default 300)")
    parser.set_defaults(run=sample_load)


def sample_load(ctx: Context) -> int:
    from couchbase_mock.progress import progress_for

    names = list(dict.fromkeys(ctx.args.names))
    cluster = ctx.cluster()
    # (they time the loads; a load ends when its task does: indexes follow the documents)
    bars = {name: progress_for(name, finish_at_total=False) for name in names}
    _install(ctx, cluster, names)
    finished: dict[str, tuple[int, float]] = {}
    deadline = time.monotonic() + ctx.args.wait
    while len(finished) < len(names):
        loading = _loading(ctx, cluster)
        for name in names:
            if name in finished:
                continue
            count = _item_count(ctx, cluster, name)
            total = loading.get(name)
            if count is not None and name not in loading:
                finished[name] = (count, bars[name].clock() - bars[name].started)
                bars[name].update(count, count)
                bars[name].finish()
            elif count is not None:
                bars[name].update(count, total)
        if len(finished) < len(names):
            if time.monotonic() > deadline:
                raise CliError(f"still loading after {ctx.args.wait:g} s: "
                               + ", ".join(n for n in names if n not in finished))
            time.sleep(POLL)
    for name in names:
        count, seconds = finished[name]
        ctx.out.line(f"{name}: {count} documents in {seconds:.1f} s")
    ctx.out.put("samples", {name: {"documents": finished[name][0],
                                   "seconds": round(finished[name][1], 3)} for name in names})
    return 0


def _install(ctx: Context, cluster: Any, names: list[str]) -> None:
    """Start the installs; the server's refusal (unknown, already loaded) is one line."""
    try:
        _rest(ctx, cluster, "/sampleBuckets/install", "POST", json.dumps(names))
    except CouchbaseError as exc:
        answer = getattr(getattr(exc, "objextra", None), "value", None)
        if isinstance(answer, list) and answer and all(isinstance(a, str) for a in answer):
            raise CliError(" ".join(answer)) from None  # the server's own sentences
        if isinstance(answer, dict) and answer.get("message"):
            raise CliError(str(answer["message"])) from None
        raise


def _loading(ctx: Context, cluster: Any) -> dict[str, Optional[int]]:
    """The samples the cluster is loading now: name -> total documents, if it says."""
    tasks = _rest(ctx, cluster, "/pools/default/tasks").value or []
    return {str(t.get("bucket")): t.get("docsTotal") for t in tasks
            if isinstance(t, dict) and t.get("type") == "loadingSampleBucket"
            and t.get("status") == "running"}


def _item_count(ctx: Context, cluster: Any, name: str) -> Optional[int]:
    """The bucket's document count (``None`` while the bucket does not exist yet)."""
    try:
        info = _rest(ctx, cluster, f"/pools/default/buckets/{name}").value
    except CouchbaseError as exc:
        if getattr(getattr(exc, "objextra", None), "http_status", None) == 404:
            return None
        raise
    return int((info.get("basicStats") or {}).get("itemCount") or 0)


def _rest(ctx: Context, cluster: Any, path: str, method: str = "GET",
          body: Optional[str] = None) -> Any:
    """One request to the management port (the cluster's own HTTP driver)."""
    from .._http import management as rest
    from ..management._manager import drive

    return drive(cluster, "mgmt", ctx.args.timeout,
                 lambda endpoint: rest.http_flow(endpoint, path, method, body))
