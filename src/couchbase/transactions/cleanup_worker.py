"""The cluster's background transaction cleanup: one loop per ``cluster.transactions``.

``TransactionConfig(cleanup_window=, cleanup_lost_attempts=, cleanup_client_attempts=)``
(the 4.x names; defaults 60 s, True, True):

- *client attempts*: an attempt of this client that ended with its entry or
  staged documents left behind (unstaging or the entry's removal failed) is
  queued and finished by the loop at once;
- *lost attempts*: every cleanup window the loop heartbeats in the client record
  of each metadata collection it knows (the configured one, those its
  transactions used, the default collection of each bucket the cluster opened)
  and scans its share of that collection's 1024 ATRs, spread evenly over the
  window, cleaning the expired entries (:mod:`.cleanup`).

The loop is a flow like the transactions': it runs in a daemon thread (sync
front end), a greenlet (gevent: the cluster belongs to its hub) or a task on
the running loop (asyncio), and stops at ``cluster.close()``, leaving the client
record.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import threading
import time
import uuid
from collections import deque
from typing import Any, Optional

from ..options import timeout_seconds
from .atr import NUM_ATRS, atr_id_for_vbucket
from .cleanup import Resolve, clean_atr, clean_attempt, heartbeat, leave
from .steps import Flow, Pause, run_async, run_blocking

DEFAULT_WINDOW = 60.0
IDLE_PAUSE = 1.0  # seconds between looks when there is nothing to scan
RETRY_PAUSE = 3.0  # after a keyspace's client record could not be written
Keyspace = tuple[str, str, str]
_log = logging.getLogger(__name__)


def _gevent_cluster(cluster: Any) -> bool:
    return type(cluster).__module__.split(".")[0] == "gcouchbase"


class Cleanup:
    """The cleanup of one ``cluster.transactions``; :meth:`track` hears of every attempt."""

    def __init__(self, cluster: Any, config: dict[str, Any], resolve: Resolve,
                 durability: int) -> None:
        window = config.get("cleanup_window")
        self.window = timeout_seconds(window) if window is not None else DEFAULT_WINDOW
        self.lost = config.get("cleanup_lost_attempts") is not False
        self.client = config.get("cleanup_client_attempts") is not False
        self.client_id = str(uuid.uuid4())
        self.cleaned = 0  # entries removed so far
        self._cluster = cluster
        self._resolve = resolve
        self._durability = durability
        self._keyspaces: set[Keyspace] = set()
        self._recorded: set[Keyspace] = set()
        self._queue: deque[tuple[Any, str, str]] = deque()
        self._lock = threading.Lock()
        self._stopped = False
        self._wake: Any = None  # the event the loop waits on
        self._runner: Any = None  # its thread, greenlet or task
        metadata = config.get("metadata_collection")
        if metadata is not None and isinstance(getattr(metadata, "bucket", None), str):
            self._keyspaces.add((metadata.bucket, metadata.scope, metadata.collection))
        elif metadata is not None:
            self._keyspaces.add((metadata.bucket_name, metadata.scope_name, metadata.name))

    @property
    def enabled(self) -> bool:
        return self.lost or self.client

    def track(self, attempt: Any) -> None:
        """After an attempt: note its ATR's collection; queue it if it left work behind."""
        if attempt.atr is None:
            return
        coll, atr_id = attempt.atr
        with self._lock:
            self._keyspaces.add((coll.bucket_name, coll.scope_name, coll.name))
        if self.client and getattr(attempt, "left_behind", False):
            self._queue.append((coll, atr_id, attempt.id))

    # -- the loop ----------------------------------------------------------------------
    def _known(self) -> list[Keyspace]:
        with self._lock:
            known = set(self._keyspaces)
        for name in list(getattr(self._cluster, "_buckets", {})):
            known.add((name, "_default", "_default"))
        return sorted(known)

    def _drain(self) -> Flow:
        while self._queue:
            coll, atr_id, attempt_id = self._queue.popleft()
            try:
                self.cleaned += (yield from clean_attempt(self._resolve, coll, atr_id,
                                                          attempt_id, self._durability))
            except Exception as exc:  # noqa: BLE001 (left for the lost-attempts scan)
                _log.debug("cleanup of attempt %s failed: %s", attempt_id, exc)

    def _plan(self) -> Flow:
        """Heartbeat in each known keyspace; the ATRs this client scans this window."""
        plan: list[tuple[Any, str]] = []
        for where in self._known():
            try:
                coll = self._resolve(*where)
                index, count = yield from heartbeat(coll, self.client_id,
                                                    int(self.window * 1000))
            except Exception as exc:  # noqa: BLE001 (no such bucket yet, a timeout...)
                _log.debug("cleanup: no client record in %s: %s", where, exc)
                continue
            self._recorded.add(where)
            plan.extend((coll, atr_id_for_vbucket(i)) for i in range(index, NUM_ATRS, count))
        return plan

    def loop(self) -> Flow:
        """The cleanup, forever; each Pause is where it may be stopped."""
        while True:
            began = time.monotonic()
            yield from self._drain()
            plan = (yield from self._plan()) if self.lost else []
            if not plan:
                yield Pause(RETRY_PAUSE if self.lost and self._known() else IDLE_PAUSE)
                continue
            for done, (coll, atr_id) in enumerate(plan):
                try:
                    self.cleaned += (yield from clean_atr(self._resolve, coll, atr_id,
                                                          self._durability))
                except Exception as exc:  # noqa: BLE001 (an entry that could not be finished)
                    _log.debug("cleanup of %s failed: %s", atr_id, exc)
                yield from self._drain()
                left = self.window - (time.monotonic() - began)
                yield Pause(max(0.0, left / (len(plan) - done)))

    def _leave_flows(self) -> list[Flow]:
        return [leave(self._resolve(*where), self.client_id) for where in self._recorded]

    # -- sync and gevent ----------------------------------------------------------------
    def start(self) -> None:
        """Start the loop in a daemon thread (a greenlet for a gevent cluster)."""
        if not self.enabled or self._runner is not None:
            return
        if _gevent_cluster(self._cluster):
            import gevent
            import gevent.event

            self._wake = gevent.event.Event()
            self._runner = gevent.spawn(self._drive, self.loop())
        else:
            self._wake = threading.Event()
            self._runner = threading.Thread(target=self._drive, args=(self.loop(),),
                                            name=f"couchbase-txn-cleanup-{self.client_id[:8]}",
                                            daemon=True)
            self._runner.start()

    def _drive(self, flow: Flow) -> None:
        """Like :func:`.steps.run_blocking`, but a Pause waits on the stop event."""
        reply: Any = None
        error: Optional[BaseException] = None
        while not self._stopped:
            try:
                step = flow.throw(error) if error is not None else flow.send(reply)
            except StopIteration:
                return
            except Exception as exc:  # noqa: BLE001 (a bug: log it, do not kill the app)
                _log.warning("transaction cleanup stopped: %s", exc)
                return
            reply, error = None, None
            if isinstance(step, Pause):
                self._wake.wait(step.seconds)
                continue
            try:
                reply = getattr(step.target, step.method)(*step.args, **step.kwargs)
            except Exception as exc:  # noqa: BLE001 (handed to the flow)
                error = exc
        flow.close()

    def stop(self) -> None:
        """Stop the loop (waiting for the step in progress) and leave the client records."""
        runner, self._runner = self._runner, None
        self._stopped = True
        if runner is None:
            return
        self._wake.set()
        if isinstance(runner, threading.Thread):
            if runner is not threading.current_thread():
                runner.join(30)
        else:
            runner.join(30)
        for flow in self._leave_flows():
            try:
                run_blocking(flow)
            except Exception:  # noqa: BLE001 (closing: its record expires anyway)
                pass

    # -- asyncio ---------------------------------------------------------------------------
    def start_async(self) -> None:
        """Start the loop as a task of the running asyncio loop (if there is one)."""
        if not self.enabled or self._runner is not None or self._stopped:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        self._wake = asyncio.Event()
        self._runner = loop.create_task(self._drive_async(self.loop()))

    async def _drive_async(self, flow: Flow) -> None:
        reply: Any = None
        error: Optional[BaseException] = None
        while not self._stopped:
            try:
                step = flow.throw(error) if error is not None else flow.send(reply)
            except StopIteration:
                return
            except Exception as exc:  # noqa: BLE001
                _log.warning("transaction cleanup stopped: %s", exc)
                return
            reply, error = None, None
            if isinstance(step, Pause):
                try:
                    await asyncio.wait_for(self._wake.wait(), step.seconds)
                except asyncio.TimeoutError:
                    pass
                continue
            try:
                reply = getattr(step.target, step.method)(*step.args, **step.kwargs)
                if inspect.isawaitable(reply):
                    reply = await reply
            except Exception as exc:  # noqa: BLE001
                error = exc
        flow.close()

    async def stop_async(self) -> None:
        runner, self._runner = self._runner, None
        self._stopped = True
        if runner is None:
            return
        self._wake.set()
        try:
            await asyncio.wait_for(asyncio.shield(runner), 30)
        except Exception:  # noqa: BLE001
            runner.cancel()
        for flow in self._leave_flows():
            try:
                await run_async(flow)
            except Exception:  # noqa: BLE001
                pass


__all__ = ["Cleanup"]
