"""Scopes and collections over REST: ``/pools/default/buckets/<b>/scopes...``.

What the official SDKs' collection manager calls, answered as Couchbase
Server 7.0 does (ns_server ``menelaus_web_collections``)::

    GET    .../scopes                          the manifest JSON
    POST   .../scopes                          name=<scope>
    DELETE .../scopes/<scope>
    POST   .../scopes/<scope>/collections      name=<coll>[&maxTTL=<s>][&history=<bool>]
    PATCH  .../scopes/<scope>/collections/<coll>  [maxTTL=<s>][&history=<bool>] (7.6)
    DELETE .../scopes/<scope>/collections/<coll>

``history`` (history retention) is for magma buckets only; a new collection
of a magma bucket takes the bucket's ``historyRetentionCollectionDefault``.

A change answers 200 ``{"uid": "<new manifest uid, hex>"}``. Form problems
are 400 ``{"errors": {"<field>": "<message>"}}``; refused changes are
``{"errors": {"_": "<message>"}}`` with 400 (exists, ``_default`` scope) or
404 (not found). Clients match those messages ("Scope with name .+ already
exists", "Collection with name .+ is not found", ...), so they are kept
word for word. Answers are ``(status, body)``: a ``str`` body is plain text,
anything else is JSON.
"""

from __future__ import annotations

from typing import Any, Optional
from urllib.parse import parse_qsl

from . import bucket_rest
from .cluster import Cluster
from .manifest import EXISTS, FORBIDDEN, ManifestError
from .names import collection_name_error

Answer = tuple[int, Any]

MAX_TTL = 2**31 - 1  # the server's MC_MAXINT


def handle(
    cluster: Cluster, bucket: str, method: str, parts: list[str], body: bytes, is_admin: bool
) -> Answer:
    """Answer a request for ``.../buckets/<bucket>/scopes/<parts...>``.

    The bucket exists and the user may see it; changes need the administrator.
    """
    b = cluster.buckets[bucket]
    if not parts:
        if method == "GET":
            return 200, b.manifest.to_json()
        if method != "POST":
            return 405, ""
        action = "create_scope"
    elif len(parts) == 1:
        if method != "DELETE":
            return 405, ""
        action = "drop_scope"
    elif parts[1] != "collections" or len(parts) > 3:
        return 404, "Requested resource not found.\r\n"
    elif len(parts) == 2:
        if method != "POST":
            return 405, ""
        action = "create_collection"
    else:
        if method not in ("DELETE", "PATCH"):
            return 405, ""
        action = "drop_collection" if method == "DELETE" else "update_collection"
    if not is_admin:
        return _forbidden(bucket)
    if not b.is_couchbase:
        return 400, "Not allowed on this type of bucket"
    if action == "create_scope":
        return _create_scope(cluster, bucket, body)
    if action == "create_collection":
        return _create_collection(cluster, bucket, parts[0], body)
    if action == "update_collection":
        return _update_collection(cluster, bucket, parts[0], parts[2], body)
    try:
        if action == "drop_scope":
            cluster.drop_scope(bucket, parts[0])
        else:
            cluster.drop_collection(bucket, parts[0], parts[2])
    except ManifestError as exc:
        return _refused(exc, parts[0], parts[2] if len(parts) == 3 else "")
    return _changed(cluster, bucket)


def _create_scope(cluster: Cluster, bucket: str, body: bytes) -> Answer:
    form, errors = _form(body, ("name",))
    name = form.get("name")
    _check_name(name, errors)
    if errors:
        return 400, {"errors": errors}
    assert name is not None
    try:
        cluster.create_scope(bucket, name)
    except ManifestError as exc:
        return _refused(exc, name, "")
    return _changed(cluster, bucket)


def _create_collection(cluster: Cluster, bucket: str, scope: str, body: bytes) -> Answer:
    form, errors = _form(body, ("name", "maxTTL", "history"))
    name = form.get("name")
    _check_name(name, errors)
    max_ttl = _max_ttl(form, errors)
    history = _history(cluster, bucket, form, errors)
    if errors:
        return 400, {"errors": errors}
    assert name is not None
    try:
        coll = cluster.create_collection(bucket, scope, name, max_ttl or 0)
    except ManifestError as exc:
        return _refused(exc, scope, name)
    if history is None:  # the bucket's default (magma buckets keep history by default)
        settings = bucket_rest.settings_of(cluster, cluster.buckets[bucket])
        history = settings.storage_backend == "magma" and settings.history_default
    if history:
        coll.history = True
        cluster.bump()
    return _changed(cluster, bucket)


def _update_collection(cluster: Cluster, bucket: str, scope: str, name: str,
                       body: bytes) -> Answer:
    """``PATCH .../scopes/<scope>/collections/<name>`` (7.6): maxTTL and history."""
    form, errors = _form(body, ("maxTTL", "history"))
    max_ttl = _max_ttl(form, errors)
    history = _history(cluster, bucket, form, errors)
    if errors:
        return 400, {"errors": errors}
    try:
        cluster.buckets[bucket].manifest.update_collection(scope, name, max_ttl, history)
    except ManifestError as exc:
        return _refused(exc, scope, name)
    cluster.bump()
    return _changed(cluster, bucket)


def _max_ttl(form: dict[str, str], errors: dict[str, str]) -> Optional[int]:
    if "maxTTL" not in form:
        return None
    try:
        max_ttl = int(form["maxTTL"])
    except ValueError:
        errors["maxTTL"] = "The value must be an integer"
        return None
    if not 0 <= max_ttl <= MAX_TTL:
        errors["maxTTL"] = f"The value must be in range from 0 to {MAX_TTL}"
    return max_ttl


def _history(cluster: Cluster, bucket: str, form: dict[str, str],
             errors: dict[str, str]) -> Optional[bool]:
    """The ``history`` field (``None``: not given); only magma buckets keep history."""
    raw = form.get("history")
    if raw is None:
        return None
    if raw not in ("true", "false"):
        errors["history"] = "The value must be one of the following: [true,false]"
        return None
    settings = bucket_rest.settings_of(cluster, cluster.buckets[bucket])
    if raw == "true" and settings.storage_backend != "magma":
        errors["history"] = "Not allowed on this type of bucket"
        return None
    return raw == "true"


def _form(body: bytes, known: tuple[str, ...]) -> tuple[dict[str, str], dict[str, str]]:
    """The form fields (first value wins) and an "Unsupported key" error per unknown one."""
    form: dict[str, str] = {}
    for key, value in parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True):
        form.setdefault(key, value)
    errors = {key: "Unsupported key" for key in form if key not in known}
    return form, errors


def _check_name(name: str | None, errors: dict[str, str]) -> None:
    if name is None:
        errors["name"] = "The value must be supplied"
        return
    problem = collection_name_error(name)
    if problem is not None:
        errors["name"] = problem


def _changed(cluster: Cluster, bucket: str) -> Answer:
    return 200, {"uid": format(cluster.buckets[bucket].manifest.uid, "x")}


def _refused(exc: ManifestError, scope: str, collection: str) -> Answer:
    if exc.reason == FORBIDDEN:
        return 400, {"errors": {"_": "Deleting _default scope is not allowed"}}
    if exc.kind == "scope":
        if exc.reason == EXISTS:
            return 400, {"errors": {"_": f'Scope with name "{scope}" already exists'}}
        return 404, {"errors": {"_": f'Scope with name "{scope}" is not found'}}
    where = f'Collection with name "{collection}" in scope "{scope}"'
    if exc.reason == EXISTS:
        return 400, {"errors": {"_": f"{where} already exists"}}
    return 404, {"errors": {"_": f"{where} is not found"}}


def _forbidden(bucket: str) -> Answer:
    return 403, {
        "message": "Forbidden. User needs the following permissions",
        "permissions": [f"cluster.bucket[{bucket}].collections!write"],
    }
