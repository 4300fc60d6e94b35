"""Installing a sample bucket into a running local cluster.

:func:`install` does what the server's sample loader does, through the
cluster's own paths. At once, on the event loop: it creates the bucket
(:meth:`Cluster.create_bucket`) and its scopes and collections. Then, in the
background like the server's loader (on a query worker thread, see
:mod:`couchbase_mock.query_workers`, so KV and HTTP are served meanwhile):
it generates the documents and writes them through the bucket's engine a
chunk at a time on the loop (so KV, views, N1QL and the data directory see
them like any write), stores the design documents in the views service's
store, and runs the index statements on the cluster's query engine (so they
are in ``system:indexes`` and kept current like any ``CREATE INDEX``).

:func:`install` returns a future that is done when all of that is; the
start-up paths (``--sample``, ``MockCluster(samples=...)``) wait for it
with :func:`install_missing`, the REST endpoint does not (as on the server).
"""

from __future__ import annotations

import asyncio
import logging
import zlib
from functools import partial
from itertools import islice
from typing import Callable, Iterable, Optional

from ..bucket import COUCHBASE
from ..cluster import Cluster
from ..n1ql import ast as A
from ..n1ql.parser import parse
from ..n1ql_adapter import JSON_FLAGS, ClusterQueryEngine, query_engine_for
from ..views.service import bucket_views
from . import beer, gamesim, travel
from .dataset import Sample, encode

SAMPLES: dict[str, Sample] = {s.name: s for s in (beer.SAMPLE, gamesim.SAMPLE, travel.SAMPLE)}
"""The sample buckets, by name."""

CHUNK = 2000
"""Documents written per visit to the event loop."""

Report = Callable[[int, int], None]
"""``report(count, total)``: documents written so far, of how many (from the loader's
worker thread; :meth:`couchbase_mock.progress.Progress.update` is one)."""

log = logging.getLogger(__name__)


class SampleError(ValueError):
    """A sample the server would refuse to install; the message is the server's."""


def check(cluster: Cluster, name: str) -> Optional[str]:
    """Why ``name`` cannot be installed now (the server's message), or ``None``."""
    if name in cluster.buckets:
        return f"Sample bucket {name} is already loaded."
    if name not in SAMPLES:
        return f"Sample {name} is not a valid sample."
    return None


def install(cluster: Cluster, name: str, replicas: int = 1,
            report: Optional[Report] = None) -> asyncio.Future[None]:
    """Create the sample bucket ``name`` and start filling it (on the loop).
    ``report(count, total)`` is called as documents are written.

    Raises :class:`SampleError` if ``name`` is unknown or a bucket of that
    name exists. The future is done when the documents, design documents and
    indexes are all in (its exception, if any, says what failed).
    """
    problem = check(cluster, name)
    if problem is not None:
        raise SampleError(problem)
    sample = SAMPLES[name]
    cluster.create_bucket(name, COUCHBASE, replicas)
    for scope, collections in sample.scopes.items():
        cluster.create_scope(name, scope)
        for collection in collections:
            cluster.create_collection(name, scope, collection)
    engine = query_engine_for(cluster)
    bucket = cluster.buckets[name]
    loaded = engine.workers.run(asyncio.get_running_loop(),
                                lambda: _load(cluster, engine, sample, bucket, report))
    loaded.add_done_callback(_report)
    return loaded


def _load(cluster: Cluster, engine: ClusterQueryEngine, sample: Sample, bucket: object,
          report: Optional[Report] = None) -> None:
    """Fill the bucket (on a worker thread): documents, design documents, indexes.
    Stops quietly if the bucket is deleted meanwhile."""
    name = sample.name
    store = engine.datastore
    everything = list(sample.documents())  # (its length is the progress' total)
    documents = iter(everything)
    written = 0

    def write(chunk: list[tuple[str, str, str, bytes]]) -> bool:
        if cluster.buckets.get(name) is not bucket:
            return False
        for scope, collection, key, body in chunk:
            store.upsert((name, scope, collection), key, body, JSON_FLAGS, 0)
        return True

    while True:
        chunk = list(islice(documents, CHUNK))
        if not chunk or not engine.on_loop(partial(write, chunk)):
            break
        written += len(chunk)
        if report is not None:
            report(written, len(everything))
        engine.workers.turns.pass_turn()  # queries waiting for a worker go first
    if sample.design_docs and not engine.on_loop(lambda: _design_docs(cluster, sample, bucket)):
        return
    for statement in index_statements(sample.indexes):
        if cluster.buckets.get(name) is not bucket:
            return
        engine.query(statement)


def index_statements(creates: Iterable[str]) -> list[str]:
    """The sample's ``CREATE INDEX`` statements made deferred, then one ``BUILD
    INDEX`` per keyspace: the engine fills a keyspace's indexes in one pass over
    its documents (each decoded once), not one pass per index. The indexes end
    up as the plain statements would leave them (the WITH is not part of an
    index's definition in ``system:indexes``)."""
    out = []
    by_keyspace: dict[str, list[str]] = {}
    for statement in creates:
        stmt = parse(statement)
        assert isinstance(stmt, A.CreateIndex) and stmt.with_ is None, statement
        out.append(statement + ' WITH {"defer_build": true}')
        ref = stmt.ref
        keyspace = ".".join(_quoted(part) for part in (ref.bucket, ref.scope, ref.collection)
                            if part is not None)
        by_keyspace.setdefault(keyspace, []).append(_quoted(stmt.name or "#primary"))
    for keyspace, names in by_keyspace.items():
        out.append(f"BUILD INDEX ON {keyspace}({', '.join(names)})")
    return out


def _quoted(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def _design_docs(cluster: Cluster, sample: Sample, bucket: object) -> bool:
    if cluster.buckets.get(sample.name) is not bucket:
        return False
    views = bucket_views(cluster, sample.name)
    assert views is not None  # a couchbase bucket
    views.ddocs.restore({
        ddoc: {"body": dict(body), "rev": f"1-{zlib.crc32(encode(body)):08x}"}
        for ddoc, body in sample.design_docs.items()
    })
    cluster.persist_meta()
    return True


def _report(loaded: asyncio.Future[None]) -> None:
    if not loaded.cancelled() and loaded.exception() is not None:
        log.error("loading a sample bucket failed", exc_info=loaded.exception())


async def install_missing(cluster: Cluster, names: Iterable[str], replicas: int = 1,
                          reporter: Optional[Callable[[str], Report]] = None) -> None:
    """Install each sample whose bucket does not exist yet, and wait until they
    are loaded (at start-up: a data directory may already hold them);
    ``reporter(name)`` gives each load's ``report``."""
    loading = [install(cluster, name, replicas, reporter(name) if reporter else None)
               for name in dict.fromkeys(names) if name not in cluster.buckets]
    await asyncio.gather(*loading)
