"""The query string syntax (``{"query": "..."}``), as the server's documentation has it.

Clauses are separated by spaces. Each is optionally prefixed by ``+``
(must match) or ``-`` (must not match) and by ``field:``; the rest is

- a word: a match query (analysed; ``word~2`` fuzzy; ``*`` and ``?`` make it
  a wildcard query); a word that reads as a number also matches that number;
- ``"a phrase"``: a match-phrase query;
- ``/regexp/``: a regexp query;
- ``>n``, ``>=n``, ``<n``, ``<=n``: a numeric range (``>="2020-01-01"``: a
  date range);

and may end with ``^boost``. Backslash escapes a special character. The
clauses make a boolean query: ``+`` clauses its must, ``-`` clauses its
must-not, the others its should (at least one of which must match when
there is no ``+`` clause). An empty string matches nothing.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Optional

from .mapping import parse_date
from .query import (
    BooleanNode,
    ConjunctionNode,
    DisjunctionNode,
    MatchNoneNode,
    Node,
    QueryError,
    RangeNode,
    regexp_node,
    wildcard_node,
)

if TYPE_CHECKING:
    from .query import Parser

MAX_CLAUSES = 1024
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_SUFFIX = re.compile(r"^(?P<body>.*?)(?:\^(?P<boost>\d+(?:\.\d*)?))?$", re.S)


def _split(text: str) -> list[str]:
    """The clauses: whitespace-separated, keeping quoted and /regexp/ parts whole."""
    clauses: list[str] = []
    cur: list[str] = []
    quote: Optional[str] = None
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            cur.append(text[i:i + 2])
            i += 2
            continue
        if quote is not None:
            cur.append(ch)
            if ch == quote:
                quote = None
        elif ch in "\"/" and (not cur or cur[-1] in (":", "+", "-", ">", "<", "=")):
            quote = ch
            cur.append(ch)
        elif ch.isspace():
            if cur:
                clauses.append("".join(cur))
                cur = []
        else:
            cur.append(ch)
        i += 1
    if quote is not None:
        raise QueryError(f"syntax error: unterminated {quote} in query string")
    if cur:
        clauses.append("".join(cur))
    return clauses


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text, flags=re.S)


def _field_split(clause: str) -> tuple[Optional[str], str]:
    """``field:value`` -> (field, value), honouring escapes and quotes."""
    i = 0
    while i < len(clause):
        ch = clause[i]
        if ch == "\\":
            i += 2
            continue
        if ch in "\"/":
            return None, clause
        if ch == ":":
            if i == 0:
                raise QueryError("syntax error: empty field name in query string")
            return _unescape(clause[:i]), clause[i + 1:]
        i += 1
    return None, clause


def parse_query_string(text: str, parser: Parser, boost: float = 1.0) -> Node:
    clauses = _split(text)
    if not clauses:
        return MatchNoneNode()
    if len(clauses) > MAX_CLAUSES:
        raise QueryError(f"TooManyClauses[{len(clauses)} > maxClauseCount, which is set "
                         f"to {MAX_CLAUSES}]")
    must: list[Node] = []
    should: list[Node] = []
    must_not: list[Node] = []
    for clause in clauses:
        target = should
        if clause[0] == "+" and len(clause) > 1:
            target, clause = must, clause[1:]
        elif clause[0] == "-" and len(clause) > 1:
            target, clause = must_not, clause[1:]
        target.append(_clause(clause, parser))
    return BooleanNode(
        ConjunctionNode(must) if must else None,
        DisjunctionNode(should, 0 if must else 1) if should else None,
        DisjunctionNode(must_not, 1) if must_not else None,
        boost,
    )


def _clause(clause: str, parser: Parser) -> Node:
    field, value = _field_split(clause)
    q: dict[str, object] = {} if field is None else {"field": field}
    fld = parser.field(q)
    match = _SUFFIX.match(value)
    assert match is not None
    body, boost = match.group("body"), float(match.group("boost") or 1.0)
    if not body:
        raise QueryError(f"syntax error: empty clause {clause!r} in query string")
    if len(body) >= 2 and body[0] == body[-1] == '"':
        return parser.parse({**q, "match_phrase": _unescape(body[1:-1]), "boost": boost})
    if len(body) >= 2 and body[0] == body[-1] == "/":
        return regexp_node(fld, body[1:-1], boost)
    for op in (">=", "<=", ">", "<"):
        if body.startswith(op):
            return _range(fld, op, body[len(op):], boost)
    fuzz = 0
    tilde = re.search(r"(?<!\\)~(\d*)$", body)
    if tilde:
        fuzz = int(tilde.group(1) or 1)
        body = body[: tilde.start()]
    if re.search(r"(?<!\\)[*?]", body):
        return wildcard_node(fld, _unescape(body).lower(), boost)
    word = _unescape(body)
    node = parser.parse({**q, "match": word, "fuzziness": fuzz, "boost": boost})
    if _NUMBER.match(word):
        number = float(word)
        node = DisjunctionNode(
            [node, RangeNode(fld, "number", number, number, True, True, boost)], 1)
    return node


def _range(field: str, op: str, text: str, boost: float) -> Node:
    inclusive = op.endswith("=")
    if len(text) >= 2 and text[0] == text[-1] == '"':
        when = parse_date(_unescape(text[1:-1]))
        if when is None:
            raise QueryError(f"syntax error: bad date {text} in query string")
        kind, value = "datetime", when
    elif _NUMBER.match(text):
        kind, value = "number", float(text)
    else:
        raise QueryError(f"syntax error: bad range {op}{text} in query string")
    if op.startswith(">"):
        return RangeNode(field, kind, value, None, inclusive, False, boost)
    return RangeNode(field, kind, None, value, False, inclusive, boost)
