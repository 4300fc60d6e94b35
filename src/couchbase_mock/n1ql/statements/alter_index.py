"""ALTER INDEX (and its synonym ALTER VECTOR INDEX): index replicas.

Syntax (alterindex.adoc, altervectorindex.adoc)::

    ALTER [VECTOR] INDEX ( index-path.index-name | index-name ON keyspace-ref )
        [USING GSI] WITH {"action": "move" | "replica_count" | "drop_replica", ...}

The local cluster keeps one copy of each index whatever its replica count, so
an accepted alteration changes the index's recorded topology only: the
replica count and the replicas dropped, shown in ``system:indexes`` as
``metadata.num_replica`` (sysinfo.adoc, "Query Indexes"), and the nodes a
``move`` names. Validation follows alterindex.adoc ("WITH Clause", "Usage",
"Return Value"):

- ``action`` is required; another value fails with "Unsupported action value";
- ``replica_count`` needs a non-negative integer ``num_replica`` below the
  number of index nodes (``nodes``, if given, must be that many index nodes);
- ``drop_replica`` needs an integer ``replicaId`` of a replica that exists,
  else "Fail to alter index: Fail to drop replica"; the replica count stays;
- ``move`` needs ``nodes``: one index node per copy of the index;
- an index still deferred (scheduled for building) cannot be altered.

Errors: an unknown index 12016; an alteration refused 19201 (the local
cluster's code: the reference lists the messages, not their code).
"""

from __future__ import annotations

from typing import Any, Optional

from .. import ast as A
from .. import system
from ..errors import N1QLError, index_not_found
from ..evaluator import CTX, Compiler, Scope
from ..planner import require_keyspace
from . import runner, statement

E_ALTER_INDEX = 19201


class AlterIndex(A.Node):
    __slots__ = ("ref", "name", "with_", "vector")

    def __init__(self, ref: A.KeyspaceRef, name: str, with_: A.Node, vector: bool) -> None:
        self.ref = ref
        self.name = name
        self.with_ = with_
        self.vector = vector


def index_target(p: Any) -> tuple[A.KeyspaceRef, str]:
    """``index-path.name`` or ``name ON keyspace-ref`` (as DROP INDEX reads them)."""
    parts = [p.name_token()]
    namespace = "default"
    if p.accept_op(":"):
        namespace = parts.pop()
        parts.append(p.name_token())
    while p.accept_op("."):
        parts.append(p.name_token())
    if len(parts) == 1:
        p.expect_kw("ON")
        return p.keyspace_ref(), parts[0]
    if len(parts) == 2:
        return A.KeyspaceRef(namespace, parts[0]), parts[1]
    if len(parts) == 4:
        return A.KeyspaceRef(namespace, *parts[:3]), parts[3]
    raise p.error()


def _parse(p: Any) -> AlterIndex:
    p.expect_kw("ALTER")
    vector = p.accept_kw("VECTOR") is not None
    p.expect_kw("INDEX")
    ref, name = index_target(p)
    if p.accept_kw("USING"):
        if p.name_token().upper() != "GSI":
            raise p.error(p.tokens[p.i - 1])
    p.expect_kw("WITH")
    return AlterIndex(ref, name, p.expr(), vector)


statement("ALTER", "INDEX")(_parse)
statement("ALTER", "VECTOR")(_parse)


def _fail(msg: str) -> N1QLError:
    return N1QLError(E_ALTER_INDEX, msg)


def index_nodes(engine: Any) -> list[str]:
    """The names of the nodes that run the index service (every node if none says)."""
    nodes = system._directory(engine).nodes()
    named = [n["name"] for n in nodes if "index" in n.get("services", ())]
    return named or [n["name"] for n in nodes]


def _integer(value: Any) -> Optional[int]:
    if type(value) is float and value == int(value):
        return int(value)
    return value if type(value) is int else None


def _nodes(options: dict, known: list[str]) -> Optional[list[str]]:
    nodes = options.get("nodes")
    if nodes is None:
        return None
    if type(nodes) is not list or not all(type(n) is str for n in nodes):
        raise _fail('Fail to alter index: "nodes" must be an array of node names')
    hosts = {k.rsplit(":", 1)[0]: k for k in known}
    for n in nodes:
        if n not in known and n not in hosts:
            raise _fail(f"Fail to alter index: {n} is not an index node")
    if len(set(nodes)) != len(nodes):
        raise _fail("Fail to alter index: a node is named twice")
    return nodes


@runner(AlterIndex)
def run(engine: Any, stmt: AlterIndex, ctx: Any) -> tuple:
    path = require_keyspace(engine.datastore, stmt.ref)
    index = engine.catalog.get(path, stmt.name)
    if index is None:
        raise index_not_found(stmt.name)
    options = Compiler(Scope()).compile(stmt.with_)({CTX: ctx})
    if type(options) is not dict:
        raise _fail("Fail to alter index: the WITH clause must be an object")
    action = options.get("action")
    if action not in ("move", "replica_count", "drop_replica"):
        raise _fail("Unsupported action value")
    if index.state == "deferred":
        raise _fail(f"Fail to alter index: index {stmt.name} is scheduled for building")
    known = index_nodes(engine)
    topology = replicas_of(index)
    if action == "replica_count":
        count = _integer(options.get("num_replica"))
        if count is None or count < 0:
            raise _fail("Fail to alter index: num_replica must be a non-negative integer")
        nodes = _nodes(options, known)
        if count >= len(known):
            raise _fail(f"Fail to alter index: {count} replicas need more than {len(known)} "
                        "index nodes")
        if nodes is not None and len(nodes) != count + 1:
            raise _fail("Fail to alter index: the nodes must be one per copy of the index")
        topology["num_replica"] = count
        topology["dropped"] = [r for r in topology["dropped"] if r <= count]
        if nodes is not None:
            topology["nodes"] = nodes
    elif action == "drop_replica":
        rid = _integer(options.get("replicaId"))
        if rid is None or not 0 <= rid <= topology["num_replica"] or rid in topology["dropped"]:
            raise _fail("Fail to alter index: Fail to drop replica")
        topology["dropped"] = sorted(topology["dropped"] + [rid])
    else:
        nodes = _nodes(options, known)
        if nodes is None:
            raise _fail('Fail to alter index: "nodes" is required to move an index')
        if len(nodes) != topology["num_replica"] + 1:
            raise _fail("Fail to alter index: the nodes must be one per copy of the index")
        topology["nodes"] = nodes
    _show(index, topology)
    engine.catalog.changed()  # the topology is part of the saved definition
    return [], None, None


def replicas_of(index: Any) -> dict:
    """The index's recorded topology (``num_replica``, ``dropped``, ``nodes``)."""
    found = getattr(index, "replicas", None)
    if found is None:
        found = index.replicas = {"num_replica": 0, "dropped": [], "nodes": None}
    return found


def _show(index: Any, topology: dict) -> None:
    extra = dict(getattr(index, "row_extra", None) or {})
    meta = dict(extra.get("metadata", {}))
    meta["num_replica"] = topology["num_replica"]
    extra["metadata"] = meta
    if topology["nodes"] is not None:
        extra["nodes"] = list(topology["nodes"])
    index.row_extra = extra
