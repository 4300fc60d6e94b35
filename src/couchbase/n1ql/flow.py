"""N1QL requests as HTTP flows (see :mod:`couchbase._core.commands`), for every front end.

:func:`query_flow` runs a :class:`~.request.N1QLRequest`, emitting rows as
they arrive; :func:`statement_flow` runs a statement and returns all its rows
(index management). A non-adhoc query is PREPAREd once per bucket object
(the name is cached by statement) and EXECUTEd by name; when the service no
longer knows the name, it is prepared again and the request retried once.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Generator, Optional

from .._core.commands import RECEIVE, Connect, Emit, Endpoint
from .._core.http import HttpExchange
from .._core.http_rows import RowParseError, RowParser
from .._http.flows import http_error
from ..exceptions import ArgumentError, N1QLError, N1QLPreparedStatementError, ProtocolError

if TYPE_CHECKING:
    from .request import N1QLRequest

Flow = Generator[Any, Any, Any]

PATH = "/query/service"
_ERROR_BODY_LIMIT = 1 << 20


def _encode(body: dict[str, Any]) -> bytes:
    try:
        return json.dumps(body, ensure_ascii=False, allow_nan=False).encode("utf-8")
    except (TypeError, ValueError) as exc:
        raise ArgumentError(f"query parameters must be JSON-encodable: {exc}",
                            objextra=body) from None


def exchange_flow(endpoint: Endpoint, body: dict[str, Any],
                  request: Optional[N1QLRequest] = None) -> Flow:
    """POST ``body``; emit the rows (for ``request``) or collect them.

    Returns ``(rows collected, meta)``; raises N1QLError for a response
    with errors, HTTPError for one that is not a query response at all.
    """
    statement = body.get("statement") or f"EXECUTE {body.get('prepared')}"
    ex = HttpExchange("POST", endpoint.host, endpoint.port, PATH, endpoint.username,
                      endpoint.password, _encode(body))
    yield Connect(endpoint, ex.request)
    parser = RowParser("results")
    collected: list[Any] = []
    raw = bytearray()  # the start of the body, for a response that is not JSON
    broken: Optional[RowParseError] = None
    while not ex.complete:
        data = yield RECEIVE
        for chunk in ex.feed(data):
            if len(raw) < _ERROR_BODY_LIMIT and (ex.status != 200 or broken is not None):
                raw += chunk
            if broken is not None:
                continue
            try:
                rows = parser.feed(chunk)
            except RowParseError as exc:
                broken = exc
                continue
            if not rows:
                continue
            if request is None:
                collected += rows
            else:
                yield Emit(request._handle_rows(rows))
    meta: Optional[dict[str, Any]] = None
    if broken is None:
        try:
            meta = parser.finish()
        except RowParseError as exc:
            broken = exc
    if meta is None or (ex.status != 200 and "errors" not in meta and "status" not in meta):
        if ex.status != 200:
            raise http_error(ex, bytes(raw), f"N1QL query {statement!r}")
        raise ProtocolError(f"bad N1QL response: {broken}", inner_cause=broken)
    if request is not None:
        request._finish(meta)
    errors = meta.get("errors")
    if errors or ex.status != 200 or meta.get("status", "success") != "success":
        raise query_error(meta, ex.status, statement)
    return collected, meta


def query_error(meta: dict[str, Any], status: Optional[int], statement: str) -> N1QLError:
    errors = meta.get("errors")
    if not isinstance(errors, list):
        errors = [errors] if errors else []
    cls = N1QLError.for_errors(errors)
    first = errors[0] if errors and isinstance(errors[0], dict) else {}
    if first:
        message = f"N1QL error {first.get('code')}: {first.get('msg')}"
    else:
        message = f"N1QL request ended with status {meta.get('status')!r}"
    return cls(message, errors=errors, status=status, objextra=first or None,
               statement=statement)


def statement_flow(endpoint: Endpoint, statement: str, *args: Any,
                   **options: Any) -> Flow:
    """Run ``statement`` (positional ``args``, body ``options``) -> its rows."""
    body: dict[str, Any] = {"statement": statement, **options}
    if args:
        body["args"] = list(args)
    rows, _ = yield from exchange_flow(endpoint, body)
    return rows


def query_flow(request: N1QLRequest, endpoint: Endpoint, prepared: dict[str, str],
               enhanced: bool = False) -> Flow:
    """Run ``request``, its rows going out in Emit commands.

    ``prepared`` maps statements to the names the service prepared them as
    (the bucket's cache, shared by its requests). With ``enhanced`` (the
    cluster's n1ql capability enhancedPreparedStatements) the first run
    prepares and executes in one request (``auto_execute``), and the response
    names the prepared statement.
    """
    body = request._body()
    if request.params.adhoc:
        yield from exchange_flow(endpoint, body, request)
        return
    statement = body.pop("statement")
    for attempt in (1, 2):
        name = prepared.get(statement)
        if name is None and enhanced:
            _, meta = yield from exchange_flow(
                endpoint, {**body, "statement": "PREPARE " + statement, "auto_execute": True},
                request)
            if isinstance(meta.get("prepared"), str):
                prepared[statement] = meta["prepared"]
            return
        if name is None:
            rows = yield from statement_flow(endpoint, "PREPARE " + statement,
                                             timeout=body["timeout"])
            name = rows[0].get("name") if rows and isinstance(rows[0], dict) else None
            if not isinstance(name, str):
                raise ProtocolError(f"PREPARE returned no name for {statement!r}",
                                    objextra=rows)
            prepared[statement] = name
        try:
            yield from exchange_flow(endpoint, {**body, "prepared": name}, request)
            return
        except N1QLPreparedStatementError:
            prepared.pop(statement, None)
            if attempt == 2 or request.rows_returned:
                raise
            request._meta = None
