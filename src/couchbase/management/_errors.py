"""What a management call raises: the server's refusal as the 4.x exception of its meaning.

The REST services say what went wrong in their status and text ("Bucket with
given name already exists", "Unknown user.", "index not found"...); one
table per service turns that into the 4.x class, once, inside the flow, so
every front end raises the same class. Anything the table does not know is
decided by the status alone. Each exception carries a
:class:`~couchbase._errors4x.ManagementErrorContext` (``response_code``,
``path``, ``content``) and the HTTPError as ``inner_cause``.
"""

from __future__ import annotations

import re
from typing import Any, Optional

from .. import _errors4x as x
from ..exceptions import (
    CouchbaseError,
    HTTPError,
    N1QLError,
    N1QLIndexExistsError,
    N1QLIndexNotFoundError,
    N1QLKeyspaceNotFoundError,
)

Table = list[tuple[Optional[int], str, type[x.CouchbaseException]]]

# (status or None for any, pattern in the server's text, class), first match wins
_TABLES: dict[str, Table] = {
    "bucket": [
        (None, r"already exists|still exists", x.BucketAlreadyExistsException),
        (None, r"flush is disabled", x.BucketNotFlushableException),
        # as the official SDK 4.x: only the server's generic 404 text means "does not
        # exist"; another 404 ("The bucket to be deleted was not found.") is not found
        (404, r"requested resource not found", x.BucketDoesNotExistException),
        (404, r"", x.BucketNotFoundException),
    ],
    "collection": [
        (None, r"collection with (the )?name .* already exists",
         x.CollectionAlreadyExistsException),
        (None, r"scope with (the )?name .* already exists", x.ScopeAlreadyExistsException),
        (None, r"collection with (the )?name .* not found", x.CollectionNotFoundException),
        (None, r"scope with (the )?name .* not found", x.ScopeNotFoundException),
        (404, r"requested resource not found|bucket", x.BucketNotFoundException),
        (None, r"not allowed on this (type of )?bucket|not supported",
         x.FeatureUnavailableException),
    ],
    "user": [
        # as the official SDK 4.x: "Unknown user." (reading) is UserNotFoundException;
        # "User was not found." (dropping) stays a plain CouchbaseException
        (404, r"unknown user", x.UserNotFoundException),
        (404, r"group", x.GroupNotFoundException),
    ],
    "group": [(404, r"", x.GroupNotFoundException)],
    "view": [(404, r"", x.DesignDocumentNotFoundException)],
    "search": [
        (None, r"index not found", x.SearchIndexNotFoundException),
    ],
}
_BY_STATUS: dict[int, type[x.CouchbaseException]] = {
    400: x.InvalidArgumentException, 401: x.AuthenticationException,
    403: x.AuthenticationException}


def _body(error: HTTPError) -> Any:
    return getattr(error.objextra, "value", error.objextra)


def translate(error: HTTPError, service: str) -> x.CouchbaseException:
    """The 4.x exception for ``error``, a refusal from ``service``'s REST API."""
    status = getattr(error, "status", None)
    status = status if isinstance(status, int) else 0
    body = _body(error)
    text = (error.message if body is None else repr(body)).lower()  # the server's words
    cls: Optional[type[x.CouchbaseException]] = None
    for want, pattern, candidate in _TABLES.get(service, ()):
        if (want is None or want == status) and re.search(pattern, text):
            cls = candidate
            break
    if cls is None:
        cls = _BY_STATUS.get(status) or (
            x.InternalServerFailureException if status >= 500 else x.CouchbaseException)
    context = x.ManagementErrorContext(response_code=status,
                                       path=getattr(error.objextra, "path", None),
                                       content=body)
    return cls(message=error.message, context=context, inner_cause=error)


_N1QL: tuple[tuple[type[N1QLError], type[x.CouchbaseException]], ...] = (
    (N1QLIndexExistsError, x.QueryIndexAlreadyExistsException),
    (N1QLIndexNotFoundError, x.QueryIndexNotFoundException),
    (N1QLKeyspaceNotFoundError, x.KeyspaceNotFoundException),
)


def translate_any(error: CouchbaseError, service: str) -> BaseException:
    """The 4.x exception for any 2.x error a management flow raised."""
    if isinstance(error, x.CouchbaseException):
        return error
    if isinstance(error, N1QLError):
        for old, new in _N1QL:
            if isinstance(error, old):
                context = x.QueryErrorContext(first_error_code=error.code,
                                              first_error_message=error.msg)
                return new(message=error.message, context=context, inner_cause=error)
    elif isinstance(error, HTTPError):
        return translate(error, service)
    return x.to_4x(error)


def invalid_argument(message: str) -> x.InvalidArgumentException:
    return x.InvalidArgumentException(message=message)


def named(cls: type[x.CouchbaseException], message: str) -> x.CouchbaseException:
    return cls(message=message)
