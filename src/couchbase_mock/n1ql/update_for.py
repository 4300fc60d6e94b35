"""``UPDATE ... SET path = expr FOR ... END`` and ``UNSET path FOR ... END``.

update.adoc, FOR Clause: the FOR clause iterates over a nested array (or, with
WITHIN, over everything inside it) and sets or unsets the path for every element
that satisfies WHEN. Chained FOR clauses nest (one array level each); bindings
separated by commas within one FOR move together, position by position. A path
rooted at a FOR variable changes that element in place, in the document being
updated; the path may also be the variable itself, replacing the element.
"""

from __future__ import annotations

from typing import Any, Callable, Iterator, Optional

from . import ast as A
from .evaluator import Compiler, _descendants
from .values import MISSING, truth

Assign = Callable[[Any, list, Any, bool], None]
Apply = Callable[[dict, Assign], None]
REFS = "\x00for-refs"
"""Env key: for each FOR variable, the array and position its element came from."""


def compile_update_fors(stmt: Any, alias: str, compiler: Compiler,
                        steps_of: Callable[[A.Node, str], list]) -> list[Apply]:
    """One function per SET/UNSET item of ``stmt`` (an UPDATE or a MERGE action)
    that has a FOR clause, in statement order (SETs first): ``apply(env, assign)``
    changes ``env[alias]`` in place."""
    out: list[Apply] = []
    for i, (path, value) in enumerate(stmt.set):
        if i in stmt.set_for:
            out.append(_compile(stmt.set_for[i], compiler, alias, steps_of(path, alias), value))
    for i, path in enumerate(stmt.unset):
        if i in stmt.unset_for:
            out.append(_compile(stmt.unset_for[i], compiler, alias, steps_of(path, alias), None))
    return out


def _compile(clause: A.UpdateFor, compiler: Compiler, alias: str, steps: list,
             value: Optional[A.Node]) -> Apply:
    levels = []
    names: list[str] = []
    for bindings in _outer_first(clause.levels):
        levels.append([(b.var, b.pos, compiler.compile(b.expr), b.within) for b in bindings])
        for b in bindings:
            names.append(b.var)
            if b.pos:
                names.append(b.pos)
        compiler = compiler.with_scope(compiler.scope.child(names))
    when = compiler.compile(clause.when) if clause.when is not None else None
    value_fn = compiler.compile(value) if value is not None else None
    root = steps[0] if steps and steps[0] in names else None
    rest = steps[1:] if root is not None else steps

    def apply(env: dict, assign: Assign) -> None:
        for e in _bound(levels, 0, dict(env, **{REFS: {}})):
            if when is not None and not truth(when(e)):
                continue
            new = value_fn(e) if value_fn is not None else None
            if root is None:  # a path from the document: the last element wins
                assign(env[alias], rest, new, value_fn is None)
            elif rest:
                assign(e[root], rest, new, value_fn is None)
            elif value_fn is not None:  # SET var = expr: replace the element itself
                arr, pos = e[REFS][root]
                arr[pos] = None if new is MISSING else new

    return apply


def _outer_first(levels: list[list[A.Binding]]) -> list[list[A.Binding]]:
    """The FOR levels with each array's variables bound before it is read: as
    written, unless the first level ranges over a variable of a later one
    (``FOR c IN s.children FOR s IN sections``), then innermost last."""
    if len(levels) < 2:
        return levels
    later = {A.quote_ident(b.var) for level in levels[1:] for b in level}
    first = " ".join(A.to_n1ql(b.expr) for b in levels[0])
    return levels[::-1] if any(v in first for v in later) else levels


def _bound(levels: list, depth: int, env: dict) -> Iterator[dict]:
    if depth == len(levels):
        yield env
        return
    arrays = []
    for _var, _pos, fn, within in levels[depth]:
        v = fn(env)
        if within:
            v = _descendants(v) if type(v) in (list, dict) else None
        if type(v) is not list:
            return
        arrays.append(v)
    for i in range(min(len(a) for a in arrays)):
        e = dict(env)
        refs = e[REFS] = dict(env[REFS])
        for (var, pos, _fn, _w), arr in zip(levels[depth], arrays):
            e[var] = arr[i]
            refs[var] = (arr, i)
            if pos:
                e[pos] = i
        yield from _bound(levels, depth + 1, e)
