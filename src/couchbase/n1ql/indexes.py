"""N1QL index management as flows of N1QL statements (for ``BucketManager``).

Every operation is a statement (``CREATE [PRIMARY] INDEX``, ``DROP INDEX``,
``BUILD INDEX``, ``SELECT ... FROM system:indexes``) run through the query
service, so they work on any front end that drives HTTP flows.
"""

from __future__ import annotations

import re
import time
from typing import Any, Callable, Generator, Iterable, Optional

from .._core.commands import Endpoint, Sleep
from ..exceptions import (
    ArgumentError,
    N1QLIndexExistsError,
    N1QLIndexNotFoundError,
)
from ..exceptions import TimeoutError as CBTimeoutError
from .flow import statement_flow

Flow = Generator[Any, Any, Any]
Endpoints = Callable[[], Endpoint]

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
PRIMARY_NAME = "#primary"


def quote_name(name: str) -> str:
    """``name`` as a N1QL identifier: in backticks, inner backticks doubled."""
    return "`" + name.replace("`", "``") + "`"


def index_key(field: str) -> str:
    """A field name in backticks; anything else is an expression, sent as it is."""
    if not isinstance(field, str) or not field.strip():
        raise ArgumentError(f"an index field must be a non-empty string, not {field!r}",
                            objextra=field)
    return quote_name(field) if _IDENTIFIER.match(field) else field


class N1qlIndex:
    """One index, as ``system:indexes`` describes it."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw
        self.name: str = raw.get("name", "")
        self.primary: bool = bool(raw.get("is_primary", False))
        self.keyspace: str = raw.get("keyspace_id", "")
        self.bucket: str = raw.get("bucket_id") or self.keyspace
        self.scope: Optional[str] = raw.get("scope_id")
        self.namespace: str = raw.get("namespace_id", "default")
        self.state: str = raw.get("state", "")
        self.type: str = raw.get("using", "gsi")
        self.condition: Optional[str] = raw.get("condition")
        self.fields: list[str] = list(raw.get("index_key") or [])

    def __repr__(self) -> str:
        return (f"N1qlIndex(name={self.name!r}, keyspace={self.keyspace!r}, "
                f"primary={self.primary}, state={self.state!r}, fields={self.fields!r})")


def create_flow(endpoint: Endpoint, bucket: str, name: Optional[str], fields: Iterable[str],
                primary: bool, ignore_exists: bool, defer: bool,
                condition: Optional[str]) -> Flow:
    keyspace = quote_name(bucket)
    if primary:
        if fields:
            raise ArgumentError("a primary index has no fields", objextra=fields)
        named = f" {quote_name(name)}" if name and name != PRIMARY_NAME else ""
        statement = f"CREATE PRIMARY INDEX{named} ON {keyspace}"
    else:
        if not name:
            raise ArgumentError("a secondary index needs a name")
        if isinstance(fields, str):
            fields = [fields]
        keys = [index_key(f) for f in fields or ()]
        if not keys:
            raise ArgumentError("a secondary index needs at least one field")
        statement = f"CREATE INDEX {quote_name(name)} ON {keyspace}({', '.join(keys)})"
        if condition:
            statement += f" WHERE {condition}"
    if defer:
        statement += ' WITH {"defer_build": true}'
    try:
        yield from statement_flow(endpoint, statement)
    except N1QLIndexExistsError:
        if not ignore_exists:
            raise


def drop_flow(endpoint: Endpoint, bucket: str, name: Optional[str], primary: bool,
              ignore_missing: bool) -> Flow:
    keyspace = quote_name(bucket)
    if primary and (not name or name == PRIMARY_NAME):
        statement = f"DROP PRIMARY INDEX ON {keyspace}"
    else:
        if not name:
            raise ArgumentError("which index to drop: a name is needed")
        statement = f"DROP INDEX {keyspace}.{quote_name(name)}"
    try:
        yield from statement_flow(endpoint, statement)
    except N1QLIndexNotFoundError:
        if not ignore_missing:
            raise


def list_flow(endpoint: Endpoint, bucket: str, other_buckets: bool = False) -> Flow:
    """The indexes of ``bucket`` (of every bucket with ``other_buckets``), by name."""
    statement = "SELECT idx.* FROM system:indexes AS idx"
    args: tuple[Any, ...] = ()
    if not other_buckets:
        statement += (" WHERE (keyspace_id = $1 AND bucket_id IS MISSING)"
                      " OR bucket_id = $1")
        args = (bucket,)
    statement += " ORDER BY is_primary DESC, name"
    rows = yield from statement_flow(endpoint, statement, *args)
    return [N1qlIndex(row) for row in rows if isinstance(row, dict)]


def build_deferred_flow(endpoint: Endpoint, bucket: str, other_buckets: bool = False) -> Flow:
    """BUILD INDEX for every deferred index -> the names of those being built."""
    indexes = yield from list_flow(endpoint, bucket, other_buckets)
    pending: dict[str, list[str]] = {}
    for ix in indexes:
        if ix.state in ("deferred", "pending") and ix.scope in (None, "_default"):
            pending.setdefault(ix.bucket, []).append(ix.name)
    for keyspace, names in pending.items():
        yield from statement_flow(
            endpoint, f"BUILD INDEX ON {quote_name(keyspace)}"
                      f"({', '.join(quote_name(n) for n in names)})")
    return [name for names in pending.values() for name in names]


def watch_flow(endpoint: Endpoint, bucket: str, names: Iterable[Any], timeout: float,
               interval: float, watch_primary: bool) -> Flow:
    """Poll until every index in ``names`` is online -> their N1qlIndex."""
    wanted = {n.name if isinstance(n, N1qlIndex) else str(n) for n in names}
    if watch_primary:
        wanted.add(PRIMARY_NAME)
    deadline = time.monotonic() + timeout
    while True:
        indexes = yield from list_flow(endpoint, bucket)
        by_name = {ix.name: ix for ix in indexes}
        if watch_primary and PRIMARY_NAME not in by_name:
            primaries = [ix for ix in indexes if ix.primary]
            if primaries:
                by_name[PRIMARY_NAME] = primaries[0]
        missing = sorted(n for n in wanted if n not in by_name)
        if missing:
            raise N1QLIndexNotFoundError(f"no such index on {bucket!r}: {', '.join(missing)}",
                                         errors=[])
        waiting = sorted(n for n in wanted if by_name[n].state != "online")
        if not waiting:
            return [by_name[n] for n in sorted(wanted)]
        left = deadline - time.monotonic()
        if left <= 0:
            raise CBTimeoutError(f"indexes {', '.join(waiting)} of {bucket!r} not online "
                                 f"after {timeout}s")
        yield Sleep(min(interval, left))
