"""The query service's JavaScript libraries API: ``/evaluator/v1/libraries``.

As the Query Functions REST API describes it (n1ql-rest-functions):

- ``GET /evaluator/v1/libraries``: every library, ``[{name, bucket, scope, code}]``
  (``bucket`` and ``scope`` empty for a global one); with ``?bucket=&scope=``
  those of that scope;
- ``GET /evaluator/v1/libraries/<name>``: ``{"<name>": code}``, 404 if none;
- ``POST /evaluator/v1/libraries/<name>``: create or replace the library; the
  body is the JavaScript code (or that code as a JSON string);
- ``DELETE /evaluator/v1/libraries/<name>``: 404 if none; refused (400) while
  a N1QL function still points at it.

``?bucket=&scope=`` (both or neither: 400) names a scoped library; the scope
must exist (404). The libraries are kept by the cluster's query engine (see
:mod:`.n1ql.statements.js_udf`, which runs them); with a data directory they
are saved there before the answer (:mod:`.query_catalog_store`) and a restart
keeps them.

Who may: any user of the cluster reads global libraries; the bucket's users
read and change a scoped one; only the administrator changes global ones.
"""

from __future__ import annotations

import json
from typing import Any, Iterator, Optional
from urllib.parse import parse_qsl, unquote, urlsplit

from .cluster import Cluster
from .httpserver import credentials
from .n1ql.statements.js_udf import library_key
from .n1ql.statements.udf import registry_of
from .n1ql_adapter import query_engine_for

PREFIX = "/evaluator/v1/libraries"
_JSON = "application/json"

Answer = tuple[int, Iterator[bytes], str]


def owns(path: str) -> bool:
    """Whether ``path`` (decoded, no query string) is this API's."""
    return path == PREFIX or path.startswith(PREFIX + "/")


def _answer(status: int, doc: Any) -> Answer:
    body = b"" if doc is None else json.dumps(doc, indent=1).encode()
    return status, iter([body]), _JSON


def _error(status: int, msg: str) -> Answer:
    return status, iter([msg.encode()]), "text/plain; charset=utf-8"


def _code_of(body: bytes) -> Optional[str]:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    try:
        doc = json.loads(text)
    except ValueError:
        return text
    return doc if isinstance(doc, str) else text


def handle(cluster: Cluster, method: str, target: str,
           headers: list[tuple[bytes, bytes]], body: bytes) -> Answer:
    """Answer one request of this API (on the cluster's loop)."""
    split = urlsplit(target)
    path = unquote(split.path).rstrip("/")
    name = path[len(PREFIX) + 1:] if len(path) > len(PREFIX) else None
    params = dict(parse_qsl(split.query))
    creds = credentials(headers)
    if creds is None or not cluster.check_password(*creds):
        return _error(401, "Unauthorized")
    user = creds[0]
    bucket, scope = params.get("bucket") or None, params.get("scope") or None
    if (bucket is None) != (scope is None):
        return _error(400, "bucket and scope must be given together")
    if bucket is not None:
        known = cluster.buckets.get(bucket)
        if known is None or scope not in known.manifest.scopes:
            return _error(404, f"scope {bucket}.{scope} not found")
        if not cluster.may_access(user, bucket):
            return _error(403, f"no access to scope {bucket}.{scope}")
    if name is not None and (not name or "/" in name):
        return _error(400, f"invalid library name {name!r}")
    registry = registry_of(query_engine_for(cluster))
    if name is None:
        if method != "GET":
            return _error(405, f"Unsupported http method: {method}")
        return _answer(200, [
            {"name": k[2], "bucket": k[0] or "", "scope": k[1] or "", "code": code}
            for k, code in sorted(registry.libraries.items(), key=lambda kv: str(kv[0]))
            if (bucket is None and (k[0] is None or cluster.may_access(user, k[0])))
            or (k[0], k[1]) == (bucket, scope)])
    key = (bucket, scope, name)
    if method == "GET":
        code = registry.libraries.get(key)
        if code is None:
            return _error(404, f"library {name} not found")
        return _answer(200, {name: code})
    if method in ("POST", "PUT"):
        if bucket is None and user != cluster.username:
            return _error(403, "only the administrator may change global libraries")
        code = _code_of(body)
        if code is None or not code.strip():
            return _error(400, "the body must be the library's JavaScript code")
        with registry.lock:
            registry.libraries[key] = code
        registry.changed()
        return _answer(200, None)
    if method == "DELETE":
        if bucket is None and user != cluster.username:
            return _error(403, "only the administrator may change global libraries")
        users = sorted(udf.path() for udf in list(registry.functions.values())
                       if udf.js_library and library_key(udf) == key)
        if users:
            return _error(400, f"library {name} is used by {', '.join(users)}: "
                               "drop those functions first")
        with registry.lock:
            if registry.libraries.pop(key, None) is None:
                return _error(404, f"library {name} not found")
        registry.changed()
        return _answer(200, None)
    return _error(405, f"Unsupported http method: {method}")
