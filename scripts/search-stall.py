"""Measure how the local cluster's search (FTS) service affects KV latency.

Starts an in-process local cluster (``--nodes`` 2), writes ``--docs``
beer-sample-like documents (about ten fields and ~300 bytes of text each,
from a seeded generator), then, while a client in another process gets a
document from every node in a loop:

1. ``idle``: nothing else runs (baseline);
2. ``build``: an index over the bucket (default dynamic mapping) is
   created and built by its first count request;
3. ``query``: big queries run back to back: a common term with ``size``
   10,000, sorted by a field, with a term facet; ``match_all`` with every
   stored field; a prefix query.

For each phase it prints the KV get latency seen by the client
(p50/p99/max), how long the phase took, and, as evidence of where time
went, the cyclic garbage collector's passes that took over 5 ms (from
``gc.callbacks``) and the longest times a sampling thread waited for the
GIL (with where the worker was when it got it). ``--memory`` instead
indexes the documents on this thread under ``tracemalloc`` and reports
bytes per indexed document. Usage::

    .venv/bin/python scripts/search-stall.py [--docs 20000] [--nodes 2] [--memory]
"""

from __future__ import annotations

import argparse
import base64
import gc
import http.client
import json
import random
import subprocess
import sys
import threading
import time
import traceback
from collections import Counter
from pathlib import Path
from typing import Any, Optional

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from couchbase_mock import MockCluster  # noqa: E402

INDEX = {"type": "fulltext-index", "sourceType": "gocbcore", "sourceName": "default",
         "params": {"mapping": {"default_mapping": {"enabled": True, "dynamic": True},
                                "store_dynamic": True}}}
STYLES = ["American-Style Lager", "American-Style Pale Ale", "Porter", "Stout",
          "Belgian-Style Tripel", "German-Style Pilsener", "Imperial Stout", "Hefeweizen",
          "Oatmeal Stout", "India Pale Ale", "Brown Ale", "Scotch Ale"]


def vocabulary(rng: random.Random, size: int = 6000) -> list[str]:
    syllables = ["ba", "ter", "lo", "mi", "hop", "mal", "ro", "sta", "ne", "ki", "du",
                 "pe", "ar", "gol", "den", "bre", "wa", "ri", "ol", "ca", "sun", "ty"]
    words = {"".join(rng.choice(syllables) for _ in range(rng.randint(1, 4)))
             for _ in range(size * 2)}
    return sorted(words)[:size]


def beer_docs(count: int, seed: int = 7) -> list[tuple[str, dict[str, Any]]]:
    """Documents shaped like beer-sample's beers (Zipf-distributed words)."""
    rng = random.Random(seed)
    words = vocabulary(rng)
    weights = [1.0 / (i + 1) for i in range(len(words))]
    out = []
    for i in range(count):
        text = " ".join(rng.choices(words, weights, k=45))[:300]
        out.append((f"beer_{i:06d}", {
            "type": "beer", "name": " ".join(rng.choices(words, weights, k=2)).title(),
            "abv": round(rng.uniform(3, 12), 1), "ibu": rng.randint(0, 90),
            "srm": rng.randint(0, 40), "upc": rng.randint(0, 10**6),
            "updated": f"2010-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d} 20:00:20",
            "brewery_id": f"brewery_{rng.randint(0, 1400)}",
            "style": rng.choice(STYLES), "category": rng.choice(["North American Ale",
                                                               "British Ale", "Irish Ale",
                                                               "German Lager"]),
            "description": text}))
    return out


def load(mock: MockCluster, docs: list[tuple[str, dict[str, Any]]]) -> None:
    def write(cluster: Any, batch: list[tuple[str, dict[str, Any]]]) -> None:
        bucket, engine = cluster.buckets["default"], cluster.engines["default"]
        for key, doc in batch:
            raw = key.encode()
            vb = bucket.vbucket_of(raw)
            engine.store(bucket.active_node(vb), vb, (0, raw), "set", json.dumps(doc).encode(),
                         0x02000006, 0, 0, 1)

    for start in range(0, len(docs), 2000):  # short hops: the loop stays responsive
        batch = docs[start:start + 2000]
        mock.call(lambda cluster, batch=batch: write(cluster, batch))  # type: ignore[misc]


def request(mock: MockCluster, method: str, path: str, body: Any = None,
            parse: bool = True) -> tuple[int, Any]:
    """``(status, JSON body)``; ``parse=False``: the raw body (parsing 10,000
    hits here would add the client's garbage to the cluster's process)."""
    auth = base64.b64encode(f"{mock.username}:{mock.password}".encode()).decode()
    conn = http.client.HTTPConnection(mock.host, mock.nodes[0].search_port, timeout=600)
    try:
        data = json.dumps(body).encode() if body is not None else None
        conn.request(method, path, body=data, headers={"Authorization": f"Basic {auth}",
                                                       "Content-Type": "application/json"})
        resp = conn.getresponse()
        data = resp.read()
        return resp.status, json.loads(data) if parse else data
    finally:
        conn.close()


# -- the KV client in another process ---------------------------------------------------

PROBE = """
import json, sys, threading, time
sys.path.insert(0, sys.argv[1])
from couchbase.bucket import Bucket
cb = Bucket(sys.argv[2] + "/default?operation_timeout=30", password="")
keys = json.loads(sys.argv[3])
for k in keys:
    cb.upsert(k, {"k": k})
stop = threading.Event()
threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
print("ready", flush=True)
samples = []
while not stop.is_set():
    for k in keys:
        t0 = time.monotonic()
        cb.get(k)
        samples.append((t0, time.monotonic() - t0))
    time.sleep(0.001)
cb.close()
print(json.dumps(samples))
"""


class Probe:
    """A process getting one document per node in a loop, timing each get."""

    def __init__(self, mock: MockCluster) -> None:
        keys = []
        for node in range(len(mock.nodes)):
            i = 0
            while mock.locate("default", f"probe-{node}-{i}")[1] != node:
                i += 1
            keys.append(f"probe-{node}-{i}")
        self.proc = subprocess.Popen(
            [sys.executable, "-c", PROBE, str(ROOT / "src"), mock.connstr, json.dumps(keys)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None and self.proc.stdout.readline().strip() == "ready"

    def samples(self) -> list[tuple[float, float]]:
        out, _ = self.proc.communicate("", timeout=120)
        return [tuple(s) for s in json.loads(out.splitlines()[-1])]  # type: ignore[misc]


# -- evidence: collector passes and GIL waits --------------------------------------------

class GCLog:
    """Collector passes over 5 ms: (start, seconds, generation, objects tracked)."""

    def __init__(self) -> None:
        self.passes: list[tuple[float, float, int]] = []
        self._t0 = 0.0
        gc.callbacks.append(self._callback)

    def _callback(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._t0 = time.monotonic()
        else:
            took = time.monotonic() - self._t0
            if took > 0.005:
                self.passes.append((self._t0, took, info["generation"]))

    def close(self) -> None:
        gc.callbacks.remove(self._callback)


class GILSampler(threading.Thread):
    """Sleeps 1 ms at a time; a wake-up over 50 ms late means another thread
    held the GIL: records how late, and where the search worker was."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.waits: list[tuple[float, float, str]] = []
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            t0 = time.monotonic()
            time.sleep(0.001)
            late = time.monotonic() - t0
            if late > 0.05:
                self.waits.append((t0, late, self._where()))

    @staticmethod
    def _where() -> str:
        names = {t.ident: t.name for t in threading.enumerate()}
        for ident, frame in sys._current_frames().items():
            if names.get(ident) == "fts-worker":
                last = traceback.extract_stack(frame)[-3:]
                return " <- ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}"
                                   for f in reversed(last))
        return "?"


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))] if ordered else 0.0


def report(name: str, span: tuple[float, float], samples: list[tuple[float, float]],
           gclog: GCLog, sampler: GILSampler) -> None:
    lat = [d for t, d in samples if span[0] <= t <= span[1]]
    print(f"{name:6} {span[1] - span[0]:6.2f} s  gets {len(lat):6}  p50 {pct(lat, .5)*1e3:7.2f} ms"
          f"  p99 {pct(lat, .99)*1e3:7.2f} ms  max {max(lat, default=0)*1e3:8.1f} ms")
    gcs = [p for p in gclog.passes if span[0] <= p[0] <= span[1]]
    if gcs:
        longest = max(gcs, key=lambda p: p[1])
        print(f"       gc passes >5 ms: {len(gcs)}, total {sum(p[1] for p in gcs)*1e3:.0f} ms,"
              f" longest {longest[1]*1e3:.0f} ms (generation {longest[2]})")
    waits = sorted((w for w in sampler.waits if span[0] <= w[0] <= span[1]),
                   key=lambda w: -w[1])[:3]
    for _t, late, where in waits:
        print(f"       GIL wait {late*1e3:6.0f} ms, worker at: {where}")


def big_queries(docs: list[tuple[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    """A query on the commonest word, sorted, with a facet; match_all with
    every stored field; a prefix query (each answering up to 10,000 hits)."""
    common = Counter(w for _, d in docs for w in d["description"].split()).most_common(1)[0][0]
    return [
        {"query": {"match": common, "field": "description"}, "size": 10000, "sort": ["-abv"],
         "facets": {"styles": {"field": "style", "size": 5}}},
        {"query": {"match_all": {}}, "size": 10000, "fields": ["*"]},
        {"query": {"prefix": common[:2]}, "size": 10000},
    ]


def run(args: argparse.Namespace) -> None:
    docs = beer_docs(args.docs)
    if args.switch:
        sys.setswitchinterval(args.switch / 1000)
    with MockCluster(nodes=args.nodes, replicas=0) as mock:
        started = time.perf_counter()
        load(mock, docs)
        queries, count = big_queries(docs), len(docs)
        del docs  # the cluster's process holds only what the cluster holds
        gc.collect()
        print(f"{count} documents written in {time.perf_counter() - started:.1f} s; "
              f"gc thresholds {gc.get_threshold()}, switch interval "
              f"{sys.getswitchinterval()*1e3:.0f} ms")
        probe = Probe(mock)
        gclog, sampler = GCLog(), GILSampler()
        sampler.start()
        phases: dict[str, tuple[float, float]] = {}
        t0 = time.monotonic()
        time.sleep(1.0)
        phases["idle"] = (t0, time.monotonic())
        t0 = time.monotonic()
        status, body = request(mock, "PUT", "/api/index/beers", INDEX)
        assert status == 200, body
        status, body = request(mock, "GET", "/api/index/beers/count")
        assert status == 200 and body["count"] == count + len(mock.nodes), body
        phases["build"] = (t0, time.monotonic())
        t0 = time.monotonic()
        for _ in range(args.rounds):
            for q in queries:
                status, body = request(mock, "POST", "/api/index/beers/query", q, parse=False)
                assert status == 200 and body.startswith(b'{"status":{"total":1,"failed":0'), \
                    body[:300]
        phases["query"] = (t0, time.monotonic())
        sampler.stop.set()
        samples = probe.samples()
        gclog.close()
        for name, span in phases.items():
            report(name, span, samples, gclog, sampler)
        allspan = (phases["build"][0], phases["query"][1])
        worst = max((s for s in samples if allspan[0] <= s[0] <= allspan[1]),
                    key=lambda s: s[1])
        print(f"worst get at +{worst[0] - phases['build'][0]:.2f} s: {worst[1]*1e3:.1f} ms")


def memory(args: argparse.Namespace) -> None:
    """Bytes per indexed document, counted by tracemalloc while indexing here."""
    import tracemalloc

    from couchbase_mock.search.index import SearchIndex
    from couchbase_mock.search.mapping import parse_definition

    docs = beer_docs(args.docs)
    size = sum(len(json.dumps(d)) for _, d in docs) / len(docs)
    with MockCluster(nodes=args.nodes, replicas=0) as mock:
        load(mock, docs)

        def collect(cluster: Any) -> Any:
            d = parse_definition("beers", INDEX, cluster.buckets)
            index = SearchIndex(d, cluster.buckets["default"])
            return index, index.collect()

        started = time.perf_counter()
        index, (changes, seqnos) = mock.call(collect)
        collect_took = time.perf_counter() - started
        gc.collect()
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        started = time.perf_counter()
        index.apply(changes, seqnos)
        took = time.perf_counter() - started
        gc.collect()
        gc.collect()  # the second pass untracks what the first left untrackable
        after = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        tracked = sum(1 for _ in gc.get_objects())
    per_doc = (after - before) / len(docs)
    print(f"{len(docs)} documents of {size:.0f} bytes of JSON: index {after - before:,} bytes, "
          f"{per_doc:,.0f} bytes per document ({per_doc / size:.1f}x the JSON); "
          f"{tracked:,} objects tracked by the collector; indexed in {took:.1f} s "
          f"(under tracemalloc); collect on the loop {collect_took*1e3:.0f} ms; index accounts "
          f"{index.size / len(docs):,.0f} bytes per document")


def main(argv: Optional[list[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=20_000)
    parser.add_argument("--nodes", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=2, help="times the big queries run")
    parser.add_argument("--memory", action="store_true")
    parser.add_argument("--switch", type=float, default=0,
                        help="sys.setswitchinterval in ms (default: leave it, 5 ms)")
    args = parser.parse_args(argv)
    (memory if args.memory else run)(args)


if __name__ == "__main__":
    main()
