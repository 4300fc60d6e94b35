"""The analytics catalog in a data directory (:mod:`couchbase_mock.persistence`).

The catalog (dataverses, datasets with their ``WHERE`` text, secondary indexes,
remote links and which dataverses' ``Local`` link is connected) is one entry,
``analytics``, of the cluster metadata the data directory keeps: the state
registers :func:`saved` in ``cluster.metadata_sources`` and calls
``cluster.persist_meta()`` after each change (a DDL statement, a link request).
The shadow copies are not saved: they are documents of the bucket, so a restored
dataset whose link was connected is filled again from the restored documents
when the service's state is made; one whose link was not keeps its count of
pending mutations and is filled on the next ``CONNECT LINK``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from ..n1ql.parser import parse_expression
from .datasets import Dataset, Index

if TYPE_CHECKING:  # pragma: no cover
    from .datasets import AnalyticsState

log = logging.getLogger(__name__)

META = "analytics"
"""The key of the catalog in the data directory's metadata."""


def saved(state: AnalyticsState) -> dict[str, Any]:
    """The catalog as JSON-ready data."""
    return {
        "dataverses": dict(state.dataverses),
        "datasets": [{"dataverse": d.dataverse, "name": d.name, "bucket": d.bucket,
                      "scope": d.scope, "collection": d.collection, "where": d.where_text,
                      "created": d.created, "pending": d.pending}
                     for d in state.datasets.values()],
        "indexes": [{"dataverse": i.dataverse, "dataset": i.dataset, "name": i.name,
                     "keys": [[path, kind] for path, kind in i.keys]}
                    for i in state.indexes.values()],
        "links": [{"dataverse": dv, "name": name, "settings": settings}
                  for (dv, name), settings in state.links.items()],
        "connected": sorted(state.connected),
    }


def restore(state: AnalyticsState, doc: dict[str, Any]) -> None:
    """Put a saved catalog back into a new state, then connect the links that were
    connected (which fills their datasets). An entry this version cannot read is
    skipped with a warning, never a failed start."""
    state.dataverses.update({str(k): str(v) for k, v in doc.get("dataverses", {}).items()})
    for entry in doc.get("datasets", []):
        try:
            where_text = entry.get("where") or ""
            ds = Dataset(entry["dataverse"], entry["name"], entry["bucket"], entry["scope"],
                         entry["collection"],
                         parse_expression(where_text) if where_text else None, where_text)
            ds.created = entry.get("created", ds.created)
            ds.pending = int(entry.get("pending", 0))
        except Exception as exc:  # noqa: BLE001 - one bad entry must not stop the start
            log.warning("analytics catalog: dataset %r not restored: %s", entry, exc)
            continue
        if ds.dataverse in state.dataverses:
            state.add_dataset(ds)
    for entry in doc.get("indexes", []):
        try:
            key = (entry["dataverse"], entry["dataset"], entry["name"])
            keys = [(list(path), str(kind)) for path, kind in entry["keys"]]
        except (KeyError, TypeError, ValueError) as exc:
            log.warning("analytics catalog: index %r not restored: %s", entry, exc)
            continue
        if key[:2] in state.datasets:
            state.indexes[key] = Index(*key, keys)
    for entry in doc.get("links", []):
        try:
            state.links[(entry["dataverse"], entry["name"])] = dict(entry["settings"])
        except (KeyError, TypeError, ValueError) as exc:
            log.warning("analytics catalog: link %r not restored: %s", entry, exc)
    for dataverse in doc.get("connected", []):
        if dataverse in state.dataverses:
            state.connect(dataverse)


__all__ = ["META", "restore", "saved"]
