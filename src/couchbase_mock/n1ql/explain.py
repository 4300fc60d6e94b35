"""EXPLAIN plans with the query service's operator names and nesting.

The shapes follow the plans in the N1QL reference (explain.adoc,
covering-indexes.adoc, indexing-arrays.adoc)::

    Sequence
      Sequence                        (alone when nothing follows it)
        PrimaryScan3 | IndexScan3 | KeyScan | DistinctScan{scan: IndexScan3}
                     | ExpressionScan | DummyScan
        Fetch                         (not for a covering scan)
        Parallel ~child Sequence
          NestedLoopJoin | Join | Unnest | Nest ..., Let, Filter,
          InitialGroup                (then IntermediateGroup, FinalGroup, Parallel...)
          InitialProject [Distinct]
      Order, Offset, Limit

A covering scan lists its keys as ``covers`` (``cover ((`ks`.`field`))``)
and the constant paths of the index's WHERE as ``filter_covers``; an array
index scan for ANY is wrapped in a ``DistinctScan`` (one row per document).
Costs and timings are not shown. DML plans end in ``SendUpdate``,
``SendDelete``, ``SendInsert`` or ``SendUpsert`` inside the Parallel part.

These builders read the compiled plan objects of :mod:`.executor` and
:mod:`.planner` (duck-typed, so this module imports neither); other statement
forms (MERGE...) may reuse :func:`scan_operators` and :func:`parallel`.
"""

from __future__ import annotations

import copy
import re
from typing import Any, Iterator, Optional

from . import ast as A
from .indexes import ARRAY_VAR, SecondaryIndex


def explained_text(text: str) -> str:
    """The ``text`` of an EXPLAIN result: the statement after the EXPLAIN keyword
    (explain.adoc's example)."""
    stripped = text.lstrip()
    if stripped[:7].upper() == "EXPLAIN" and stripped[7:8].isspace():
        return stripped[8:].lstrip()
    return text


def sequence(ops: list) -> dict:
    return {"#operator": "Sequence", "~children": ops}


def parallel(ops: list) -> dict:
    return {"#operator": "Parallel", "~child": sequence(ops)}


def operators(plan: Any) -> Iterator[dict]:
    """Every operator of a plan, depth first in plan order (for tests and tools)."""
    if isinstance(plan, list):
        for p in plan:
            yield from operators(p)
        return
    if not isinstance(plan, dict):
        return
    if "#operator" in plan:
        yield plan
    for key in ("scan", "~child", "~children", "first", "second"):
        if key in plan:
            yield from operators(plan[key])


def _text(node: Any, alias: Optional[str] = None, names: Any = ()) -> str:
    """N1QL text of an expression; with ``alias``, its unqualified field names
    written over that alias, as the query service prints them (``names``: the
    other names in scope, left alone)."""
    if node is None:
        return ""
    if alias is None:
        return A.to_n1ql(node)
    return _qualify(node, alias, names)


def _keyspace_fields(path: tuple, alias: Optional[str]) -> dict:
    bucket, scope, coll = path
    out: dict[str, Any] = {}
    if alias and alias != (bucket if (scope, coll) == ("_default", "_default") else coll):
        out["as"] = alias
    if (scope, coll) == ("_default", "_default"):
        out.update({"keyspace": bucket, "namespace": "default"})
    else:
        out.update({"bucket": bucket, "keyspace": coll, "namespace": "default", "scope": scope})
    return out


def _index_key(index: SecondaryIndex, i: int, alias: str) -> str:
    """An index key as the query service prints it over the keyspace alias."""
    text = _qualify(index.key_exprs[i], alias)
    mod = index.modifiers[i] if i < len(index.modifiers) else ""
    return f"({mod.lower()} ({text}))" if mod else text


def _qualify(node: A.Node, alias: str, names: Any = ()) -> str:
    """``node`` with each unqualified field name written over ``alias``."""

    def q(n: Any) -> Any:
        if isinstance(n, tuple):
            return tuple(q(x) for x in n)
        if isinstance(n, list):
            return [q(x) for x in n]
        if isinstance(n, A.Ident):
            if n.name in skip:
                return n
            return A.Field(A.Ident(alias), n.name)
        if isinstance(n, A.Call) and n.name == "META" and not n.args:
            return A.Call("META", [A.Ident(alias)])
        if isinstance(n, A.Node) and not isinstance(n, (A.Subquery, A.Literal)):
            out = copy.copy(n)
            for slot in type(n).__slots__:
                v = getattr(n, slot)
                if isinstance(v, (A.Node, list, tuple)):
                    setattr(out, slot, q(v))
            return out
        return n

    skip = set(names) | {alias, ARRAY_VAR}
    for b in A.walk(node):
        if isinstance(b, A.Binding):
            skip.add(b.var)
            if b.pos:
                skip.add(b.pos)
    return A.to_n1ql(q(node))


def scan_operator(access: Any, alias: Optional[str] = None) -> dict:
    """The scan of an :class:`~.planner.Access` (``alias``: the FROM alias)."""
    ks = _keyspace_fields(access.path, alias)
    if access.kind == "keys":
        return {"#operator": "KeyScan", **{k: v for k, v in ks.items() if k == "as"},
                "keys": _text(access.keys_node)}
    index = access.index
    if getattr(access, "fts", None):  # a flex index query (flex-indexes.adoc)
        return {"#operator": "IndexFtsSearch", **ks, "index": access.fts, "using": "fts"}
    if access.kind == "primary":
        fields = {**ks, "index": index.name, "index_projection": {"primary_key": True},
                  "using": "gsi"}
        return {"#operator": "PrimaryScan3", **{k: fields[k] for k in sorted(fields)}}
    spec = access.spec
    name = alias or ks["keyspace"]
    op: dict[str, Any] = {"#operator": "IndexScan3", **ks}
    cover = getattr(access, "cover", None)
    if cover is not None:
        op["covers"] = [f"cover ({_index_key(index, i, name)})"
                        for i in range(len(index.key_exprs))] + [
                           f"cover ((meta({A.quote_ident(name)}).`id`))"]
        filters: dict[str, Any] = {
            f"cover ({_qualify(_path(p), name)})": v for p, v in cover.fixed}
        if getattr(cover, "element", None) is not None and access.answered is not None:
            filters[f"cover ({_qualify(access.answered, name)})"] = True
        if filters:
            op["filter_covers"] = filters
    op["index"] = index.name
    op["index_id"] = index.id
    if cover is not None:
        op["index_projection"] = {"entry_keys": list(range(len(index.key_exprs)))}
    else:
        op["index_projection"] = {"primary_key": True}
    op["spans"] = [{"exact": spec.exact and not index.array_pos == 0,
                    "range": spec.ranges}]
    op["using"] = "gsi"
    vector = getattr(access, "vector", None)
    if vector is not None:  # a vector index read in distance order, LIMIT pushed down
        op["index_order"] = [{"keypos": 0}]
        op["index_vector"] = {"index_key_pos": 0, "query_vector": _text(vector.call.args[1]),
                              "similarity": vector.metric}
        op["limit"] = _text(vector.limit)
        op["spans"] = [{"exact": True, "range": [{"inclusion": 0, "low": "null"}]}]
    op = {"#operator": "IndexScan3", **{k: op[k] for k in sorted(op) if k != "#operator"}}
    if getattr(access, "via", "") in ("any", "pairs"):  # pairs: an adaptive index
        return {"#operator": "DistinctScan", "scan": op}
    return op


def _path(path: tuple) -> A.Node:
    node: A.Node = A.Ident(path[0])
    for name in path[1:]:
        node = A.Field(node, name)
    return node


def fetch_operator(access: Any, alias: Optional[str]) -> dict:
    return {"#operator": "Fetch", **_keyspace_fields(access.path, alias)}


def scan_operators(source: Any) -> list:
    """The operators that read a FROM term (or a DML statement's keyspace):
    its scan and, unless the scan covers the query, the Fetch."""
    access = getattr(source, "access", None)
    if access is not None:
        ops = [scan_operator(access, source.alias)]
        if getattr(access, "cover", None) is None:
            ops.append(fetch_operator(access, source.alias))
        return ops
    if getattr(source, "system", None) is not None:
        return [{"#operator": "PrimaryScan", "index": "#primary", "keyspace": source.system,
                 "namespace": "system", "using": "system"}]
    term = getattr(source, "term", None)
    if isinstance(term, A.ExprTerm):
        return [{"#operator": "ExpressionScan", "alias": source.alias,
                 "expr": _text(term.expr)}]
    return [{"#operator": "DummyScan"}]


def join_operator(step: Any, t: Any = _text) -> dict:
    """One JOIN, NEST or UNNEST step of a block (``t``: the text of an expression)."""
    join = getattr(step, "join", None)
    kind = getattr(step, "kind", getattr(join, "kind", "JOIN"))
    outer = bool(getattr(step, "outer", False))
    alias = getattr(step, "alias", getattr(join, "alias", None))
    if kind == "UNNEST":
        op = {"#operator": "Unnest", "as": alias, "expr": t(join.term if join else None)}
        if outer:
            op["outer"] = True
        return op
    path = getattr(step, "path", None)
    if join is None or path is None:
        return {"#operator": "NestedLoopJoin", "alias": alias}
    ks = _keyspace_fields(path, alias)
    ks["as"] = alias
    if join.on_keys is not None:  # a lookup join or nest
        op = {"#operator": "Nest" if kind == "NEST" else "Join", **ks,
              "on_keys": t(join.on_keys)}
        if outer:
            op["outer"] = True
        return op
    if getattr(step, "scan_all", False):
        inner = [{"#operator": "PrimaryScan3", **ks, "index": "#primary",
                  "index_projection": {"primary_key": True}, "using": "gsi"}]
    else:
        inner = [{"#operator": "KeyScan", "as": alias, "keys": "meta().id"}]
    inner.append({"#operator": "Fetch", **ks})
    op = {"#operator": "NestedLoopNest" if kind == "NEST" else "NestedLoopJoin",
          "alias": alias, "on_clause": t(join.on)}
    if outer:
        op["outer"] = True
    op["~child"] = sequence(inner)
    return op


def _project(block: Any, text: Any = _text) -> dict:
    terms = []
    for term in block.terms:
        if term.star and term.expr is None:
            terms.append({"expr": "self", "star": True})
            continue
        item: dict[str, Any] = {"expr": text(term.expr)}
        if term.alias:
            item["as"] = term.alias
        if term.star:
            item["star"] = True
        terms.append(item)
    op: dict[str, Any] = {"#operator": "InitialProject"}
    if block.distinct:
        op["distinct"] = True
    if block.raw:
        op["raw"] = True
    op["result_terms"] = terms
    if getattr(block, "exclude", None):  # SELECT ... EXCLUDE (exclude.py)
        from .exclude import exclude_text

        op["exclude"] = exclude_text(block.exclude)
    return op


def _namer(plan: Any) -> Any:
    """The text function for a block's expressions (fields over its FROM alias)."""
    block = plan.block
    alias = plan.source.alias
    if alias is None:
        return _text
    names = set(plan.aliases) | {n for n, _e in block.let} | {n for n, _e in block.letting} | {
        t.alias for t in block.terms if t.alias} | set(getattr(plan, "outer_names", ()))
    access = getattr(plan.source, "access", None)
    cover = getattr(access, "cover", None)
    if cover is None:
        return lambda node: _text(node, alias, names)
    # A covered query reads index keys: cover (...) around each, as the server prints.
    covered = [_qualify(_path(p), alias) for _i, p in cover.slots] + [
        _qualify(_path(p), alias) for p, _v in cover.fixed] + [
        f"(meta({A.quote_ident(alias)}).`id`)"]
    pattern = re.compile("|".join(re.escape(t) for t in sorted(covered, key=len, reverse=True)))
    return lambda node: pattern.sub(lambda m: f"cover ({m.group(0)})", _text(node, alias, names))


def block_operators(plan: Any, order: Optional[list] = None) -> list:
    """A SELECT block (:class:`~.executor.BlockPlan`): scan, Fetch, then the
    per-row part in a Parallel, then grouping and projection."""
    block = plan.block
    ops = scan_operators(plan.source)
    t = _namer(plan)
    rows = [join_operator(j, t) for j in plan.joins]
    if block.let:
        rows.append({"#operator": "Let", "bindings": [
            {"expr": t(e), "var": n} for n, e in block.let]})
    if block.where is not None:
        rows.append({"#operator": "Filter", "condition": t(block.where)})
    if plan.grouped:
        keys = [t(g) for g in block.group_by or []]
        aggs = sorted({t(n) for n in _aggregates(plan)})
        group = {"aggregates": aggs, "group_keys": keys}
        rows.append({"#operator": "InitialGroup", **group})
        ops.append(parallel(rows))
        ops.append({"#operator": "IntermediateGroup", **group})
        ops.append({"#operator": "FinalGroup", **group})
        rows = []
        if block.letting:
            rows.append({"#operator": "Let", "bindings": [
                {"expr": t(e), "var": n} for n, e in block.letting]})
        if block.having is not None:
            rows.append({"#operator": "Filter", "condition": t(block.having)})
    windows = window_operators(plan, t, order)
    if windows:  # window functions see every row: after the parallel part, before projection
        if rows:
            ops.append(parallel(rows))
        ops.extend(windows)
        rows = []
    rows.append(_project(block, t))
    if block.distinct:
        rows.append({"#operator": "Distinct"})
    ops.append(parallel(rows))
    return ops


def window_operators(plan: Any, t: Any = _text, order: Optional[list] = None) -> list:
    """The window functions of a block (windowfun.adoc): per window
    specification, fewest sort terms first as :class:`~.window.WindowStage`
    computes them, an ``Order`` by its PARTITION BY and ORDER BY terms (none
    when it has neither) and a ``WindowAggregate`` with the texts of its calls,
    each with its named window resolved."""
    if getattr(plan, "window", None) is None:
        return []
    from .window import _resolve, named_windows, window_calls

    block = plan.block
    calls = window_calls([term.expr for term in block.terms] + [o.expr for o in order or []])
    named = named_windows(block.window)
    groups: dict = {}
    for node in calls:
        window = _resolve(node.over, named, node.name)
        sort = [{"expr": t(e)} for e in window.partition] + [
            {"expr": t(o.expr), **({"desc": True} if o.desc else {})}
            for o in window.order or []]
        call = copy.copy(node)
        call.over = window
        key = repr(sort)
        groups.setdefault(key, (sort, []))[1].append(t(call))
    ops = []
    for sort, texts in sorted(groups.values(), key=lambda g: len(g[0])):
        if sort:
            ops.append({"#operator": "Order", "sort_terms": sort})
        ops.append({"#operator": "WindowAggregate", "aggregates": texts})
    return ops


def _aggregates(plan: Any) -> list:
    from . import executor  # the aggregate names the executor groups by

    aggregates = executor.AGGREGATES
    block = plan.block
    nodes = [t.expr for t in block.terms] + [block.having] + [e for _n, e in block.letting]
    return [n for node in nodes if node is not None for n in A.walk(node)
            if isinstance(n, A.Call) and n.name in aggregates]


def _tail(plan: Any) -> list:
    query = plan.query
    t = _namer(plan.block) if plan.block is not None else _text
    ops = []
    if query.order:
        terms = []
        for o in query.order:
            term: dict[str, Any] = {"expr": t(o.expr)}
            if o.desc:
                term["desc"] = True
            terms.append(term)
        ops.append({"#operator": "Order", "sort_terms": terms})
    if query.offset is not None:
        ops.append({"#operator": "Offset", "expr": _text(query.offset)})
    if query.limit is not None:
        ops.append({"#operator": "Limit", "expr": _text(query.limit)})
    return ops


_SETOPS = {"UNION": "UnionAll", "INTERSECT": "IntersectAll", "EXCEPT": "ExceptAll"}


def _setop(node: Any) -> dict:
    if not isinstance(node, tuple):
        return select_plan(node)
    op, all_, left, right = node
    if op == "UNION":
        kids = []
        for side in (left, right):
            p = _setop(side)
            if isinstance(side, tuple) and side[0] == "UNION" and side[1] and \
                    p["#operator"] == "UnionAll":
                kids.extend(p["~children"])
            else:
                kids.append(p)
        out: dict = {"#operator": "UnionAll", "~children": kids}
    else:
        out = {"#operator": _SETOPS[op], "first": _setop(left), "second": _setop(right)}
    if not all_:
        return sequence([out, {"#operator": "Distinct"}])
    return out


def select_plan(plan: Any) -> dict:
    """The plan of a :class:`~.executor.SelectPlan`."""
    tail = _tail(plan)
    if plan.block is not None:
        body = sequence(block_operators(plan.block, plan.query.order))
    else:
        body = _setop(plan.setop)
    if not tail:
        return body
    return sequence([body] + tail)


def dml_plan(engine: Any, stmt: Any) -> dict:
    """UPDATE, DELETE, INSERT and UPSERT."""
    if isinstance(stmt, A.Insert):
        verb = "SendUpsert" if stmt.upsert else "SendInsert"
        path = (stmt.ref.bucket, stmt.ref.scope or "_default", stmt.ref.collection or "_default")
        send = {"#operator": verb, **_keyspace_fields(path, stmt.alias)}
        if stmt.query is not None:
            from .executor import SelectPlan

            first = select_plan(SelectPlan(engine, stmt.query))
        else:
            first = {"#operator": "ValueScan", "values": ", ".join(
                "(" + ", ".join(_text(x) for x in row if x is not None) + ")"
                for row in stmt.values)}
        rows = [send]
        if stmt.returning is not None:
            rows.append(_returning(stmt.returning))
        return sequence([first, parallel(rows)])
    from .evaluator import Scope
    from .executor import Source

    source = Source(engine, stmt.term, stmt.where, set(), Scope())
    ops = scan_operators(source)
    t = (lambda node: _text(node, source.alias)) if source.alias else _text
    rows = []
    if stmt.where is not None:
        rows.append({"#operator": "Filter", "condition": t(stmt.where)})
    ks = _keyspace_fields(source.path, source.alias) if source.path else {}
    if isinstance(stmt, A.Update):
        rows.append({"#operator": "Clone"})
        if stmt.set:
            rows.append({"#operator": "Set", "set_terms": [
                {"path": t(x[0]), "value": t(x[1])} for x in stmt.set
                if isinstance(x, tuple) and len(x) >= 2]})
        if stmt.unset:
            rows.append({"#operator": "Unset", "unset_terms": [
                {"path": t(x[0] if isinstance(x, tuple) else x)} for x in stmt.unset]})
        rows.append({"#operator": "SendUpdate", **ks})
    else:
        rows.append({"#operator": "SendDelete", **ks})
    if stmt.returning is not None:
        rows.append(_returning(stmt.returning))
    ops.append(parallel(rows))
    if stmt.limit is not None:
        ops.append({"#operator": "Limit", "expr": _text(stmt.limit)})
    return sequence(ops)


def _returning(ret: Any) -> dict:
    return {"#operator": "InitialProject", "result_terms": [
        {"expr": "self", "star": True} if t.star and t.expr is None else
        {"expr": _text(t.expr), **({"as": t.alias} if t.alias else {})} for t in ret.terms]}


def index_ddl_plan(stmt: Any) -> Optional[dict]:
    """CREATE [PRIMARY] INDEX, DROP [PRIMARY] INDEX and BUILD INDEX, by the
    query service's operator names (None for another statement)."""
    ref = getattr(stmt, "ref", None)
    if ref is None:
        return None
    path = (ref.bucket, ref.scope or "_default", ref.collection or "_default")
    ks = _keyspace_fields(path, None)
    if isinstance(stmt, A.CreateIndex):
        name = stmt.name or "#primary"
        op = "CreatePrimaryIndex" if stmt.primary else "CreateIndex"
        out: dict[str, Any] = {"#operator": op, "index": name, **ks, "using": stmt.using}
        if not stmt.primary:
            out["keys"] = [
                (f"({m.lower()} {A.to_n1ql(k)})" if m else A.to_n1ql(k))
                for k, m in zip(stmt.keys, stmt.modifiers or [""] * len(stmt.keys))]
            if stmt.where is not None:
                out["where"] = A.to_n1ql(stmt.where)
        return out
    if isinstance(stmt, A.DropIndex):
        return {"#operator": "DropIndex", "index": stmt.name or "#primary", **ks}
    if isinstance(stmt, A.BuildIndex):
        return {"#operator": "BuildIndexes", **ks,
                "indexes": [A.to_n1ql(n) if not isinstance(n, A.Ident) else n.name
                            for n in stmt.names]}
    return None
