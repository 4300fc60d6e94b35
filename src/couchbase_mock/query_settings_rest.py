"""Cluster-level query settings over REST, as ns_server answers them: the CURL()
access list (curl.adoc, "Creating an Access List for CURL()").

``GET /settings/querySettings/curlWhitelist`` gives
``{"all_access": ..., "allowed_urls": [...], "disallowed_urls": [...]}``; a POST
of such a JSON object (``all_access`` required, a list left out kept) changes it
and answers the new value; a URL both allowed and disallowed, a wrong type or an
unknown key is 400 ``{"errors": {...}}``. ``GET /settings/querySettings`` holds it
as ``queryCurlWhitelist``, which a form POST there may also set (a JSON text).
Only the Full Administrator reads or changes them.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from .bucket_rest import parse_form
from .n1ql.curl import access_of
from .n1ql_adapter import query_engine_for

if TYPE_CHECKING:  # pragma: no cover
    from .cluster import Cluster


def handle(cluster: Cluster, user: str, method: str, rest: list[str],
           body: bytes) -> tuple[int, Any]:
    """``rest``: the path after ``/settings/querySettings``."""
    if user != cluster.username:
        return 403, {"message": "Forbidden. User needs the following permissions",
                     "permissions": ["cluster.settings!write" if method == "POST"
                                     else "cluster.settings!read"]}
    access = access_of(query_engine_for(cluster))
    if rest not in ([], ["curlWhitelist"]):
        return 404, b"Requested resource not found.\r\n"
    if method not in ("GET", "POST"):
        return 405, {"errors": {"_": f"Method {method} is not allowed"}}
    if method == "POST":
        try:
            if rest:
                doc = json.loads(body.decode("utf-8") or "null")
            else:
                form = parse_form(body)
                if "queryCurlWhitelist" not in form:
                    return 200, {"queryCurlWhitelist": access.to_json()}
                doc = json.loads(form["queryCurlWhitelist"])
            access.update(doc)
            saved = getattr(access, "on_change", None)  # (query_catalog_store)
            if saved is not None:
                saved()
        except ValueError as exc:  # (json.JSONDecodeError and UnicodeDecodeError too)
            return 400, {"errors": {"queryCurlWhitelist" if not rest else "_": str(exc)}}
    if rest:
        return 200, access.to_json()
    return 200, {"queryCurlWhitelist": access.to_json()}
