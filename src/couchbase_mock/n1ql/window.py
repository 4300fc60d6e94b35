"""Window functions: the OVER clause, the WINDOW clause, and the window stage.

The reference: windowfun.adoc (the functions), window.adoc (WINDOW clause,
window definition, frames), aggregatefun.adoc (aggregates as window functions,
FILTER). A window function is computed after GROUP BY/LETTING/HAVING, on the
query's result rows, and before the query's projection and ORDER BY; it may
appear only in the projection and the query's ORDER BY (elsewhere: 3220).

The stage, for each window specification: evaluate the partition and order
keys of every row once, sort the rows (partition keys, then order keys), then
walk each partition. Ranking functions take one pass. Frames are computed per
row as position ranges; an aggregate over a frame that only grows (``ROWS
UNBOUNDED PRECEDING``, the default frame) or only shrinks (``... AND
UNBOUNDED FOLLOWING``) is kept as a running accumulator, so a partition of N
rows costs O(N); other (sliding) frames are recomputed per row.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from typing import Any, Callable, Iterator, Optional

from . import ast as A
from .aggregates import AGGREGATES, Aggregate, aggregate_input
from .errors import N1QLError
from .functions import num
from .lexer import IDENT, QIDENT
from .quota import quota_of
from .values import MISSING, collation_key, is_number

WINDOW_SEMANTIC = 3220
E_EVALUATION = 5010
WIN = "\x00win"
"""Environment key of a row's window function values (a list, by slot)."""

WINDOW_FUNCTIONS = frozenset([
    "ROW_NUMBER", "RANK", "DENSE_RANK", "PERCENT_RANK", "CUME_DIST", "NTILE", "LAG", "LEAD",
    "FIRST_VALUE", "LAST_VALUE", "NTH_VALUE", "RATIO_TO_REPORT",
])
_ARITY = {"ROW_NUMBER": (0, 0), "RANK": (0, 0), "DENSE_RANK": (0, 0), "PERCENT_RANK": (0, 0),
          "CUME_DIST": (0, 0), "NTILE": (1, 1), "LAG": (1, 3), "LEAD": (1, 3),
          "FIRST_VALUE": (1, 1), "LAST_VALUE": (1, 1), "NTH_VALUE": (2, 2),
          "RATIO_TO_REPORT": (1, 1)}
_NEEDS_ORDER = frozenset(["RANK", "DENSE_RANK", "PERCENT_RANK", "CUME_DIST", "NTILE", "LAG",
                          "LEAD"])
_NO_FRAME = _NEEDS_ORDER | {"ROW_NUMBER"}
_NULLS_OPTION = frozenset(["FIRST_VALUE", "LAST_VALUE", "NTH_VALUE", "LAG", "LEAD"])

Fn = Callable[[dict], Any]


def _error(name: str, cause: str, code: int = WINDOW_SEMANTIC) -> N1QLError:
    return N1QLError(code, f"{name} window function {cause}")


# -- syntax (called by the parser) ----------------------------------------------


def call_suffix(p: Any, call: A.Call) -> A.Call:
    """What may follow a call's ``)``: ``FILTER (WHERE cond)``, ``FROM FIRST|LAST``
    (NTH_VALUE), ``RESPECT|IGNORE NULLS``, ``OVER (definition) | OVER name``."""
    name = call.name
    if name not in AGGREGATES and name not in WINDOW_FUNCTIONS:
        return call
    if p.is_kw("FILTER") and p.is_op("(", tok=p.peek()) and p.is_kw("WHERE", tok=p.peek(2)):
        p.i += 3
        call.filter = p.expr()
        p.expect_op(")")
    from_last = ignore_nulls = None
    if name == "NTH_VALUE" and p.is_kw("FROM") and p.is_kw("FIRST", "LAST", tok=p.peek()):
        p.i += 1
        from_last = p.expect_kw("FIRST", "LAST") == "LAST"
    if p.is_kw("RESPECT", "IGNORE") and p.is_kw("NULLS", tok=p.peek()):
        ignore_nulls = p.expect_kw("RESPECT", "IGNORE") == "IGNORE"
        p.i += 1
    nxt = p.peek()  # OVER ( or OVER window_name; else OVER may be an alias
    over = p.is_kw("OVER") and (p.is_op("(", tok=nxt) or nxt.kind == QIDENT or (
        nxt.kind == IDENT and nxt.text.upper() not in _reserved() | {"WINDOW"}))
    if over:
        p.i += 1
        if p.accept_op("("):
            window = window_definition(p)
        else:
            window = A.Window(ref=p.ident())
            window.whole = True
        window.ignore_nulls = bool(ignore_nulls)
        window.from_last = bool(from_last)
        if (ignore_nulls is not None and name not in _NULLS_OPTION) or (
                call.filter is not None and name in WINDOW_FUNCTIONS):
            raise p.error()
        call.over = window
    elif name in WINDOW_FUNCTIONS or from_last is not None or ignore_nulls is not None:
        raise p.error()  # a window function needs its OVER clause
    return call


def _reserved() -> frozenset:
    from .parser import RESERVED  # (the parser imports this module)

    return RESERVED


def window_definition(p: Any) -> A.Window:
    """``[ref] [PARTITION BY ...] [ORDER BY ...] [frame] )`` (after the ``(``)."""
    ref = None
    if p.is_ident() and not p.is_kw("PARTITION", "ROWS", "RANGE", "GROUPS"):
        ref = p.ident()
    partition: list = []
    if p.is_kw("PARTITION") and p.is_kw("BY", tok=p.peek()):
        p.i += 2
        partition.append(p.expr())
        while p.accept_op(","):
            partition.append(p.expr())
    order = None
    if p.accept_kw("ORDER"):
        p.expect_kw("BY")
        order = [p.order_term()]
        while p.accept_op(","):
            order.append(p.order_term())
    frame = None
    if p.is_kw("ROWS", "RANGE", "GROUPS"):
        frame = _frame(p)
    p.expect_op(")")
    return A.Window(ref, partition, order, frame)


def _frame(p: Any) -> A.WindowFrame:
    unit = p.expect_kw("ROWS", "RANGE", "GROUPS")
    if p.accept_kw("BETWEEN"):
        start, start_expr = _bound(p, end=False)
        p.expect_kw("AND")
        end, end_expr = _bound(p, end=True)
    else:
        start, start_expr = _bound(p, end=False)
        if start == "FOLLOWING":
            raise p.error()
        end, end_expr = "CURRENT ROW", None
    exclude = None
    if p.accept_kw("EXCLUDE"):
        if p.accept_kw("CURRENT"):
            p.expect_kw("ROW")
            exclude = "CURRENT ROW"
        elif p.accept_kw("NO"):
            p.expect_kw("OTHERS")
        else:
            exclude = p.expect_kw("GROUP", "TIES")
    return A.WindowFrame(unit, start, start_expr, end, end_expr, exclude)


def _bound(p: Any, end: bool) -> tuple:
    if p.accept_kw("UNBOUNDED"):
        word = p.expect_kw("FOLLOWING" if end else "PRECEDING")
        return "UNBOUNDED " + word, None
    if p.is_kw("CURRENT") and p.is_kw("ROW", tok=p.peek()):
        p.i += 2
        return "CURRENT ROW", None
    expr = p.expr()
    return p.expect_kw("PRECEDING", "FOLLOWING"), expr


def starts_window_clause(p: Any) -> bool:
    """At ``WINDOW name AS (``: the WINDOW clause, not an alias named window."""
    return (p.is_kw("WINDOW") and p.is_kw("AS", tok=p.peek(2))
            and p.is_op("(", tok=p.peek(3)))


def window_clause(p: Any) -> list:
    """``WINDOW name AS (definition) [, ...]``."""
    p.expect_kw("WINDOW")
    out = []
    while True:
        name = p.ident()
        p.expect_kw("AS")
        p.expect_op("(")
        out.append((name, window_definition(p)))
        if not p.accept_op(","):
            return out


# -- compiling ------------------------------------------------------------------


def window_calls(nodes: list) -> list:
    """The window function calls in ``nodes`` (projection and ORDER BY), not
    looking into subqueries; a window call inside another is an error."""
    out = []
    for node in nodes:
        if node is None:
            continue
        for n in A.walk(node):
            if isinstance(n, A.Call) and n.over is not None:
                for inner in A.walk(n):
                    if inner is not n and isinstance(inner, A.Call) and inner.over is not None:
                        raise _error(n.name, "cannot contain another window function.")
                out.append(n)
    return out


def compile_window_ref(scope: Any, node: A.Call) -> Fn:
    """A window call's value in a row, once the window stage has computed it."""
    slots = getattr(scope, "windows", None)
    if slots is None or id(node) not in slots:
        raise _error(node.name, "is allowed only in the projection and ORDER BY.")
    slot = slots[id(node)]
    return lambda env: env[WIN][slot]


def _resolve(window: A.Window, named: dict, name: str) -> A.Window:
    """The window with its named window reference merged in (window.adoc, Window Reference)."""
    if window.ref is None:
        return window
    base = named.get(window.ref)
    if base is None:
        raise _error(name, f"refers to an undefined window {window.ref}.")
    if window.whole:  # OVER name: that window as it is
        merged = A.Window(None, base.partition, base.order, base.frame)
        merged.ignore_nulls, merged.from_last = window.ignore_nulls, window.from_last
        return merged
    if window.partition:
        raise _error(name, f"cannot add PARTITION BY to window {window.ref}.")
    if window.order is not None and base.order is not None:
        raise _error(name, f"cannot add ORDER BY to window {window.ref}, which has one.")
    if base.frame is not None:
        raise _error(name, f"cannot refer to window {window.ref}, which has a frame clause.")
    merged = A.Window(None, base.partition, window.order if window.order is not None
                      else base.order, window.frame)
    merged.ignore_nulls, merged.from_last = window.ignore_nulls, window.from_last
    return merged


def named_windows(clause: list) -> dict:
    named: dict = {}
    for name, window in clause:
        if name in named:
            raise N1QLError(WINDOW_SEMANTIC, f"Duplicate window name {name}.")
        named[name] = _resolve(window, named, "WINDOW clause")
    return named


class _Spec:
    """One window specification's compiled partition and order keys."""

    def __init__(self, window: A.Window, compile: Callable[[A.Node], Fn]) -> None:
        self.partition = [compile(e) for e in window.partition]
        self.order = [(compile(o.expr), o.desc, o.nulls_first) for o in window.order or []]
        self.key = (tuple(A.to_n1ql(e) for e in window.partition),
                    tuple((A.to_n1ql(o.expr), o.desc, o.nulls_first) for o in window.order or []))


_OFFSET_BOUNDS = ("PRECEDING", "FOLLOWING")


class _Call:
    """One window function call, compiled."""

    def __init__(self, node: A.Call, window: A.Window, compile: Callable[[A.Node], Fn],
                 slot: int) -> None:
        name = node.name
        self.name, self.slot = name, slot
        self.aggregate = name in AGGREGATES
        if not self.aggregate:
            fewest, most = _ARITY[name]
            if not fewest <= len(node.args) <= most:
                wanted = f"be {fewest}" if fewest == most else f"be between {fewest} and {most}"
                raise N1QLError(3000, f"Number of arguments to function {name.lower()} must "
                                      f"{wanted}.")
            if node.distinct:
                raise _error(name, "cannot use DISTINCT.")
        if name in _NEEDS_ORDER and not window.order:
            raise _error(name, "requires an ORDER BY in its window definition.")
        frame = window.frame
        if frame is not None:
            if name in _NO_FRAME:
                raise _error(name, "cannot have a window frame clause.")
            if not window.order:
                raise _error(name, "has a window frame clause without an ORDER BY.")
            _check_frame(name, frame, window)
        self.frame = frame
        self.ordered = bool(window.order)
        self.ignore_nulls, self.from_last = window.ignore_nulls, window.from_last
        self.distinct = node.distinct
        self.star = node.star
        if self.aggregate:
            self.input: Optional[Fn] = aggregate_input(node, compile)
            self.args: list = []
        else:
            self.input = None
            self.args = [compile(a) for a in node.args]
        self.start_off = compile(frame.start_expr) if frame and frame.start_expr else None
        self.end_off = compile(frame.end_expr) if frame and frame.end_expr else None


def _check_frame(name: str, frame: A.WindowFrame, window: A.Window) -> None:
    """The explicit violations of window.adoc (Window Frame Extent) and constant offsets."""
    order = {"UNBOUNDED PRECEDING": 0, "PRECEDING": 1, "CURRENT ROW": 2, "FOLLOWING": 3,
             "UNBOUNDED FOLLOWING": 4}
    if order[frame.start] > order[frame.end] or (
            frame.start == "FOLLOWING" and frame.end == "CURRENT ROW"):
        raise _error(name, f"frame cannot start at {frame.start} and end at {frame.end}.")
    if frame.unit == "RANGE" and (frame.start in _OFFSET_BOUNDS or frame.end in _OFFSET_BOUNDS):
        if len(window.order or []) != 1:
            raise _error(name, "RANGE frame with an offset needs exactly one ORDER BY term.")
    for expr in (frame.start_expr, frame.end_expr):
        if isinstance(expr, A.Unary) and expr.op == "-" and isinstance(expr.operand, A.Literal):
            value = expr.operand.value
            _offset(name, frame.unit, -value if is_number(value) else None, WINDOW_SEMANTIC)
        elif isinstance(expr, A.Literal):
            _offset(name, frame.unit, expr.value, WINDOW_SEMANTIC)


def _offset(name: str, unit: str, v: Any, code: int) -> Any:
    if not is_number(v) or v < 0 or (unit != "RANGE" and v != int(v)):
        kind = "a non-negative integer" if unit != "RANGE" else "a non-negative number"
        raise _error(name, f"frame offset must be {kind}: {v!r}.", code)
    return v if unit == "RANGE" else int(v)


class WindowStage:
    """Computes the window calls of one SELECT block over its result rows."""

    def __init__(self, calls: list, compiler: Any, clause: list) -> None:
        named = named_windows(clause)
        compile = compiler.compile
        self.slots = {id(c): i for i, c in enumerate(calls)}
        groups: dict = {}
        for i, node in enumerate(calls):
            window = _resolve(node.over, named, node.name)
            spec = _Spec(window, compile)
            call = _Call(node, window, compile, i)
            groups.setdefault(spec.key, (spec, []))[1].append(call)
        # fewer sort terms first: the rows come out in the order of the most specific sort
        self.groups = sorted(groups.values(), key=lambda g: len(g[0].partition) + len(g[0].order))
        self.count = len(calls)

    def run(self, envs: Iterator[dict], ctx: Any) -> Iterator[dict]:
        quota = quota_of(ctx)
        rows = []
        for env in envs:
            if quota.active:  # the rows the window's partitions hold (quota.py)
                quota.charge(env)
            rows.append(env)
        check = ctx.cancel.check
        for env in rows:
            env[WIN] = [None] * self.count
        for spec, calls in self.groups:
            rows = self._group(rows, spec, calls, check)
        return iter(rows)

    def _group(self, rows: list, spec: _Spec, calls: list, check: Callable[[], None]) -> list:
        from .executor import sort_pairs  # (the executor imports this module)

        nparts = len(spec.partition)
        keyed = []
        for i, env in enumerate(rows):
            if not i & 1023:
                check()
            keyed.append(([f(env) for f in spec.partition] + [f(env) for f, _d, _n in spec.order],
                          i))
        specs = [(lambda k, j=j: k[j], False, None) for j in range(nparts)]
        specs += [(lambda k, j=j: k[j], desc, nulls)
                  for j, (_f, desc, nulls) in enumerate(spec.order, nparts)]
        order = sort_pairs(keyed, specs, check) if specs else list(range(len(rows)))
        keys = [keyed[i][0] for i in order]
        ordered = [rows[i] for i in order]
        start = 0
        n = len(ordered)
        while start < n:
            end = start + 1
            pkey = [collation_key(v) for v in keys[start][:nparts]]
            while end < n and [collation_key(v) for v in keys[end][:nparts]] == pkey:
                end += 1
            part = _Partition(ordered[start:end], [k[nparts:] for k in keys[start:end]], spec,
                              check)
            for call in calls:
                check()
                values = part.compute(call)
                for env, v in zip(part.rows, values):
                    env[WIN][call.slot] = v
            start = end
        return ordered


def _unknown(v: Any) -> bool:
    return v is None or v is MISSING


def _known(v: Any) -> Any:
    return None if v is MISSING else v


class _Partition:
    """The sorted rows of one window partition, with their peer groups."""

    def __init__(self, rows: list, order_keys: list, spec: _Spec,
                 check: Callable[[], None]) -> None:
        self.rows = rows
        self.check = check  # the request's cancel check, in the per-row frame loops
        self.n = n = len(rows)
        self.order_keys = order_keys
        self.desc = bool(spec.order) and spec.order[0][1]
        group = [0] * n
        starts, ends = [0], []
        prev = [collation_key(v) for v in order_keys[0]] if n else []
        for p in range(1, n):
            cur = [collation_key(v) for v in order_keys[p]]
            if cur != prev:
                ends.append(p)
                starts.append(p)
                prev = cur
            group[p] = len(starts) - 1
        ends.append(n)
        self.group, self.gstart, self.gend = group, starts, ends
        self._numeric: Optional[tuple] = None

    def compute(self, call: _Call) -> list:
        name = call.name
        n = self.n
        if name == "ROW_NUMBER":
            return list(range(1, n + 1))
        if name == "RANK":
            return [self.gstart[g] + 1 for g in self.group]
        if name == "DENSE_RANK":
            return [g + 1 for g in self.group]
        if name == "PERCENT_RANK":
            return [num(self.gstart[g] / (n - 1)) if n > 1 else 0 for g in self.group]
        if name == "CUME_DIST":
            return [num(self.gend[g] / n) for g in self.group]
        if name == "NTILE":
            return self._ntile(call)
        if name in ("LAG", "LEAD"):
            return self._lag_lead(call)
        if call.aggregate:
            return self._aggregate(call)
        return self._frame_values(call)

    # -- ranking ---------------------------------------------------------------

    def _ntile(self, call: _Call) -> list:
        v = call.args[0](self.rows[0])
        if not is_number(v) or int(v) < 1:
            raise _error("NTILE", f"argument must be a positive number: {v!r}.", E_EVALUATION)
        tiles, n = int(v), self.n
        size, extra = divmod(n, tiles)
        out = []
        for tile in range(tiles):
            out.extend([tile + 1] * (size + (1 if tile < extra else 0)))
        return out[:n]

    def _lag_lead(self, call: _Call) -> list:
        vals = [call.args[0](env) for env in self.rows]
        lead = call.name == "LEAD"
        usable = [p for p, v in enumerate(vals) if not _unknown(v)] if call.ignore_nulls \
            else None
        out = []
        for p, env in enumerate(self.rows):
            off = call.args[1](env) if len(call.args) > 1 else 1
            if not is_number(off) or off != int(off) or off < 0:
                raise _error(call.name, f"offset must be a non-negative integer: {off!r}.",
                             E_EVALUATION)
            off = int(off)
            default = _known(call.args[2](env)) if len(call.args) > 2 else None
            if usable is None:
                target = p + off if lead else p - off
                ok = 0 <= target < self.n
            else:
                k = bisect_right(usable, p) + off - 1 if lead else bisect_left(usable, p) - off
                ok = 0 <= k < len(usable) and (off > 0 or not _unknown(vals[p]))
                target = usable[k] if ok else -1
                if off == 0:
                    target, ok = p, True
            out.append(_known(vals[target]) if ok else default)
        return out

    # -- frames ----------------------------------------------------------------

    def _offsets(self, call: _Call) -> tuple:
        unit = call.frame.unit if call.frame else "ROWS"
        first = self.rows[0]
        s = _offset(call.name, unit, call.start_off(first), E_EVALUATION) \
            if call.start_off else None
        e = _offset(call.name, unit, call.end_off(first), E_EVALUATION) if call.end_off else None
        return s, e

    def _numbers(self) -> tuple:
        """(first position, keys) of the rows whose single order key is a number,
        negated under DESC so the keys ascend."""
        if self._numeric is None:
            pos = [p for p in range(self.n) if is_number(self.order_keys[p][0])]
            first = pos[0] if pos else 0
            sign = -1 if self.desc else 1
            self._numeric = (first, [sign * self.order_keys[p][0] for p in pos])
        return self._numeric

    def bounds(self, call: _Call, p: int, offs: tuple) -> tuple:
        """[start, end) of row ``p``'s frame, before exclusion."""
        frame = call.frame
        n = self.n
        if frame is None:
            if not call.ordered or call.name == "RATIO_TO_REPORT":
                return 0, n
            return 0, self.gend[self.group[p]]
        unit = frame.unit
        g = self.group[p]
        key = None
        if unit == "RANGE" and (frame.start in _OFFSET_BOUNDS or frame.end in _OFFSET_BOUNDS):
            v = self.order_keys[p][0]
            if not is_number(v):
                return 0, 0
            key = -v if self.desc else v
        out = []
        for kind, off, is_end in ((frame.start, offs[0], False), (frame.end, offs[1], True)):
            if kind == "UNBOUNDED PRECEDING":
                out.append(0)
            elif kind == "UNBOUNDED FOLLOWING":
                out.append(n)
            elif kind == "CURRENT ROW":
                if unit == "ROWS":
                    out.append(p + 1 if is_end else p)
                else:
                    out.append(self.gend[g] if is_end else self.gstart[g])
            else:
                step = off if kind == "FOLLOWING" else -off
                if unit == "ROWS":
                    out.append(min(n, max(0, p + step + (1 if is_end else 0))))
                elif unit == "GROUPS":
                    gi = g + step
                    if gi < 0:
                        out.append(0)
                    elif gi >= len(self.gstart):
                        out.append(n)
                    else:
                        out.append(self.gend[gi] if is_end else self.gstart[gi])
                else:
                    first, nums = self._numbers()
                    assert key is not None
                    target = key + step
                    found = bisect_right(nums, target) if is_end else bisect_left(nums, target)
                    out.append(first + found)
        return out[0], out[1]

    def segments(self, call: _Call, p: int, offs: tuple) -> list:
        """Row ``p``'s frame as position ranges, after EXCLUDE."""
        a, b = self.bounds(call, p, offs)
        if a >= b:
            return []
        exclude = call.frame.exclude if call.frame else None
        if exclude is None:
            return [(a, b)]
        g = self.group[p]
        x, y = (p, p + 1) if exclude == "CURRENT ROW" else (self.gstart[g], self.gend[g])
        out = []
        if a < min(b, x):
            out.append((a, min(b, x)))
        if exclude == "TIES" and a <= p < b:
            out.append((p, p + 1))
        if max(a, y) < b:
            out.append((max(a, y), b))
        return out

    def _frame_values(self, call: _Call) -> list:
        """FIRST_VALUE, LAST_VALUE, NTH_VALUE and RATIO_TO_REPORT."""
        vals = [call.args[0](env) for env in self.rows]
        offs = self._offsets(call)
        name = call.name
        if name == "RATIO_TO_REPORT":
            return self._ratio(call, vals, offs)
        usable = [p for p, v in enumerate(vals) if not _unknown(v)] if call.ignore_nulls \
            else list(range(self.n))
        from_last = call.from_last or name == "LAST_VALUE"
        out = []
        for p, env in enumerate(self.rows):
            k = 1
            if name == "NTH_VALUE":
                k = call.args[1](env)
                if not is_number(k) or k != int(k) or k < 1:
                    raise _error(name, f"offset must be a positive integer: {k!r}.",
                                 E_EVALUATION)
                k = int(k)
            out.append(_nth(vals, usable, self.segments(call, p, offs), k, from_last))
        return out

    def _ratio(self, call: _Call, vals: list, offs: tuple) -> list:
        def total(segs: list) -> Any:
            nums = [vals[q] for a, b in segs for q in range(a, b) if is_number(vals[q])]
            return sum(nums) if nums else None

        whole = total([(0, self.n)]) if call.frame is None else None
        out = []
        for p, v in enumerate(vals):
            if not p & 255:
                self.check()
            t = whole if call.frame is None else total(self.segments(call, p, offs))
            out.append(num(v / t) if is_number(v) and t else None)
        return out

    def _aggregate(self, call: _Call) -> list:
        name = "COUNT_STAR" if call.star else call.name
        fn = call.input
        vals = [fn(env) if fn is not None else None for env in self.rows]
        offs = self._offsets(call)
        n = self.n
        bounds = [self.bounds(call, p, offs) for p in range(n)]
        excluded = call.frame is not None and call.frame.exclude is not None
        starts = [a for a, _b in bounds]
        ends = [b for _a, b in bounds]
        out: list = []
        if not excluded and all(a == 0 for a in starts) and all(
                ends[i] <= ends[i + 1] for i in range(n - 1)):
            acc, added, last_end, last = Aggregate(name, call.distinct), 0, -1, None
            for _a, b in bounds:  # a frame that only grows: one running accumulator
                if b != last_end:
                    while added < b:
                        acc.add(vals[added])
                        added += 1
                    last, last_end = acc.result(), b
                out.append(last)
            return out
        if not excluded and all(b == n for b in ends) and all(
                starts[i] <= starts[i + 1] for i in range(n - 1)):
            acc, first, last_start, last = Aggregate(name, call.distinct), n, -1, None
            for a, _b in reversed(bounds):  # a frame that only shrinks: run it backwards
                if a != last_start:
                    while first > a:
                        first -= 1
                        acc.add(vals[first])
                    last, last_start = acc.result(), a
                out.append(last)
            out.reverse()
            return out
        for p in range(n):  # a sliding frame: recomputed for each row
            if not p & 255:
                self.check()
            acc = Aggregate(name, call.distinct)
            for a, b in self.segments(call, p, offs):
                for q in range(a, b):
                    acc.add(vals[q])
            out.append(acc.result())
        return out


def _nth(vals: list, usable: list, segs: list, k: int, from_last: bool) -> Any:
    """The ``k``-th usable value in the frame ``segs`` (from its end if ``from_last``)."""
    for a, b in (reversed(segs) if from_last else segs):
        lo, hi = bisect_left(usable, a), bisect_left(usable, b)
        if k <= hi - lo:
            return _known(vals[usable[hi - k] if from_last else usable[lo + k - 1]])
        k -= hi - lo
    return None

