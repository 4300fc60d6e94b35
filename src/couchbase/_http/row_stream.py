"""A service response streamed as rows: the flow N1QL, search and analytics share.

:func:`row_stream_flow` POSTs a JSON body to a service and passes the rows of
the response's array member (``results``, ``hits``) on as they arrive; the
rest of the response comes back as its ``meta``. Each service reads that meta
its own way (which errors it holds, what the rows are called).
"""

from __future__ import annotations

import json
from typing import Any, Callable, Generator, Optional, TypeVar

from .._core.commands import RECEIVE, Connect, Emit, Endpoint
from .._core.http import HttpExchange
from .._core.http_rows import RowParseError, RowParser
from ..exceptions import ArgumentError, CouchbaseError, ProtocolError
from .flows import _ERROR_BODY_LIMIT, http_error

Flow = Generator[Any, Any, Any]
E = TypeVar("E", bound=CouchbaseError)


def encode_json(body: dict[str, Any], what: str) -> bytes:
    """``body`` as UTF-8 JSON; ArgumentError (``what`` parameters...) if it is not JSON."""
    try:
        return json.dumps(body, ensure_ascii=False, allow_nan=False).encode("utf-8")
    except (TypeError, ValueError) as exc:
        raise ArgumentError(f"{what} parameters must be JSON-encodable: {exc}",
                            objextra=body) from None


def row_stream_flow(endpoint: Endpoint, target: str, body: bytes, field: str,
                    on_rows: Callable[[list[Any]], Optional[list[Any]]], what: str,
                    service: str, any_2xx: bool = False, error_json: bool = True) -> Flow:
    """POST ``body`` to ``target``; each batch of rows of the response's ``field``
    array goes to ``on_rows``, and what it returns (unless None) out in an Emit.

    Returns ``(HTTP status, the rest of the response)``. A response that is not
    the service's JSON raises HTTPError (a failed status; ``what`` names the
    request) or ProtocolError ("bad ``service`` response"). ``any_2xx``: every
    2xx status is a success (else only 200). ``error_json``: a failed status can
    still carry the service's JSON (its errors), so it is parsed; else it is
    HTTPError whatever its body.
    """
    ex = HttpExchange("POST", endpoint.host, endpoint.port, target, endpoint.username,
                      endpoint.password, body)
    yield Connect(endpoint, ex.request)
    parser = RowParser(field)
    raw = bytearray()  # the start of a response that is not the service's JSON
    broken: Optional[RowParseError] = None
    while not ex.complete:
        data = yield RECEIVE
        for chunk in ex.feed(data):
            ok = _ok(ex.status, any_2xx)
            if len(raw) < _ERROR_BODY_LIMIT and (not ok or broken is not None):
                raw += chunk
            if broken is not None or not (ok or error_json):
                continue
            try:
                rows = parser.feed(chunk)
            except RowParseError as exc:
                broken = exc
                continue
            if rows:
                out = on_rows(rows)
                if out is not None:
                    yield Emit(out)
    ok = _ok(ex.status, any_2xx)
    if not (ok or error_json):
        raise http_error(ex, bytes(raw), what)
    meta: Optional[dict[str, Any]] = None
    if broken is None:
        try:
            meta = parser.finish()
        except RowParseError as exc:
            broken = exc
    if meta is None or (not ok and "errors" not in meta and "status" not in meta):
        if not ok:
            raise http_error(ex, bytes(raw), what)
        raise ProtocolError(f"bad {service} response: {broken}", inner_cause=broken)
    return ex.status, meta


def service_error(meta: dict[str, Any], status: Optional[int], statement: str,
                  service: str, cls: Callable[[list[Any]], type[E]]) -> E:
    """The exception for a response (``meta``) that reports errors: of the class
    ``cls(errors)`` picks, its message from the first error."""
    errors = meta.get("errors")
    if not isinstance(errors, list):
        errors = [errors] if errors else []
    first = errors[0] if errors and isinstance(errors[0], dict) else {}
    if first:
        message = f"{service} error {first.get('code')}: {first.get('msg')}"
    else:
        message = f"{service} request ended with status {meta.get('status')!r}"
    return cls(errors)(message, errors=errors, status=status,
                       objextra=first or None, statement=statement)


def _ok(status: Optional[int], any_2xx: bool) -> bool:
    if any_2xx:
        return status is not None and 200 <= status < 300
    return status == 200


__all__ = ["encode_json", "row_stream_flow", "service_error"]
