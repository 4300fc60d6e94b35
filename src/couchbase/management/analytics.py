"""Analytics management (SDK 4.x): ``cluster.analytics_indexes()``.

>>> mgr = cluster.analytics_indexes()
>>> mgr.create_dataverse("beers", ignore_if_exists=True)
>>> mgr.create_dataset("ales", "beer-sample", dataverse_name="beers",
...                    condition="`type` = 'beer'")
>>> mgr.create_index("by_name", "ales", {"name": AnalyticsDataType.STRING},
...                  dataverse_name="beers")
>>> mgr.connect_link(dataverse_name="beers")
>>> [d.dataset_name for d in mgr.get_all_datasets()]
['ales']

Dataverses, datasets, indexes and the ``Local`` link are managed with
analytics DDL statements (``CREATE DATAVERSE``, ``CREATE DATASET ... ON``,
``CREATE INDEX``, ``CONNECT LINK``...) and listed from ``Metadata``; pending
mutations come from ``/analytics/node/agg/stats/remaining`` (flattened to
``"dataverse.dataset"`` keys, as the official SDK 4.x returns them) and remote links
from ``/analytics/link``. A dataverse name with a ``/`` names a scope's
dataverse (``"travel-sample/inventory"``). Each call runs on the cluster's
front end: the value on the sync API, an awaitable on acouchbase, a Deferred
on txcouchbase.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Optional
from urllib.parse import quote, urlencode

from .._core.commands import Endpoint
from .._errors4x import ServiceUnavailableException
from .._http.flows import http_error, request_flow
from .._http.management import http_flow
from .._http_errors4x import query_error
from ..analytics.flow import post_flow
from ..exceptions import CouchbaseError
from ._errors import invalid_argument, named
from ._manager import Flow, Manager, check_name
from .options import (
    ConnectLinkOptions,
    CreateAnalyticsIndexOptions,
    CreateDatasetOptions,
    CreateDataverseOptions,
    CreateLinkAnalyticsOptions,
    DisconnectLinkOptions,
    DropAnalyticsIndexOptions,
    DropDatasetOptions,
    DropDataverseOptions,
    DropLinkAnalyticsOptions,
    GetAllAnalyticsIndexesOptions,
    GetAllDatasetOptions,
    GetLinksAnalyticsOptions,
    GetPendingMutationsOptions,
    ReplaceLinkAnalyticsOptions,
    merge,
)


class AnalyticsDataType(Enum):
    """The type of an analytics index key."""

    STRING = "string"
    INT64 = "int64"
    DOUBLE = "double"


class AnalyticsLinkType(Enum):
    S3External = "s3"
    AzureBlobExternal = "azureblob"
    CouchbaseRemote = "couchbase"


class AnalyticsEncryptionLevel(Enum):
    NONE = "none"
    HALF = "half"
    FULL = "full"


@dataclass
class AnalyticsDataset:
    """A dataset as ``Metadata.`Dataset``` lists it."""

    dataset_name: str
    dataverse_name: str
    link_name: str
    bucket_name: str

    @classmethod
    def from_server(cls, row: dict[str, Any]) -> AnalyticsDataset:
        return cls(row.get("DatasetName", ""), row.get("DataverseName", ""),
                   row.get("LinkName", ""), row.get("BucketName", ""))


@dataclass
class AnalyticsIndex:
    """An index as ``Metadata.`Index``` lists it."""

    name: str
    dataset_name: str
    dataverse_name: str
    is_primary: bool

    @classmethod
    def from_server(cls, row: dict[str, Any]) -> AnalyticsIndex:
        return cls(row.get("IndexName", ""), row.get("DatasetName", ""),
                   row.get("DataverseName", ""), bool(row.get("IsPrimary", False)))


@dataclass
class CouchbaseAnalyticsEncryptionSettings:
    encryption_level: AnalyticsEncryptionLevel = AnalyticsEncryptionLevel.NONE
    certificate: Optional[bytes] = None
    client_certificate: Optional[bytes] = None
    client_key: Optional[bytes] = None


@dataclass
class AnalyticsLink:
    """A remote link: its dataverse, name and settings (the form ``/analytics/link`` takes)."""

    dataverse: str
    name: str
    settings: dict[str, Any] = field(default_factory=dict)

    def link_type(self) -> AnalyticsLinkType:
        return AnalyticsLinkType(self.settings.get("type", "couchbase"))

    def form(self) -> dict[str, Any]:
        return {k: v for k, v in self.settings.items() if v is not None}

    def validate(self) -> None:
        check_name(self.dataverse, "dataverse")
        check_name(self.name, "name")


@dataclass
class CouchbaseRemoteAnalyticsLink(AnalyticsLink):
    """A link to another Couchbase cluster."""

    def __init__(self, dataverse: str, link_name: str, hostname: str,
                 encryption: Optional[CouchbaseAnalyticsEncryptionSettings] = None,
                 username: Optional[str] = None, password: Optional[str] = None) -> None:
        level = (encryption or CouchbaseAnalyticsEncryptionSettings()).encryption_level
        super().__init__(dataverse, link_name, {
            "type": "couchbase", "hostname": hostname, "encryption": level.value,
            "username": username, "password": password})

    def validate(self) -> None:
        super().validate()
        check_name(self.settings.get("hostname"), "hostname")


@dataclass
class S3ExternalAnalyticsLink(AnalyticsLink):
    """A link to Amazon S3."""

    def __init__(self, dataverse: str, link_name: str, access_key_id: str,
                 region: str, secret_access_key: str, session_token: Optional[str] = None,
                 service_endpoint: Optional[str] = None) -> None:
        super().__init__(dataverse, link_name, {
            "type": "s3", "accessKeyId": access_key_id, "region": region,
            "secretAccessKey": secret_access_key, "sessionToken": session_token,
            "serviceEndpoint": service_endpoint})


@dataclass
class AzureBlobExternalAnalyticsLink(AnalyticsLink):
    """A link to Azure Blob storage."""

    def __init__(self, dataverse: str, link_name: str, connection_string: Optional[str] = None,
                 account_name: Optional[str] = None, account_key: Optional[str] = None,
                 shared_access_signature: Optional[str] = None,
                 blob_endpoint: Optional[str] = None,
                 endpoint_suffix: Optional[str] = None) -> None:
        super().__init__(dataverse, link_name, {
            "type": "azureblob", "connectionString": connection_string,
            "accountName": account_name, "accountKey": account_key,
            "sharedAccessSignature": shared_access_signature,
            "blobEndpoint": blob_endpoint, "endpointSuffix": endpoint_suffix})


def _ident(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def _dataverse(name: Optional[str]) -> str:
    """A dataverse as statements name it (``a/b`` is `` `a`.`b` ``)."""
    return ".".join(_ident(part) for part in (name or "Default").split("/"))


def _qualified(name: str, dataverse: Optional[str]) -> str:
    return f"{_dataverse(dataverse)}.{_ident(name)}" if dataverse else _ident(name)


def _link(opts: dict[str, Any]) -> str:
    """The link a connect/disconnect names: the dataverse's ``Local`` by default."""
    return f"{_dataverse(opts.get('dataverse_name'))}.{_ident(opts.get('link_name') or 'Local')}"


def _analytics_endpoint(mgmt: Endpoint) -> Flow:
    """The analytics service of a node ``/pools/default/nodeServices`` lists."""
    answer = yield from http_flow(mgmt, "/pools/default/nodeServices")
    key = "cbas" if mgmt.tls is None else "cbasSSL"
    for node in (answer.value or {}).get("nodesExt") or ():
        port = (node.get("services") or {}).get(key)
        if port:
            return mgmt._replace(host=node.get("hostname") or mgmt.host, port=port)
    raise named(ServiceUnavailableException, "no node of the cluster runs the analytics "
                                             "service")


def _statement_flow(mgmt: Endpoint, statement: str) -> Flow:
    """Run one analytics statement -> its rows (4.x exceptions for its errors)."""
    endpoint = yield from _analytics_endpoint(mgmt)
    rows: list[Any] = []
    context_id = str(uuid.uuid4())
    try:
        yield from post_flow(endpoint, {"statement": statement, "client_context_id": context_id},
                             _collect(rows))
    except CouchbaseError as exc:
        raise query_error(exc, statement=statement, client_context_id=context_id,
                          analytics=True) from None
    return rows


def _collect(rows: list[Any]) -> Any:
    """A row handler that keeps the rows (and emits none: it returns None)."""
    def keep(batch: list[Any]) -> None:
        rows.extend(batch)

    return keep


def _rest_flow(mgmt: Endpoint, method: str, target: str, form: Optional[dict] = None) -> Flow:
    """A request to the analytics REST API -> its decoded body."""
    endpoint = yield from _analytics_endpoint(mgmt)
    body = urlencode(form).encode() if form is not None else None
    ex, raw = yield from request_flow(endpoint, method, target, body,
                                      "application/x-www-form-urlencoded")
    try:
        value = json.loads(raw) if raw else None
    except ValueError:
        value = None
    if ex.status is not None and ex.status >= 300:
        exc = http_error(ex, raw, f"analytics {method} {target}")
        if isinstance(value, dict) and value.get("errors"):
            from ..analytics.flow import analytics_error

            exc = analytics_error(value, ex.status, f"{method} {target}")
        raise query_error(exc, statement=f"{method} {target}", analytics=True)
    return value


def _flat_pending(stats: Any) -> dict[str, int]:
    """The service's ``{dataverse: {dataset: count}}`` as ``{"dataverse.dataset": count}``."""
    if not isinstance(stats, dict):
        return {}
    return {f"{dataverse}.{dataset}": count
            for dataverse, datasets in stats.items() if isinstance(datasets, dict)
            for dataset, count in datasets.items()}


class AnalyticsIndexManager(Manager):
    """Dataverses, datasets, analytics indexes and links of a cluster."""

    _errors = "analytics"

    def _run(self, statement: str, options: dict[str, Any]) -> Any:
        return self._call(lambda mgmt: _statement_flow(mgmt, statement), options)

    def _none(self, statement: str, options: dict[str, Any]) -> Any:
        def make(mgmt: Endpoint) -> Flow:
            yield from _statement_flow(mgmt, statement)
            return None

        return self._call(make, options)

    # -- dataverses ---------------------------------------------------------------------
    def create_dataverse(self, dataverse_name: str, *options: Any, **kwargs: Any) -> Any:
        opts = merge(CreateDataverseOptions, options, kwargs)
        check_name(dataverse_name, "dataverse_name")
        exists = " IF NOT EXISTS" if opts.get("ignore_if_exists") else ""
        return self._none(f"CREATE DATAVERSE {_dataverse(dataverse_name)}{exists}", opts)

    def drop_dataverse(self, dataverse_name: str, *options: Any, **kwargs: Any) -> Any:
        opts = merge(DropDataverseOptions, options, kwargs)
        check_name(dataverse_name, "dataverse_name")
        exists = " IF EXISTS" if opts.get("ignore_if_not_exists") else ""
        return self._none(f"DROP DATAVERSE {_dataverse(dataverse_name)}{exists}", opts)

    # -- datasets -----------------------------------------------------------------------
    def create_dataset(self, dataset_name: str, bucket_name: str, *options: Any,
                       **kwargs: Any) -> Any:
        opts = merge(CreateDatasetOptions, options, kwargs)
        check_name(dataset_name, "dataset_name")
        check_name(bucket_name, "bucket_name")
        exists = "IF NOT EXISTS " if opts.get("ignore_if_exists") else ""
        statement = (f"CREATE DATASET {exists}"
                     f"{_qualified(dataset_name, opts.get('dataverse_name'))} "
                     f"ON {_ident(bucket_name)}")
        if opts.get("condition"):
            statement += f" WHERE {opts['condition']}"
        return self._none(statement, opts)

    def drop_dataset(self, dataset_name: str, *options: Any, **kwargs: Any) -> Any:
        opts = merge(DropDatasetOptions, options, kwargs)
        check_name(dataset_name, "dataset_name")
        exists = " IF EXISTS" if opts.get("ignore_if_not_exists") else ""
        return self._none(f"DROP DATASET {_qualified(dataset_name, opts.get('dataverse_name'))}"
                          f"{exists}", opts)

    def get_all_datasets(self, *options: Any, **kwargs: Any) -> Any:
        """Every dataset outside ``Metadata``: :class:`AnalyticsDataset` objects."""
        opts = merge(GetAllDatasetOptions, options, kwargs)
        statement = ('SELECT d.* FROM Metadata.`Dataset` d '
                     'WHERE d.DataverseName <> "Metadata"')

        def make(mgmt: Endpoint) -> Flow:
            rows = yield from _statement_flow(mgmt, statement)
            return [AnalyticsDataset.from_server(row) for row in rows]

        return self._call(make, opts)

    # -- indexes ------------------------------------------------------------------------
    def create_index(self, index_name: str, dataset_name: str, fields: dict[str, Any],
                     *options: Any, **kwargs: Any) -> Any:
        opts = merge(CreateAnalyticsIndexOptions, options, kwargs)
        check_name(index_name, "index_name")
        check_name(dataset_name, "dataset_name")
        if not isinstance(fields, dict) or not fields:
            raise invalid_argument(f"fields must be a non-empty dict of field name to "
                                   f"AnalyticsDataType, not {fields!r}")
        keys = ", ".join(f"{name}: {getattr(kind, 'value', kind)}"
                         for name, kind in fields.items())
        exists = " IF NOT EXISTS" if opts.get("ignore_if_exists") else ""
        return self._none(f"CREATE INDEX {_ident(index_name)}{exists} ON "
                          f"{_qualified(dataset_name, opts.get('dataverse_name'))} ({keys})",
                          opts)

    def drop_index(self, index_name: str, dataset_name: str, *options: Any,
                   **kwargs: Any) -> Any:
        opts = merge(DropAnalyticsIndexOptions, options, kwargs)
        check_name(index_name, "index_name")
        check_name(dataset_name, "dataset_name")
        exists = " IF EXISTS" if opts.get("ignore_if_not_exists") else ""
        return self._none(f"DROP INDEX {_qualified(dataset_name, opts.get('dataverse_name'))}"
                          f".{_ident(index_name)}{exists}", opts)

    def get_all_indexes(self, *options: Any, **kwargs: Any) -> Any:
        """Every index outside ``Metadata``: :class:`AnalyticsIndex` objects."""
        opts = merge(GetAllAnalyticsIndexesOptions, options, kwargs)
        statement = ('SELECT d.* FROM Metadata.`Index` d '
                     'WHERE d.DataverseName <> "Metadata"')

        def make(mgmt: Endpoint) -> Flow:
            rows = yield from _statement_flow(mgmt, statement)
            return [AnalyticsIndex.from_server(row) for row in rows]

        return self._call(make, opts)

    # -- the Local link and pending mutations ---------------------------------------------
    def connect_link(self, *options: Any, **kwargs: Any) -> Any:
        opts = merge(ConnectLinkOptions, options, kwargs)
        link = _link(opts)
        force = ' WITH {"force": true}' if opts.get("force") else ""
        return self._none(f"CONNECT LINK {link}{force}", opts)

    def disconnect_link(self, *options: Any, **kwargs: Any) -> Any:
        opts = merge(DisconnectLinkOptions, options, kwargs)
        link = _link(opts)
        return self._none(f"DISCONNECT LINK {link}", opts)

    def get_pending_mutations(self, *options: Any, **kwargs: Any) -> Any:
        """Mutations each dataset has yet to ingest: ``{"dataverse.dataset": count}``,
        the flat map the official SDK 4.x returns (the service answers
        ``{dataverse: {dataset: count}}``); empty while no link is connected."""
        opts = merge(GetPendingMutationsOptions, options, kwargs)

        def make(mgmt: Endpoint) -> Flow:
            stats = yield from _rest_flow(mgmt, "GET", "/analytics/node/agg/stats/remaining")
            return _flat_pending(stats)

        return self._call(make, opts)

    # -- remote links -------------------------------------------------------------------
    def _link_target(self, dataverse: str, name: str) -> str:
        return f"/analytics/link/{quote(dataverse, safe='')}/{quote(name, safe='')}"

    def create_link(self, link: AnalyticsLink, *options: Any, **kwargs: Any) -> Any:
        opts = merge(CreateLinkAnalyticsOptions, options, kwargs)
        return self._send_link("POST", link, opts)

    def replace_link(self, link: AnalyticsLink, *options: Any, **kwargs: Any) -> Any:
        opts = merge(ReplaceLinkAnalyticsOptions, options, kwargs)
        return self._send_link("PUT", link, opts)

    def _send_link(self, method: str, link: AnalyticsLink, opts: dict[str, Any]) -> Any:
        if not isinstance(link, AnalyticsLink):
            raise invalid_argument(f"link must be an AnalyticsLink, not {link!r}")
        link.validate()
        target = self._link_target(link.dataverse, link.name)

        def make(mgmt: Endpoint) -> Flow:
            yield from _rest_flow(mgmt, method, target, link.form())
            return None

        return self._call(make, opts)

    def drop_link(self, link_name: str, dataverse_name: str, *options: Any,
                  **kwargs: Any) -> Any:
        opts = merge(DropLinkAnalyticsOptions, options, kwargs)
        target = self._link_target(check_name(dataverse_name, "dataverse_name"),
                                   check_name(link_name, "link_name"))

        def make(mgmt: Endpoint) -> Flow:
            yield from _rest_flow(mgmt, "DELETE", target)
            return None

        return self._call(make, opts)

    def get_links(self, *options: Any, **kwargs: Any) -> Any:
        """The remote links (of one dataverse, one name, one type): AnalyticsLink objects."""
        opts = merge(GetLinksAnalyticsOptions, options, kwargs)
        dataverse, name = opts.get("dataverse_name"), opts.get("name")
        if name and not dataverse:
            raise invalid_argument("get_links with a name needs its dataverse_name")
        target = "/analytics/link"
        if dataverse:
            target += f"/{quote(dataverse, safe='')}"
            if name:
                target += f"/{quote(name, safe='')}"
        kind = opts.get("link_type")
        if kind is not None:
            target += "?" + urlencode({"type": getattr(kind, "value", kind)})

        def make(mgmt: Endpoint) -> Flow:
            rows = yield from _rest_flow(mgmt, "GET", target)
            return [_link_of(row) for row in rows or ()]

        return self._call(make, opts)


def _link_of(row: dict[str, Any]) -> AnalyticsLink:
    settings = {k: v for k, v in row.items() if k not in ("name", "dataverse", "scope")}
    return AnalyticsLink(row.get("dataverse") or row.get("scope") or "", row.get("name", ""),
                         settings)


__all__ = [
    "AnalyticsDataType", "AnalyticsDataset", "AnalyticsEncryptionLevel", "AnalyticsIndex",
    "AnalyticsIndexManager", "AnalyticsLink", "AnalyticsLinkType",
    "AzureBlobExternalAnalyticsLink", "CouchbaseAnalyticsEncryptionSettings",
    "CouchbaseRemoteAnalyticsLink", "S3ExternalAnalyticsLink",
]
