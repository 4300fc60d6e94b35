"""Full-text search index management (SDK 4.x): ``cluster.search_indexes()``.

>>> mgr = cluster.search_indexes()
>>> mgr.upsert_index(SearchIndex(name="hotels", source_name="travel-sample"))
>>> mgr.get_indexed_documents_count("hotels")
917

Over the search service's REST API (``/api/index/<name>`` and its
``count``, ``ingestControl``, ``queryControl``, ``planFreezeControl`` and
``analyzeDoc`` endpoints), on a node the cluster map lists as running it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Optional, Union
from urllib.parse import quote

from .._http.management import http_flow
from ._errors import invalid_argument
from ._manager import Manager, check_name, converted, returning_none
from .options import (
    AllowQueryingSearchIndexOptions,
    AnalyzeDocumentSearchIndexOptions,
    DisallowQueryingSearchIndexOptions,
    DropSearchIndexOptions,
    FreezePlanSearchIndexOptions,
    GetAllSearchIndexesOptions,
    GetAllSearchIndexStatsOptions,
    GetSearchIndexedDocumentsCountOptions,
    GetSearchIndexOptions,
    GetSearchIndexStatsOptions,
    PauseIngestSearchIndexOptions,
    ResumeIngestSearchIndexOptions,
    UnfreezePlanSearchIndexOptions,
    UpsertSearchIndexOptions,
    merge,
)

_JSON_FIELDS = (("name", "name"), ("idx_type", "type"), ("source_type", "sourceType"),
                ("source_name", "sourceName"), ("uuid", "uuid"), ("params", "params"),
                ("source_uuid", "sourceUUID"), ("source_params", "sourceParams"),
                ("plan_params", "planParams"))


@dataclass
class SearchIndex:
    """A search index definition: ``name``, ``source_name`` (the bucket), ``params``
    (mapping, analysis...), ``uuid`` (set by the server; give it to replace an index)."""

    name: str
    source_type: str = "couchbase"
    idx_type: str = "fulltext-index"
    source_name: Optional[str] = None
    uuid: Optional[str] = None
    params: dict[str, Any] = field(default_factory=dict)
    source_uuid: Optional[str] = None
    source_params: dict[str, Any] = field(default_factory=dict)
    plan_params: dict[str, Any] = field(default_factory=dict)

    def is_valid(self) -> bool:
        return bool(self.name and self.idx_type and self.source_type)

    def as_dict(self) -> dict[str, Any]:
        """The server's JSON form (``sourceName``, ``planParams``...), unset fields left out."""
        out: dict[str, Any] = {}
        for attr, key in _JSON_FIELDS:
            value = getattr(self, attr)
            if value not in (None, {}, ""):
                out[key] = value
        return out

    @classmethod
    def from_json(cls, json_input: Union[str, dict[str, Any]]) -> SearchIndex:
        raw = json.loads(json_input) if isinstance(json_input, str) else dict(json_input)
        return cls.from_server(raw)

    @classmethod
    def from_server(cls, json_data: dict[str, Any]) -> SearchIndex:
        values = {attr: json_data[key] for attr, key in _JSON_FIELDS
                  if json_data.get(key) is not None}
        values.setdefault("name", "")
        return cls(**values)


def index_path(name: Optional[str] = None, action: str = "") -> str:
    path = "/api/index"
    if name is not None:
        path += "/" + quote(check_name(name, "index_name"), safe="")
    return path + action


class SearchIndexManager(Manager):
    """The cluster's search indexes.

    On acouchbase each method returns an awaitable, on txcouchbase a Deferred.

    :raise: SearchIndexNotFoundException for an index that does not exist
    """

    _errors = "search"

    def _path(self, name: Optional[str] = None, action: str = "") -> str:
        return index_path(name, action)

    def _index(self, raw: dict[str, Any]) -> SearchIndex:
        return SearchIndex.from_server(raw)

    def _search(self, path: str, options: dict[str, Any], method: str = "GET",
                body: Optional[bytes] = None, convert: Any = None) -> Any:
        def make(ep: Any) -> Any:
            flow = http_flow(ep, path, method, body, what=f"{method} {path}")
            return converted(flow, convert) if convert else returning_none(flow)

        return self._call(make, options, service="search")

    def upsert_index(self, index: SearchIndex, *options: UpsertSearchIndexOptions,
                     **kwargs: Any) -> None:
        """Create the index, or replace it (its ``uuid`` names the definition replaced)."""
        if not isinstance(index, SearchIndex):
            raise invalid_argument(f"expected a SearchIndex, not {index!r}")
        if not index.is_valid() or not index.source_name:
            raise invalid_argument("a search index needs a name and a source_name")
        body = json.dumps(index.as_dict()).encode("utf-8")
        return self._search(self._path(index.name), merge(UpsertSearchIndexOptions, options,
                                                          kwargs), "PUT", body)

    def get_index(self, index_name: str, *options: GetSearchIndexOptions,
                  **kwargs: Any) -> SearchIndex:
        return self._search(self._path(index_name), merge(
            GetSearchIndexOptions, options, kwargs),
            convert=lambda doc: self._index((doc or {}).get("indexDef") or {}))

    def get_all_indexes(self, *options: GetAllSearchIndexesOptions,
                        **kwargs: Any) -> list[SearchIndex]:
        def every(doc: Any) -> list[SearchIndex]:
            defs = ((doc or {}).get("indexDefs") or {}).get("indexDefs") or {}
            return [self._index(d) for d in defs.values()]

        return self._search(self._path(), merge(
            GetAllSearchIndexesOptions, options, kwargs), convert=every)

    def drop_index(self, index_name: str, *options: DropSearchIndexOptions,
                   **kwargs: Any) -> None:
        return self._search(self._path(index_name),
                            merge(DropSearchIndexOptions, options, kwargs), "DELETE")

    def get_indexed_documents_count(self, index_name: str,
                                    *options: GetSearchIndexedDocumentsCountOptions,
                                    **kwargs: Any) -> int:
        return self._search(self._path(index_name, "/count"),
                            merge(GetSearchIndexedDocumentsCountOptions, options, kwargs),
                            convert=lambda doc: int((doc or {}).get("count", 0)))

    def _control(self, index_name: str, action: str, cls: type, options: tuple[Any, ...],
                 kwargs: dict[str, Any]) -> None:
        return self._search(self._path(index_name, action),
                            merge(cls, options, kwargs), "POST", b"")

    def pause_ingest(self, index_name: str, *options: PauseIngestSearchIndexOptions,
                     **kwargs: Any) -> None:
        """Stop indexing new changes (queries still run)."""
        return self._control(index_name, "/ingestControl/pause", PauseIngestSearchIndexOptions,
                             options, kwargs)

    def resume_ingest(self, index_name: str, *options: ResumeIngestSearchIndexOptions,
                      **kwargs: Any) -> None:
        return self._control(index_name, "/ingestControl/resume",
                             ResumeIngestSearchIndexOptions, options, kwargs)

    def allow_querying(self, index_name: str, *options: AllowQueryingSearchIndexOptions,
                       **kwargs: Any) -> None:
        return self._control(index_name, "/queryControl/allow",
                             AllowQueryingSearchIndexOptions, options, kwargs)

    def disallow_querying(self, index_name: str, *options: DisallowQueryingSearchIndexOptions,
                          **kwargs: Any) -> None:
        return self._control(index_name, "/queryControl/disallow",
                             DisallowQueryingSearchIndexOptions, options, kwargs)

    def freeze_plan(self, index_name: str, *options: FreezePlanSearchIndexOptions,
                    **kwargs: Any) -> None:
        """Keep the index's partitions where they are (no rebalance moves them)."""
        return self._control(index_name, "/planFreezeControl/freeze",
                             FreezePlanSearchIndexOptions, options, kwargs)

    def unfreeze_plan(self, index_name: str, *options: UnfreezePlanSearchIndexOptions,
                      **kwargs: Any) -> None:
        return self._control(index_name, "/planFreezeControl/unfreeze",
                             UnfreezePlanSearchIndexOptions, options, kwargs)

    def analyze_document(self, index_name: str, document: Any,
                         *options: AnalyzeDocumentSearchIndexOptions,
                         **kwargs: Any) -> dict[str, Any]:
        """How the index would analyze ``document`` (the server's ``analyzed`` answer)."""
        try:
            body = json.dumps(document).encode("utf-8")
        except (TypeError, ValueError) as exc:
            raise invalid_argument(f"the document must be JSON-encodable: {exc}") from None
        return self._search(self._path(index_name, "/analyzeDoc"),
                            merge(AnalyzeDocumentSearchIndexOptions, options, kwargs), "POST",
                            body, convert=lambda doc: (doc or {}).get("analyzed"))

    def get_index_stats(self, index_name: str, *options: GetSearchIndexStatsOptions,
                        **kwargs: Any) -> dict[str, Any]:
        path = "/api/stats/index/" + quote(check_name(index_name, "index_name"), safe="")
        return self._search(path, merge(
            GetSearchIndexStatsOptions, options, kwargs), convert=lambda doc: doc)

    def get_all_index_stats(self, *options: GetAllSearchIndexStatsOptions,
                            **kwargs: Any) -> dict[str, Any]:
        return self._search("/api/nsstats", merge(
            GetAllSearchIndexStatsOptions, options, kwargs), convert=lambda doc: doc)


class ScopeSearchIndexManager(SearchIndexManager):
    """The search indexes of one scope (``scope.search_indexes()``, Server 7.6): the
    service's ``/api/bucket/{bucket}/scope/{scope}/index`` routes. An index is named
    here by its own name (the service's full name is ``bucket.scope.name``); its
    documents are those of the scope's collections. Methods as
    :class:`SearchIndexManager`'s (the cluster-wide statistics are not the scope's)."""

    def __init__(self, owner: Any, bucket_name: str, scope_name: str) -> None:
        super().__init__(owner)
        self._bucket_name = bucket_name
        self._scope_name = scope_name

    def _path(self, name: Optional[str] = None, action: str = "") -> str:
        path = (f"/api/bucket/{quote(self._bucket_name, safe='')}/scope/"
                f"{quote(self._scope_name, safe='')}/index")
        if name is not None:
            path += "/" + quote(check_name(name, "index_name"), safe="")
        return path + action

    def _index(self, raw: dict[str, Any]) -> SearchIndex:
        index = SearchIndex.from_server(raw)
        prefix = f"{self._bucket_name}.{self._scope_name}."
        if index.name.startswith(prefix):
            index.name = index.name[len(prefix):]
        return index

    def get_index_stats(self, index_name: str, *options: GetSearchIndexStatsOptions,
                        **kwargs: Any) -> dict[str, Any]:
        return super().get_index_stats(f"{self._bucket_name}.{self._scope_name}."
                                       f"{check_name(index_name, 'index_name')}",
                                       *options, **kwargs)

    def __repr__(self) -> str:
        return f"ScopeSearchIndexManager({self._bucket_name!r}, {self._scope_name!r})"


__all__ = ["ScopeSearchIndexManager", "SearchIndex", "SearchIndexManager"]
