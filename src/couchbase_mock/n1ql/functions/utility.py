"""FINDERR, FORMALIZE/FORMALISE (metafun.adoc) and CURL (curl.adoc).

The error catalogue is :mod:`..error_catalog`, the statement printer
:mod:`..formalize`, the HTTP client and its access list :mod:`..curl`.
"""

from __future__ import annotations

import time
from typing import Any

from ..errors import N1QLError
from ..values import MISSING, is_number
from . import register, request_of


@register("FINDERR")
def finderr(what: Any) -> Any:
    """The catalogue entries of an error code (a number), or of every error
    whose fields match a string or regular expression (code order)."""
    from ..error_catalog import find

    if what is MISSING:
        return MISSING
    if is_number(what) and type(what) is not bool:
        return find(int(what)) if float(what).is_integer() else []
    if type(what) is str:
        return find(what)
    return None


@register("FORMALIZE", "FORMALISE")
def formalize(statement: Any, context: Any = None) -> Any:
    """``statement`` with every reference fully qualified, keyspaces read in
    ``context`` (a query_context string; NULL or "" for none)."""
    from ..formalize import formalize as printed

    if statement is MISSING or context is MISSING:
        return MISSING
    if type(statement) is not str or (context is not None and type(context) is not str):
        return None
    return printed(statement, context)


@register("CURL", context=True)
def curl(env: dict, url: Any, options: Any = None) -> Any:
    """The JSON an http(s) URL answers (GET, or POST with ``data``), when the
    cluster's CURL access list allows the URL and the user may run CURL()."""
    from ..curl import access_of, request

    if url is MISSING or options is MISSING:
        return MISSING
    if type(url) is not str:
        return None
    ctx = request_of(env)
    _may_curl(ctx)
    if not access_of(ctx.executor).permits(url):
        raise N1QLError(5010, f"Error evaluating CURL() - cause: curl: Access restricted - "
                              f"{url}. The URL is not in the query service's CURL access "
                              "list (queryCurlWhitelist).")
    left = ctx.cancel.remaining()
    deadline = time.monotonic() + left if left is not None else None
    return request(url, options, deadline)


def _may_curl(ctx: Any) -> None:
    """CURL() is for the Full Administrator and users with query_external_access."""
    user = getattr(ctx, "user", None)
    directory = getattr(ctx.executor, "directory", None)
    if not user or directory is None:
        return
    found = directory.user(user) or {}
    roles = {r.get("role") for r in found.get("roles", []) if isinstance(r, dict)}
    if not roles & {"admin", "query_external_access"}:
        raise N1QLError(13014, "User does not have credentials to run queries using the "
                               "CURL() function. Add role query_external_access to allow "
                               "the statement to run.")
