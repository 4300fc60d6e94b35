"""FORMALIZE(statement[, query_context]) (metafun.adoc, FORMALIZE): the statement
printed back with every reference fully qualified.

Keyspaces become ```namespace`:`bucket`[.`scope`.`collection`]`` (a one-word
name is a collection of the query_context's scope, when it names one); an
identifier that is no alias, variable or CTE is a field of the statement's one
keyspace (```landmark`.`country```; with several keyspaces it is ambiguous:
3080); ``SELECT *`` is ``self.*``; META() names its keyspace. Expressions print
as :func:`.ast.to_n1ql` prints them (parenthesised, strings in double quotes),
keywords in lower case, as the page's examples show::

    select self.* from `default`:`travel-sample`.`inventory`.`landmark`
    where ((`landmark`.`country`) = "United Kingdom") limit 1
"""

from __future__ import annotations

from typing import Any, Optional

from . import ast as A
from .contexts import split_query_context
from .errors import E_AMBIGUOUS_REFERENCE, N1QLError
from .exclude import exclude_text
from .parser import parse

Context = tuple[str, Optional[str], Optional[str]]  # namespace, bucket, scope


class _Printed(A.Subquery):
    """A subquery already printed (``to_n1ql`` writes its ``text``)."""

    __slots__ = ("text",)

    def __init__(self, query: Any, text: str) -> None:
        super().__init__(query)
        self.text = text


def query_context(text: Optional[str]) -> Context:
    """``[namespace:]bucket[.scope]`` (names optionally in backticks); "" or None: none."""
    if not text:
        return ("default", None, None)
    try:
        namespace, parts = split_query_context(text)
    except ValueError:
        raise N1QLError(5010, f"Error evaluating FORMALIZE() - cause: invalid query context "
                              f"{text}: it is [namespace:]bucket[.scope]") from None
    return (namespace, parts[0], parts[1] if len(parts) == 2 else None)


def formalize(statement: str, context: Optional[str] = None) -> str:
    """The formalized text of ``statement`` (any parse error is the parser's)."""
    return _Printer(query_context(context)).statement(parse(statement))


def _q(name: str) -> str:
    return A.quote_ident(name)


class _Printer:
    def __init__(self, context: Context) -> None:
        self.context = context

    # -- statements ---------------------------------------------------------------

    def statement(self, stmt: Any) -> str:
        if isinstance(stmt, A.Select):
            return self.select(stmt, frozenset(), ())
        if isinstance(stmt, A.Explain):
            return "explain " + self.statement(stmt.stmt)
        if isinstance(stmt, A.Insert):
            return self.insert(stmt)
        if isinstance(stmt, (A.Update, A.Delete)):
            return self.update_delete(stmt)
        raise N1QLError(5010, f"Error evaluating FORMALIZE() - cause: the local cluster "
                              f"formalizes SELECT, INSERT, UPSERT, UPDATE, DELETE and "
                              f"EXPLAIN statements, not {type(stmt).__name__}")

    def select(self, sel: A.Select, outer_bound: frozenset, outer: tuple) -> str:
        bound = set(outer_bound)
        parts = []
        if sel.with_:
            terms = []
            for w in sel.with_:
                bound.add(w.name)
                body = (self.select(w.query, frozenset(bound), outer) if w.query is not None
                        else self.expr(w.expr, frozenset(bound), outer))
                terms.append(f"{_q(w.name)} as ({body})")
            parts.append(("with recursive " if any(w.recursive for w in sel.with_)
                          else "with ") + ", ".join(terms))
        body, aliases, names = self.body(sel.body, frozenset(bound), outer)
        parts.append(body)
        scope = frozenset(bound | names)
        if sel.order:
            parts.append("order by " + ", ".join(
                self.expr(o.expr, scope, aliases) + (" desc" if o.desc else "")
                + ("" if o.nulls_first is None else " nulls first" if o.nulls_first
                   else " nulls last") for o in sel.order))
        if sel.limit is not None:
            parts.append("limit " + self.expr(sel.limit, frozenset(bound), outer))
        if sel.offset is not None:
            parts.append("offset " + self.expr(sel.offset, frozenset(bound), outer))
        return " ".join(parts)

    def body(self, body: Any, bound: frozenset, outer: tuple) -> tuple[str, tuple, set]:
        """The text of a block or set operation; the keyspace aliases an ORDER BY
        sees; the names it binds (aliases, LET variables, result aliases)."""
        if isinstance(body, A.SetOp):
            left = self.body(body.left, bound, outer)
            right = self.body(body.right, bound, outer)
            op = body.op.lower() + (" all" if body.all else "")
            return f"({left[0]}) {op} ({right[0]})", (), left[2]
        return self.block(body, bound, outer)

    def block(self, b: A.SelectBlock, bound: frozenset, outer: tuple) -> tuple[str, tuple, set]:
        aliases: list[str] = []
        froms = []
        if b.from_ is not None:
            froms.append("from " + self.from_term(b.from_, bound, outer))
            aliases.append(b.from_.alias)
        for j in b.joins:
            aliases.append(j.alias)
        names = set(bound) | set(aliases)
        keyspaces = tuple(aliases) or outer
        for j in b.joins:
            froms.append(self.join(j, frozenset(names), keyspaces))
        ex = lambda e: self.expr(e, frozenset(names), keyspaces)  # noqa: E731
        clauses = []

        def bindings(word: str, pairs: list) -> None:  # LET / LETTING: each sees the last
            texts = []
            for name, e in pairs:
                texts.append(f"{_q(name)} = {ex(e)}")
                names.add(name)
            clauses.append(f"{word} " + ", ".join(texts))

        if b.let:
            bindings("let", b.let)
        if b.where is not None:
            clauses.append("where " + ex(b.where))
        if b.group_by is not None:
            clauses.append("group by " + ", ".join(ex(e) for e in b.group_by))
            if b.group_as is not None:  # GROUP AS (groupas.py)
                clauses[-1] += f" group as {_q(b.group_as)}"
                names.add(b.group_as)
        if b.letting:
            bindings("letting", b.letting)
        if b.having is not None:
            clauses.append("having " + ex(b.having))
        terms = []
        for t in b.terms:
            if t.star and t.expr is None:
                terms.append("self.*")
            elif t.star:
                terms.append(f"{ex(t.expr)}.*")
            else:
                terms.append(ex(t.expr) + (f" as {_q(t.alias)}" if t.alias else ""))
        head = "select " + ("distinct " if b.distinct else "") + ("raw " if b.raw else "")
        if b.exclude:  # SELECT ... EXCLUDE paths (exclude.py), as written
            terms[-1] += " exclude " + exclude_text(b.exclude)
        text = " ".join([head + ", ".join(terms)] + froms + clauses)
        result_names = {t.alias or A.implicit_name(t.expr) for t in b.terms if not t.star}
        return text, keyspaces, names | {n for n in result_names if n}

    def keyspace(self, ref: A.KeyspaceRef) -> str:
        namespace, bucket, scope = self.context
        if ref.namespace == "system":
            return f"{_q('system')}:{_q(ref.bucket)}"
        if ref.scope is None and bucket is not None and scope is not None:
            return f"{_q(namespace)}:" + ".".join(_q(n) for n in (bucket, scope, ref.bucket))
        path = [ref.bucket] + ([ref.scope, ref.collection or ""] if ref.scope else [])
        return f"{_q(ref.namespace)}:" + ".".join(_q(n) for n in path)

    def from_term(self, term: Any, bound: frozenset, outer: tuple) -> str:
        if isinstance(term, A.KeyspaceTerm):
            text = self.keyspace(term.ref)
            if term.alias != term.ref.default_alias:
                text += f" as {_q(term.alias)}"
            if term.use_keys is not None:
                text += " use keys " + ("validate " if term.validate_keys else "") + \
                    self.expr(term.use_keys, bound, outer)
            return text
        return f"{self.expr(term.expr, bound, outer)} as {_q(term.alias)}"

    def join(self, j: A.Join, names: frozenset, keyspaces: tuple) -> str:
        kind = ("left outer " if j.outer else "") + j.kind.lower()
        if j.kind == "UNNEST":
            return f"{kind} {self.expr(j.term, names, keyspaces)} as {_q(j.alias)}"
        text = f"{kind} {self.from_term(j.term, names, keyspaces)}"
        if j.on_keys is not None:
            text += " on keys " + self.expr(j.on_keys, names, keyspaces)
        if j.on is not None:
            text += " on " + self.expr(j.on, names, keyspaces)
        return text

    def insert(self, stmt: A.Insert) -> str:
        target = self.keyspace(stmt.ref)
        if stmt.alias != stmt.ref.default_alias:
            target += f" as {_q(stmt.alias)}"
        text = ("upsert" if stmt.upsert else "insert") + f" into {target}"
        none: frozenset = frozenset()
        if stmt.query is not None:
            body, aliases, names = self.body(stmt.query.body, none, ())
            pair = [self.expr(e, frozenset(names), aliases)
                    for e in (stmt.key_expr, stmt.value_expr) if e is not None]
            keys = "(key " + pair[0] + (f", value {pair[1]}" if len(pair) > 1 else "") + ")"
            text += f" {keys} {self.select(stmt.query, none, ())}"
        else:
            rows = []
            for key, value, options in stmt.values:
                items = [self.expr(e, none, ()) for e in (key, value, options) if e is not None]
                rows.append("(" + ", ".join(items) + ")")
            text += " values " + ", ".join(rows)
        return text + self.returning(stmt.returning, stmt.alias)

    def update_delete(self, stmt: Any) -> str:
        term = stmt.term
        alias = (term.alias,)
        ex = lambda e: self.expr(e, frozenset(alias), alias)  # noqa: E731
        if isinstance(stmt, A.Update):
            text = "update " + self.from_term(term, frozenset(), ())
            if stmt.set:
                text += " set " + ", ".join(f"{ex(p)} = {ex(v)}" for p, v in stmt.set)
            if stmt.unset:
                text += " unset " + ", ".join(ex(p) for p in stmt.unset)
        else:
            text = "delete from " + self.from_term(term, frozenset(), ())
        if stmt.where is not None:
            text += " where " + ex(stmt.where)
        if stmt.limit is not None:
            text += " limit " + ex(stmt.limit)
        return text + self.returning(stmt.returning, term.alias)

    def returning(self, ret: Optional[A.Returning], alias: str) -> str:
        if ret is None:
            return ""
        ex = lambda e: self.expr(e, frozenset([alias]), (alias,))  # noqa: E731
        terms = []
        for t in ret.terms:
            if t.star and t.expr is None:
                terms.append("self.*")
            elif t.star:
                terms.append(f"{ex(t.expr)}.*")
            else:
                terms.append(ex(t.expr) + (f" as {_q(t.alias)}" if t.alias else ""))
        return " returning " + ("raw " if ret.raw else "") + ", ".join(terms)

    # -- expressions --------------------------------------------------------------

    def expr(self, node: Any, bound: frozenset, keyspaces: tuple) -> str:
        return A.to_n1ql(self.qualify(node, bound, keyspaces))

    def qualify(self, node: Any, bound: frozenset, keyspaces: tuple) -> Any:
        """A copy of ``node`` whose free identifiers are fields of the one keyspace."""
        if isinstance(node, A.Ident):
            if node.name in bound or node.name in keyspaces or not keyspaces:
                return node
            if len(keyspaces) > 1:
                raise N1QLError(E_AMBIGUOUS_REFERENCE, f"Ambiguous reference to field "
                                                       f"{node.name}.")
            return A.Field(A.Ident(keyspaces[0]), node.name)
        if isinstance(node, A.Subquery):
            return _Printed(node.query, "(" + self.select(
                node.query, bound | frozenset(keyspaces), keyspaces) + ")")
        if isinstance(node, A.Call) and node.name == "META" and not node.args \
                and len(keyspaces) == 1:
            return A.Call("META", [A.Ident(keyspaces[0])])
        if isinstance(node, (A.Quantified, A.Comprehension)):
            inner = set(bound)
            bindings = []
            for b in node.bindings:
                bindings.append(A.Binding(b.var, b.pos, self.qualify(
                    b.expr, frozenset(inner), keyspaces), b.within))
                inner.update(n for n in (b.var, b.pos) if n)
            q = lambda e: self.qualify(e, frozenset(inner), keyspaces)  # noqa: E731
            if isinstance(node, A.Quantified):
                return A.Quantified(node.kind, bindings, q(node.cond))
            return A.Comprehension(node.kind, q(node.value), q(node.name), bindings,
                                   q(node.when))
        if not isinstance(node, A.Node):
            if isinstance(node, (list, tuple)):
                return type(node)(self.qualify(x, bound, keyspaces) for x in node)
            return node
        copy = object.__new__(type(node))
        for cls in type(node).__mro__:
            for slot in getattr(cls, "__slots__", ()):
                if hasattr(node, slot):
                    value = getattr(node, slot)
                    if isinstance(value, (A.Node, list, tuple)):
                        value = self.qualify(value, bound, keyspaces)
                    object.__setattr__(copy, slot, value)
        return copy
