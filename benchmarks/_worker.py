"""One benchmark worker: measures one client and prints one JSON result line.

``kv.py`` runs it as ``python _worker.py '<json config>'`` under the interpreter
of the client being measured, one worker at a time, so every client is timed
the same way and the mock server's CPU is never counted. Only the standard
library is imported at module level: this file runs under our SDK and under the
official one, and both packages are named ``couchbase``.

Config keys: ``client`` ("ours", "official", "raw", "ours-profile", "memory" or
"official-memory"),
``connstr``, ``kv`` ([host, port] of one KV node, for "raw"), ``username``,
``password``, ``bucket``, ``ops``, ``warmup``, ``multi_keys``, ``multi_rounds``,
``mock_pid`` (whose CPU is sampled around each phase, if given), ``repeat``
(measured runs per phase; the medians are reported), ``ca`` (with ``--tls``:
the cluster CA's PEM file; ``connstr`` is then ``couchbases://`` and ``kv`` a
TLS port, and every client verifies the server's certificate against it),
``mem_buckets``/``mem_clusters``/``mem_docs`` (how many idle connections and
cached documents the memory clients measure).

Output: one line ``BENCH-RESULT {json}`` on stdout; each phase is either
``{"ops", "wall_s", "cpu_s", "mock_cpu_s", "runs"}`` or ``{"error": "..."}``.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
import traceback
from typing import Any, Callable, Optional

RESULT_MARK = "BENCH-RESULT "


def make_doc(i: int) -> dict[str, Any]:
    """A JSON document of about 100 bytes."""
    return {
        "name": f"user-{i:07d}",
        "email": f"user{i:07d}@example.com",
        "age": 20 + i % 60,
        "active": i % 2 == 0,
        "tags": ["bench", "kv"],
    }


def process_cpu(pid: Optional[int]) -> Optional[float]:
    """CPU seconds (user + system) another process has used, from /proc (Linux)."""
    if not pid:
        return None
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


class Phases:
    """Runs and times the phases of one worker; a failing phase is recorded, not fatal.

    Each phase runs ``repeat`` times; the result holds every run and, as
    ``wall_s``/``cpu_s``/``mock_cpu_s``, the median of each.
    """

    def __init__(self, cfg: dict[str, Any]) -> None:
        self.mock_pid = cfg.get("mock_pid")
        self.repeat = max(1, int(cfg.get("repeat", 1)))
        self.results: dict[str, dict[str, Any]] = {}

    def run(self, name: str, ops: int, body: Callable[[], None]) -> None:
        runs = []
        for _ in range(self.repeat):
            mock0 = process_cpu(self.mock_pid)
            cpu0 = time.process_time()
            t0 = time.perf_counter()
            try:
                body()
            except Exception as exc:  # report any failure as this phase's result
                self.results[name] = {"error": f"{type(exc).__name__}: {exc}",
                                      "traceback": traceback.format_exc(limit=6)}
                return
            wall = time.perf_counter() - t0
            cpu = time.process_time() - cpu0
            mock1 = process_cpu(self.mock_pid)
            mock = None if mock0 is None or mock1 is None else mock1 - mock0
            runs.append({"wall_s": wall, "cpu_s": cpu, "mock_cpu_s": mock})
        mocks = [r["mock_cpu_s"] for r in runs if r["mock_cpu_s"] is not None]
        self.results[name] = {
            "ops": ops,
            "wall_s": statistics.median(r["wall_s"] for r in runs),
            "cpu_s": statistics.median(r["cpu_s"] for r in runs),
            "mock_cpu_s": statistics.median(mocks) if len(mocks) == len(runs) else None,
            "runs": runs,
        }

    def skip(self, name: str, why: str) -> None:
        self.results[name] = {"error": why}


def _keys(prefix: str, n: int) -> list[str]:
    return [f"{prefix}{i:07d}" for i in range(n)]


def _batches(prefix: str, cfg: dict[str, Any]) -> list[list[str]]:
    m = cfg["multi_keys"]
    return [_keys(f"{prefix}m{r:03d}-", m) for r in range(cfg["multi_rounds"])]


def _check(ok: bool, what: str) -> None:
    if not ok:
        raise AssertionError(what)


# -- this project's SDK ---------------------------------------------------------

def _open_ours(cfg: dict[str, Any]) -> Any:
    from couchbase.bucket import Bucket

    tls = f"?cert_path={cfg['ca']}" if cfg.get("ca") else ""
    return Bucket(f"{cfg['connstr']}/{cfg['bucket']}{tls}", username=cfg["username"],
                  password=cfg["password"])


def _chunks(keys: list[str], m: int) -> list[list[str]]:
    """``keys`` in batches of ``m`` (at least one batch, as the warm-up had)."""
    return [keys[i:i + m] for i in range(0, len(keys), m)] or [keys[:m]]


def run_ours(cfg: dict[str, Any]) -> dict[str, Any]:
    cb = _open_ours(cfg)
    phases = Phases(cfg)
    n, doc = cfg["ops"], make_doc(1)
    keys = _keys("ours-", n)
    warm = _keys("ours-warm-", cfg["warmup"])
    for k in warm:
        cb.upsert(k, doc)
    for k in warm:
        cb.get(k)

    def upserts() -> None:
        upsert = cb.upsert
        for k in keys:
            upsert(k, doc)

    def gets() -> None:
        get = cb.get
        value = None
        for k in keys:
            value = get(k).value
        _check(value == doc, "get returned another document")

    phases.run("upsert", n, upserts)
    phases.run("get", n, gets)

    batches = _batches("ours-", cfg)
    m = cfg["multi_keys"]
    if not callable(getattr(cb, "upsert_multi", None)):
        phases.skip("upsert_multi", "n/a: Bucket has no upsert_multi")
    else:
        def upsert_multis() -> None:
            upsert_multi = cb.upsert_multi
            for batch in batches:
                res = upsert_multi({k: doc for k in batch})
                _check(len(res) == m and all(r.success for r in res.values()),
                       "upsert_multi missed keys")

        try:
            for chunk in _chunks(warm, m):  # warm-up (PyPy's is longer: its JIT compiles)
                cb.upsert_multi({k: doc for k in chunk})
        except Exception as exc:
            phases.skip("upsert_multi", f"n/a: warm-up failed: {type(exc).__name__}: {exc}")
        else:
            phases.run("upsert_multi", m * len(batches), upsert_multis)
    if "error" in phases.results["upsert_multi"]:
        for batch in batches:  # get_multi still needs the documents
            for k in batch:
                cb.upsert(k, doc)
    if not callable(getattr(cb, "get_multi", None)):
        phases.skip("get_multi", "n/a: Bucket has no get_multi")
    else:
        def get_multis() -> None:
            get_multi = cb.get_multi
            for batch in batches:
                res = get_multi(batch)
                values = [r.value for r in res.values()]
                _check(len(values) == m and values[-1] == doc, "get_multi missed keys")

        try:
            for chunk in _chunks(warm, m):  # warm-up
                cb.get_multi(chunk)
        except Exception as exc:
            phases.skip("get_multi", f"n/a: warm-up failed: {type(exc).__name__}: {exc}")
        else:
            phases.run("get_multi", m * len(batches), get_multis)
    _run_ours_4x(cb, phases, cfg, keys, batches, doc)
    cb.close()
    return phases.results


def _collection_phases(coll: Any, phases: Phases, keys: list[str], batches: list[list[str]],
                       doc: dict[str, Any], m: int, suffix: str = "",
                       warm: Optional[list[str]] = None) -> None:
    """upsert, get (then, with ``warm`` keys, upsert_multi) and get_multi through a
    4.x Collection: the same code measures our 4.x API and the official SDK."""

    def upserts() -> None:
        upsert = coll.upsert
        for k in keys:
            upsert(k, doc)

    def gets() -> None:
        get = coll.get
        value = None
        for k in keys:
            value = get(k).content_as[dict]
        _check(value == doc, "get returned another document")

    def upsert_multis() -> None:
        upsert_multi = coll.upsert_multi
        for batch in batches:
            res = upsert_multi({k: doc for k in batch})
            _check(res.all_ok and len(res.results) == m, "upsert_multi missed keys")

    def get_multis() -> None:
        get_multi = coll.get_multi
        for batch in batches:
            res = get_multi(batch)
            values = [r.content_as[dict] for r in res.results.values()]
            _check(res.all_ok and len(values) == m and values[-1] == doc,
                   "get_multi missed keys")

    phases.run("upsert" + suffix, len(keys), upserts)
    phases.run("get" + suffix, len(keys), gets)
    if warm is not None:
        coll.upsert_multi({k: doc for k in warm[:m]})
        phases.run("upsert_multi" + suffix, m * len(batches), upsert_multis)
        coll.get_multi(warm[:m])
    phases.run("get_multi" + suffix, m * len(batches), get_multis)


def _run_ours_4x(cb: Any, phases: Phases, cfg: dict[str, Any], keys: list[str],
                 batches: list[list[str]], doc: dict[str, Any]) -> None:
    """The same work through our 4.x Collection (as the official worker runs it)."""
    _collection_phases(cb.default_collection(), phases, keys, batches, doc,
                       cfg["multi_keys"], suffix="_4x")


def run_ours_profile(cfg: dict[str, Any]) -> dict[str, Any]:
    """CPU-time cProfile of our single-document get loop, top 25 by tottime.

    The profiler's own overhead inflates every entry (each call now costs a
    clock read); the ranking, not the absolute numbers, is the point.
    """
    import cProfile
    import io
    import pstats

    cb = _open_ours(cfg)
    doc = make_doc(1)
    keys = _keys("ours-", cfg["ops"])
    for k in keys[: cfg["warmup"]]:
        cb.upsert(k, doc)
        cb.get(k)
    for k in keys:
        cb.upsert(k, doc)
    get = cb.get
    prof = cProfile.Profile(time.process_time)  # CPU time: recv's waiting is not counted
    prof.enable()
    for k in keys:
        get(k).value  # noqa: B018 - the attribute access is what a caller does
    prof.disable()
    cb.close()
    out = io.StringIO()
    pstats.Stats(prof, stream=out).strip_dirs().sort_stats("tottime").print_stats(25)
    return {"profile": out.getvalue(), "ops": len(keys)}


# -- the official SDK (4.x, C++ core) ---------------------------------------------

def run_official(cfg: dict[str, Any]) -> dict[str, Any]:
    from couchbase.auth import PasswordAuthenticator
    from couchbase.cluster import Cluster
    from couchbase.options import ClusterOptions

    phases = Phases(cfg)
    user, password, ca = cfg["username"], cfg["password"], cfg.get("ca")
    try:
        cluster = Cluster(cfg["connstr"], ClusterOptions(
            PasswordAuthenticator(user, password, cert_path=ca)))
    except Exception as exc:
        if type(exc).__name__ != "AuthenticationException":  # couchbase.exceptions'
            raise
        # SASL only decides how the connection is opened, not what an operation costs:
        # if the default SCRAM exchange is refused, measure over PLAIN and say so.
        phases.results["note"] = {"error": "SCRAM bootstrap refused, measured over SASL "
                                           f"PLAIN instead ({exc})"}
        cluster = Cluster(cfg["connstr"], ClusterOptions(
            PasswordAuthenticator(user, password, cert_path=ca,
                                  allowed_sasl_mechanisms=["PLAIN"])))
    coll = cluster.bucket(cfg["bucket"]).default_collection()
    n, doc = cfg["ops"], make_doc(1)
    keys = _keys("offi-", n)
    warm = _keys("offi-warm-", cfg["warmup"])
    for k in warm:
        coll.upsert(k, doc)
    for k in warm:
        coll.get(k).content_as[dict]  # noqa: B018

    _collection_phases(coll, phases, keys, _batches("offi-", cfg), doc, cfg["multi_keys"],
                       warm=warm)
    cluster.close()
    return phases.results


# -- the floors: NOOP ping-pong and pipelined quiet GETs/SETs on one socket --------

def run_raw(cfg: dict[str, Any]) -> dict[str, Any]:
    """The floors (``_floors.py``): NOOPs one at a time, then ``multi_keys`` quiet
    SETs and GETs per batch on one socket, with our packet codec.

    With a ``ca`` the socket is wrapped by the standard library's ``ssl`` (the
    certificate and host name verified against it), so the floors include TLS.
    """
    import _floors

    kv = _floors.KVSocket(cfg)
    noops = _floors.noop_loop(kv)
    noops(10, cfg["warmup"])
    phases = Phases(cfg)
    n = cfg["ops"]
    phases.run("noop", n, lambda: noops(100_000, n))

    m, rounds = cfg["multi_keys"], cfg["multi_rounds"]
    keys = _floors.local_keys(kv, "raw-pipe-", m)
    value = json.dumps(make_doc(1)).encode()
    setq = _floors.pipelined(kv, _floors.SETQ, keys, value, expect=0)
    getq = _floors.pipelined(kv, _floors.GETQ, keys, b"", expect=m)
    # warm-up (and the documents the GETQs read): a few batches at least, so that a
    # local cluster on PyPy has compiled its quiet-opcode path before it is measured
    for _ in range(max(5, cfg["warmup"] // m)):
        setq()
        getq()

    def times(batch: Callable[[], None]) -> Callable[[], None]:
        def body() -> None:
            for _ in range(rounds):
                batch()
        return body

    phases.run("pipelined_set", m * rounds, times(setq))
    phases.run("pipelined_get", m * rounds, times(getq))
    kv.close()
    return phases.results


# -- memory: idle connections, and the local cluster's cost per cached document ----

def run_memory(cfg: dict[str, Any]) -> dict[str, Any]:
    """Bytes per idle ``Bucket`` (this process) and per 1,000 documents (the mock's RSS).

    Our ``Bucket`` to the 4-node cluster holds one KV connection per node; each
    is opened and used once (a get), then left idle while measured.
    """
    import _memory

    n, doc = int(cfg.get("mem_buckets", 20)), make_doc(1)
    first = _open_ours(cfg)
    first.upsert("mem-probe", doc)

    def open_idle() -> Any:
        cb = _open_ours(cfg)
        cb.get("mem-probe")
        return cb

    open_idle().close()  # imports and first-use caches are not per connection
    out: dict[str, Any] = {}
    out["idle_bucket"], held = _memory.per_item(n, open_idle)
    for cb in held:
        cb.close()

    docs, batch = int(cfg.get("mem_docs", 100_000)), 1000
    mock_pid = cfg.get("mock_pid")
    if docs > 0 and mock_pid:  # the mock's RSS grows by what it keeps per document
        first.timeout = 30.0  # a loaded shared machine: loading is not what is measured
        rss0 = _memory.rss_bytes(mock_pid)
        for start in range(0, docs, batch):
            first.upsert_multi({f"mem-doc-{i:07d}": doc
                                for i in range(start, min(start + batch, docs))})
        rss1 = _memory.rss_bytes(mock_pid)
        out["mock_docs"] = {"n": docs, "tracemalloc_bytes": None,
                            "rss_bytes": None if rss0 is None or rss1 is None
                            else (rss1 - rss0) / docs}
    first.close()
    return out


def run_official_memory(cfg: dict[str, Any]) -> dict[str, Any]:
    """RSS per idle official ``Cluster`` + bucket (its C++ core: tracemalloc cannot see it)."""
    import _memory

    from couchbase.auth import PasswordAuthenticator
    from couchbase.cluster import Cluster
    from couchbase.options import ClusterOptions

    ca = cfg.get("ca")

    def open_idle() -> Any:
        cluster = Cluster(cfg["connstr"], ClusterOptions(PasswordAuthenticator(
            cfg["username"], cfg["password"], cert_path=ca)))
        coll = cluster.bucket(cfg["bucket"]).default_collection()
        coll.upsert("mem-probe-official", {"a": 1})
        return cluster

    open_idle().close()
    result, held = _memory.per_item(int(cfg.get("mem_clusters", 10)), open_idle, trace=False)
    for cluster in held:
        cluster.close()
    return {"idle_bucket": result}


RUNNERS = {"ours": run_ours, "official": run_official, "raw": run_raw,
           "ours-profile": run_ours_profile, "memory": run_memory,
           "official-memory": run_official_memory}


def main() -> int:
    cfg = json.loads(sys.argv[1])
    results = RUNNERS[cfg["client"]](cfg)
    sys.stdout.write(RESULT_MARK + json.dumps(results) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
