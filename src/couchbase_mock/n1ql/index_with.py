"""The WITH object of CREATE [PRIMARY] INDEX: where the index and its replicas go.

createindex.adoc, "WITH Clause": ``nodes`` is an array of node names (with the
administration port); ``num_replica`` an integer less than the number of index
nodes, else the creation fails; given both, ``nodes`` must name one node more
than ``num_replica``. ``nodes`` alone places one copy per node (index
replication: ``num_replica`` is one less). ``defer_build`` is read by the engine.

Any other property is refused (5000) as the index service refuses it, naming
the property and listing the valid ones: those above, ``num_partition``
(index-partitioning.adoc), ``retain_deleted_xattr`` (indexes on the system
xattrs of deleted documents) and the sizing hints ``docKeySize``,
``secKeySize``, ``arrSize``, ``numDoc`` and ``residentRatio``. A vector index
adds its own properties (:data:`VECTOR_WITH`, checked in
:mod:`.statements.vector_index`).

The local cluster keeps one copy of each index: the replica count and nodes are
recorded as ALTER INDEX records them (``metadata.num_replica`` and ``nodes`` in
``system:indexes``, see :mod:`.statements.alter_index`).
"""

from __future__ import annotations

from typing import Any

from .errors import N1QLError

_FAIL = "GSI CreateIndex() - cause: Fails to create index.  "


def _fail(why: str) -> N1QLError:
    return N1QLError(5000, _FAIL + why)


GSI_WITH = ("nodes", "defer_build", "retain_deleted_xattr", "num_partition", "num_replica",
            "docKeySize", "secKeySize", "arrSize", "numDoc", "residentRatio")
"""The WITH properties of CREATE [PRIMARY] INDEX, in the order the error lists them."""

VECTOR_WITH = ("dimension", "similarity", "description", "scan_nprobes", "train_list",
               "persist_full_vector")
"""What a vector index's WITH may hold besides :data:`GSI_WITH`
(createvectorindex.adoc, hyperscale-vector-index.adoc)."""


def check_with_keys(options: Any, extra: tuple = ()) -> None:
    """5000 for a WITH property that is neither in :data:`GSI_WITH` nor ``extra``."""
    if type(options) is not dict:
        return
    valid = GSI_WITH + tuple(extra)
    for key in options:
        if key not in valid:
            listed = ", ".join(f"'{v}'" for v in valid)
            raise _fail(f"Invalid parameters in with-clause: '{key}'. "
                        f"Valid parameters are  {listed}")


def apply_index_with(engine: Any, index: Any, options: Any) -> None:
    """Check ``options`` (the evaluated WITH object, or None) and record the
    index's replicas and nodes on ``index``."""
    check_with_keys(options)
    if type(options) is not dict or not ("num_replica" in options or "nodes" in options):
        return
    from .statements.alter_index import _show, index_nodes, replicas_of

    known = index_nodes(engine)
    count = options.get("num_replica")
    nodes = options.get("nodes")
    if nodes is not None:
        if type(nodes) is not list or not nodes or not all(type(n) is str for n in nodes):
            raise _fail("Invalid nodes: an array of node names is expected")
        hosts = {k.rsplit(":", 1)[0] for k in known}
        for n in nodes:
            if n not in known and n.rsplit(":", 1)[0] not in hosts:
                raise _fail(f"Nodes {n} does not exist or is not running the index service")
    if count is not None:
        if type(count) is float and count == int(count):
            count = int(count)
        if type(count) is not int or count < 0:
            raise _fail("Invalid num_replica: a non-negative integer is expected")
        if count >= len(known):
            raise _fail("There are not enough indexer nodes to create index with replica "
                        f"count of {count}")
        if nodes is not None and len(nodes) != count + 1:
            raise _fail(f"Number of nodes ({len(nodes)}) does not match num_replica+1 "
                        f"({count + 1})")
    topology = replicas_of(index)
    topology["num_replica"] = count if count is not None else len(nodes or [0]) - 1
    if nodes is not None:
        topology["nodes"] = list(nodes)
    _show(index, topology)
