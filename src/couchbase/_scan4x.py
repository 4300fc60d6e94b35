"""``Collection.scan()`` (SDK 4.x): a flow that scans every vbucket of a collection.

Each round sends the next step of up to ``concurrency`` vbucket scans (create,
then continue until complete; see :mod:`couchbase._core.range_scan`), one write
per node (an :class:`~couchbase._core.commands.EachNode` command whose probes
leave idle nodes out), and emits the documents of the round, in key order per
vbucket. A sampling scan stops once ``limit`` documents came.

Scans the server still holds are cancelled when the flow fails (from the flow)
and when the application abandons the iteration (from :class:`ScanResultIterable`,
since a closed flow can no longer send anything).
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any, AsyncIterator, Iterator, Optional

from ._core.commands import EachNode, Emit
from ._core.compression import inflate
from ._core.feature import Datatype
from ._core.opcode import Opcode
from ._core.range_scan import (
    CONTINUE,
    CREATE,
    DONE,
    MAX_KEY,
    NodeRound,
    ScanRecord,
    ScanSpec,
    Step,
    VbucketScan,
)
from ._core.status import Status
from ._errors4x import (
    FeatureUnavailableException,
    InvalidArgumentException,
    UnAmbiguousTimeoutException,
    kv_error,
    to_4x,
)
from ._kv4x import context
from ._results4x import GetResult, ScanResult
from .exceptions import CouchbaseError
from .kv_range_scan import PrefixScan, RangeScan, SamplingScan
from .options import timeout_seconds

if TYPE_CHECKING:
    from ._bucketbase import Flow

BATCH_ITEM_LIMIT = 50
BATCH_BYTE_LIMIT = 15000
"""A continue's limits unless ScanOptions say otherwise (the 4.x SDK's defaults)."""
MAX_RETRIES = 50
"""Rounds a vbucket may be refused (busy, moved) before the scan gives up."""
_UNSUPPORTED = (Status.NOT_SUPPORTED, Status.UNKNOWN_COMMAND)
_LOST = (Status.NOT_MY_VBUCKET, Status.KEY_ENOENT, Status.RANGE_SCAN_CANCELLED)
"""A continue's statuses that say the server no longer holds the scan: create it
again after the last key received."""


def _spec(scan_type: Any, cid: int, ids_only: bool) -> ScanSpec:
    if isinstance(scan_type, RangeScan):
        start, end = scan_type.start, scan_type.end
        return ScanSpec(cid, ids_only,
                        start.term.encode() if start is not None else b"",
                        start.exclusive if start is not None else False,
                        end.term.encode() if end is not None else MAX_KEY,
                        end.exclusive if end is not None else False)
    if isinstance(scan_type, PrefixScan):
        prefix = scan_type.prefix.encode()
        return ScanSpec(cid, ids_only, prefix, False, prefix + MAX_KEY, True)
    if isinstance(scan_type, SamplingScan):
        seed = scan_type.seed if scan_type.seed is not None else random.getrandbits(32)
        return ScanSpec(cid, ids_only, samples=scan_type.limit, seed=seed)
    raise InvalidArgumentException(
        message=f"scan takes a RangeScan, PrefixScan or SamplingScan, not {scan_type!r}")


def _positive(options: dict[str, Any], name: str, default: int) -> int:
    value = options.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise InvalidArgumentException(message=f"{name} must be a positive int, not {value!r}")
    return value


class ScanRun:
    """One scan: its options, the vbucket scans, and the flow that runs them."""

    def __init__(self, coll: Any, scan_type: Any, options: dict[str, Any]) -> None:
        self.coll = coll
        self.scan_type = scan_type
        self.ids_only = bool(options.get("ids_only"))
        _spec(scan_type, 0, self.ids_only)  # (argument errors now, not when iterated)
        self.concurrency = _positive(options, "concurrency", 1)
        items = _positive(options, "batch_item_limit", BATCH_ITEM_LIMIT)
        size = _positive(options, "batch_byte_limit", BATCH_BYTE_LIMIT)
        time_limit = options.get("batch_time_limit")
        ms = int(timeout_seconds(time_limit) * 1000) if time_limit is not None else 0
        self.limits = (items, ms, size)
        timeout = options.get("timeout")
        self.timeout: Optional[float] = timeout_seconds(timeout) if timeout is not None else None
        self.consistent_with = options.get("consistent_with")
        transcoder = options.get("transcoder")
        self.decode = (transcoder or coll._transcoder).decode_value
        self.spec: Optional[ScanSpec] = None
        self.scans: list[VbucketScan] = []
        self.addresses: list[str] = []

    # -- what is open on the servers ----------------------------------------------------
    def open_scans(self) -> list[VbucketScan]:
        return [s for s in self.scans if s.open]

    def cancel_flow(self) -> Flow:
        """Cancel the scans the servers still hold (errors ignored: they expire anyway)."""
        open_scans = self.open_scans()
        if not open_scans or self.spec is None:
            return None
        rounds = self._rounds(open_scans, cancel=True)
        for scan in open_scans:
            scan.state = DONE
        yield EachNode(rounds.get, tolerant=True, timeout=self.timeout)
        return None

    # -- the scan ---------------------------------------------------------------------
    def _snapshots(self, nvb: int) -> dict[int, dict[str, Any]]:
        state = self.consistent_with
        if state is None:
            return {}
        bucket = self.coll.bucket_name
        ms = int((self.timeout or 2.5) * 1000)
        out: dict[int, dict[str, Any]] = {}
        for token in state:
            if token.bucket_name in (bucket, "") and token.vbucket_id < nvb:
                out[token.vbucket_id] = {"vb_uuid": str(token.vbucket_uuid),
                                         "seqno": token.sequence_number, "timeout_ms": ms}
        return out

    def _rounds(self, scans: list[VbucketScan], cancel: bool = False) -> dict[str, NodeRound]:
        """The scans grouped by the node active for their vbucket."""
        assert self.spec is not None
        router = self.coll._parent._live().router
        vbmap = router.config.vbucket_map
        by_node: dict[str, list[VbucketScan]] = {}
        for scan in scans:
            index = vbmap[scan.vbucket][0] if scan.vbucket < len(vbmap) else -1
            if index < 0:
                raise UnAmbiguousTimeoutException(
                    message=f"no node is active for vbucket {scan.vbucket}",
                    context=context(self.coll, None))
            host, port = router.address(index)
            by_node.setdefault(f"{host}:{port}", []).append(scan)
        return {address: NodeRound(self.spec, group, cancel, self.limits)
                for address, group in by_node.items()}

    def flow(self) -> Flow:
        coll = self.coll
        cid = yield from coll._cid_flow()
        router = coll._parent._live().router
        config = router.config
        vbmap = config.vbucket_map if config is not None else None
        if not vbmap:
            raise FeatureUnavailableException(
                message="range scans need a bucket with vbuckets (not a memcached bucket)",
                context=context(coll, None))
        self.spec = spec = _spec(self.scan_type, cid, self.ids_only)
        snapshots = self._snapshots(len(vbmap))
        self.scans = [VbucketScan(vb, snapshots.get(vb)) for vb in range(len(vbmap))]
        pending = list(reversed(self.scans))  # (popped from the end: vbucket 0 first)
        active: list[VbucketScan] = []
        refusals: dict[int, int] = {}
        left = spec.samples  # a sampling scan's documents still wanted
        try:
            while pending or active:
                while len(active) < self.concurrency and pending:
                    active.append(pending.pop())
                rounds = self._rounds(active)
                yield EachNode(rounds.get, timeout=self.timeout)
                items: list[ScanResult] = []
                for address, node_round in rounds.items():
                    for step in node_round.steps:
                        self._step(step, items, refusals, address)
                active = [s for s in active if s.state != DONE]
                if spec.samples:
                    items = items[:left]
                    left -= len(items)
                if items:
                    yield Emit(items)
                if spec.samples and left <= 0:
                    break
        except GeneratorExit:
            raise  # (abandoned: ScanResultIterable cancels what is open)
        except BaseException as exc:
            if self.open_scans():
                try:
                    yield from self.cancel_flow()
                except Exception:
                    pass
            if isinstance(exc, CouchbaseError):
                raise to_4x(exc, True, context(coll, None)) from None
            raise
        if self.open_scans():
            yield from self.cancel_flow()
        return None

    def _step(self, step: Step, items: list[ScanResult], refusals: dict[int, int],
              address: str) -> None:
        scan, status = step.scan, step.status
        if step.opcode == Opcode.RANGE_SCAN_CREATE:
            if status == Status.SUCCESS:
                scan.scan_id, scan.state = step.value, CONTINUE
                return
            if status == Status.KEY_ENOENT:  # nothing in range on this vbucket
                scan.state = DONE
                return
        elif step.opcode == Opcode.RANGE_SCAN_CONTINUE:
            records = step.records
            if records:
                scan.last_key = records[-1].key
                items.extend(self._item(r) for r in records)
            if status in (Status.SUCCESS, Status.RANGE_SCAN_MORE):
                return
            if status == Status.RANGE_SCAN_COMPLETE:
                scan.state = DONE
                return
            if status in _LOST:
                scan.state = CREATE  # (again, after the last key it returned)
                self._refused(scan, step, refusals, address)
                return
        if status in _UNSUPPORTED:
            raise FeatureUnavailableException(
                message="the server does not support range scans (Couchbase Server 7.6+)",
                context=context(self.coll, None, status_code=status))
        if status in (Status.NOT_MY_VBUCKET, Status.EBUSY, Status.ETMPFAIL):
            self._refused(scan, step, refusals, address)
            return
        scan.state = DONE
        raise kv_error(status, None, context(self.coll, None, status_code=status))

    def _refused(self, scan: VbucketScan, step: Step, refusals: dict[int, int],
                 address: str) -> None:
        """The vbucket goes again next round (moved, busy, or its scan lost)."""
        count = refusals[scan.vbucket] = refusals.get(scan.vbucket, 0) + 1
        if count > MAX_RETRIES:
            raise UnAmbiguousTimeoutException(
                message=f"vbucket {scan.vbucket} kept refusing the scan "
                f"(status 0x{step.status:02x})", context=context(self.coll, None))
        if step.status == Status.NOT_MY_VBUCKET and step.value:
            self.coll._parent._live().router.update(step.value, address.rsplit(":", 1)[0])

    def _item(self, record: ScanRecord) -> ScanResult:
        key = record.key.decode("utf-8", "replace")
        if self.ids_only:
            return ScanResult(key, True)
        value = record.value
        if record.datatype & Datatype.SNAPPY:
            value = inflate(value)
        return ScanResult(key, False, GetResult(key, record.cas, value, record.flags,
                                                self.decode, record.expiry or None))


class ScanResultIterable:
    """The documents of a scan (:class:`~couchbase.result.ScanResult` items), read as
    they are iterated: ``for item in coll.scan(...)`` (``async for`` on asyncio).
    Leaving the loop early cancels the scans the servers still hold."""

    def __init__(self, run: ScanRun) -> None:
        self._run = run
        self._started = False

    def _flow(self) -> Flow:
        if self._started:
            from ._errors4x import AlreadyQueriedException

            raise AlreadyQueriedException(message="this scan was already iterated")
        self._started = True
        return self._run.flow()

    def __iter__(self) -> Iterator[ScanResult]:
        parent = self._run.coll._parent
        rows = parent._rows(self._flow())
        try:
            yield from rows
        except CouchbaseError as exc:
            raise to_4x(exc, True, context(self._run.coll, None)) from None
        finally:
            rows.close()
            self.cancel_scan()

    def rows(self) -> ScanResultIterable:
        """The items (``for`` it, or ``async for`` it on asyncio)."""
        return self

    async def _aiter(self) -> AsyncIterator[ScanResult]:
        parent = self._run.coll._parent
        rows = parent._rows(self._flow())
        try:
            async for item in rows:
                yield item
        except CouchbaseError as exc:
            raise to_4x(exc, True, context(self._run.coll, None)) from None
        finally:
            await rows.aclose()
            if self._run.open_scans():
                try:
                    await parent._drive(self._run.cancel_flow())
                except Exception:
                    pass

    def __aiter__(self) -> AsyncIterator[ScanResult]:
        return self._aiter()

    def cancel_scan(self) -> Any:
        """Cancel the scans the servers still hold (blocking, on the sync API)."""
        run = self._run
        if run.open_scans():
            try:
                return run.coll._parent._drive(run.cancel_flow())
            except Exception:
                pass
        return None


def collect_flow(run: ScanRun) -> Flow:
    """The scan as one result, a list of items (front ends that push rows: Twisted)."""
    flow = run.flow()
    items: list[ScanResult] = []
    reply: Any = None
    error: Optional[BaseException] = None
    while True:
        try:
            command = flow.throw(error) if error is not None else flow.send(reply)
        except StopIteration:
            return items
        except CouchbaseError as exc:
            raise to_4x(exc, True, context(run.coll, None)) from None
        reply = error = None
        if type(command) is Emit:
            items.extend(command.rows)
            continue
        try:
            reply = yield command
        except Exception as exc:
            error = exc


def scan(coll: Any, scan_type: Any, options: dict[str, Any]) -> Any:
    """``coll.scan(...)``: a :class:`ScanResultIterable`, or on a front end that pushes
    rows (Twisted) a Deferred of the list of items."""
    run = ScanRun(coll, scan_type, options)
    parent = coll._parent
    if hasattr(parent, "_push_rows"):
        return parent._drive(collect_flow(run))
    return ScanResultIterable(run)


__all__ = ["ScanResultIterable", "ScanRun", "scan"]
