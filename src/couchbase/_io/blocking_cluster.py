"""A bucket's connections for the blocking driver (the sync API): the caller's thread
does the I/O and waits.

Policy (routing, the node cache, retries, the bootstrap walk) is the core's
:class:`~couchbase._core.cluster.ClusterBase`; this class moves bytes. It is
also the sync front end's :class:`~couchbase._waiting.BlockingIO`: flows'
commands are answered by its methods. Errors leave it as documented
exceptions (:func:`~couchbase._public_errors.to_public`).
"""

from __future__ import annotations

import time
from typing import Any, Iterable, Optional

from .._core.bootstrap import Session, hello_features
from .._core.cluster import ClusterBase
from .._core.commands import EachNode, Endpoint, NodeProbe
from .._core.errors import ConnectionClosed, CoreError
from .._core.opcode import Opcode
from .._core.packet import GetAnswers, Packet, PacketReader
from .._core.request import Request, encode_gets, encode_many
from .._core.retry import RetryPolicy
from .._core.status import Status
from .._logging import io_log
from .._operation import Answer
from .._public_errors import to_public
from .._settings import Settings
from .._tracing import Abandoned, TimedLink, Tracer, log_not_my_vbucket, log_timeout
from .._waiting import NodeReply, wait_blocking
from ..exceptions import (
    ConnectError,
    CouchbaseError,
    CouchbaseNetworkError,
    NotMyVbucketError,
    ObjectDestroyedError,
    TimeoutError,
)
from .blocking import BlockingHttpLink, BlockingNode, SocketNetwork

_NODE_FAILURES = (CouchbaseNetworkError, ConnectionClosed)
"""Errors that say a node could not be reached or dropped the connection."""
_NOT_MY_VBUCKET = int(Status.NOT_MY_VBUCKET)  # (a plain int compares faster than the enum)
_CONFIG_REQUEST = Request(Opcode.GET_CLUSTER_CONFIG, b"")
# one node's share of a batch: inflight entries (index, request), requests, vbuckets
Lane = tuple[list[tuple[int, Request]], list[Request], list[int]]
_GET = int(Opcode.GET)
# get_many's lists, per key: values, flags, cas, and the answers for the general rules
GetBatch = tuple[list[Any], list[Any], list[Any], list[Optional[Answer]]]
# one node's share of get_many: its batch reader, the reader it replaced, the
# positions of its keys, its first opaque
_GetLane = tuple[GetAnswers, PacketReader, list[int], int]


class BlockingCluster(ClusterBase[BlockingNode]):
    """Connections to every KV node of one bucket, opened lazily after bootstrap."""

    seed_errors = (CoreError, CouchbaseError)

    def __init__(self, settings: Settings, retry: Optional[RetryPolicy] = None,
                 network: Optional[SocketNetwork] = None) -> None:
        super().__init__(settings, time.monotonic, retry)
        self.network = network if network is not None else SocketNetwork()
        self.tracing = settings.tracing  # (the bucket's: changes apply at once)
        self.tracer = Tracer(settings.tracing)  # reports go out with operations, and at close

    # -- bootstrap -------------------------------------------------------
    def connect(self) -> None:
        """Walk the seeds until one gives the cluster map (see :mod:`couchbase._core.walk`)."""
        wait_blocking(self.bootstrap_flow(), self)

    def open_node(self, host: str, port: int, deadline: float) -> Session:
        if self.closed:
            self._refuse_closed()
        node = self._replace((host, port), deadline)
        assert node.session is not None
        return node.session

    def _open(self, host: str, port: int, deadline: float) -> BlockingNode:
        io_log.debug("connecting to %s:%s", host, port)
        node = BlockingNode(host, port, self.network)
        node.abandoned = Abandoned(self.tracer)
        session = node.open(deadline, self.username, self.password, self.bucket, self.tls,
                            hello_features(self.settings.connstr.options))
        node.deflate = self.settings.compression.deflater(session.features)
        self._adopt_config(node, session.config)
        return node

    # -- key-value requests ------------------------------------------------
    def _refuse_closed(self) -> None:
        raise ObjectDestroyedError("this connection is closed")

    def execute(self, req: Request) -> Packet:
        """Send one request and return its response (after NOT_MY_VBUCKET retries)."""
        if self.closed:
            self._refuse_closed()
        started = time.monotonic()
        deadline = started + (req.timeout or self.settings.timeout)
        attempt = 0
        route = self.router.route_index
        refreshed = False
        try:
            while True:
                vb, index = route(req.key, req.replica)
                sent = False
                try:
                    node = self.node_at(index, deadline)
                    opaque = node.inflight.allocate()
                    sent = True
                    node.send(req.encode(vb, opaque, node.collections, node.deflate), deadline)
                    try:
                        pkt = node.wait_for(opaque, deadline)
                    except TimeoutError:
                        self._timed_out(node, opaque, req, started)
                        raise
                except _NODE_FAILURES as exc:
                    # The node may have been failed over (ask another for the map)
                    # or restarted (a new connection): go again, once.
                    if refreshed or not self.retry_on_failure(req.opcode, sent):
                        raise
                    io_log.info("%s; asking another node for the cluster map, then "
                                "sending the request again", exc)
                    self._refresh_config(index, deadline)
                    refreshed = True
                    continue
                if pkt.status != _NOT_MY_VBUCKET:
                    elapsed = time.monotonic() - started
                    if elapsed > self.tracing.kv:  # (infinite when tracing is off)
                        self.tracer.kv_slow(req.opcode, elapsed, node, opaque, pkt)
                    return pkt
                self._not_my_vbucket(pkt, node, deadline, attempt, vb)
                attempt += 1
        except CoreError as exc:
            raise to_public(exc) from None

    def _timed_out(self, node: BlockingNode, opaque: int, req: Request, started: float) -> None:
        """``req`` waited in vain: its answer, if it comes, is an orphan."""
        if node.abandoned is not None:
            node.abandoned.add(opaque, started)
        log_timeout(req.opcode, req.key, node, time.monotonic() - started,
                    self.tracing.redaction)

    def _refresh_config(self, failed_index: int, deadline: float) -> bool:
        """Ask another node for the cluster map after ``failed_index`` failed;
        whether that gave a newer one."""
        try:
            source = self.config_source(self.router.address(failed_index))
            if source is None:
                return False
            node = self.node_at(source, deadline)
            opaque = node.inflight.allocate()
            node.send(_CONFIG_REQUEST.encode(0, opaque, node.collections), deadline)
            pkt = node.wait_for(opaque, deadline)
        except (CoreError, CouchbaseError):
            return False
        return pkt.status == Status.SUCCESS and bool(pkt.value) and \
            self.router.update(pkt.value, node.host)

    def _not_my_vbucket(self, pkt: Packet, node: BlockingNode, deadline: float,
                        attempt: int, vbucket: int = -1) -> None:
        """Take the config a NOT_MY_VBUCKET carries; back off as the retry policy says."""
        new = bool(pkt.value) and self.router.update(pkt.value, node.host)
        log_not_my_vbucket(node, vbucket, new, self.router)
        pause = self.retry.not_my_vbucket(attempt, new, deadline - time.monotonic())
        if pause is None:
            raise TimeoutError("timed out while the cluster map was changing")
        if pause:
            self.network.sleep(pause)

    def execute_multi(self, reqs: Iterable[Request]) -> list[Answer]:
        """Send many requests, one write per node, and collect every response.

        Returns, per request in order, its response packet or the error that
        kept it from completing (network error, timeout).
        """
        if self.closed:
            self._refuse_closed()
        started = time.monotonic()
        todo = list(enumerate(reqs))
        requests = [req for _, req in todo]
        # one deadline for the batch: the longest any of its requests may take
        default = self.settings.timeout
        timeouts = {req.timeout for req in requests}  # (nearly always {None}: the default)
        deadline = started + max([t or default for t in timeouts], default=default)
        results: list[Optional[Answer]] = [None] * len(todo)
        attempt = 0
        refreshed = False
        while todo:
            retry = self._round(todo, results, deadline, started)
            if retry is None:
                if refreshed:
                    break
                refreshed = True
                # Requests whose node could not be reached go again, once, after
                # asking another node for the map (those that never left, or reads).
                again = [(i, requests[i]) for i, _ in todo
                         if isinstance(results[i], _NODE_FAILURES) and
                         self.retry_on_failure(requests[i].opcode,
                                               not isinstance(results[i], ConnectError))]
                if not again:
                    break
                self._refresh_config_any(deadline)
                todo = again
                continue
            entries, (pkt, node) = retry
            try:
                self._not_my_vbucket(pkt, node, deadline, attempt, entries[0][1].vbucket)
            except CouchbaseError as exc:
                for index, _ in entries:
                    results[index] = exc
                break
            attempt += 1
            todo = entries
        return [r if r is not None else NotMyVbucketError("no response") for r in results]

    def get_many(self, keys: list[bytes], cid: int = 0) -> GetBatch:
        """Plain GETs of ``keys`` (encoded; in collection ``cid``, the active
        copies): the common get_multi (2.x and 4.x), without a Request, an inflight entry or a
        Packet per key (:func:`encode_gets` out, :class:`GetAnswers` in).

        Returns ``(values, flags, cas, others)``, per key in order: ``values[i]``
        the value it holds (SUCCESS; with ``flags[i]`` and ``cas[i]``), or None
        and ``others[i]`` is what the general rules make of it: its answer (a
        missing key, any other status) or the error that kept it from one (the
        batch timed out). Keys the rules send again (NOT_MY_VBUCKET, a node that
        could not be reached or dropped the connection, no route) go through
        :meth:`execute_multi`: retries and errors are decided there only.
        """
        if self.closed:
            self._refuse_closed()
        started = time.monotonic()
        deadline = started + self.settings.timeout
        n = len(keys)
        values: list[Any] = [None] * n
        flags: list[Any] = [None] * n
        cas: list[Any] = [None] * n
        others: list[Optional[Answer]] = [None] * n
        again: list[int] = []  # positions of the keys for execute_multi
        routed = self.router.active_many(keys)
        if routed is None:  # (no vbucket map: a memcached bucket)
            again = list(range(n))
        else:
            waiting = self._send_gets(keys, *routed, cid, values, flags, cas, again, deadline)
            try:
                self._read_gets(waiting, keys, cid, others, again, deadline, started)
            finally:  # each connection gets its own reader back (unless it was closed)
                for node, (reader, old, _, _) in waiting.items():
                    if node.reader is reader:
                        node.reader = old
            elapsed = time.monotonic() - started
            if elapsed > self.tracing.kv:  # (infinite when tracing is off)
                for node, (_, _, where, base) in waiting.items():
                    for i, g in enumerate(where):
                        if values[g] is not None:
                            self.tracer.kv_slow(_GET, elapsed, node, base + i)
        if again:  # the general path, within what is left of the batch's time
            reqs = [Request(_GET, keys[g], cid=cid) for g in again]
            left = max(deadline - time.monotonic(), 0.001)
            for req in reqs:
                req.timeout = left
            for g, answer in zip(again, self.execute_multi(reqs)):
                others[g] = answer
        return values, flags, cas, others

    def _send_gets(self, keys: list[bytes], vbuckets: list[int], routes: list[int], cid: int,
                   values: list[Any], flags: list[Any], cas: list[Any], again: list[int],
                   deadline: float) -> dict[BlockingNode, _GetLane]:
        """One buffer and one write per node for :meth:`get_many`; the nodes written
        to, each with its batch reader (in the connection's place), the reader it
        replaced, the positions of its keys and its first opaque."""
        lanes: dict[int, list[int]] = {}  # kv node index -> positions of its keys
        for g, index in enumerate(routes):
            lane = lanes.get(index)
            if lane is None:
                lane = lanes[index] = []
            lane.append(g)
        config = self.router.config
        waiting: dict[BlockingNode, _GetLane] = {}
        for index, where in lanes.items():
            if index < 0 or self.router.config is not config:  # (no route; a newer map)
                again.extend(where)
                continue
            try:
                node = self.node_at(index, deadline)
            except (CoreError, CouchbaseError):
                again.extend(where)  # (execute_multi tries again, or says why not)
                continue
            base = node.inflight.reserve(len(where))
            if base is None or node.has_pending or node in waiting:
                again.extend(where)  # (something else in flight: the general path)
                continue
            try:
                node.send(encode_gets([keys[g] for g in where], [vbuckets[g] for g in where],
                                      base, node.collections, cid), deadline)
            except CouchbaseError:
                again.extend(where)
                continue
            reader = GetAnswers(node.reader, base, where, values, flags, cas)
            waiting[node] = (reader, node.reader, where, base)
            node.reader = reader
        return waiting

    def _read_gets(self, lanes: dict[BlockingNode, _GetLane], keys: list[bytes], cid: int,
                   others: list[Optional[Answer]], again: list[int], deadline: float,
                   started: float) -> None:
        """Read :meth:`get_many`'s answers: the common ones land in its lists
        (:class:`GetAnswers`), the others are matched here."""
        waiting = {node for node, lane in lanes.items() if lane[0].answered < len(lane[2])}
        moved: Optional[tuple[Packet, BlockingNode]] = None
        nmvb: list[int] = []  # positions answered NOT_MY_VBUCKET
        while waiting:
            try:
                ready = self.network.wait_readable(list(waiting), deadline)
            except TimeoutError as exc:
                for node in waiting:
                    reader, _, where, base = lanes[node]
                    for i, g in enumerate(where):
                        if reader.values[g] is None and others[g] is None:
                            others[g] = exc
                            self._timed_out(node, base + i, Request(_GET, keys[g], cid=cid),
                                            started)
                break
            for node in ready:
                reader, _, where, base = lanes[node]
                try:
                    packets = node.receive(deadline)
                except (CoreError, CouchbaseError) as exc:
                    # The connection is gone: its unanswered keys go the general way
                    # (a new connection, or another node's map, once).
                    for g in where:
                        if reader.values[g] is None and others[g] is None:
                            others[g] = to_public(exc)
                            again.append(g)
                    waiting.discard(node)
                    continue
                count = len(where)
                for pkt in packets:
                    i = pkt.opaque - base
                    g = where[i] if 0 <= i < count else -1
                    if g < 0 or others[g] is not None or reader.values[g] is not None:
                        node.unmatched(pkt)  # (the answer to an abandoned request)
                        continue
                    others[g] = pkt
                    reader.answered += 1
                    if pkt.status == _NOT_MY_VBUCKET:
                        nmvb.append(g)
                        moved = (pkt, node)
                if reader.answered >= count:
                    waiting.discard(node)
        if moved is not None:  # take the map it carries, pause as the retry policy says
            try:
                self._not_my_vbucket(moved[0], moved[1], deadline, 0)
            except CouchbaseError as exc:
                for g in nmvb:
                    others[g] = exc
                return
            again.extend(nmvb)

    def _refresh_config_any(self, deadline: float) -> bool:
        """:meth:`_refresh_config` from any node that still answers."""
        return any(self._refresh_config(i, deadline)
                   for i in range(len(self.router.addresses())))

    def _round(self, todo: list[tuple[int, Request]], results: list[Optional[Answer]],
               deadline: float, started: float) -> Optional[tuple[list[tuple[int, Request]],
                                                  tuple[Packet, BlockingNode]]]:
        """Send ``todo`` and read every answer; the requests to send again (NOT_MY_VBUCKET)."""
        unreachable: dict[int, BaseException] = {}  # kv node -> why it could not be opened
        # kv node index -> (its connection, its batch): looked up once per node, not per key
        lanes: dict[int, tuple[BlockingNode, Lane]] = {}
        batches: dict[BlockingNode, Lane] = {}
        router = self.router
        config = router.config
        reqs = [req for _, req in todo]
        vbuckets, routes = router.route_many(reqs)  # vbucket, node index: in one loop
        for pos, entry in enumerate(todo):
            index, req = entry
            node_index = routes[pos]
            if not isinstance(node_index, int):  # (NoRoute)
                results[index] = to_public(node_index)
                continue
            lane = lanes.get(node_index)
            if lane is None:
                failed = unreachable.get(node_index)
                if failed is not None:  # one attempt per node and batch, not one per key
                    results[index] = failed
                    continue
                try:
                    node = self.node_at(node_index, deadline)
                except (CoreError, CouchbaseError) as exc:
                    results[index] = unreachable[node_index] = to_public(exc)
                    continue
                if router.config is not config:  # opening it brought a newer map:
                    lanes.clear()  # node indexes now mean other nodes: route the rest again
                    config = router.config
                    vbuckets[pos + 1:], routes[pos + 1:] = router.route_many(reqs[pos + 1:])
                lane = lanes[node_index] = (node, batches.setdefault(node, ([], [], [])))
            entries, lane_reqs, vbs = lane[1]
            entries.append(entry)  # (the inflight entry: index and request)
            lane_reqs.append(req)
            vbs.append(vbuckets[pos])
        # each node's requests: opaques for all of them, then one buffer, one write
        waiting: set[BlockingNode] = set()
        for node, (entries, lane_reqs, vbs) in batches.items():
            opaques = node.inflight.put_all(entries)
            try:
                node.send(encode_many(lane_reqs, vbs, opaques, node.collections, node.deflate),
                          deadline)
            except CouchbaseError as exc:
                for index, _ in node.inflight.drain():
                    results[index] = exc
                continue
            waiting.add(node)
        retry: list[tuple[int, Request]] = []
        moved: Optional[tuple[Packet, BlockingNode]] = None
        while waiting:
            try:
                ready = [n for n in waiting if n.has_pending] or \
                    self.network.wait_readable(list(waiting), deadline)
            except TimeoutError as exc:
                for node in waiting:
                    for opaque, (_, req) in list(node.inflight.items()):
                        self._timed_out(node, opaque, req, started)
                    for index, _ in node.inflight.drain():
                        results[index] = exc
                break
            for node in ready:
                try:
                    packets = node.take_pending() or node.receive(deadline)
                except (CoreError, CouchbaseError) as exc:
                    for index, _ in node.inflight.drain():
                        results[index] = to_public(exc)
                    waiting.discard(node)
                    continue
                elapsed = time.monotonic() - started
                slow = elapsed if elapsed > self.tracing.kv else 0.0
                pop = node.inflight.entries.pop  # (the dict's own: no Python call per key)
                for pkt in packets:
                    entry = pop(pkt.opaque, None)
                    if entry is None:
                        node.unmatched(pkt)  # (the answer to an abandoned request)
                        continue
                    if pkt.status == _NOT_MY_VBUCKET:
                        retry.append(entry)
                        moved = (pkt, node)
                    else:
                        results[entry[0]] = pkt
                        if slow:
                            self.tracer.kv_slow(entry[1].opcode, slow, node, pkt.opaque, pkt)
                if not len(node.inflight):
                    waiting.discard(node)
        if retry and moved is not None:
            return retry, moved
        return None

    # -- a probe on every node (STAT, ping) ----------------------------------------
    def each_node(self, command: EachNode) -> NodeReply:
        """Send each KV node its probe's request, then read the answers (so a
        slow node costs its own wait, not the others')."""
        if self.closed:
            self._refuse_closed()
        deadline = time.monotonic() + (command.timeout or self.settings.timeout)
        out: NodeReply = {}
        sent: list[tuple[NodeProbe, BlockingNode, int]] = []
        try:
            for index, address in enumerate(self.router.addresses()):
                made = command.make(f"{address[0]}:{address[1]}")
                if made is None:  # (this node is left out)
                    continue
                probe = out[address] = made
                try:
                    node = self.node_at(index, deadline)
                    opaque = node.inflight.allocate()
                    node.send(probe.request(opaque), deadline)
                    sent.append((probe, node, opaque))
                except (CoreError, CouchbaseError) as exc:
                    if not command.tolerant:
                        raise
                    probe.error = to_public(exc)
            for probe, node, opaque in sent:
                try:
                    while not probe.feed(node.wait_for(opaque, deadline)):
                        pass
                except (CoreError, CouchbaseError) as exc:
                    if not command.tolerant:
                        raise
                    probe.error = to_public(exc)
        except CoreError as exc:
            raise to_public(exc) from None
        return out

    # -- the rest of the flow commands (BlockingIO) ------------------------------------
    def sleep(self, seconds: float) -> None:
        self.network.sleep(seconds)

    def open_http(self, endpoint: Endpoint, data: bytes) -> TimedLink:
        if self.closed:
            self._refuse_closed()
        started = time.monotonic()
        return TimedLink(BlockingHttpLink(self.network, endpoint, data), self.tracer,
                         self.router.config, endpoint, started)

    def close(self) -> None:
        super().close()
        self.tracer.close()  # (what is queued goes out now)

    def __repr__(self) -> str:
        return f"<BlockingCluster bucket={self.bucket!r} nodes={list(self.nodes)}>"
