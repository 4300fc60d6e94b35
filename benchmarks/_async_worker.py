"""One worker of ``async.py``: gets with many requests in flight, one client.

``async.py`` runs it as ``python _async_worker.py '<json config>'`` under the
interpreter of the client being measured. Only the standard library (and
``_worker``, which is standard-library only) is imported at module level: this
file runs under our SDK and under the official one, and both packages are
named ``couchbase``.

Config keys: ``client`` (one of ``RUNNERS``), ``connstr``, ``username``,
``password``, ``bucket``, ``ops`` (gets per run), ``inflight`` (requests kept
in flight), ``warmup`` (gets before the measured runs), ``repeat`` (measured
runs; medians are reported), ``mock_pid`` (whose CPU is sampled per run),
``ca`` (--tls: the cluster CA; ``connstr`` is then ``couchbases://``),
``mem_inflight`` (gets in flight at once for the memory clients), ``mem_timeout``
(their operation timeout, seconds).

Every client runs the same pattern: ``inflight`` lanes, each issuing its share
of the keys one after another (the next get as soon as its previous one
completed), so ``inflight`` requests are outstanding until the lanes drain.
Every get decodes its JSON document.

Output: one line ``BENCH-RESULT {json}`` on stdout, either
``{"ops", "wall_s", "cpu_s", "mock_cpu_s", "runs", "api"}``, ``{"unavailable":
"..."}`` (the client's module cannot be imported) or ``{"error": "..."}``.
"""

from __future__ import annotations

import gc
import json
import statistics
import sys
import time
import traceback
from typing import Any, Callable, Optional

from _worker import RESULT_MARK, make_doc, process_cpu


class Unavailable(Exception):
    """The client to measure cannot be imported here."""


class _GcClock:
    """CPU time spent in the cyclic GC's collections (``gc.callbacks``; stays 0 where
    there is none: PyPy)."""

    def __init__(self) -> None:
        self.total, self._began = 0.0, 0.0
        getattr(gc, "callbacks", []).append(self._event)

    def _event(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._began = time.process_time()
        else:
            self.total += time.process_time() - self._began


class Runs:
    """Wall time, this process's CPU time (and its GC's) and the mock's CPU time of each
    measured run."""

    def __init__(self, cfg: dict[str, Any]) -> None:
        self.mock_pid = cfg.get("mock_pid")
        self.runs: list[dict[str, Any]] = []
        self._start: Optional[tuple[float, float, Optional[float]]] = None
        self._gc = _GcClock()
        self._gc0 = 0.0

    def start(self) -> None:
        self._gc0 = self._gc.total
        self._start = (time.perf_counter(), time.process_time(), process_cpu(self.mock_pid))

    def stop(self) -> None:
        assert self._start is not None
        wall0, cpu0, mock0 = self._start
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
        mock1 = process_cpu(self.mock_pid)
        self.runs.append({"wall_s": wall, "cpu_s": cpu, "gc_s": self._gc.total - self._gc0,
                          "mock_cpu_s": None if mock0 is None or mock1 is None
                          else mock1 - mock0})
        self._start = None

    def result(self, ops: int, api: str) -> dict[str, Any]:
        mocks = [r["mock_cpu_s"] for r in self.runs if r["mock_cpu_s"] is not None]
        return {
            "ops": ops, "api": api,
            "wall_s": statistics.median(r["wall_s"] for r in self.runs),
            "cpu_s": statistics.median(r["cpu_s"] for r in self.runs),
            "gc_s": statistics.median(r["gc_s"] for r in self.runs),
            "mock_cpu_s": statistics.median(mocks) if len(mocks) == len(self.runs) else None,
            "runs": self.runs,
        }


def _keys(prefix: str, n: int) -> list[str]:
    return [f"{prefix}{i:07d}" for i in range(n)]


def _lanes(keys: list[str], width: int) -> list[list[str]]:
    return [keys[i::width] for i in range(min(width, len(keys)))]


def _warm_keys(keys: list[str], warmup: int) -> list[str]:
    """``warmup`` keys, going round ``keys`` as often as needed (PyPy's warm-up is
    longer than a run: its JIT is still compiling the event-loop path after 10,000)."""
    return (keys * (warmup // len(keys) + 1))[:warmup] if keys else []


def _import(what: str, names: Callable[[], Any]) -> Any:
    try:
        return names()
    except ImportError as exc:
        raise Unavailable(f"{what} not importable: {exc}") from exc


def _check(ok: bool, what: str) -> None:
    if not ok:
        raise AssertionError(what)


# -- asyncio --------------------------------------------------------------------------

async def _asyncio_batch(keys: list[str], width: int, get: Callable[[str], Any],
                         decode: Callable[[Any], Any]) -> Any:
    """``width`` coroutines, each awaiting ``get(key)`` for its share of ``keys``."""
    import asyncio

    async def lane(ks: list[str]) -> Any:
        value = None
        for k in ks:
            value = decode(await get(k))
        return value

    values = await asyncio.gather(*(lane(ks) for ks in _lanes(keys, width)))
    return values[-1]


async def _asyncio_measure(cfg: dict[str, Any], prefix: str, upsert: Callable[..., Any],
                           get: Callable[[str], Any], decode: Callable[[Any], Any],
                           api: str) -> dict[str, Any]:
    import asyncio

    width, doc = cfg["inflight"], make_doc(1)
    keys = _keys(prefix, cfg["ops"])

    async def load(ks: list[str]) -> None:
        for k in ks:
            await upsert(k, doc)

    await asyncio.gather(*(load(ks) for ks in _lanes(keys, width)))
    await _asyncio_batch(_warm_keys(keys, cfg["warmup"]), width, get, decode)
    runs = Runs(cfg)
    for _ in range(cfg["repeat"]):
        runs.start()
        last = await _asyncio_batch(keys, width, get, decode)
        runs.stop()
        _check(last == doc, "get returned another document")
    return runs.result(len(keys), api)


async def _ours_bucket(cfg: dict[str, Any]) -> Any:
    """Our asyncio Bucket (acouchbase), connected."""
    Bucket = _import("acouchbase.bucket", lambda: __import__(
        "acouchbase.bucket", fromlist=["Bucket"]).Bucket)
    cb = Bucket(_connstr(cfg), username=cfg["username"], password=cfg["password"])
    await cb.connect()
    return cb


def run_asyncio_ours(cfg: dict[str, Any]) -> dict[str, Any]:
    import asyncio

    async def main() -> dict[str, Any]:
        cb = await _ours_bucket(cfg)
        try:
            return await _asyncio_measure(cfg, "aio-ours-", cb.upsert, cb.get,
                                          lambda r: r.value, "acouchbase.bucket.Bucket.get")
        finally:
            cb.close()

    return asyncio.run(main())


async def _official_collection(cfg: dict[str, Any], kv_timeout: Optional[float] = None
                               ) -> tuple[Any, Any, str]:
    """The official SDK's asyncio cluster, default collection and the API's name."""
    from datetime import timedelta

    def names() -> Any:
        from acouchbase.cluster import Cluster
        from couchbase.auth import PasswordAuthenticator
        from couchbase.options import ClusterOptions, ClusterTimeoutOptions

        def options(auth: Any) -> Any:
            if kv_timeout is None:
                return ClusterOptions(auth)
            return ClusterOptions(auth, timeout_options=ClusterTimeoutOptions(
                kv_timeout=timedelta(seconds=kv_timeout)))

        return Cluster, PasswordAuthenticator, options

    Cluster, PasswordAuthenticator, ClusterOptions = _import("official acouchbase", names)
    user, password, ca = cfg["username"], cfg["password"], cfg.get("ca")
    api = "acouchbase.cluster.Cluster -> default_collection().get"
    try:
        cluster = await Cluster.connect(
            cfg["connstr"], ClusterOptions(PasswordAuthenticator(user, password, cert_path=ca)))
    except Exception as exc:
        if type(exc).__name__ != "AuthenticationException":
            raise
        # as in _worker.py: SASL only decides how connections open, not op costs
        cluster = await Cluster.connect(cfg["connstr"], ClusterOptions(
            PasswordAuthenticator(user, password, cert_path=ca,
                                  allowed_sasl_mechanisms=["PLAIN"])))
        api += " (SASL PLAIN: SCRAM refused)"
    bucket = cluster.bucket(cfg["bucket"])
    await bucket.on_connect()
    return cluster, bucket.default_collection(), api


def run_asyncio_official(cfg: dict[str, Any]) -> dict[str, Any]:
    import asyncio

    async def main() -> dict[str, Any]:
        cluster, coll, api = await _official_collection(cfg)
        try:
            return await _asyncio_measure(cfg, "aio-offi-", coll.upsert, coll.get,
                                          lambda r: r.content_as[dict], api)
        finally:
            await cluster.close()

    return asyncio.run(main())


# -- memory per in-flight operation (asyncio) --------------------------------------------

async def _asyncio_inflight_memory(cfg: dict[str, Any], prefix: str, upsert: Callable[..., Any],
                                   get: Callable[[str], Any], api: str,
                                   trace: bool = True) -> dict[str, Any]:
    """Bytes per get in flight: ``mem_inflight`` gets (10,000) issued at once, measured
    after one turn of the loop (every request sent, no answer read yet), then awaited."""
    import asyncio

    import _memory

    n, doc = int(cfg.get("mem_inflight", 10_000)), make_doc(1)
    keys = _keys(prefix, n)

    async def load(ks: list[str]) -> None:
        for k in ks:
            await upsert(k, doc)

    await asyncio.gather(*(load(ks) for ks in _lanes(keys, 100)))
    await asyncio.gather(*(get(k) for k in keys[:1000]))  # warm: first-use caches
    delta = _memory.Delta(trace)
    delta.start()
    began = time.perf_counter()
    futures = [asyncio.ensure_future(get(k)) for k in keys]
    await asyncio.sleep(0)  # each get starts: encoded, written, waiting for its answer
    issued = time.perf_counter() - began
    result = delta.stop(n)
    began = time.perf_counter()
    answers = await asyncio.gather(*futures)
    _check(len(answers) == n, "in-flight gets missed keys")
    # how long issuing all and then awaiting all took (the measurement's pause between
    # them not counted): the timeout these gets need
    result.update(api=api, issue_s=issued, answer_s=time.perf_counter() - began)
    return result


def run_asyncio_ours_memory(cfg: dict[str, Any]) -> dict[str, Any]:
    import asyncio

    async def main() -> dict[str, Any]:
        cb = await _ours_bucket(cfg)
        cb.timeout = float(cfg.get("mem_timeout", 60.0))  # (async.py's MEM_TIMEOUT)
        try:
            return await _asyncio_inflight_memory(cfg, "aio-mem-", cb.upsert, cb.get,
                                                  "acouchbase.bucket.Bucket.get")
        finally:
            cb.close()

    return asyncio.run(main())


def run_asyncio_official_memory(cfg: dict[str, Any]) -> dict[str, Any]:
    import asyncio

    async def main() -> dict[str, Any]:
        cluster, coll, api = await _official_collection(
            cfg, kv_timeout=float(cfg.get("mem_timeout", 60.0)))
        try:
            return await _asyncio_inflight_memory(cfg, "aio-offi-mem-", coll.upsert,
                                                  coll.get, api, trace=False)
        finally:
            await cluster.close()

    return asyncio.run(main())


# -- Twisted --------------------------------------------------------------------------

def _twisted_batch(keys: list[str], width: int, issue: Callable[[str, Callable[[Any], None],
                                                                 Callable[..., None]], None],
                   decode: Callable[[Any], Any]) -> Any:
    """A Deferred firing with the last lane's last value once every lane drained.

    ``issue(key, ok, fail)`` starts one get whose completion calls ``ok(result)`` or
    ``fail(...)``; each lane issues its next get from its previous one's ``ok``.
    """
    from twisted.internet import defer

    done: Any = defer.Deferred()
    lanes = _lanes(keys, width)
    state = {"left": len(lanes), "value": None, "failed": False}

    def fail(*args: Any) -> None:
        if not state["failed"]:
            state["failed"] = True
            err = args[0] if args else "get failed"
            if hasattr(err, "value") and isinstance(err.value, BaseException):  # a Failure
                err = err.value
            if len(args) >= 3 and isinstance(args[2], BaseException):  # (res, type, value, tb)
                err = args[2]
            done.errback(err if isinstance(err, BaseException) else RuntimeError(str(err)))

    def lane(ks: list[str]) -> None:
        it = iter(ks)

        def step(result: Any = None, first: bool = False) -> None:
            if state["failed"]:
                return
            try:
                if not first:
                    state["value"] = decode(result)
                for k in it:
                    issue(k, step, fail)
                    return
            except Exception as exc:  # a Deferred would swallow it and hang the batch
                fail(exc)
                return
            state["left"] -= 1
            if state["left"] == 0:
                done.callback(state["value"])

        step(first=True)

    if not lanes:
        done.callback(None)
    for ks in lanes:
        lane(ks)
    return done


def _twisted_measure(cfg: dict[str, Any], connect: Callable[[], Any],
                     issue_for: Callable[[Any, str], Callable[..., None]],
                     upsert_for: Callable[[Any, Any], Callable[..., None]],
                     decode: Callable[[Any], Any], api: str) -> dict[str, Any]:
    from twisted.internet import defer, task

    out: dict[str, Any] = {}

    async def main(reactor: Any) -> None:
        cb = await connect()
        try:
            width, doc = cfg["inflight"], make_doc(1)
            keys = _keys(f"tx-{api.split('.')[-1][:12]}-", cfg["ops"])
            await _twisted_batch(keys, width, upsert_for(cb, doc), lambda r: None)
            get = issue_for(cb, "get")
            await _twisted_batch(_warm_keys(keys, cfg["warmup"]), width, get, decode)
            runs = Runs(cfg)
            for _ in range(cfg["repeat"]):
                runs.start()
                last = await _twisted_batch(keys, width, get, decode)
                runs.stop()
                _check(last == doc, "get returned another document")
            out.update(runs.result(len(keys), api))
        finally:
            cb.close()

    try:
        task.react(lambda reactor: defer.ensureDeferred(main(reactor)))
    except SystemExit as exc:  # react() always exits; the result is in ``out``
        if exc.code not in (0, None) and not out:
            raise RuntimeError(f"the reactor stopped with {exc.code}") from None
    return out


def _connstr(cfg: dict[str, Any]) -> str:
    """Our connection string to the bucket; with --tls's CA, verified against it."""
    tls = f"?cert_path={cfg['ca']}" if cfg.get("ca") else ""
    return f"{cfg['connstr']}/{cfg['bucket']}{tls}"


def _conn_kwargs(cfg: dict[str, Any]) -> dict[str, Any]:
    return {"connection_string": _connstr(cfg),
            "username": cfg["username"], "password": cfg["password"]}


def run_twisted_deferred(cfg: dict[str, Any]) -> dict[str, Any]:
    def names() -> Any:
        import twisted  # noqa: F401  (a clearer reason when Twisted itself is missing)

        try:
            from txcouchbase.bucket import Bucket
            return Bucket, "txcouchbase.bucket.Bucket"
        except ImportError:
            from txcouchbase.connection import Connection
            return Connection, "txcouchbase.connection.Connection"

    cls, api = _import("txcouchbase (Deferreds)", names)

    def issue_for(cb: Any, method: str) -> Callable[..., None]:
        call = getattr(cb, method)
        return lambda k, ok, fail: call(k).addCallbacks(ok, fail)

    def upsert_for(cb: Any, doc: Any) -> Callable[..., None]:
        return lambda k, ok, fail: cb.upsert(k, doc).addCallbacks(ok, fail)

    def connect() -> Any:
        cb = cls(**_conn_kwargs(cfg))
        return cb.connect()  # fires with the bucket

    return _twisted_measure(cfg, connect, issue_for, upsert_for, lambda r: r.value,
                            f"{api}.get -> Deferred")


def run_twisted_raw(cfg: dict[str, Any]) -> dict[str, Any]:
    def names() -> Any:
        import twisted  # noqa: F401

        from txcouchbase.connection import TxAsyncConnection

        return TxAsyncConnection

    cls = _import("txcouchbase.connection.TxAsyncConnection", names)

    def wire(res: Any, ok: Callable[[Any], None], fail: Callable[..., None]) -> None:
        res.callback = ok
        res.errback = fail

    def issue_for(cb: Any, method: str) -> Callable[..., None]:
        call = getattr(cb, method)
        return lambda k, ok, fail: wire(call(k), ok, fail)

    def upsert_for(cb: Any, doc: Any) -> Callable[..., None]:
        return lambda k, ok, fail: wire(cb.upsert(k, doc), ok, fail)

    def connect() -> Any:
        cb = cls(**_conn_kwargs(cfg))
        d = cb.connect()
        return d.addCallback(lambda _: cb)

    return _twisted_measure(cfg, connect, issue_for, upsert_for, lambda r: r.value,
                            "TxAsyncConnection.get -> AsyncResult.callback/.errback")


RUNNERS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "asyncio-ours": run_asyncio_ours,
    "asyncio-official": run_asyncio_official,
    "twisted-deferred": run_twisted_deferred,
    "twisted-raw": run_twisted_raw,
    "asyncio-ours-memory": run_asyncio_ours_memory,
    "asyncio-official-memory": run_asyncio_official_memory,
}


def main() -> int:
    cfg = json.loads(sys.argv[1])
    try:
        result = RUNNERS[cfg["client"]](cfg)
    except Unavailable as exc:
        result = {"unavailable": str(exc)}
    except Exception as exc:
        result = {"error": f"{type(exc).__name__}: {exc}",
                  "traceback": traceback.format_exc(limit=8)}
    sys.stdout.write(RESULT_MARK + json.dumps(result) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
