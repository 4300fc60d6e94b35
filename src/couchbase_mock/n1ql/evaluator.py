"""Expressions compiled to Python closures.

:func:`Compiler.compile` turns an expression tree into ``fn(env) -> value``
once per statement, so evaluating a row is a chain of direct calls rather than
a walk over the tree. ``env`` maps names (keyspace aliases, LET and range
variables) to values; ``env[CTX]`` is the request :class:`Context`
(parameters, clock, the executor for subqueries) and ``env[META + alias]``
the metadata (id, cas, ...) of the document bound to ``alias``.

N1QL rules kept here: an operator over MISSING gives MISSING and over NULL
gives NULL (MISSING winning); arithmetic over non-numbers gives NULL; AND is
FALSE if any operand is false, else MISSING/NULL if any is, else TRUE; an
unqualified name is a field of the only keyspace in FROM; with several
keyspaces in scope it must be a variable (:attr:`Scope.several`).
"""

from __future__ import annotations

import time
from typing import Any, Callable, Iterator, Optional

from . import ast as A
from .aggregates import AGGREGATES
from .cancel import Cancel
from .errors import E_AMBIGUOUS_REFERENCE, N1QLError
from .functions import ARITY, CONTEXTUAL, FUNCTIONS
from .regex import compile_like
from .values import MISSING, collation_key, equal, is_number, truth

E_AMBIGUOUS_META = 4310  # META() without its keyspace where several are in scope
CTX = "\x00ctx"
META = "\x00meta:"

Fn = Callable[[dict], Any]


class Context:
    """Per-request state: parameters, the statement time, the executor, the
    request's :class:`~.cancel.Cancel` and which buckets the user may see in
    ``system:`` keyspaces (``may_read(bucket)``; ``None``: every bucket)."""

    def __init__(self, named: Optional[dict] = None, positional: Optional[list] = None,
                 executor: Any = None, now: Optional[float] = None,
                 cancel: Optional[Cancel] = None,
                 may_read: Optional[Callable[[str], bool]] = None) -> None:
        self.named = {k.lstrip("$"): v for k, v in (named or {}).items()}
        self.positional = list(positional or [])
        self.executor = executor
        self.now = time.time() if now is None else now
        self.cancel = cancel if cancel is not None else Cancel()
        self.may_read = may_read
        self.user: Optional[str] = None
        """Who runs the request (``None``: the engine's own caller, who sees everything)."""
        self.warnings: list[dict[str, Any]] = []
        """The response's ``warnings`` (``{"code", "msg"}``), each given once: see :meth:`warn`."""

    def warn(self, code: int, msg: str) -> None:
        """Add a warning to the response (once per code and message)."""
        entry = {"code": code, "msg": msg}
        if entry not in self.warnings:
            self.warnings.append(entry)

    def param(self, key: Any) -> Any:
        if isinstance(key, int):
            if 1 <= key <= len(self.positional):
                return self.positional[key - 1]
            raise N1QLError(5010, f"No value for positional parameter ${key}.")
        if key in self.named:
            return self.named[key]
        raise N1QLError(5010, f"No value for named parameter ${key}.")


class Scope:
    """What names mean while compiling: bound variables, the implicit keyspace,
    and (after GROUP BY) where each aggregate's value is found."""

    windows: Optional[dict] = None  # window call id -> slot, where window functions may be
    block_names: frozenset = frozenset()  # enclosing blocks' names (subquery_rules.py)

    def __init__(self, bound: Optional[set] = None, default_alias: Optional[str] = None,
                 aggregates: Optional[dict] = None, parent: Optional[Scope] = None,
                 several: bool = False) -> None:
        self.several = several  # (the name rule, below)
        self.bound = set(bound or ())
        self.default_alias = default_alias
        self.aggregates = aggregates
        self.parent = parent

    def child(self, names: list) -> Scope:
        s = Scope(self.bound | set(names), self.default_alias, self.aggregates, self.parent)
        s.block_names = self.block_names
        s.several = self.several
        return s

    # -- the name rule (from.adoc, join.adoc): with one keyspace in scope an
    # unqualified name is a field of it; once a JOIN, NEST, UNNEST or comma term
    # adds another, an unqualified name must be a variable (keyspace alias,
    # LET/WITH/range variable, result alias in ORDER BY), else the statement is
    # refused: 3080 "Ambiguous reference to field NAME.", and META() needs an
    # argument (4310). ``several``: more than one keyspace in scope.

    def joined(self, alias: str) -> Scope:
        """This scope with one more keyspace ``alias`` (a JOIN/NEST term's ON)."""
        s = self.child([alias])
        s.default_alias, s.several = None, True
        return s


def get_field(v: Any, name: str) -> Any:
    if type(v) is dict:
        return v.get(name, MISSING)
    return MISSING


_LIKE_CACHE: dict[str, Callable[[str], bool]] = {}


def like(value: Any, pattern: Any) -> Any:
    if value is MISSING or pattern is MISSING:
        return MISSING
    if type(value) is not str or type(pattern) is not str:
        return None
    match = _LIKE_CACHE.get(pattern)
    if match is None:  # linear time, where a regex of "%a%a%b" backtracks (regex/like.py)
        match = _LIKE_CACHE[pattern] = compile_like(pattern)
    return match(value)


def _cmp(op: str) -> Callable[[Any, Any], Any]:
    import operator

    pyop = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}[op]

    def compare(a: Any, b: Any) -> Any:
        if a is MISSING or b is MISSING:
            return MISSING
        if a is None or b is None:
            return None
        ta, tb = type(a), type(b)
        if ta is tb and (ta is str or ta is int or ta is float):
            return pyop(a, b)
        if is_number(a) and is_number(b):
            return pyop(a, b)
        return pyop(collation_key(a), collation_key(b))

    return compare


def _eq(a: Any, b: Any) -> Any:
    if a is MISSING or b is MISSING:
        return MISSING
    if a is None or b is None:
        return None
    ta = type(a)
    if ta is type(b) and (ta is str or ta is int):
        return a == b
    return equal(a, b)


def _arith(op: str) -> Callable[[Any, Any], Any]:
    def arith(a: Any, b: Any) -> Any:
        if a is MISSING or b is MISSING:
            return MISSING
        if not is_number(a) or not is_number(b):
            return None
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        if b == 0:
            return None
        if op == "/":
            r = a / b
            return int(r) if r == int(r) and abs(r) < 2**53 else r
        return _int_modulo(a, b)

    return arith


def _int_modulo(a: Any, b: Any) -> Any:
    """``a % b`` as the reference states it (arithmetic.adoc): an integer operator
    on the integer parts, the remainder taking the dividend's sign (5.4 % 3.4 = 2)."""
    try:
        ia, ib = int(a), int(b)
    except (OverflowError, ValueError):  # infinities and NaN have no integer part
        return None
    if ib == 0:
        return None
    r = abs(ia) % abs(ib)
    return -r if ia < 0 else r


def _icase_get(v: Any, name: Any) -> Any:
    """The field of object ``v`` whose name equals ``name`` ignoring case (an exact match first)."""
    if type(v) is not dict or type(name) is not str:
        return MISSING
    if name in v:
        return v[name]
    folded = name.lower()
    for k in sorted(v):
        if k.lower() == folded:
            return v[k]
    return MISSING


def _warn_on_zero_divisor(func: Callable[[Any, Any], Any], left: Fn, right: Fn) -> Fn:
    """``/`` and ``%``: a number over a zero divisor is NULL, and the response
    carries warning 5036 ``Division by 0.`` (n1ql-error-codes: 5036)."""

    def divide(env: dict) -> Any:
        a, b = left(env), right(env)
        if b == 0 and is_number(b) and is_number(a):
            ctx = env.get(CTX)
            if ctx is not None:
                ctx.warn(5036, "Division by 0.")
        return func(a, b)

    return divide


def _concat(a: Any, b: Any) -> Any:
    if a is MISSING or b is MISSING:
        return MISSING
    if type(a) is not str or type(b) is not str:
        return None
    return a + b


def _in(a: Any, b: Any) -> Any:
    if a is MISSING or b is MISSING:
        return MISSING
    if a is None or b is None:
        return None
    if type(b) is not list:
        return None
    return any(equal(a, x) for x in b)


def _descendants(v: Any) -> list:
    out: list = []
    stack = list(reversed(v)) if type(v) is list else list(reversed(list(v.values())))
    while stack:
        x = stack.pop()
        out.append(x)
        if type(x) is list:
            stack.extend(reversed(x))
        elif type(x) is dict:
            stack.extend(reversed(list(x.values())))
    return out


def _within(a: Any, b: Any) -> Any:
    if a is MISSING or b is MISSING:
        return MISSING
    if type(b) not in (list, dict):
        return None
    return any(equal(a, x) for x in _descendants(b))


def _and(fns: list) -> Fn:
    def and_(env: dict) -> Any:
        result: Any = True
        for f in fns:
            v = f(env)
            if v is MISSING:
                if result is True or result is None:
                    result = MISSING
            elif v is None:
                if result is True:
                    result = None
            elif not truth(v):
                return False
        return result

    return and_


def _or(fns: list) -> Fn:
    def or_(env: dict) -> Any:
        result: Any = False
        for f in fns:
            v = f(env)
            if v is None:
                result = None
            elif v is MISSING:
                if result is False:
                    result = MISSING
            elif truth(v):
                return True
        return result

    return or_


def flatten_op(node: A.Node, op: str) -> list:
    """The operands of a chain of one associative operator (``a AND b AND c``),
    left to right."""
    out = []
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, A.Binary) and n.op == op:
            stack.append(n.right)
            stack.append(n.left)
        else:
            out.append(n)
    return out


class Compiler:
    """Compiles expressions within a :class:`Scope`."""

    subquery_hook: Optional[Callable[[Any, Scope], Fn]] = None
    udf_hook: Optional[Callable[[Any, A.Call], Optional[Fn]]] = None
    """Compiles a call of a user-defined function (statements/udf.py), or ``None``."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope

    def with_scope(self, scope: Scope) -> Compiler:
        return Compiler(scope)

    def compile(self, node: A.Node) -> Fn:
        method = getattr(self, "c_" + type(node).__name__)
        return method(node)

    def c_Literal(self, node: A.Literal) -> Fn:
        value = node.value
        return lambda env: value

    def c_Ident(self, node: A.Ident) -> Fn:
        name = node.name
        scope = self.scope
        if name in scope.bound or scope.default_alias is None:
            if scope.several and name not in scope.bound:  # (the name rule: Scope.several)
                raise N1QLError(E_AMBIGUOUS_REFERENCE, f"Ambiguous reference to field {name}.")
            return lambda env: env.get(name, MISSING)
        alias = scope.default_alias

        def implicit(env: dict) -> Any:
            doc = env.get(alias, MISSING)
            if type(doc) is dict:
                return doc.get(name, MISSING)
            return MISSING

        return implicit

    def c_SelfRef(self, node: A.SelfRef) -> Fn:
        alias = self.scope.default_alias  # SELF: the document in scope (adaptive indexes)
        return (lambda env: env.get(alias, MISSING)) if alias else (lambda env: MISSING)

    def c_Field(self, node: A.Field) -> Fn:
        name = node.name
        if isinstance(node.base, A.Ident) and node.base.name in self.scope.bound:
            base_name = node.base.name

            def field_of_var(env: dict) -> Any:
                v = env.get(base_name, MISSING)
                if type(v) is dict:
                    return v.get(name, MISSING)
                return MISSING

            return field_of_var
        base = self.compile(node.base)

        def field(env: dict) -> Any:
            v = base(env)
            if type(v) is dict:
                return v.get(name, MISSING)
            return MISSING

        return field

    def c_DynField(self, node: A.DynField) -> Fn:
        base, name = self.compile(node.base), self.compile(node.name)

        def dyn(env: dict) -> Any:
            v, n = base(env), name(env)
            if type(v) is dict and type(n) is str:
                return v.get(n, MISSING)
            return MISSING

        return dyn

    # -- case-insensitive field names, `name`i and .[expr]i (nestedops.adoc) --
    def c_ICaseField(self, node: A.ICaseField) -> Fn:
        base, name = self.compile(node.base), node.name
        return lambda env: _icase_get(base(env), name)

    def c_ICaseDynField(self, node: A.ICaseDynField) -> Fn:
        base, name = self.compile(node.base), self.compile(node.name)
        return lambda env: _icase_get(base(env), name(env))

    def c_Element(self, node: A.Element) -> Fn:
        base, index = self.compile(node.base), self.compile(node.index)

        def element(env: dict) -> Any:
            v, i = base(env), index(env)
            if type(v) is list:
                if type(i) is float and -len(v) <= i < len(v) and i == int(i):
                    i = int(i)  # (a whole float in range; NaN, infinities: out of range)
                if type(i) is int:
                    if -len(v) <= i < len(v):
                        return v[i]
                    return MISSING
                return MISSING if i is MISSING else None
            if type(v) is dict and type(i) is str:
                return v.get(i, MISSING)
            return MISSING

        return element

    def c_ArrayStar(self, node: A.ArrayStar) -> Fn:
        base = self.compile(node.base)

        def array_star(env: dict) -> Any:
            v = base(env)
            if type(v) is not list:
                return MISSING if v is MISSING else None
            names = sorted({k for x in v if type(x) is dict for k in x})
            return {k: [x.get(k, MISSING) if type(x) is dict else MISSING for x in v]
                    for k in names}  # absent fields stay MISSING: OBJECT_INNER_* drop them

        return array_star

    def c_Slice(self, node: A.Slice) -> Fn:
        base, start = self.compile(node.base), self.compile(node.start)
        end = self.compile(node.end) if node.end is not None else None

        def slice_(env: dict) -> Any:
            v, s = base(env), start(env)
            if type(v) is not list:
                return MISSING if v is MISSING else None
            e = end(env) if end is not None else len(v)
            if not is_number(s) or not is_number(e):
                return None
            s, e = int(s), int(e)
            n = len(v)
            s = s + n if s < 0 else s
            e = e + n if e < 0 else e
            if s < 0 or e > n or s > e:
                return None
            return v[s:e]

        return slice_

    def c_Param(self, node: A.Param) -> Fn:
        key = node.key
        return lambda env: env[CTX].param(key)

    def c_Unary(self, node: A.Unary) -> Fn:
        operand = self.compile(node.operand)
        if node.op == "-":
            def neg(env: dict) -> Any:
                v = operand(env)
                if v is MISSING:
                    return MISSING
                return -v if is_number(v) else None
            return neg
        if node.op == "NOT":
            def not_(env: dict) -> Any:
                v = operand(env)
                if v is MISSING or v is None:
                    return v
                return not truth(v)
            return not_

        def exists(env: dict) -> Any:
            v = operand(env)
            return type(v) is list and len(v) > 0

        return exists

    def c_Binary(self, node: A.Binary) -> Fn:
        op = node.op
        if op == "AND":
            return _and([self.compile(x) for x in flatten_op(node, "AND")])
        if op == "OR":
            return _or([self.compile(x) for x in flatten_op(node, "OR")])
        left, right = self.compile(node.left), self.compile(node.right)
        if op in ("LIKE", "NOT LIKE"):
            if op == "LIKE":
                return lambda env: like(left(env), right(env))

            def not_like(env: dict) -> Any:
                v = like(left(env), right(env))
                return v if v is MISSING or v is None else not v

            return not_like
        func: Callable[[Any, Any], Any]
        negate = op.startswith("NOT ")
        base_op = op[4:] if negate else op
        if base_op == "=":
            func = _eq
        elif base_op == "!=":
            def func(a: Any, b: Any) -> Any:
                v = _eq(a, b)
                return v if v is MISSING or v is None else not v
        elif base_op in ("<", "<=", ">", ">="):
            func = _cmp(base_op)
        elif base_op in ("+", "-", "*", "/", "%"):
            func = _arith(base_op)
        elif base_op == "||":
            func = _concat
        elif base_op == "IN":
            func = _in
        elif base_op == "WITHIN":
            func = _within
        else:
            raise N1QLError(5000, f"unknown operator {op}")
        if negate:
            inner = func

            def func(a: Any, b: Any) -> Any:
                v = inner(a, b)
                return v if v is MISSING or v is None else not v

        if base_op in ("/", "%"):
            return _warn_on_zero_divisor(func, left, right)
        return lambda env: func(left(env), right(env))

    def c_Between(self, node: A.Between) -> Fn:
        expr, low, high = (self.compile(x) for x in (node.expr, node.low, node.high))
        ge, le = _cmp(">="), _cmp("<=")
        negated = node.negated

        def between(env: dict) -> Any:
            v = expr(env)
            r = _and([lambda e: ge(v, low(e)), lambda e: le(v, high(e))])(env)
            if negated and r is not MISSING and r is not None:
                return not r
            return r

        return between

    def c_IsCheck(self, node: A.IsCheck) -> Fn:
        expr = self.compile(node.expr)
        what, negated = node.what, node.negated
        if what == "MISSING":
            return lambda env: (expr(env) is MISSING) != negated
        if what == "VALUED":
            def valued(env: dict) -> Any:
                v = expr(env)
                return (v is not MISSING and v is not None) != negated
            return valued

        def is_null(env: dict) -> Any:
            v = expr(env)
            if v is MISSING:
                return MISSING
            return (v is None) != negated

        return is_null

    def c_Case(self, node: A.Case) -> Fn:
        whens = [(self.compile(c), self.compile(r)) for c, r in node.whens]
        default = self.compile(node.default) if node.default is not None else None
        subject = self.compile(node.subject) if node.subject is not None else None

        def case(env: dict) -> Any:
            if subject is not None:
                s = subject(env)
                for cond, result in whens:
                    if _eq(s, cond(env)) is True:
                        return result(env)
            else:
                for cond, result in whens:
                    if truth(cond(env)):
                        return result(env)
            return default(env) if default is not None else (None if subject is None else
                                                             None)

        return case

    def c_Call(self, node: A.Call) -> Fn:
        name = node.name
        if node.over is not None:  # a window function: the window stage computes it
            from .window import compile_window_ref
            return compile_window_ref(self.scope, node)
        if name in AGGREGATES:
            aggs = self.scope.aggregates
            if aggs is None or id(node) not in aggs:
                raise N1QLError(4210, f"Aggregate {A.to_n1ql(node)} is not allowed here.")
            slot = aggs[id(node)]
            return lambda env: env["\x00agg"][slot]
        if name == "META":
            return self.meta(node)
        found = FUNCTIONS.get(name)
        if found is None and Compiler.udf_hook is not None:  # user-defined (statements/udf.py)
            udf_call = Compiler.udf_hook(self, node)
            if udf_call is not None:
                return udf_call
        if found is None:
            raise N1QLError(3000, f"Invalid function {name.lower()}")
        counts = ARITY.get(name)
        if counts is not None and not (counts[0] <= len(node.args) and
                                       (counts[1] is None or len(node.args) <= counts[1])):
            raise N1QLError(3000, _arity_message(name, counts))
        if name in CONTEXTUAL:  # functions of the request and row: EVALUATE, SEARCH...
            ctx_args = [self.compile(a) for a in node.args]
            return lambda env: found(env, *[a(env) for a in ctx_args])
        impl = found
        args = [self.compile(a) for a in node.args]
        if len(args) == 1:
            a0 = args[0]
            return lambda env: impl(a0(env))
        if len(args) == 2:
            a0, a1 = args
            return lambda env: impl(a0(env), a1(env))
        return lambda env: impl(*[a(env) for a in args])

    def meta(self, node: A.Call) -> Fn:
        if node.args:
            arg = node.args[0]
            if not isinstance(arg, A.Ident):
                raise N1QLError(3000, "META() takes a keyspace alias")
            key = META + arg.name
        else:
            if self.scope.several:  # (the name rule: Scope.several)
                raise N1QLError(E_AMBIGUOUS_META, "META() in query with multiple FROM terms "
                                                  "requires an argument.")
            if self.scope.default_alias is None:
                return lambda env: MISSING
            key = META + self.scope.default_alias
        return lambda env: env.get(key, MISSING)

    def c_ArrayCons(self, node: A.ArrayCons) -> Fn:
        items = [self.compile(x) for x in node.items]
        return lambda env: [v if v is not MISSING else None for v in (f(env) for f in items)]

    def c_ObjectCons(self, node: A.ObjectCons) -> Fn:
        pairs = [(self.compile(k), self.compile(v)) for k, v in node.pairs]

        def obj(env: dict) -> Any:
            out = {}
            for k, v in pairs:
                name = k(env)
                if type(name) is not str:  # constructionops.adoc: a non-string name -> NULL
                    return None
                value = v(env)
                if value is not MISSING:
                    out[name] = value
            return out

        return obj

    def _ranges(self, bindings: list) -> tuple[Callable[[dict], Iterator[dict]], Compiler]:
        """An iterator over bound environments (checking the request's deadline
        every 256 elements), and a compiler for the body."""
        names = []
        sources = []
        for b in bindings:
            sources.append((b.var, b.pos, self.compile(b.expr), b.within))
            names.append(b.var)
            if b.pos:
                names.append(b.pos)
        inner = self.with_scope(self.scope.child(names))

        def envs(env: dict) -> Iterator[dict]:
            arrays = []
            for _var, _pos, fn, within in sources:
                v = fn(env)
                if within:
                    v = _descendants(v) if type(v) in (list, dict) else None
                if type(v) is not list:
                    return
                arrays.append(v)
            ctx = env.get(CTX)
            check = ctx.cancel.check if ctx is not None else _no_check
            # One copy of the environment, rebound for each element: each
            # consumer (ANY/EVERY, ARRAY/FIRST/OBJECT) is done with an
            # element's environment before it asks for the next, so a copy per
            # element (an array index key's cost per element) buys nothing.
            e = dict(env)
            if len(sources) == 1:  # the common case: FOR v IN one array
                var, pos = sources[0][0], sources[0][1]
                for i, e[var] in enumerate(arrays[0]):
                    if not i & 255:
                        check()
                    if pos:
                        e[pos] = i
                    yield e
                return
            bound = list(zip(sources, arrays))
            for i in range(min(len(a) for a in arrays)):
                if not i & 255:
                    check()
                for (var, pos, _fn, _w), arr in bound:
                    e[var] = arr[i]
                    if pos:
                        e[pos] = i
                yield e

        return envs, inner

    def c_Quantified(self, node: A.Quantified) -> Fn:
        envs, inner = self._ranges(node.bindings)
        cond = inner.compile(node.cond)
        kind = node.kind
        sources = [self.compile(b.expr) for b in node.bindings]

        def quantified(env: dict) -> Any:
            for src in sources:
                v = src(env)
                if v is MISSING:
                    return MISSING
                if type(v) not in (list, dict):
                    return None
            rows = envs(env)
            if kind == "ANY":
                return any(truth(cond(e)) for e in rows)
            if kind == "EVERY":
                return all(truth(cond(e)) for e in rows)
            first = next(rows, None)  # ANY AND EVERY: at least one, and all
            return first is not None and truth(cond(first)) and all(truth(cond(e)) for e in rows)

        return quantified

    def c_Comprehension(self, node: A.Comprehension) -> Fn:
        envs, inner = self._ranges(node.bindings)
        value = inner.compile(node.value)
        name = inner.compile(node.name) if node.name is not None else None
        when = inner.compile(node.when) if node.when is not None else None
        kind = node.kind
        sources = [self.compile(b.expr) for b in node.bindings]

        def comprehension(env: dict) -> Any:
            for src in sources:
                v = src(env)
                if v is MISSING:
                    return MISSING
                if type(v) not in (list, dict):
                    return None
            if kind == "ARRAY":  # one loop, no generator per stage (array index keys)
                out_array = []
                for e in envs(env):
                    if when is None or truth(when(e)):
                        v = value(e)
                        if v is not MISSING:
                            out_array.append(v)
                return out_array
            rows = (e for e in envs(env) if when is None or truth(when(e)))
            if kind == "FIRST":
                for e in rows:
                    v = value(e)
                    if v is not MISSING:
                        return v
                return MISSING
            out = {}  # OBJECT
            for e in rows:
                k = name(e) if name is not None else None
                if type(k) is str:
                    v = value(e)
                    if v is not MISSING:
                        out[k] = v
            return out

        return comprehension

    def c_Subquery(self, node: A.Subquery) -> Fn:
        if Compiler.subquery_hook is None:
            raise N1QLError(5000, "subqueries are not available")
        return Compiler.subquery_hook(node.query, self.scope)


def _no_check() -> None:
    """The deadline check of an expression run without a request context."""


def contains_aggregate(node: Any) -> bool:
    return any(isinstance(n, A.Call) and n.name in AGGREGATES and n.over is None
               for n in A.walk(node))


def _arity_message(name: str, counts: tuple[int, Optional[int]]) -> str:
    """The server's wording for a call with the wrong number of arguments."""
    fewest, most = counts
    if most == fewest:
        wanted = f"must be {fewest}"
    elif most is None:
        wanted = f"must be at least {fewest}"
    else:
        wanted = f"must be between {fewest} and {most}"
    return f"Number of arguments to function {name.lower()} {wanted}."
