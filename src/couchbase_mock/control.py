"""The control API of Couchbase's Java mock (CouchbaseMock), on this cluster.

Test suites written against CouchbaseMock drive it with commands such as
``GET /mock/failover?idx=1&bucket=default`` on the REST port, or as JSON lines
``{"command": "FAILOVER", "payload": {"idx": 1}}`` over its "harakiri"
connection. Both come here: :func:`run_command` takes the command name (any
case, spaces as underscores) and the payload, and returns CouchbaseMock's
reply shape, ``{"status": "ok", "payload": ...}`` or ``{"status": "fail",
"error": "..."}``. Everything runs on the mock's event loop.

Commands: FAILOVER, RESPAWN, HICCUP, TRUNCATE, OPFAIL, TIME_TRAVEL, SET_CCCP,
GET_MCPORTS, KEYINFO, PERSIST, UNPERSIST, CACHE, UNCACHE, ENDURE, PURGE,
REGEN_VBCOORDS, MOCKINFO, HELP. Unlike CouchbaseMock, FAILOVER loses no
acknowledged write (replicas are promoted with their data) and RESPAWN
rebalances the node back in with a real data move. The commands that steer
CouchbaseMock's own test hooks (command logs, retry verification, enhanced
errors, query error states) answer ``fail``.
"""

from __future__ import annotations

import asyncio
import json
import secrets
from typing import TYPE_CHECKING, Any, Awaitable, Callable, Optional, Union

from . import keyops, topology

if TYPE_CHECKING:  # pragma: no cover
    from .cluster import Cluster

Payload = dict[str, Any]
Reply = dict[str, Any]
Handler = Callable[["Cluster", Payload], Union[Any, Awaitable[Any]]]


class CommandError(Exception):
    """A command that cannot run: its message is the reply's ``error``."""


def parse_query_payload(params: dict[str, str]) -> Payload:
    """HTTP query parameters as a payload: each value is JSON if it parses
    (numbers, booleans, arrays), else the string itself."""
    payload: Payload = {}
    for name, text in params.items():
        try:
            payload[name] = json.loads(text)
        except ValueError:
            payload[name] = text
    return payload


def _get(payload: Payload, name: str, default: Any = None, required: bool = False) -> Any:
    """A payload field by case-insensitive name (CouchbaseMock mixes cases)."""
    for key, value in payload.items():
        if key.lower() == name.lower():
            return value
    if required:
        raise CommandError(f"missing required field {name!r}")
    return default


def _int(payload: Payload, name: str, default: Optional[int] = None) -> int:
    value = _get(payload, name, default, required=default is None)
    try:
        return int(value)
    except (TypeError, ValueError):
        raise CommandError(f"{name!r} must be a number, not {value!r}") from None


def _servers(cluster: Cluster, payload: Payload) -> list[int]:
    """The ``servers`` field (indices into the config's node list), or all."""
    members = cluster.members
    chosen = _get(payload, "servers")
    if chosen is None:
        return [n.index for n in members]
    if isinstance(chosen, int):
        chosen = [chosen]
    try:
        return [members[int(i)].index for i in chosen]
    except (IndexError, TypeError, ValueError):
        raise CommandError(f"no such server in {chosen!r}") from None


def _node(cluster: Cluster, payload: Payload) -> int:
    """The ``idx`` field: a server index in the config's node list."""
    idx = _int(payload, "idx")
    members = cluster.members
    if not 0 <= idx < len(members):
        raise CommandError(f"there is no server {idx}")
    return members[idx].index


# -- the commands ---------------------------------------------------------------


def _failover(cluster: Cluster, payload: Payload) -> None:
    topology.failover(cluster, _node(cluster, payload), _get(payload, "bucket"))


async def _respawn(cluster: Cluster, payload: Payload) -> None:
    topology.recover(cluster, _node(cluster, payload))
    for _ in topology.rebalance_steps(cluster):
        await asyncio.sleep(0)


def _hiccup(cluster: Cluster, payload: Payload) -> None:
    msecs, offset = _int(payload, "msecs"), _int(payload, "offset")
    if msecs < 0 or offset < 0:
        raise CommandError("msecs and offset must not be negative")
    for node in _servers(cluster, payload):
        faults = cluster.faults[node]
        faults.hiccup_ms, faults.hiccup_offset = msecs, offset
        faults.refresh()


def _sync_write_delay(cluster: Cluster, payload: Payload) -> None:
    """Replicas acknowledge durable writes ``msecs`` late (negative: never; 0: off)."""
    msecs = _int(payload, "msecs")
    for node in _servers(cluster, payload):
        cluster.faults[node].sync_write_ms = msecs


def _truncate(cluster: Cluster, payload: Payload) -> None:
    limit = _int(payload, "limit")
    if limit < 0:
        raise CommandError("limit must not be negative")
    for node in _servers(cluster, payload):
        cluster.faults[node].truncate = limit
        cluster.faults[node].refresh()


def _opfail(cluster: Cluster, payload: Payload) -> None:
    code, count = _int(payload, "code"), _int(payload, "count")
    if not 0 <= code <= 0xFFFF:
        raise CommandError(f"{code} is not a status code")
    for node in _servers(cluster, payload):
        faults = cluster.faults[node]
        faults.opfail_code, faults.opfail_left = code, count
        faults.refresh()


def _time_travel(cluster: Cluster, payload: Payload) -> None:
    cluster.clock.advance(_int(payload, "offset"))


def _set_cccp(cluster: Cluster, payload: Payload) -> None:
    enabled = _get(payload, "enabled", required=True)
    if not isinstance(enabled, bool):
        raise CommandError("'enabled' must be true or false")
    bucket = _get(payload, "bucket") or None
    for node in _servers(cluster, payload):
        faults = cluster.faults[node]
        if enabled:
            faults.cccp_off.discard(bucket)
            if bucket is None:
                faults.cccp_off.clear()
        else:
            faults.cccp_off.add(bucket)
        faults.refresh()


def _get_mcports(cluster: Cluster, payload: Payload) -> list[int]:
    return [n.kv_port for n in cluster.members]


def _regen_vbcoords(cluster: Cluster, payload: Payload) -> None:
    """New vbucket uuids everywhere (as after a failover on every vbucket)."""
    for bucket in cluster.buckets.values():
        for vb in range(bucket.num_vbuckets):
            uuid = secrets.randbits(48)
            for store in bucket.stores:
                store.vbuckets[vb].uuid = uuid
    cluster.bump()


def _mockinfo(cluster: Cluster, payload: Payload) -> dict[str, Any]:
    return {"implementation": "couchbase_mock", "nodes": len(cluster.members),
            "buckets": sorted(cluster.buckets), "memory_only": cluster.memory_only}


def _help(cluster: Cluster, payload: Payload) -> list[str]:
    return sorted(COMMANDS)


COMMANDS: dict[str, Handler] = {
    "FAILOVER": _failover,
    "RESPAWN": _respawn,
    "HICCUP": _hiccup,
    "TRUNCATE": _truncate,
    "SYNC_WRITE_DELAY": _sync_write_delay,
    "OPFAIL": _opfail,
    "TIME_TRAVEL": _time_travel,
    "SET_CCCP": _set_cccp,
    "GET_MCPORTS": _get_mcports,
    "REGEN_VBCOORDS": _regen_vbcoords,
    "MOCKINFO": _mockinfo,
    "HELP": _help,
    "KEYINFO": lambda c, p: keyops.keyinfo(c, _key_args(p)),
    **{name: (lambda op: lambda c, p: keyops.apply(c, op, _key_args(p)))(name.lower())
       for name in ("PERSIST", "UNPERSIST", "CACHE", "UNCACHE", "ENDURE", "PURGE")},
}
UNSUPPORTED = frozenset({
    "START_CMDLOG", "STOP_CMDLOG", "GET_CMDLOG", "START_RETRY_VERIFY", "CHECK_RETRY_VERIFY",
    "SET_ENHANCED_ERRORS", "SET_QUERY_ERROR_STATE", "RESET_QUERYSTATE",
})


def _key_args(payload: Payload) -> keyops.KeyArgs:
    key = _get(payload, "key", required=True)
    if not isinstance(key, str):
        key = json.dumps(key)
    cas = _get(payload, "cas")
    value = _get(payload, "value", "")
    return keyops.KeyArgs(
        key=key.encode(),
        bucket=str(_get(payload, "bucket", "default")),
        on_master=bool(_get(payload, "onmaster", False)),
        on_replicas=_get(payload, "onreplicas", 0),
        cas=None if cas is None else int(cas),
        value=value if isinstance(value, str) else json.dumps(value),
    )


async def run_command(cluster: Cluster, command: str, payload: Payload) -> Reply:
    """Run one command; never raises for a bad command or payload."""
    name = command.replace(" ", "_").upper()
    handler = COMMANDS.get(name)
    if handler is None:
        why = "not supported by couchbase_mock" if name in UNSUPPORTED else "No such command"
        return {"status": "fail", "error": why}
    try:
        result = handler(cluster, payload)
        if asyncio.iscoroutine(result):
            result = await result
    except (CommandError, keyops.KeyOpError, ValueError, KeyError) as exc:
        return {"status": "fail", "error": str(exc) or type(exc).__name__}
    return {"status": "ok", "payload": {} if result is None else result}
