"""The analytics service's catalog and data: dataverses, datasets, indexes, links.

A dataset is a shadow copy of one collection's JSON documents (those its
``WHERE`` filter keeps), held in a :class:`~..n1ql.datastore.MemoryDatastore`
under the path ``(dataverse, DATASET_SCOPE, dataset)`` so that the N1QL
engine reads it like any keyspace (see :mod:`.query`). A dataset is filled
when its dataverse's ``Local`` link is connected and then follows every KV
commit of its collection (a cluster commit observer, on the mock's loop);
while the link is disconnected it counts the commits it misses (the
``pending mutations`` the stats endpoint reports) and is filled afresh on
the next ``CONNECT LINK``.

Dataverse names are kept in their canonical form: parts joined by ``/``
(``travel-sample/inventory`` for the scope ``travel-sample.inventory``).
"""

from __future__ import annotations

import json
import time
import weakref
from typing import Any, Optional

from ..bucket import Bucket
from ..cluster import Cluster
from ..n1ql import ast as A
from ..n1ql.datastore import MemoryDatastore, Path
from ..n1ql.engine import QueryEngine
from ..n1ql.evaluator import CTX, META, Compiler, Scope
from ..n1ql.indexes import DOC, PrimaryIndex
from ..n1ql.values import truth
from ..storage import DocKey, Document
from .errors import AnalyticsError

DEFAULT_DATAVERSE = "Default"
METADATA = "Metadata"
LOCAL_LINK = "Local"
DATASET_SCOPE = "analytics"
"""The middle part of a dataset's path in the shadow datastore."""

JSON_FLAGS = 0x02000000


def display(dataverse: str) -> str:
    """A canonical dataverse name as statements write it: ``a/b`` -> `` `a`.`b` ``."""
    return ".".join(f"`{p}`" for p in dataverse.split("/"))


class Dataset:
    """One dataset: its name, where its documents come from, and its filter."""

    def __init__(self, dataverse: str, name: str, bucket: str, scope: str, collection: str,
                 where: Optional[A.Node], where_text: str) -> None:
        self.dataverse = dataverse
        self.name = name
        self.bucket = bucket
        self.scope = scope
        self.collection = collection
        self.where = where
        self.where_text = where_text
        self._where_fn = Compiler(Scope({DOC}, DOC)).compile(where) if where is not None \
            else None
        self.pending = 0
        self.created = time.strftime("%a %b %d %H:%M:%S UTC %Y", time.gmtime())

    @property
    def path(self) -> Path:
        return (self.dataverse, DATASET_SCOPE, self.name)

    def keeps(self, key: str, value: Any) -> bool:
        if self._where_fn is None:
            return True
        env = {DOC: value, META + DOC: {"id": key}, CTX: None}
        try:
            return bool(truth(self._where_fn(env)))
        except Exception:  # a filter that fails on a document leaves it out
            return False

    def row(self) -> dict[str, Any]:
        """The dataset's ``Metadata.`Dataset``` record."""
        row: dict[str, Any] = {
            "DataverseName": self.dataverse, "DatasetName": self.name,
            "DatatypeDataverseName": METADATA, "DatatypeName": "AnyObject",
            "DatasetType": "INTERNAL", "GroupName": f"{self.dataverse}.{self.name}",
            "CompactionPolicy": "prefix", "PendingOp": 0, "Timestamp": self.created,
            "BucketName": self.bucket, "ScopeName": self.scope,
            "CollectionName": self.collection, "LinkName": LOCAL_LINK,
            "BucketDataverseName": self.bucket,
        }
        if self.where_text:
            row["Filter"] = self.where_text
        return row


class Index:
    """A secondary index of a dataset (kept as metadata: scans read the dataset)."""

    def __init__(self, dataverse: str, dataset: str, name: str,
                 keys: list[tuple[list[str], str]]) -> None:
        self.dataverse, self.dataset, self.name, self.keys = dataverse, dataset, name, keys

    def row(self) -> dict[str, Any]:
        return {"DataverseName": self.dataverse, "DatasetName": self.dataset,
                "IndexName": self.name, "IndexStructure": "BTREE",
                "SearchKey": [path for path, _ in self.keys],
                "SearchKeyType": [kind for _, kind in self.keys],
                "IsPrimary": False, "PendingOp": 0}


def primary_row(dataset: Dataset) -> dict[str, Any]:
    """Each dataset's primary index, as ``Metadata.`Index``` lists it."""
    return {"DataverseName": dataset.dataverse, "DatasetName": dataset.name,
            "IndexName": dataset.name, "IndexStructure": "BTREE",
            "SearchKey": [], "IsPrimary": True, "PendingOp": 0}


class AnalyticsState:
    """Everything the analytics service of one cluster holds."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.dataverses: dict[str, str] = {DEFAULT_DATAVERSE: "", METADATA: ""}  # -> created
        self.datasets: dict[tuple[str, str], Dataset] = {}
        self.indexes: dict[tuple[str, str, str], Index] = {}
        self.connected: set[str] = set()  # dataverses whose Local link is connected
        # Remote links (/analytics/link): (dataverse, name) -> settings
        self.links: dict[tuple[str, str], dict[str, Any]] = {}
        self.store = MemoryDatastore()
        self.engine = QueryEngine(self.store)
        self.jobs: dict[str, dict[str, Any]] = {}  # async mode: handle -> outcome
        cluster.commit_observers.append(self._committed)
        from . import persist  # (the data directory's catalog: restored, then kept)

        restored = cluster.restored_extra.get(persist.META)
        if isinstance(restored, dict):
            persist.restore(self, restored)
        cluster.metadata_sources[persist.META] = lambda: persist.saved(self)

    def changed(self) -> None:
        """After a catalog change: queue the catalog for the data directory, if any."""
        self.cluster.persist_meta()

    # -- catalog -------------------------------------------------------------

    def dataverse(self, name: str) -> str:
        if name not in self.dataverses:
            raise AnalyticsError(24034, f"Cannot find analytics scope with name {name}")
        return name

    def dataset(self, dataverse: str, name: str, code: int = 24045) -> Dataset:
        """The dataset; unknown: 24045 where a query names it, 24025 for DDL (the code
        the SDKs' DROP DATASET maps to DatasetNotFound)."""
        found = self.datasets.get((dataverse, name))
        if found is None:
            raise AnalyticsError(code, f"Cannot find analytics collection with name {name} "
                                       f"in analytics scope {display(dataverse)}")
        return found

    def add_dataset(self, ds: Dataset) -> None:
        self.datasets[(ds.dataverse, ds.name)] = ds
        self.store.create_collection(ds.dataverse, DATASET_SCOPE, ds.name)
        index = PrimaryIndex("#primary", ds.path)
        index.build([])
        self.engine.catalog.add(index)
        if ds.dataverse in self.connected:
            self._fill(ds)

    def drop_dataset(self, ds: Dataset) -> None:
        del self.datasets[(ds.dataverse, ds.name)]
        self.store.drop_collection(ds.dataverse, DATASET_SCOPE, ds.name)
        self.engine.catalog.by_path.pop(ds.path, None)
        for key in [k for k in self.indexes if k[:2] == (ds.dataverse, ds.name)]:
            del self.indexes[key]

    def drop_dataverse(self, name: str) -> None:
        for ds in [d for d in self.datasets.values() if d.dataverse == name]:
            self.drop_dataset(ds)
        self.dataverses.pop(name, None)
        self.connected.discard(name)
        for key in [k for k in self.links if k[0] == name]:
            del self.links[key]

    # -- links and data ------------------------------------------------------

    def connect(self, dataverse: str) -> None:
        """``CONNECT LINK``: fill the dataverse's datasets and follow their collections."""
        if dataverse in self.connected:
            return
        self.connected.add(dataverse)
        for ds in self.datasets.values():
            if ds.dataverse == dataverse:
                self._fill(ds)

    def disconnect(self, dataverse: str) -> None:
        self.connected.discard(dataverse)

    def _collection_id(self, ds: Dataset) -> Optional[tuple[Bucket, int]]:
        bucket = self.cluster.buckets.get(ds.bucket)
        if bucket is None or not bucket.is_couchbase:
            return None
        scope = bucket.manifest.scopes.get(ds.scope)
        coll = scope.collections.get(ds.collection) if scope is not None else None
        return (bucket, coll.uid) if coll is not None else None

    def _fill(self, ds: Dataset) -> None:
        """Copy a dataset's documents from its collection's active vbuckets."""
        for rec in list(self.store.scan(ds.path)):
            self.store.remove(ds.path, rec.key)
        ds.pending = 0
        found = self._collection_id(ds)
        if found is None:
            return
        bucket, cid = found
        now = self.cluster.clock()
        for vb in range(bucket.num_vbuckets):
            docs = bucket.stores[bucket.active_node(vb)].vbuckets[vb].docs
            for (kcid, key), doc in list(docs.items()):
                if kcid == cid and not doc.deleted and not (doc.expiry and now >= doc.expiry):
                    self._apply(ds, key.decode("utf-8", "surrogateescape"), doc)

    def _apply(self, ds: Dataset, key: str, doc: Optional[Document]) -> None:
        value: Any = None
        if doc is not None and not doc.deleted:
            try:
                value = json.loads(doc.value)
            except ValueError:  # analytics ingests JSON documents only
                value = None
        if isinstance(value, dict) and ds.keeps(key, value):
            self.store.upsert(ds.path, key, json.dumps(value).encode(), JSON_FLAGS, 0)
        elif self.store.get(ds.path, key) is not None:
            self.store.remove(ds.path, key)

    def _committed(self, bucket: Bucket, key: DocKey, doc: Document) -> None:
        if not self.datasets:
            return
        for ds in self.datasets.values():
            if ds.bucket != bucket.name:
                continue
            found = self._collection_id(ds)
            if found is None or found[1] != key[0]:
                continue
            if ds.dataverse in self.connected:
                self._apply(ds, key[1].decode("utf-8", "surrogateescape"), doc)
            else:
                ds.pending += 1

    def pending(self) -> dict[str, dict[str, int]]:
        """``/analytics/node/agg/stats/remaining``: per dataverse, per dataset."""
        out: dict[str, dict[str, int]] = {}
        for ds in self.datasets.values():
            out.setdefault(ds.dataverse, {})[ds.name] = ds.pending
        return out

    def metadata_rows(self, name: str) -> list[dict[str, Any]]:
        """The records of ``Metadata.`<name>```."""
        if name == "Dataverse":
            return [{"DataverseName": dv, "DataFormat": "java", "Timestamp": created,
                     "PendingOp": 0} for dv, created in self.dataverses.items()]
        if name == "Dataset":
            return [ds.row() for ds in self.datasets.values()]
        if name == "Index":
            return [primary_row(ds) for ds in self.datasets.values()] + \
                [ix.row() for ix in self.indexes.values()]
        if name == "Link":
            links = [{"DataverseName": dv, "Name": LOCAL_LINK, "IsActive": dv in self.connected}
                     for dv in self.dataverses if dv != METADATA]
            return links + [{"DataverseName": dv, "Name": n, "IsActive": False, **v}
                            for (dv, n), v in self.links.items()]
        raise AnalyticsError(24045, f"Cannot find analytics collection with name {name} in "
                                    f"analytics scope {METADATA}")


_STATE: weakref.WeakKeyDictionary[Cluster, AnalyticsState] = weakref.WeakKeyDictionary()


def analytics_state(cluster: Cluster) -> AnalyticsState:
    """The cluster's analytics state, made on first use (on the mock's loop)."""
    state = _STATE.get(cluster)
    if state is None:
        state = _STATE[cluster] = AnalyticsState(cluster)
    return state

__all__ = ["AnalyticsState", "Dataset", "Index", "analytics_state", "display",
           "DEFAULT_DATAVERSE", "METADATA", "LOCAL_LINK"]
