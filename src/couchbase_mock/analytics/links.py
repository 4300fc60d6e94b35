"""``/analytics/link``: the remote links of the analytics service (Server 7.x REST).

- ``GET /analytics/link[/{scope}[/{name}]]`` (``?type=couchbase|s3|azureblob``;
  6.6 form: ``?dataverse=...&name=...``): the links, a JSON list;
- ``POST`` (create), ``PUT`` (replace), ``DELETE`` ``/analytics/link/{scope}/{name}``,
  or ``/analytics/link`` with ``dataverse`` and ``name`` in the form body: the
  link's settings are the other form fields (``type``, ``hostname``,
  ``encryption``, ``username``, ``password``...). ``{scope}`` is the dataverse
  with its parts joined by ``/`` (sent encoded as ``%2F``).

The local cluster keeps the links as settings: nothing ingests through them.
Errors (400): 24034 unknown dataverse, 24055 the link exists, 24006 no such
link, 24000 a bad field.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from .datasets import LOCAL_LINK, AnalyticsState, display
from .errors import AnalyticsError

Reply = tuple[int, Any]
LINK_TYPES = ("couchbase", "s3", "azureblob")
_SECRETS = ("password", "secretAccessKey", "accountKey", "sharedAccessSignature",
            "clientKey", "sessionToken")


def _fail(err: AnalyticsError) -> Reply:
    return err.status, {"errors": [err.json()], "status": "fatal"}


def handle(state: AnalyticsState, method: str, parts: list[str], body: bytes,
           query: str) -> Reply:
    form = dict(parse_qsl(body.decode("utf-8", "replace"))) if body else {}
    args = dict(parse_qsl(query))
    try:
        if method == "GET":
            return 200, _list(state, parts, args)
        if len(parts) == 2:
            dataverse, name = parts
        else:
            dataverse, name = form.pop("dataverse", ""), form.pop("name", "")
        if not dataverse or not name:
            raise AnalyticsError(24000, "Link requests need an analytics scope and a name")
        state.dataverse(dataverse)
        key = (dataverse, name)
        if method == "DELETE":
            if key not in state.links:
                raise _missing(dataverse, name)
            del state.links[key]
            state.changed()
            return 200, {}
        if method not in ("POST", "PUT"):
            return 405, {"errors": [{"code": 1, "msg": f"Method {method} not allowed"}]}
        kind = form.get("type", "")
        if kind not in LINK_TYPES:
            raise AnalyticsError(24000, f"Unknown link type {kind!r}")
        if name == LOCAL_LINK:
            raise AnalyticsError(24000, "The Local link cannot be changed")
        if method == "POST" and key in state.links:
            raise AnalyticsError(24055, f"Link {display(dataverse)}.{name} already exists")
        if method == "PUT":
            if key not in state.links:
                raise _missing(dataverse, name)
            if state.links[key]["type"] != kind:
                raise AnalyticsError(24000, "A link's type cannot be changed")
        state.links[key] = dict(form)
        state.changed()
        return 200, {}
    except AnalyticsError as err:
        return _fail(err)


def _missing(dataverse: str, name: str) -> AnalyticsError:
    return AnalyticsError(24006, f"Link {display(dataverse)}.{name} does not exist")


def _list(state: AnalyticsState, parts: list[str], args: dict[str, str]) -> list[Any]:
    dataverse = parts[0] if parts else args.get("dataverse", "")
    name = parts[1] if len(parts) > 1 else args.get("name", "")
    if dataverse:
        state.dataverse(dataverse)
    out = []
    for (dv, link_name), settings in state.links.items():
        if (dataverse and dv != dataverse) or (name and link_name != name):
            continue
        if args.get("type") and settings.get("type") != args["type"]:
            continue
        shown = {k: ("<redacted sensitive entry>" if k in _SECRETS else v)
                 for k, v in settings.items()}
        out.append({**shown, "name": link_name, "dataverse": dv, "scope": dv})
    if dataverse and name and not out:
        raise _missing(dataverse, name)
    return out


__all__ = ["handle"]
