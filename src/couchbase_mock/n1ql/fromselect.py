"""``FROM ... [LET] [WHERE] [GROUP BY] [WINDOW] SELECT ...`` (select-syntax.adoc,
from-select: the SELECT clause may come last). The parser rotates the tokens
so the SELECT clause comes first, then reads an ordinary SELECT block.

The SELECT clause ends where the block ends at its own nesting depth: at a
set operator, ORDER BY, LIMIT, OFFSET, a closing bracket, ``;`` or the end.
"""

from __future__ import annotations

from typing import Any

_OPEN = {"(", "[", "{"}
_CLOSE = {")", "]", "}"}
_ENDS = {"UNION", "INTERSECT", "EXCEPT", "ORDER", "LIMIT", "OFFSET"}


def rotate_from_select(p: Any) -> None:
    """At a FROM that starts a block: move its SELECT clause before it."""
    tokens = p.tokens
    start = p.i
    depth = 0
    select_at = end = None
    for j in range(start, len(tokens)):
        t = tokens[j]
        word = t.text.upper() if t.kind == "IDENT" else ""
        is_op = t.kind == "OP"
        if is_op and t.text in _OPEN:
            depth += 1
        elif is_op and t.text in _CLOSE:
            if depth == 0:
                end = j
                break
            depth -= 1
        elif depth == 0 and (t.kind == "EOF" or (is_op and t.text == ";")):
            end = j
            break
        elif depth == 0 and word:
            if select_at is None and word == "SELECT":
                select_at = j
            elif select_at is not None and word in _ENDS:
                end = j
                break
    if select_at is None:
        raise p.error()
    if end is None:
        end = len(tokens) - 1
    order = list(range(start)) + list(range(select_at, end)) + list(range(start, select_at)) \
        + list(range(end, len(tokens)))
    p.tokens = [tokens[k] for k in order]
    moved = {old: new for new, old in enumerate(order)}
    p.hint_comments = {moved.get(k, k): v for k, v in p.hint_comments.items()}
