"""The N1QL tokenizer: statement text to a list of :class:`Token`.

Tokens carry their offset so the parser can report positions the way the
query service does. Keywords are not told apart from identifiers here: a
bare word is an ``IDENT`` token and the parser compares its upper-cased text
(so ``name`` and ``NAME`` are the same word, while `` `name` `` is always an
identifier, kind ``QIDENT``).
"""

from __future__ import annotations

from typing import Any, NamedTuple, Optional

from .errors import N1QLError, syntax_error
from .hints import HINT, hint_start

IDENT = "IDENT"
QIDENT = "QIDENT"
STRING = "STRING"
NUMBER = "NUMBER"
NAMED_PARAM = "NAMED_PARAM"
POS_PARAM = "POS_PARAM"
NEXT_PARAM = "NEXT_PARAM"
OP = "OP"
EOF = "EOF"

# Longest first, so "<=" wins over "<".
OPERATORS = (
    "||", "<=", ">=", "!=", "<>", "==",
    "+", "-", "*", "/", "%", "=", "<", ">", "(", ")", "[", "]", "{", "}",
    ",", ".", ":", ";", "?",
)

ESCAPES = {
    "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t",
    "\\": "\\", "/": "/", '"': '"', "'": "'", "`": "`",
}


class Token(NamedTuple):
    kind: str
    value: object
    offset: int
    text: str

    @property
    def upper(self) -> str:
        return self.text.upper() if self.kind == IDENT else ""


def _read_quoted(src: str, i: int, quote: str) -> tuple[str, int]:
    """The unescaped text of a quoted string or identifier starting at ``src[i]``."""
    out: list[str] = []
    j = i + 1
    n = len(src)
    while j < n:
        c = src[j]
        if c == quote:
            if j + 1 < n and src[j + 1] == quote:  # doubled quote: one quote
                out.append(quote)
                j += 2
                continue
            return "".join(out), j + 1
        if c == "\\":
            if j + 1 >= n:
                break
            e = src[j + 1]
            if e == "u":
                hexdigits = src[j + 2 : j + 6]
                try:
                    out.append(chr(int(hexdigits, 16)))
                except ValueError:
                    raise N1QLError(3006, "invalid escape sequence") from None
                j += 6
                continue
            out.append(ESCAPES.get(e, e))
            j += 2
            continue
        out.append(c)
        j += 1
    raise syntax_error(src, i, src[i:i + 20]) from None


def _hint(tokens: list, src: str, start: int, end: int, skip: int) -> None:
    """A hint comment's token; a second one in a row is a syntax error."""
    if tokens[-1].kind == HINT:
        raise syntax_error(src, start, src[start:start + 3])
    tokens.append(Token(HINT, src[start + skip:end], start, src[start:end]))


CHECK_EVERY = 1 << 16
"""Characters tokenized between two checks of the request's :class:`~.cancel.Cancel`."""


def tokenize(src: str, cancel: Optional[Any] = None) -> list[Token]:
    """Every token of ``src``, ending with an ``EOF`` token (``cancel``: checked
    every :data:`CHECK_EVERY` characters, so a huge statement can time out)."""
    tokens: list[Token] = []
    i = 0
    n = len(src)
    append = tokens.append
    next_check = CHECK_EVERY if cancel is not None else n
    while i < n:
        if i >= next_check:
            cancel.check()  # type: ignore[union-attr]
            next_check = i + CHECK_EVERY
        c = src[i]
        if c in " \t\r\n":
            i += 1
            continue
        if c == "-" and src.startswith("--", i):
            end = src.find("\n", i)
            if hint_start(src, i, tokens):  # --+ hints (optimizer-hints.adoc)
                _hint(tokens, src, i, n if end < 0 else end, 3)
            i = n if end < 0 else end + 1
            continue
        if c == "/" and src.startswith("/*", i):
            end = src.find("*/", i + 2)
            if end < 0:
                raise syntax_error(src, i, "/*")
            if hint_start(src, i, tokens):  # /*+ hints */ (optimizer-hints.adoc)
                _hint(tokens, src, i, end, 3)
            i = end + 2
            continue
        if c.isalpha() or c == "_":
            j = i + 1
            while j < n and (src[j].isalnum() or src[j] in "_$"):
                j += 1
            word = src[i:j]
            append(Token(IDENT, word, i, word))
            i = j
            continue
        if c.isdigit() or (c == "." and i + 1 < n and src[i + 1].isdigit()):
            j = i
            while j < n and src[j].isdigit():
                j += 1
            is_float = False
            if j < n and src[j] == "." and not (j + 1 < n and src[j + 1] == "."):
                is_float = True
                j += 1
                while j < n and src[j].isdigit():
                    j += 1
            if j < n and src[j] in "eE":
                k = j + 1
                if k < n and src[k] in "+-":
                    k += 1
                if k < n and src[k].isdigit():
                    is_float = True
                    j = k
                    while j < n and src[j].isdigit():
                        j += 1
            text = src[i:j]
            value: object = float(text) if is_float else int(text)
            append(Token(NUMBER, value, i, text))
            i = j
            continue
        if c == '"' or c == "'":
            value, j = _read_quoted(src, i, c)
            append(Token(STRING, value, i, src[i:j]))
            i = j
            continue
        if c == "`":
            value, j = _read_quoted(src, i, "`")
            if (j < n and src[j] in "iI"
                    and not (j + 1 < n and (src[j + 1].isalnum() or src[j + 1] in "_$"))):
                j += 1  # `name`i: a case-insensitive field name (nestedops.adoc); text ends in i
            append(Token(QIDENT, value, i, src[i:j]))
            i = j
            continue
        if c == "$":
            j = i + 1
            while j < n and (src[j].isalnum() or src[j] == "_"):
                j += 1
            name = src[i + 1 : j]
            if not name:
                raise syntax_error(src, i, "$")
            if name.isdigit():
                append(Token(POS_PARAM, int(name), i, src[i:j]))
            else:
                append(Token(NAMED_PARAM, name, i, src[i:j]))
            i = j
            continue
        for op in OPERATORS:
            if src.startswith(op, i):
                kind = NEXT_PARAM if op == "?" else OP
                append(Token(kind, op, i, op))
                i += len(op)
                break
        else:
            raise syntax_error(src, i, c)
    append(Token(EOF, None, n, ""))
    return tokens
