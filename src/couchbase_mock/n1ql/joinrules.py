"""The JOIN clause's rules that are not grammar (join.adoc, nest.adoc), and
the index join (``ON KEY rhs.key FOR lhs``).

- A join hint (``USE HASH(...)``/``USE NL``) on the first FROM term: 3290.
- ANSI joins/nests (``ON expr``) and lookup/index ones (``ON KEYS``/``ON KEY
  ... FOR``) in one FROM clause: 3200. A join hint on a lookup or index join:
  3110; ``USE KEYS`` on its right-hand side: 3120.
- ``RIGHT [OUTER] JOIN`` only as the first join (3000 elsewhere); it runs as
  the ``LEFT OUTER JOIN`` with the two terms swapped, which keeps every
  right-hand row.
- An index join or nest reads the right-hand documents whose ``ON KEY``
  expression equals the left-hand document's key, through an index whose
  leading key is that expression (4100 when there is none).
"""

from __future__ import annotations

from typing import Any, Optional

from . import ast as A
from .errors import N1QLError
from .evaluator import META
from .indexes import SecondaryIndex, key_text
from .values import MISSING


def _op(join: A.Join) -> str:
    if join.on is not None:
        return f"ANSI {join.kind}"
    return f"{'INDEX' if join.for_alias is not None else 'LOOKUP'} {join.kind}"


def check_joins(from_: Any, joins: list) -> tuple:
    """``(from term, joins)`` checked, a leading RIGHT JOIN turned into a LEFT one."""
    if isinstance(from_, A.KeyspaceTerm) and from_.join_hint is not None and joins:
        raise N1QLError(3290, "Join hint (USE HASH or USE NL) cannot be specified on the "
                              f"first from term {from_.alias}")
    ansi: Optional[A.Join] = None
    keyed: Optional[A.Join] = None
    for i, j in enumerate(joins):
        if j.kind not in ("JOIN", "NEST"):
            continue
        if j.right and i > 0:
            raise N1QLError(3000, f"syntax error - RIGHT JOIN on {j.alias} must be the first "
                                  "join of the FROM clause")
        if j.on is not None:
            ansi = ansi or j
        elif isinstance(j.term, A.KeyspaceTerm):
            keyed = keyed or j
            if j.term.join_hint is not None:
                raise N1QLError(3110, f"{_op(j)} on {j.alias} cannot have join hint "
                                      "(USE HASH or USE NL)")
            if j.term.use_keys is not None:
                raise N1QLError(3120, f"{_op(j)} on {j.alias} cannot have USE KEYS.")
        if ansi is not None and keyed is not None:
            first, second = (ansi, keyed) if joins.index(ansi) < joins.index(keyed) \
                else (keyed, ansi)
            raise N1QLError(3200, f"Cannot mix {_op(first)} on {first.alias} with "
                                  f"{_op(second)} on {second.alias}.")
    if joins and joins[0].right:
        j = joins[0]
        term = j.term
        if isinstance(term, A.KeyspaceTerm):
            term.join_hint = None
        swapped = A.Join("JOIN", True, from_, from_.alias, on=j.on)
        return term, [swapped] + joins[1:]
    return from_, joins


class IndexJoin:
    """The right-hand documents of ``ON KEY rhs.key FOR lhs`` for a left row."""

    def __init__(self, engine: Any, join: A.Join, path: tuple) -> None:
        self.engine = engine
        self.path = path
        self.for_alias = join.for_alias
        assert join.on_keys is not None
        text = key_text(join.on_keys, join.alias)
        self.index = next((ix for ix in engine.catalog.of(path)
                           if isinstance(ix, SecondaryIndex) and ix.online
                           and ix.key_texts and ix.key_texts[0] == text), None)
        if self.index is None:
            raise N1QLError(4100, f"No index available for join term {join.alias}")

    def docs(self, env: dict) -> list:
        meta = env.get(META + str(self.for_alias))
        if self.for_alias not in env or type(meta) is not dict:
            raise N1QLError(4025, f"Unknown keyspace for alias {self.for_alias}")
        key = meta.get("id", MISSING)
        if type(key) is not str:
            return []
        index = self.index
        assert index is not None
        ids = self.engine.on_loop(lambda: list(index.scan([(key, True, key, True)])))
        found = []
        for k in ids:
            got = self.engine.fetch(self.path, k)
            if got is not None:
                found.append(got)
        return found
