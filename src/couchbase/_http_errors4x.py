"""What the 4.x API raises when a query, search, view or analytics request fails.

The HTTP flows raise the 2.x classes (:class:`~couchbase.exceptions.N1QLError`
and its subclasses by code, :class:`~couchbase.exceptions.HTTPError`...); a
4.x result's flow is wrapped by :func:`translated`, which turns them into the
4.x class of the same meaning, once, inside the flow, so every front end
raises the same class. Each carries its service's error context
(:class:`~couchbase._errors4x.QueryErrorContext` with ``first_error_code``,
``first_error_message``, ``statement``, ``client_context_id``...) and the 2.x
error as ``inner_cause``.

Query codes (the query service's numbering): 3000 parse error; 4000-4999
planning (4040-4090 prepared statements, 4300 an index that exists); 1080
the service's timeout; 12000-12999 and 14000-14999 index access (12004/12016
no such index, 12003 no such keyspace, 12021 no such scope, 12009 a failed
DML write); 13014 and 10000 credentials; any other code internal (5000...).
"""

from __future__ import annotations

from typing import Any, Callable, Generator, Optional

from . import _errors4x as x
from ._core.errors import CoreError
from ._public_errors import to_public
from .exceptions import CouchbaseError, HTTPError, N1QLError

Flow = Generator[Any, Any, Any]
Convert = Callable[[CouchbaseError], BaseException]


def translated(flow: Flow, convert: Convert) -> Flow:
    """``flow``, its 2.x errors (and the core's, such as no node running the
    service) raised as ``convert`` makes them."""
    try:
        return (yield from flow)
    except CouchbaseError as exc:
        raise convert(exc) from None
    except CoreError as exc:
        public = to_public(exc)
        if not isinstance(public, CouchbaseError):
            raise
        raise convert(public) from None


def _query_class(code: Optional[int], msg: str, read_only: bool
                 ) -> type[x.CouchbaseException]:
    text = msg.lower()
    if code is None:
        return x.CouchbaseException
    if code == 3000:
        return x.ParsingFailedException
    if code == 1080:
        return x.UnAmbiguousTimeoutException if read_only else x.AmbiguousTimeoutException
    if code in (4040, 4050, 4060, 4070, 4080, 4090):
        return x.PreparedStatementFailureException
    if code == 4300 or ("index" in text and "already exist" in text):
        return x.QueryIndexAlreadyExistsException
    if code in (12004, 12016) or ("index" in text and "not found" in text):
        return x.QueryIndexNotFoundException
    if 4000 <= code < 5000:
        return x.PlanningFailureException
    if code == 12003:
        return x.KeyspaceNotFoundException
    if code == 12021:
        return x.ScopeNotFoundException
    if code == 12009:
        if "cas mismatch" in text:
            return x.CasMismatchException
        if "duplicate key" in text or "already exists" in text:
            return x.DocumentExistsException
        return x.DmlFailureException
    if 12000 <= code < 13000 or 14000 <= code < 15000:
        return x.IndexFailureException
    if code in (10000, 13014):
        return x.AuthenticationException
    if code in (1191, 1192, 1193, 1194):
        return x.RateLimitedException
    if code in (1050, 1065):
        return x.InvalidArgumentException
    # any other code, as the official SDK 4.x raises it (seen for 1000, a write refused
    # by read_only, and 5010, a missing named parameter)
    return x.InternalServerFailureException


def query_error(exc: CouchbaseError, statement: str = "", client_context_id: str = "",
                read_only: bool = False, analytics: bool = False) -> BaseException:
    """The 4.x exception for a failed query (or, with ``analytics``, analytics request)."""
    if isinstance(exc, x.CouchbaseException):
        return exc
    if not isinstance(exc, N1QLError):
        return _http_or_other(exc, x.AnalyticsErrorContext if analytics
                              else x.QueryErrorContext, statement=statement,
                              client_context_id=client_context_id)
    context_cls = x.AnalyticsErrorContext if analytics else x.QueryErrorContext
    context = context_cls(first_error_code=exc.code, first_error_message=exc.msg,
                          statement=statement, client_context_id=client_context_id,
                          response_code=exc.status, errors=exc.errors)
    if analytics:
        cls = _analytics_class(exc.code)
    else:
        cls = _query_class(exc.code, exc.msg, read_only)
    return _made(cls, exc, context)


def _analytics_class(code: Optional[int]) -> type[x.CouchbaseException]:
    if code == 24000:  # syntax error
        return x.ParsingFailedException
    if code == 21002:
        return x.AmbiguousTimeoutException
    if code in (24044, 24045, 24025):
        return x.DatasetNotFoundException
    if code == 24034:
        return x.DataverseNotFoundException
    if code == 24040:
        return x.DatasetAlreadyExistsException
    if code == 24039:
        return x.DataverseAlreadyExistsException
    if code == 24047:  # analytics index not found / exists (the index manager's calls)
        return x.QueryIndexNotFoundException
    if code == 24048:
        return x.QueryIndexAlreadyExistsException
    if code == 24006:
        return x.AnalyticsLinkNotFoundException
    if code == 24055:
        return x.AnalyticsLinkExistsException
    if code == 20000:
        return x.AuthenticationException
    return x.CouchbaseException


def search_error(exc: CouchbaseError, index_name: str = "", query: Any = None
                 ) -> BaseException:
    """The 4.x exception for a failed search."""
    if isinstance(exc, x.CouchbaseException):
        return exc
    context = x.SearchErrorContext(index_name=index_name, query=query,
                                   response_code=getattr(exc, "status", None),
                                   response_body=getattr(exc, "objextra", None))
    if isinstance(exc, HTTPError):
        text = exc.message.lower()
        status = exc.status if isinstance(exc.status, int) else 0
        # as the official SDK 4.x raises them against the local cluster: an unknown
        # index is QueryIndexNotFoundException, another refusal (400: a query the
        # service cannot parse) InternalServerFailureException
        if "index not found" in text or "no index" in text or status == 404:
            cls: type[x.CouchbaseException] = x.QueryIndexNotFoundException
        elif status == 429 or "rate limit" in text:
            cls = x.RateLimitedException
        elif status in (401, 403):
            cls = x.AuthenticationException
        elif status == 400 or status >= 500:
            cls = x.InternalServerFailureException
        else:
            cls = x.CouchbaseException
        return _made(cls, exc, context)
    return _other(exc, context)


def view_error(exc: CouchbaseError, design: str = "", view: str = "") -> BaseException:
    """The 4.x exception for a failed view query."""
    if isinstance(exc, x.CouchbaseException):
        return exc
    context = x.ViewErrorContext(design_document_name=design, view_name=view,
                                 response_code=getattr(exc, "status", None),
                                 response_body=getattr(exc, "objextra", None))
    if isinstance(exc, HTTPError):
        status = exc.status if isinstance(exc.status, int) else 0
        text = exc.message.lower()
        if status == 404 or "not_found" in text:
            cls: type[x.CouchbaseException] = x.DesignDocumentNotFoundException
        elif status == 400:
            cls = x.InvalidArgumentException
        elif status in (401, 403):
            cls = x.AuthenticationException
        elif status >= 500:
            cls = x.InternalServerFailureException
        else:
            cls = x.CouchbaseException
        return _made(cls, exc, context)
    return _other(exc, context)


def _http_or_other(exc: CouchbaseError, context_cls: type[x.ErrorContext],
                   **fields: Any) -> BaseException:
    context = context_cls(response_code=getattr(exc, "status", None), **fields)
    if isinstance(exc, HTTPError):
        status = exc.status if isinstance(exc.status, int) else 0
        cls: type[x.CouchbaseException] = (
            x.AuthenticationException if status in (401, 403) else
            x.InternalServerFailureException if status >= 500 else x.CouchbaseException)
        return _made(cls, exc, context)
    return _other(exc, context)


def _other(exc: CouchbaseError, context: x.ErrorContext) -> BaseException:
    """Errors that are not the service's answer: no node runs it, a timeout, a
    closed connection (a timeout here is ambiguous: the request may have run)."""
    return x.to_4x(exc, idempotent=False, context=context)


def _made(cls: type[x.CouchbaseException], exc: CouchbaseError,
          context: x.ErrorContext) -> x.CouchbaseException:
    new = cls(message=exc.message, context=context, inner_cause=exc,
              status=getattr(exc, "status", None), objextra=getattr(exc, "objextra", None))
    new.__cause__ = exc
    return new


__all__ = ["query_error", "search_error", "translated", "view_error"]
