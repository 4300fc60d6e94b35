"""Size and nesting limits, so one request or one document fails alone.

The engine is recursive in places (the parser, expression closures, value
collation and JSON encoding), and Python stops recursion at about a thousand
frames. Rather than let a deep value or statement reach that point somewhere
unpredictable, input is checked where it enters:

- **JSON** (documents, request bodies, parameter values): at most
  :data:`MAX_JSON_DEPTH` nested arrays/objects. :func:`loads` raises
  :class:`TooDeep` beyond it. A stored document nested deeper reads as a
  document that is not JSON (see :func:`~.indexes.decode`): its fields are
  MISSING, the rest of the keyspace scans as usual.
- **Statements**: at most :data:`MAX_NESTING` levels of expression and
  subquery nesting (the parser counts its own recursion, and
  :func:`check_nesting` measures the tree, which also catches long chains such
  as ``1+1+...+1`` that the parser builds without recursing), reported as
  error 5000 "Statement too deeply nested"; and at most
  :data:`MAX_STATEMENT_BYTES` of statement text, checked by the query service
  before anything is parsed.

Both depth limits together stay well inside the default recursion limit: a
value at depth 256 costs about two frames per level in the recursive helpers
of :mod:`.values`, an expression about one to three per level.
"""

from __future__ import annotations

import json
from typing import Any, Union

from . import ast as A
from .errors import N1QLError

MAX_JSON_DEPTH = 256
"""Nested arrays and objects a JSON document or request value may have."""

MAX_NESTING = 256
"""Depth of a statement's syntax tree (expressions and subqueries)."""

MAX_ARRAY_LENGTH = 1_000_000
"""Elements a function may build in one array (ARRAY_RANGE, ARRAY_REPEAT): a
count of 10^12 would take the process's memory, not just this request's."""


def check_array_length(length: float, function: str) -> None:
    """Refuse, as this request's error, an array longer than MAX_ARRAY_LENGTH:
    5035 "Out of range evaluating" (n1ql-error-codes: ARRAY_RANGE, ARRAY_REPEAT...)."""
    if length > MAX_ARRAY_LENGTH:
        count = int(length) if length != float("inf") else length
        raise N1QLError(5035, f"Out of range evaluating {function}(): an array of {count} "
                              f"elements is more than the local cluster builds "
                              f"({MAX_ARRAY_LENGTH})")


MAX_STRING_LENGTH = 20 * 1024 * 1024
"""Characters (or bytes) a function may build in one string (REPEAT, LPAD...): the
size of the largest document."""


def check_string_length(length: float, function: str) -> None:
    """Refuse a string longer than MAX_STRING_LENGTH: 5035 (n1ql-error-codes:
    "A REPEAT() call exceeds the permitted limit for the resulting string's size")."""
    if length > MAX_STRING_LENGTH:
        raise N1QLError(5035, f"Out of range evaluating {function}(): a string of {length} "
                              f"characters is more than the local cluster builds "
                              f"({MAX_STRING_LENGTH})")


MAX_STATEMENT_BYTES = 1 << 20
"""Longest statement text the service parses (UTF-8 bytes): 1 MiB."""


class TooDeep(ValueError):
    """JSON nested more deeply than allowed."""


def json_depth(value: Any, limit: int = MAX_JSON_DEPTH) -> int:
    """How deeply arrays and objects nest in ``value`` (a scalar is 0), counting
    only up to ``limit + 1``. Iterative, so any depth is safe to measure."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        v, depth = stack.pop()
        t = type(v)
        if t is dict:
            items: Any = v.values()
        elif t is list:
            items = v
        else:
            continue
        if depth > deepest:
            deepest = depth
            if deepest > limit:
                return deepest
        for x in items:
            if type(x) is dict or type(x) is list:
                stack.append((x, depth + 1))
    return deepest


def loads(text: Union[str, bytes, bytearray], limit: int = MAX_JSON_DEPTH) -> Any:
    """``json.loads`` that refuses more than ``limit`` levels of nesting.

    Raises :class:`TooDeep` (a ``ValueError``) for too deep a value and
    ``ValueError``/``UnicodeDecodeError`` for text that is not JSON. Nesting
    depth is at most the number of opening brackets, so ordinary documents
    are decoded with one C-speed count and no extra walk.
    """
    if isinstance(text, str):
        openers = text.count("[") + text.count("{")
    else:
        openers = text.count(b"[") + text.count(b"{")
    try:
        value = json.loads(text)
    except RecursionError:  # deeper than the decoder can go: far over any limit
        raise TooDeep(f"JSON nested more than {limit} levels deep") from None
    if openers > limit and json_depth(value, limit) > limit:
        raise TooDeep(f"JSON nested more than {limit} levels deep")
    return value


def too_deeply_nested() -> N1QLError:
    return N1QLError(5000, "Statement too deeply nested")


def check_nesting(node: Any, limit: int = MAX_NESTING) -> None:
    """Raise 5000 "Statement too deeply nested" if the tree under ``node``
    (subqueries included) is more than ``limit`` nodes deep."""
    stack = [(node, 1)]
    while stack:
        n, depth = stack.pop()
        if depth > limit:
            raise too_deeply_nested()
        kids = [n.query] if isinstance(n, A.Subquery) else n.children()
        for child in kids:
            if isinstance(child, A.Node):
                stack.append((child, depth + 1))
