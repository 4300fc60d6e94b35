"""The SELECT pipeline: scan, joins, LET, WHERE, GROUP BY, projection, ORDER BY.

A statement is compiled once into a :class:`SelectPlan` (expressions as
closures, access paths chosen), then run as a chain of generators over row
environments (see :mod:`.evaluator`)::

    scan (keys | index | primary) -> fetch -> JOIN/NEST/UNNEST -> LET -> WHERE
      -> GROUP BY/aggregates -> LETTING -> HAVING -> projection -> DISTINCT
      -> ORDER BY -> OFFSET -> LIMIT

Without ORDER BY the rows stream, so LIMIT stops the scan early. Every loop
that may run long (scanned keys, each outer row of a join, the inner rows it
compares, sort keys) checks the request's :class:`~.cancel.Cancel`, so a
request stops at its deadline rather than at its end.
"""

from __future__ import annotations

import itertools
from typing import Any, Callable, Iterator, Optional

from . import ast as A
from . import system
from .aggregates import AGGREGATES, Aggregate, aggregate_input
from .ctes import WithPlan
from .errors import N1QLError
from .evaluator import CTX, META, Compiler, Scope, flatten_op
from .exclude import excluder
from .fromscope import resolve_term
from .fromterms import TermJoin, is_term_join
from .functions.meta import UNNEST_POS
from .groupas import group_member
from .groupcheck import check_grouped_block
from .joinrules import IndexJoin
from .planner import (
    Access,
    choose_access,
    cover_block,
    is_constant,
    require_keyspace,
    use_vector_order,
)
from .quota import NO_QUOTA, Quota, quota_of
from .subquery_rules import check_from_expression, check_subquery_aliases, mark_scopes
from .values import MISSING, collation_key, hashable, truth
from .window import WindowStage, window_calls

AGG = "\x00agg"
Fn = Callable[[dict], Any]


def collect_aggregates(nodes: list) -> list:
    out = []
    for node in nodes:
        if node is None:
            continue
        for n in A.walk(node):
            if isinstance(n, A.Call) and n.name in AGGREGATES and n.over is None:
                out.append(n)
    return out


class Projector:
    """Builds result rows from environments (SELECT list or RETURNING)."""

    def __init__(self, terms: list, raw: bool, compiler: Compiler, aliases: list) -> None:
        self.raw = raw
        self.aliases = aliases
        self.items: list[tuple[str, Optional[str], Optional[Fn]]] = []
        counter = 1
        for t in terms:
            if t.star and t.expr is None:
                self.items.append(("all", None, None))
            elif t.star:
                self.items.append(("merge", None, compiler.compile(t.expr)))
            else:
                name = t.alias or A.implicit_name(t.expr)
                if not name:
                    name = f"${counter}"
                    counter += 1
                self.items.append(("one", name, compiler.compile(t.expr)))
        self.names = [] if raw else [n for kind, n, _ in self.items if kind == "one" and n]
        self.exclude: Optional[Callable[[dict], dict]] = None  # exclude.py

    def signature(self) -> Any:
        if self.raw:
            return "json"
        sig: dict[str, str] = {}
        for kind, name, _ in self.items:
            if kind == "one" and name:
                sig[name] = "json"
            else:
                sig["*"] = "*"
        return sig

    def project(self, env: dict) -> Any:
        if self.raw:
            fn = self.items[0][2]
            assert fn is not None
            return fn(env)
        out: dict[str, Any] = {}
        for kind, name, fn in self.items:
            if kind == "one":
                v = fn(env)  # type: ignore[misc]
                if v is not MISSING:
                    out[name] = v  # type: ignore[index]
            elif kind == "all":
                for alias in self.aliases:
                    v = env.get(alias, MISSING)
                    if v is not MISSING:
                        out[alias] = v
            else:
                v = fn(env)  # type: ignore[misc]
                if type(v) is dict:
                    out.update(v)
        return out if self.exclude is None else self.exclude(out)


class Source:
    """The FROM term's rows (before joins)."""

    def __init__(self, engine: Any, term: Any, where: Optional[A.Node], others: set,
                 outer: Scope, unnests: Any = ()) -> None:
        self.engine = engine
        self.term = term
        self.alias = term.alias if term is not None else None
        self.access: Optional[Access] = None
        self.system: Optional[str] = None
        self.system_keys: Optional[Fn] = None
        self.expr_fn: Optional[Fn] = None
        self.path: Optional[tuple] = None
        if term is None:
            return
        if isinstance(term, A.ExprTerm):
            check_from_expression(term.expr, outer.bound)  # (subquery_rules.py: Q8)
            self.expr_fn = Compiler(outer).compile(term.expr)
            return
        ref = term.ref
        if ref.namespace == "system":
            self.system = system.check(ref)
            self.system_keys = Compiler(outer).compile(term.use_keys) \
                if term.use_keys is not None else None
            return
        self.path = require_keyspace(engine.datastore, ref)
        self.access = choose_access(engine.catalog, term, self.path, where, others, outer,
                                    unnests)

    def rows(self, base: dict) -> Iterator[dict]:
        alias = self.alias
        ctx = base[CTX]
        if self.term is None:
            yield dict(base)
            return
        if self.expr_fn is not None:
            v = self.expr_fn(base)
            items = v if type(v) is list else ([] if v is MISSING or v is None else [v])
            check = ctx.cancel.check
            for i, item in enumerate(items):
                if not i & 255:
                    check()
                env = dict(base)
                env[alias] = item
                yield env
            return
        if self.system is not None:
            keys = self.system_keys(base) if self.system_keys is not None else None
            if keys is not None and type(keys) is not list:
                keys = [keys]
            for key, value in system.rows_with_keys(self.engine, self.system, ctx, keys):
                env = dict(base)
                env[alias] = value
                env[META + str(alias)] = {"id": key}
                yield env
            return
        assert self.access is not None and self.path is not None
        fetch = self.engine.fetch
        path = self.path
        meta_key = META + str(alias)
        check = ctx.cancel.check
        validate = getattr(self.term, "validate_keys", False)
        if self.access.cover is not None:  # a covering scan: rows from the index alone
            for key, doc in self.access.covered(base, self.engine.on_loop):
                check()
                env = dict(base)
                env[alias] = doc
                env[meta_key] = {"id": key}
                yield env
            return
        quota = quota_of(ctx)
        for key in self.access.keys(base, self.engine.on_loop):
            check()
            got = fetch(path, key)
            if got is None:
                if validate:  # USE KEYS VALIDATE (n1ql-error-codes: 5503)
                    ctx.warn(5503, "Key(s) in USE KEYS hint not found")
                continue
            if quota.active:  # a document in flight (quota.py)
                quota.passing(got[0])
            env = dict(base)
            env[alias] = got[0]
            env[meta_key] = got[1]
            yield env

    def explain(self) -> list:
        from .explain import scan_operators

        return scan_operators(self)


class JoinStep:
    def __init__(self, engine: Any, join: A.Join, compiler: Compiler, others: set) -> None:
        self.engine = engine
        self.join = join
        self.kind = join.kind
        self.outer = join.outer
        self.alias = join.alias
        self.on_fn: Optional[Fn] = None
        self.keys_fn: Optional[Fn] = None
        self.expr_fn: Optional[Fn] = None
        self.path: Optional[tuple] = None
        self.scan_all = False
        self.index_join: Optional[IndexJoin] = None
        if join.kind == "UNNEST":
            self.expr_fn = compiler.compile(join.term)
            return
        term: A.KeyspaceTerm = join.term
        self.path = require_keyspace(engine.datastore, term.ref)
        if join.for_alias is not None:  # an index join or nest (joinrules.py)
            if join.for_alias not in compiler.scope.bound:
                raise N1QLError(4025, f"Unknown keyspace for alias {join.for_alias}")
            self.index_join = IndexJoin(engine, join, self.path)
            return
        inner = compiler.with_scope(compiler.scope.joined(join.alias))
        if join.on_keys is not None:
            self.keys_fn = compiler.compile(join.on_keys)
            return
        assert join.on is not None
        if term.use_keys is not None:  # JOIN ks USE KEYS [...] ON ...: those documents only
            self.keys_fn = compiler.compile(term.use_keys)
        rest = []
        for c in flatten_op(join.on, "AND"):
            side = self._meta_id_match(c, join.alias) if self.keys_fn is None else None
            if side is not None:
                self.keys_fn = inner.compile(side)  # (an ON term: the name rule applies)
            else:
                rest.append(c)
        if rest:
            cond = rest[0]
            for c in rest[1:]:
                cond = A.Binary("AND", cond, c)
            self.on_fn = inner.compile(cond)
        if self.keys_fn is None:
            if engine.catalog.primary(self.path) is None:
                raise N1QLError(4330, f"No index available for ANSI {join.kind.lower()} term "
                                      f"{join.alias}")
            self.scan_all = True

    @staticmethod
    def _meta_id_match(c: A.Node, alias: str) -> Optional[A.Node]:
        if not (isinstance(c, A.Binary) and c.op == "="):
            return None
        for a, b in ((c.left, c.right), (c.right, c.left)):
            if (isinstance(a, A.Field) and a.name == "id" and isinstance(a.base, A.Call)
                    and a.base.name == "META" and len(a.base.args) == 1
                    and isinstance(a.base.args[0], A.Ident) and a.base.args[0].name == alias):
                if not any(isinstance(n, A.Ident) and n.name == alias for n in A.walk(b)):
                    return b
        return None

    def _docs(self, env: dict, cache: dict, check: Callable[[], None]) -> list:
        assert self.path is not None
        if self.index_join is not None:
            return self.index_join.docs(env)
        if self.scan_all:
            if "all" not in cache:  # the inner keyspace, kept for every outer row
                quota = quota_of(env[CTX])
                kept = cache["all"] = []
                for i, r in enumerate(self.engine.datastore.scan(self.path)):
                    if not i & 255:
                        check()
                    got = self.engine.fetch(self.path, r.key)
                    if quota.active and got is not None:
                        quota.charge(got[0])
                    kept.append(got)
            found = [g for g in cache["all"] if g is not None]
        else:
            assert self.keys_fn is not None
            keys = self.keys_fn(env)
            if type(keys) is str:
                keys = [keys]
            elif type(keys) is not list:
                keys = []
            found = []
            for k in keys:
                if type(k) is str:
                    got = self.engine.fetch(self.path, k)
                    if got is not None:
                        found.append(got)
        if self.on_fn is None:
            return found
        out = []
        for i, (value, meta) in enumerate(found):
            if not i & 1023:
                check()
            e = dict(env)
            e[self.alias] = value
            e[META + self.alias] = meta
            if truth(self.on_fn(e)):
                out.append((value, meta))
        return out

    def _no_match_nest(self, env: dict) -> Any:
        """A LEFT lookup NEST with no match (nest.adoc, Return Values): MISSING when
        ON KEYS is MISSING or NULL, else an empty array."""
        if self.join.on_keys is None or self.join.for_alias is not None:
            return MISSING
        assert self.keys_fn is not None
        return MISSING if self.keys_fn(env) in (MISSING, None) else []

    def apply(self, rows: Iterator[dict], ctx: Any) -> Iterator[dict]:
        alias = self.alias
        cache: dict = {}
        check = ctx.cancel.check
        for env in rows:
            check()
            if self.kind == "UNNEST":
                assert self.expr_fn is not None
                arr = self.expr_fn(env)
                if type(arr) is list and arr:
                    for pos, item in enumerate(arr):
                        e = dict(env)
                        e[alias] = item
                        e[UNNEST_POS + alias] = pos  # for UNNEST_POS() (functions/meta.py)
                        yield e
                elif self.outer:
                    e = dict(env)
                    e[alias] = MISSING
                    yield e
                continue
            docs = self._docs(env, cache, check)
            if self.kind == "NEST":
                if docs:
                    e = dict(env)
                    e[alias] = [v for v, _m in docs]
                    yield e
                elif self.outer:
                    e = dict(env)
                    e[alias] = self._no_match_nest(env)
                    yield e
                continue
            if docs:
                for value, meta in docs:
                    e = dict(env)
                    e[alias] = value
                    e[META + alias] = meta
                    yield e
            elif self.outer:
                e = dict(env)
                e[alias] = MISSING
                yield e


class BlockPlan:
    """One SELECT block compiled against an engine."""

    def __init__(self, engine: Any, block: A.SelectBlock, outer: Scope,
                 order: Optional[list] = None) -> None:
        self.block = block
        aliases = []
        if block.from_ is not None:
            aliases.append(block.from_.alias)
        aliases += [j.alias for j in block.joins]
        self.aliases = aliases
        let_names = [n for n, _ in block.let]
        letting_names = [n for n, _ in block.letting]
        default = aliases[0] if aliases else outer.default_alias
        several = len(aliases) > 1 or (not aliases and outer.several)  # name rule (Scope)
        names_default = None if several else default
        scope = Scope(outer.bound | set(aliases) | set(let_names), names_default, several=several)
        check_subquery_aliases(outer, aliases)  # (subquery_rules.py: Q6B)
        mark_scopes([scope], outer, aliases + let_names)
        compiler = Compiler(scope)
        others = (outer.bound | set(aliases) | set(let_names)) - {default}
        from_ = resolve_term(engine, block.from_, outer.bound)  # FROM an outer name (fromscope.py)
        self.source = Source(engine, from_, block.where, others, outer, block.joins)
        if block.group_as is None:  # (GROUP AS keeps whole rows: no covering scan)
            cover_block(self.source.access, block, order, outer.bound | set(aliases[1:]))
        self.joins = []
        for i, j in enumerate(block.joins):
            partial = Scope(outer.bound | set(aliases[: i + 1]), None if i else default,
                            several=i > 0)
            mark_scopes([partial], outer, aliases + let_names)
            step = TermJoin if is_term_join(j) else JoinStep  # FROM a, b; JOIN (subquery)
            self.joins.append(step(engine, j, Compiler(partial), others))
        self.lets = [(n, compiler.compile(e)) for n, e in block.let]
        self.where = compiler.compile(block.where) if block.where is not None else None
        post_nodes = [t.expr for t in block.terms] + [block.having] + [
            e for _, e in block.letting] + [o.expr for o in (order or [])]
        agg_nodes = collect_aggregates(post_nodes)
        self.grouped = block.group_by is not None or bool(agg_nodes)
        self.group_fns = [compiler.compile(g) for g in block.group_by or []]
        self.aggs = []
        slots = {}
        for i, node in enumerate(agg_nodes):
            slots[id(node)] = i
            name = "COUNT_STAR" if node.star else node.name
            arg = aggregate_input(node, compiler.compile)  # (with its FILTER clause)
            if collect_aggregates(node.args):
                raise N1QLError(5010, "Aggregates cannot be nested.")
            self.aggs.append((name, node.distinct, arg))
        self.group_as = block.group_as  # GROUP AS name (groupas.py)
        if self.group_as is not None:
            letting_names.append(self.group_as)
        post_scope = Scope(scope.bound | set(letting_names), names_default,
                           slots if self.grouped else None, several=several)
        post = Compiler(post_scope)
        # window functions (window.py): computed after grouping, before projection and ORDER BY
        calls = window_calls([t.expr for t in block.terms] + [o.expr for o in (order or [])])
        self.window = WindowStage(calls, post, block.window) if calls else None
        post_scope.windows = self.window.slots if self.window is not None else None
        mark_scopes([post_scope], outer, aliases + let_names + letting_names)
        self.lettings = [(n, post.compile(e)) for n, e in block.letting]
        self.having = post.compile(block.having) if block.having is not None else None
        self.projector = Projector(block.terms, block.raw, post, aliases)
        self.projector.exclude = excluder(block.exclude, aliases)  # SELECT ... EXCLUDE
        if self.grouped:  # only group keys and aggregates after grouping (groupcheck.py)
            check_grouped_block(block, order, aliases + let_names, aliases[0] if aliases
                                else None, outer.bound | set(letting_names), self.projector.names)
        order_scope = Scope(post_scope.bound | set(self.projector.names), names_default,
                            post_scope.aggregates, several=several)
        order_scope.windows = post_scope.windows
        order_scope.block_names = post_scope.block_names
        self.order_fns = [(Compiler(order_scope).compile(o.expr), o.desc, o.nulls_first)
                          for o in (order or [])]
        self.distinct = block.distinct
        self.engine = engine

    def envs(self, base: dict) -> Iterator[dict]:
        rows = self.source.rows(base)
        for j in self.joins:
            rows = j.apply(rows, base[CTX])
        lets, where = self.lets, self.where
        check = base[CTX].cancel.check
        for env in rows:
            check()
            for name, fn in lets:
                env[name] = fn(env)
            if where is None or truth(where(env)):
                yield env

    def grouped_envs(self, base: dict) -> Iterator[dict]:
        groups: dict[tuple, tuple[dict, list, list]] = {}
        aggs = self.aggs
        group_fns = self.group_fns
        group_as = self.group_as
        quota = quota_of(base[CTX])
        for env in self.envs(base):
            key = tuple(hashable(f(env)) for f in group_fns)
            g = groups.get(key)
            if g is None:
                g = groups[key] = (env, [Aggregate(n, d) for n, d, _ in aggs], [])
                if quota.active:  # a group table entry (quota.py)
                    quota.charge(key)
            if group_as is not None:
                g[2].append(group_member(env, self.aliases))
                if quota.active:
                    quota.charge(g[2][-1])
            for acc, (_n, _d, arg) in zip(g[1], aggs):
                acc.add(arg(env) if arg is not None else None)
        if not groups and not group_fns:
            groups[()] = (dict(base), [Aggregate(n, d) for n, d, _ in aggs], [])
        check = base[CTX].cancel.check
        for env, accs, members in groups.values():
            check()
            e = dict(env)
            e[AGG] = [a.result() for a in accs]
            if group_as is not None:
                e[group_as] = members
            for name, fn in self.lettings:
                e[name] = fn(e)
            if self.having is None or truth(self.having(e)):
                yield e

    def rows(self, base: dict) -> Iterator[tuple]:
        """``(order environment, result)`` pairs."""
        envs = self.grouped_envs(base) if self.grouped else self.envs(base)
        if self.window is not None:
            envs = self.window.run(envs, base[CTX])
        project = self.projector.project
        # (a result name that is also a FROM alias leaves the alias bound for ORDER BY)
        names = [n for n in self.projector.names if n not in self.aliases] \
            if self.order_fns else []
        seen: Optional[set] = set() if self.distinct else None
        raw = self.projector.raw
        check = base[CTX].cancel.check
        quota = quota_of(base[CTX]) if seen is not None else NO_QUOTA
        for env in envs:
            check()
            result = project(env)
            if raw and result is MISSING:
                continue
            if seen is not None:
                h = hashable(result)
                if quota.active and h not in seen:  # the DISTINCT buffer (quota.py)
                    quota.charge(result)
                if h in seen:
                    continue
                seen.add(h)
            if names and type(result) is dict:
                for n in names:
                    if n in result:
                        env[n] = result[n]
            yield env, result

    def explain(self) -> list:
        from .explain import block_operators

        return block_operators(self)


def sort_pairs(pairs: list, order_fns: list, check: Callable[[], None] = lambda: None,
               quota: Quota = NO_QUOTA) -> list:
    """Results ordered by the ORDER BY terms (stable sorts, last term first).

    The sort keys are computed first, in a loop that checks the request's
    deadline (``check``) and counts each row in its memory ``quota``; each
    pass then sorts those keys (no evaluation inside ``list.sort``), with a
    check before and after it."""
    keyed = []
    for i, (env, result) in enumerate(pairs):
        if not i & 1023:
            check()
        keyed.append(([fn(env) for fn, _d, _n in order_fns], result))
        if quota.active:  # the sort buffer (quota.py)
            quota.charge(keyed[-1])
    for i in range(len(order_fns) - 1, -1, -1):
        _fn, desc, nulls_first = order_fns[i]
        keys = []
        for j, kr in enumerate(keyed):
            if not j & 1023:
                check()
            keys.append(collation_key(kr[0][i]))
        check()
        order = sorted(range(len(keyed)), key=keys.__getitem__, reverse=desc)
        check()
        keyed = [keyed[j] for j in order]
        if nulls_first is not None:
            def unknown_last(kr: tuple, i: int = i, first: bool = nulls_first) -> int:
                v = kr[0][i]
                return 0 if (v is None or v is MISSING) == first else 1

            keyed.sort(key=unknown_last)
            check()
    return [r for _k, r in keyed]


class SelectPlan:
    """A whole SELECT (one block or a set operation) with ORDER BY/OFFSET/LIMIT."""

    def __init__(self, engine: Any, query: A.Select, outer: Optional[Scope] = None) -> None:
        outer = outer or Scope()
        self.with_plan = WithPlan(engine, query.with_, outer) if query.with_ else None
        if self.with_plan is not None:  # WITH terms: bound like variables, visible below
            outer = self.with_plan.scope
        self.query = query
        body = query.body
        self.block: Optional[BlockPlan] = None
        self.setop: Optional[tuple] = None
        if isinstance(body, A.SelectBlock):
            self.block = BlockPlan(engine, body, outer, query.order)
            self.order_fns = self.block.order_fns
            # ORDER BY APPROX_VECTOR_DISTANCE(...) LIMIT n through a vector index (planner.py)
            self.top_k = use_vector_order(engine.catalog, self.block, query.order, query.limit)
        else:
            self.setop = self._setop(engine, body, outer)
            names = self._first_names(engine, body, outer)
            scope = Scope(outer.bound | set(names))
            self.order_fns = [(Compiler(scope).compile(o.expr), o.desc, o.nulls_first)
                              for o in (query.order or [])]
        const = Compiler(outer)
        for clause in (query.limit, query.offset):
            if clause is not None and not is_constant(clause):
                raise N1QLError(3000, "LIMIT and OFFSET must be constants or parameters")
        self.limit = const.compile(query.limit) if query.limit is not None else None
        self.offset = const.compile(query.offset) if query.offset is not None else None

    def _setop(self, engine: Any, body: Any, outer: Scope) -> Any:
        if isinstance(body, A.SetOp):
            return (body.op, body.all, self._setop(engine, body.left, outer),
                    self._setop(engine, body.right, outer))
        if isinstance(body, A.Select):
            return SelectPlan(engine, body, outer)
        return SelectPlan(engine, A.Select(body), outer)

    def _first_names(self, engine: Any, body: Any, outer: Scope) -> list:
        while isinstance(body, A.SetOp):
            body = body.left
        if isinstance(body, A.Select):
            body = body.body
            return self._first_names(engine, body, outer)
        return [t.alias or A.implicit_name(t.expr) for t in body.terms if not t.star]

    def signature(self) -> Any:
        if self.block is not None:
            return self.block.projector.signature()
        return {"*": "*"}

    def _set_results(self, node: Any, base: dict) -> list:
        if isinstance(node, SelectPlan):
            return node.run(base)
        op, all_, left, right = node
        lres, rres = self._set_results(left, base), self._set_results(right, base)
        check = base[CTX].cancel.check
        if op == "UNION":
            out = lres + rres
        else:
            rkeys = set()
            for i, r in enumerate(rres):
                if not i & 1023:
                    check()
                rkeys.add(hashable(r))
            inter = op == "INTERSECT"
            out = []
            for i, r in enumerate(lres):
                if not i & 1023:
                    check()
                if (hashable(r) in rkeys) == inter:
                    out.append(r)
        if not all_:
            seen: set = set()
            uniq = []
            for i, r in enumerate(out):
                if not i & 1023:
                    check()
                h = hashable(r)
                if h not in seen:
                    seen.add(h)
                    uniq.append(r)
            out = uniq
        return out

    def _int(self, fn: Optional[Fn], base: dict, what: str) -> Optional[int]:
        if fn is None:
            return None
        v = fn(base)
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise N1QLError(5030, f"Invalid {what} value {v}.")
        return max(0, int(v))

    def run(self, base: dict) -> list:
        if self.with_plan is not None:
            base = self.with_plan.bind(base)
        limit = self._int(self.limit, base, "LIMIT")
        offset = self._int(self.offset, base, "OFFSET") or 0
        if self.block is not None:
            pairs: Iterator = self.block.rows(base)
        else:
            results = self._set_results(self.setop, base)
            pairs = ((self._env(base, r), r) for r in results)
        if self.order_fns:
            if getattr(self, "top_k", False):  # rows come in ORDER BY order: read what LIMIT needs
                pairs = itertools.islice(pairs, None if limit is None else offset + limit)
            ordered = sort_pairs(list(pairs), self.order_fns, base[CTX].cancel.check,
                                 quota_of(base[CTX]))
            end = None if limit is None else offset + limit
            return ordered[offset:end]
        results_iter: Iterator = (r for _e, r in pairs)
        end = None if limit is None else offset + limit
        quota = quota_of(base[CTX])
        if quota.active:  # the rows a (sub)query returns are held (quota.py)
            results_iter = _charged(results_iter, quota)
        return list(itertools.islice(results_iter, offset, end))

    @staticmethod
    def _env(base: dict, result: Any) -> dict:
        e = dict(base)
        if type(result) is dict:
            e.update(result)
        return e

    def explain(self) -> dict:
        from .explain import select_plan

        return select_plan(self)


def _charged(results: Iterator, quota: Quota) -> Iterator:
    for r in results:
        quota.charge(r)
        yield r


def _subquery(query: A.Select, scope: Scope) -> Fn:
    cache: dict = {}

    def run(env: dict) -> Any:
        engine = env[CTX].executor
        plan = cache.get(id(engine))
        if plan is None:
            plan = cache[id(engine)] = SelectPlan(engine, query, scope)
        return plan.run(env)

    return run


Compiler.subquery_hook = staticmethod(_subquery)
