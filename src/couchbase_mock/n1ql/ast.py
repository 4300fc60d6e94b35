"""Syntax tree of N1QL statements and expressions, and its N1QL text form.

Nodes are small classes with ``__slots__``; :func:`to_n1ql` prints an
expression back as N1QL (for EXPLAIN, ``system:indexes`` and for matching a
query's predicates to index keys: with ``strip`` set, paths rooted at that
keyspace alias print without it, so ``b.abv`` in a query and ``abv`` in
``CREATE INDEX ... ON beer(abv)`` print alike).
"""

from __future__ import annotations

import json
from typing import Any, Optional


class Node:
    __slots__: tuple[str, ...] = ()

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={getattr(self, k)!r}" for k in self.__slots__)
        return f"{type(self).__name__}({fields})"

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and all(
            getattr(self, k) == getattr(other, k) for k in self.__slots__
        )

    def __hash__(self) -> int:
        return hash(type(self).__name__)

    def children(self) -> list[Any]:
        out: list[Any] = []
        for k in self.__slots__:
            _collect(getattr(self, k), out)
        return out


def _collect(v: Any, out: list[Any]) -> None:
    if isinstance(v, Node):
        out.append(v)
    elif isinstance(v, (list, tuple)):
        for x in v:
            _collect(x, out)


def walk(node: Any):
    """Every node under ``node`` (itself first), not descending into subqueries."""
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        if not isinstance(n, Subquery):
            stack.extend(reversed(n.children()))


# -- expressions --------------------------------------------------------------


class Literal(Node):
    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


class Ident(Node):
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name


class SelfRef(Node):
    """``SELF``: the current document of the keyspace in scope, as in an adaptive
    index key ``DISTINCT PAIRS(SELF)`` (adaptive-indexing.adoc, "PAIRS() Function")."""

    __slots__ = ()


class Field(Node):
    __slots__ = ("base", "name")

    def __init__(self, base: Node, name: str) -> None:
        self.base = base
        self.name = name


class DynField(Node):
    """``base.[expr]``: a field named by an expression."""

    __slots__ = ("base", "name")

    def __init__(self, base: Node, name: Node) -> None:
        self.base = base
        self.name = name


class ICaseField(Field):
    """``base.`name`i``: a field matched case-insensitively (nestedops.adoc)."""

    __slots__ = ()


class ICaseDynField(DynField):
    """``base.[expr]i``: a field named by an expression, matched case-insensitively."""

    __slots__ = ()


class Element(Node):
    __slots__ = ("base", "index")

    def __init__(self, base: Node, index: Node) -> None:
        self.base = base
        self.index = index


class ArrayStar(Node):
    """``base[*]``: an array of objects as one object of arrays (nestedops.adoc)."""

    __slots__ = ("base",)

    def __init__(self, base: Node) -> None:
        self.base = base


class Slice(Node):
    __slots__ = ("base", "start", "end")

    def __init__(self, base: Node, start: Node, end: Optional[Node]) -> None:
        self.base = base
        self.start = start
        self.end = end


class Param(Node):
    """``$name`` (``key`` a str), ``$1`` or ``?`` (``key`` an int, 1-based)."""

    __slots__ = ("key",)

    def __init__(self, key: Any) -> None:
        self.key = key


class Unary(Node):
    """``op``: ``-``, ``NOT`` or ``EXISTS``."""

    __slots__ = ("op", "operand")

    def __init__(self, op: str, operand: Node) -> None:
        self.op = op
        self.operand = operand


class Binary(Node):
    """Arithmetic, comparison, ``||``, ``AND``/``OR``, ``[NOT] LIKE``, ``[NOT] IN``, ``WITHIN``."""

    __slots__ = ("op", "left", "right")

    def __init__(self, op: str, left: Node, right: Node) -> None:
        self.op = op
        self.left = left
        self.right = right


class Between(Node):
    __slots__ = ("expr", "low", "high", "negated")

    def __init__(self, expr: Node, low: Node, high: Node, negated: bool) -> None:
        self.expr = expr
        self.low = low
        self.high = high
        self.negated = negated


class IsCheck(Node):
    """``expr IS [NOT] NULL|MISSING|VALUED``."""

    __slots__ = ("expr", "what", "negated")

    def __init__(self, expr: Node, what: str, negated: bool) -> None:
        self.expr = expr
        self.what = what
        self.negated = negated


class Case(Node):
    """Searched (``subject`` None) or simple CASE."""

    __slots__ = ("subject", "whens", "default")

    def __init__(self, subject: Optional[Node], whens: list, default: Optional[Node]) -> None:
        self.subject = subject
        self.whens = whens
        self.default = default


class Call(Node):
    """A function call; ``name`` upper case. ``star`` for ``COUNT(*)``; ``over``
    the :class:`Window` of a window function, ``filter`` an aggregate's
    ``FILTER (WHERE cond)``."""

    __slots__ = ("name", "args", "distinct", "star", "over", "filter")

    def __init__(self, name: str, args: list, distinct: bool = False, star: bool = False,
                 over: Optional[Window] = None, filter: Optional[Node] = None) -> None:
        self.name = name
        self.args = args
        self.distinct = distinct
        self.star = star
        self.over = over
        self.filter = filter


class WindowFrame(Node):
    """``ROWS | RANGE | GROUPS`` from ``start`` to ``end``; each bound a kind
    (``UNBOUNDED PRECEDING``, ``PRECEDING``, ``CURRENT ROW``, ``FOLLOWING``,
    ``UNBOUNDED FOLLOWING``) and, for PRECEDING/FOLLOWING, an offset expression;
    ``exclude``: ``CURRENT ROW``, ``GROUP``, ``TIES`` or None."""

    __slots__ = ("unit", "start", "start_expr", "end", "end_expr", "exclude")

    def __init__(self, unit: str, start: str, start_expr: Optional[Node], end: str,
                 end_expr: Optional[Node], exclude: Optional[str]) -> None:
        self.unit = unit
        self.start = start
        self.start_expr = start_expr
        self.end = end
        self.end_expr = end_expr
        self.exclude = exclude


class Window(Node):
    """A window specification (``OVER (...)``, ``OVER name`` or a WINDOW clause
    entry): ``ref`` a named window it extends (``OVER name``: ``whole``, the
    named window itself); ``partition`` expressions; ``order`` :class:`OrderTerm`
    list or None; ``frame``; and the calling function's options ``ignore_nulls``
    (IGNORE NULLS) and ``from_last``."""

    __slots__ = ("ref", "partition", "order", "frame", "ignore_nulls", "from_last", "whole")

    def __init__(self, ref: Optional[str] = None, partition: Optional[list] = None,
                 order: Optional[list] = None, frame: Optional[WindowFrame] = None) -> None:
        self.ref = ref
        self.partition = partition or []
        self.order = order
        self.frame = frame
        self.ignore_nulls = False
        self.from_last = False
        self.whole = False


class ArrayCons(Node):
    __slots__ = ("items",)

    def __init__(self, items: list) -> None:
        self.items = items


class ObjectCons(Node):
    """``pairs`` of (name expression, value expression)."""

    __slots__ = ("pairs",)

    def __init__(self, pairs: list) -> None:
        self.pairs = pairs


class Binding(Node):
    """``[pos:]var IN expr`` or ``var WITHIN expr`` in ANY/EVERY/ARRAY."""

    __slots__ = ("var", "pos", "expr", "within")

    def __init__(self, var: str, pos: Optional[str], expr: Node, within: bool) -> None:
        self.var = var
        self.pos = pos
        self.expr = expr
        self.within = within


class Quantified(Node):
    """``ANY``, ``EVERY`` or ``ANY AND EVERY`` ... SATISFIES ... END."""

    __slots__ = ("kind", "bindings", "cond")

    def __init__(self, kind: str, bindings: list, cond: Node) -> None:
        self.kind = kind
        self.bindings = bindings
        self.cond = cond


class Comprehension(Node):
    """``ARRAY``/``FIRST`` expr or ``OBJECT`` name:expr FOR ... [WHEN cond] END."""

    __slots__ = ("kind", "value", "name", "bindings", "when")

    def __init__(self, kind: str, value: Node, name: Optional[Node], bindings: list,
                 when: Optional[Node]) -> None:
        self.kind = kind
        self.value = value
        self.name = name
        self.bindings = bindings
        self.when = when


class Subquery(Node):
    __slots__ = ("query",)

    def __init__(self, query: Any) -> None:
        self.query = query

    def children(self) -> list[Any]:
        return []


# -- statements ---------------------------------------------------------------


class KeyspaceRef(Node):
    """``[namespace:]bucket[.scope.collection]``."""

    __slots__ = ("namespace", "bucket", "scope", "collection")

    def __init__(self, namespace: str, bucket: str, scope: Optional[str] = None,
                 collection: Optional[str] = None) -> None:
        self.namespace = namespace
        self.bucket = bucket
        self.scope = scope
        self.collection = collection

    @property
    def path(self) -> str:
        parts = [self.bucket]
        if self.scope and self.collection:
            parts += [self.scope, self.collection]
        return f"{self.namespace}:" + ".".join(parts)

    @property
    def default_alias(self) -> str:
        return self.collection if self.collection else self.bucket

    def __hash__(self) -> int:
        return hash((self.namespace, self.bucket, self.scope, self.collection))


class KeyspaceTerm(Node):
    __slots__ = ("ref", "alias", "use_keys", "use_index", "validate_keys", "join_hint",
                 "use_using", "hints")

    def __init__(self, ref: KeyspaceRef, alias: str, use_keys: Optional[Node] = None,
                 use_index: Optional[list] = None) -> None:
        self.ref = ref
        self.alias = alias
        self.use_keys = use_keys
        self.use_index = use_index
        self.validate_keys = False  # USE KEYS VALIDATE: warning 5503 for a missing key
        self.use_using: Optional[list] = None  # USE INDEX (name USING FTS|GSI): [(name, kind)]
        self.hints: Optional[Any] = None  # the block's hints.HintSet (optimizer hints)
        self.join_hint: Optional[str] = None  # USE HASH(...) / USE NL (join.adoc): "HASH"/"NL"


class ExprTerm(Node):
    """A subquery or expression in FROM, with its alias."""

    __slots__ = ("expr", "alias")

    def __init__(self, expr: Node, alias: str) -> None:
        self.expr = expr
        self.alias = alias


class Join(Node):
    """``kind`` JOIN, NEST or UNNEST; ``term`` a KeyspaceTerm (JOIN/NEST) or an
    expression (UNNEST); ``on_keys`` or ``on`` for the first two."""

    __slots__ = ("kind", "outer", "term", "alias", "on_keys", "on", "right", "for_alias")

    def __init__(self, kind: str, outer: bool, term: Any, alias: str,
                 on_keys: Optional[Node] = None, on: Optional[Node] = None) -> None:
        self.kind = kind
        self.outer = outer
        self.term = term
        self.alias = alias
        self.on_keys = on_keys
        self.on = on
        self.right = False  # RIGHT [OUTER] JOIN (joinrules.py turns it into a LEFT one)
        self.for_alias: Optional[str] = None  # index join: ON KEY expr FOR alias


class ResultTerm(Node):
    """One projection: ``expr [AS alias]``, ``*`` (``expr`` None) or ``path.*``."""

    __slots__ = ("expr", "alias", "star")

    def __init__(self, expr: Optional[Node], alias: Optional[str], star: bool) -> None:
        self.expr = expr
        self.alias = alias
        self.star = star


class OrderTerm(Node):
    __slots__ = ("expr", "desc", "nulls_first")

    def __init__(self, expr: Node, desc: bool, nulls_first: Optional[bool]) -> None:
        self.expr = expr
        self.desc = desc
        self.nulls_first = nulls_first


class Select(Node):
    """One SELECT block (``body``) or a set operation, with ORDER/LIMIT/OFFSET
    and the common table expressions of its WITH clause (``with_``)."""

    __slots__ = ("body", "order", "limit", "offset", "with_")

    def __init__(self, body: Any, order: Optional[list] = None, limit: Optional[Node] = None,
                 offset: Optional[Node] = None, with_: Optional[list] = None) -> None:
        self.body = body
        self.order = order
        self.limit = limit
        self.offset = offset
        self.with_ = with_


class WithTerm(Node):
    """One common table expression: ``name AS (query | expr)``; a recursive
    one may have CYCLE fields (``cycle``) and an OPTIONS object."""

    __slots__ = ("name", "query", "expr", "recursive", "cycle", "options")

    def __init__(self, name: str, query: Optional[Select], expr: Optional[Node],
                 recursive: bool = False, cycle: Optional[list] = None,
                 options: Optional[Node] = None) -> None:
        self.name = name
        self.query = query
        self.expr = expr
        self.recursive = recursive
        self.cycle = cycle
        self.options = options


class SelectBlock(Node):
    __slots__ = ("distinct", "raw", "terms", "from_", "joins", "let", "where", "group_by",
                 "letting", "having", "window", "exclude", "group_as")

    def __init__(self) -> None:
        self.distinct = False
        self.raw = False
        self.terms: list[ResultTerm] = []
        self.from_: Optional[Any] = None
        self.joins: list[Join] = []
        self.let: list[tuple[str, Node]] = []
        self.where: Optional[Node] = None
        self.group_by: Optional[list[Node]] = None
        self.letting: list[tuple[str, Node]] = []
        self.having: Optional[Node] = None
        self.window: list[tuple[str, Window]] = []  # the WINDOW clause's named windows
        self.exclude: list[tuple] = []  # SELECT ... EXCLUDE paths (exclude.py)
        self.group_as: Optional[str] = None  # GROUP BY ... GROUP AS name (groupas.py)


class SetOp(Node):
    """``UNION``, ``INTERSECT`` or ``EXCEPT`` (``all`` keeps duplicates)."""

    __slots__ = ("op", "all", "left", "right")

    def __init__(self, op: str, all_: bool, left: Any, right: Any) -> None:
        self.op = op
        self.all = all_
        self.left = left
        self.right = right


class Returning(Node):
    __slots__ = ("terms", "raw")

    def __init__(self, terms: list, raw: bool) -> None:
        self.terms = terms
        self.raw = raw


class Insert(Node):
    """INSERT or UPSERT: ``values`` (key, value, options) or ``query`` with key/value exprs."""

    __slots__ = ("upsert", "ref", "alias", "values", "key_expr", "value_expr", "options_expr",
                 "query", "returning")

    def __init__(self, upsert: bool, ref: KeyspaceRef, alias: str) -> None:
        self.upsert = upsert
        self.ref = ref
        self.alias = alias
        self.values: list[tuple[Node, Node, Optional[Node]]] = []
        self.key_expr: Optional[Node] = None
        self.value_expr: Optional[Node] = None
        self.options_expr: Optional[Node] = None
        self.query: Optional[Select] = None
        self.returning: Optional[Returning] = None


class UpdateFor(Node):
    """``FOR [pos:]var (IN|WITHIN) path [, ...] [FOR ...]* [WHEN cond] END`` after a
    SET or UNSET path (update.adoc, FOR Clause): one list of bindings per FOR level."""

    __slots__ = ("levels", "when")

    def __init__(self, levels: list[list[Binding]], when: Optional[Node]) -> None:
        self.levels = levels
        self.when = when


class Update(Node):
    __slots__ = ("term", "set", "unset", "where", "limit", "returning", "set_for", "unset_for")

    def __init__(self, term: KeyspaceTerm) -> None:
        self.term = term
        self.set: list[tuple[Node, Node]] = []
        self.unset: list[Node] = []
        self.set_for: dict[int, UpdateFor] = {}
        """The FOR clause of ``set[i]``, by position (update.adoc, FOR Clause)."""
        self.unset_for: dict[int, UpdateFor] = {}
        self.where: Optional[Node] = None
        self.limit: Optional[Node] = None
        self.returning: Optional[Returning] = None


class Delete(Node):
    __slots__ = ("term", "where", "limit", "returning")

    def __init__(self, term: KeyspaceTerm) -> None:
        self.term = term
        self.where: Optional[Node] = None
        self.limit: Optional[Node] = None
        self.returning: Optional[Returning] = None


class CreateIndex(Node):
    """Secondary (``keys``) or primary (``primary``) index definition."""

    __slots__ = ("name", "ref", "primary", "keys", "where", "with_", "if_not_exists", "using",
                 "modifiers", "partition", "key_attribs")

    def __init__(self, name: Optional[str], ref: KeyspaceRef, primary: bool, keys: list,
                 where: Optional[Node], with_: Optional[Node], if_not_exists: bool,
                 using: str = "gsi", modifiers: Optional[list] = None,
                 partition: Optional[list] = None) -> None:
        # modifiers: per key, "DISTINCT" or "ALL" before an ARRAY key, else "";
        # partition: the expressions of PARTITION BY HASH(...), or None.
        self.modifiers = modifiers if modifiers is not None else [""] * len(keys)
        self.partition = partition
        # key_attribs: per key, "DESC" and/or "INCLUDE MISSING" (leading key) as written
        self.key_attribs: list = [""] * len(keys)
        self.name = name
        self.ref = ref
        self.primary = primary
        self.keys = keys
        self.where = where
        self.with_ = with_
        self.if_not_exists = if_not_exists
        self.using = using


class DropIndex(Node):
    __slots__ = ("ref", "name", "primary", "if_exists")

    def __init__(self, ref: KeyspaceRef, name: Optional[str], primary: bool, if_exists: bool):
        self.ref = ref
        self.name = name
        self.primary = primary
        self.if_exists = if_exists


class BuildIndex(Node):
    __slots__ = ("ref", "names")

    def __init__(self, ref: KeyspaceRef, names: list) -> None:
        self.ref = ref
        self.names = names


class Explain(Node):
    __slots__ = ("stmt",)

    def __init__(self, stmt: Node) -> None:
        self.stmt = stmt


class Prepare(Node):
    __slots__ = ("name", "stmt", "text", "force")

    def __init__(self, name: Optional[str], stmt: Node, text: str, force: bool = False) -> None:
        self.name = name
        self.stmt = stmt
        self.text = text
        self.force = force  # PREPARE FORCE: made again even when cached (prepare.adoc)


class Execute(Node):
    __slots__ = ("name", "using")

    def __init__(self, name: Node, using: Optional[Node]) -> None:
        self.name = name
        self.using = using


# -- printing -----------------------------------------------------------------

_BINARY_TEXT = {"AND": " and ", "OR": " or ", "LIKE": " like ", "NOT LIKE": " not like ",
                "IN": " in ", "NOT IN": " not in ", "WITHIN": " within ",
                "NOT WITHIN": " not within "}


def _window_text(node: Call, p: Any) -> str:
    """`` filter (where ...)`` and `` over (partition by ... order by ... frame)``."""
    out = f" filter (where {p(node.filter)})" if node.filter is not None else ""
    w = node.over
    if w is None:
        return out
    if w.from_last:
        out += " from last"
    if w.ignore_nulls:
        out += " ignore nulls"
    if w.whole:
        return f"{out} over {quote_ident(w.ref or '')}"
    parts = [quote_ident(w.ref)] if w.ref else []
    if w.partition:
        parts.append("partition by " + ", ".join(p(e) for e in w.partition))
    if w.order:
        parts.append("order by " + ", ".join(
            p(o.expr) + (" desc" if o.desc else "") + (
                "" if o.nulls_first is None else " nulls first" if o.nulls_first else " nulls last")
            for o in w.order))
    f = w.frame
    if f is not None:
        bounds = [(f"{p(e)} " if e is not None else "") + kind.lower()
                  for kind, e in ((f.start, f.start_expr), (f.end, f.end_expr))]
        parts.append(f"{f.unit.lower()} between {bounds[0]} and {bounds[1]}"
                     + (f" exclude {f.exclude.lower()}" if f.exclude else ""))
    return f"{out} over ({' '.join(parts)})"


def quote_ident(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def to_n1ql(node: Any, strip: Optional[str] = None) -> str:
    """N1QL text of an expression (``strip``: a keyspace alias to leave out)."""
    p = lambda n: to_n1ql(n, strip)  # noqa: E731
    if isinstance(node, Literal):
        v = node.value
        if type(v).__name__ == "_Missing":  # (values.MISSING; not JSON)
            return "missing"
        return json.dumps(v) if v is not None else "null"
    if isinstance(node, Ident):
        return quote_ident(node.name)
    if isinstance(node, SelfRef):
        return "self"
    if isinstance(node, ICaseField):
        return f"({p(node.base)}.{quote_ident(node.name)}i)"
    if isinstance(node, ICaseDynField):
        return f"({p(node.base)}.[{p(node.name)}]i)"
    if isinstance(node, Field):
        if strip is not None and isinstance(node.base, Ident) and node.base.name == strip:
            return quote_ident(node.name)
        return f"({p(node.base)}.{quote_ident(node.name)})"
    if isinstance(node, DynField):
        return f"({p(node.base)}.[{p(node.name)}])"
    if isinstance(node, Element):
        return f"({p(node.base)}[{p(node.index)}])"
    if isinstance(node, ArrayStar):
        return f"({p(node.base)}[*])"
    if isinstance(node, Slice):
        end = p(node.end) if node.end is not None else ""
        return f"({p(node.base)}[{p(node.start)} : {end}])"
    if isinstance(node, Param):
        return f"${node.key}"
    if isinstance(node, Unary):
        if node.op == "-":
            return f"(-{p(node.operand)})"
        return f"({node.op.lower()} {p(node.operand)})"
    if isinstance(node, Binary):
        op = _BINARY_TEXT.get(node.op, f" {node.op} ")
        return f"({p(node.left)}{op}{p(node.right)})"
    if isinstance(node, Between):
        neg = "not " if node.negated else ""
        return f"({p(node.expr)} {neg}between {p(node.low)} and {p(node.high)})"
    if isinstance(node, IsCheck):
        neg = "not " if node.negated else ""
        return f"({p(node.expr)} is {neg}{node.what.lower()})"
    if isinstance(node, Case):
        parts = ["case"]
        if node.subject is not None:
            parts.append(p(node.subject))
        for cond, res in node.whens:
            parts.append(f"when {p(cond)} then {p(res)}")
        if node.default is not None:
            parts.append(f"else {p(node.default)}")
        parts.append("end")
        return "(" + " ".join(parts) + ")"
    if isinstance(node, Call):
        if node.name == "META" and not node.args and strip is not None:
            return "meta()"
        if (node.name == "META" and strip is not None and len(node.args) == 1
                and isinstance(node.args[0], Ident) and node.args[0].name == strip):
            return "meta()"
        inner = "*" if node.star else ", ".join(p(a) for a in node.args)
        if node.distinct:
            inner = "distinct " + inner
        text = f"{node.name.lower()}({inner})"
        if node.filter is not None or node.over is not None:  # aggregate FILTER, OVER (...)
            text += _window_text(node, p)
        return text
    if isinstance(node, ArrayCons):
        return "[" + ", ".join(p(x) for x in node.items) + "]"
    if isinstance(node, ObjectCons):
        return "{" + ", ".join(f"{p(k)}: {p(v)}" for k, v in node.pairs) + "}"
    if isinstance(node, (Quantified, Comprehension)):
        binds = ", ".join(
            (f"{quote_ident(b.pos)} : " if b.pos else "") + quote_ident(b.var)
            + (" within " if b.within else " in ") + p(b.expr) for b in node.bindings)
        if isinstance(node, Quantified):
            return f"{node.kind.lower()} {binds} satisfies {p(node.cond)} end"
        head = p(node.value) if node.name is None else f"{p(node.name)} : {p(node.value)}"
        when = f" when {p(node.when)}" if node.when is not None else ""
        return f"{node.kind.lower()} {head} for {binds}{when} end"
    if isinstance(node, Subquery):  # (formalize.py prints a subquery's text first)
        return getattr(node, "text", None) or "(select ...)"
    if hasattr(node, "n1ql_text"):  # a plug-in's expression (statements/sequences.py)
        return node.n1ql_text()
    return "?"


def implicit_name(expr: Optional[Node]) -> str:
    """The result name of an unaliased projection: a path's last field, else ''."""
    if isinstance(expr, Field):
        return expr.name
    if isinstance(expr, Ident):
        return expr.name
    return ""
