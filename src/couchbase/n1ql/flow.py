"""N1QL requests as HTTP flows (see :mod:`couchbase._core.commands`), for every front end.

:func:`query_flow` runs a :class:`~.request.N1QLRequest`, emitting rows as
they arrive; :func:`statement_flow` runs a statement and returns all its rows
(index management). A non-adhoc query is PREPAREd once per bucket object
(the name is cached by statement) and EXECUTEd by name; when the service no
longer knows the name, it is prepared again and the request retried once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Generator, Optional

from .._core.commands import Endpoint
from .._http.row_stream import encode_json, row_stream_flow, service_error
from ..exceptions import N1QLError, N1QLPreparedStatementError, ProtocolError

if TYPE_CHECKING:
    from .request import N1QLRequest

Flow = Generator[Any, Any, Any]

PATH = "/query/service"


def exchange_flow(endpoint: Endpoint, body: dict[str, Any],
                  request: Optional[N1QLRequest] = None) -> Flow:
    """POST ``body``; emit the rows (for ``request``) or collect them.

    Returns ``(rows collected, meta)``; raises N1QLError for a response
    with errors, HTTPError for one that is not a query response at all.
    """
    statement = body.get("statement") or f"EXECUTE {body.get('prepared')}"
    collected: list[Any] = []
    status, meta = yield from row_stream_flow(
        endpoint, PATH, encode_json(body, "query"), "results",
        collected.extend if request is None else request._handle_rows,
        f"N1QL query {statement!r}", "N1QL")
    if request is not None:
        request._finish(meta)
    errors = meta.get("errors")
    if errors or status != 200 or meta.get("status", "success") != "success":
        raise query_error(meta, status, statement)
    return collected, meta


def query_error(meta: dict[str, Any], status: Optional[int], statement: str) -> N1QLError:
    return service_error(meta, status, statement, "N1QL", N1QLError.for_errors)


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
