"""String, token and pattern-matching functions missing from the core registry.

Pages of the N1QL (SQL++) language reference: stringfun.html, tokenfun.html,
patternmatchingfun.html. The usual argument rule holds (MISSING in -> MISSING,
NULL or a wrong type -> NULL); a bad regular expression gives NULL, never a
Python exception.
"""

from __future__ import annotations

import functools
import math
import re
import urllib.parse
from typing import Any, Iterator, Optional

from ..limits import check_string_length
from ..regex import Regex, RegexError
from ..regex import compile as compile_regex
from ..values import MISSING, is_number
from . import from_utf8, register, substr_of, utf8

# -- padding, masking, suffixes (stringfun.html) ------------------------------


def _pad(s: Any, size: Any, pad: Any, left: bool) -> Any:
    """``s`` cut or padded to ``size`` (characters of a str, or bytes)."""
    if not size >= 0 or size == math.inf:  # negative, NaN or infinite: NULL
        return None
    size = int(size)
    check_string_length(size, "LPAD" if left else "RPAD")
    if len(s) >= size:
        return s[:size]
    if len(pad) == 0:
        return s
    need = size - len(s)
    padding = (pad * (need // len(pad) + 1))[:need]
    return padding + s if left else s + padding


def _byte_pad(s: str, size: Any, pad: Optional[str], left: bool) -> Any:
    """LPAD/RPAD count UTF-8 bytes (stringfun.adoc: a 4-byte emoji fills 4)."""
    fill = " " if pad is None else pad
    if s.isascii() and fill.isascii():
        return _pad(s, size, fill, left)
    out = _pad(utf8(s), size, utf8(fill), left)
    return out if out is None else from_utf8(out)


register("LPAD", strict=("s", "n", "s"))(lambda s, size, pad=None: _byte_pad(s, size, pad, True))
register("RPAD", strict=("s", "n", "s"))(lambda s, size, pad=None: _byte_pad(s, size, pad, False))
register("MB_LPAD", strict=("s", "n", "s"))(
    lambda s, size, pad=None: _pad(s, size, " " if pad is None else pad, True))
register("MB_RPAD", strict=("s", "n", "s"))(
    lambda s, size, pad=None: _pad(s, size, " " if pad is None else pad, False))


@register("SUFFIXES", strict=("s",))
def suffixes(s: str) -> list:
    return [s[i:] for i in range(len(s))]


@register("CONCAT2", strict=("s", "*"))
def concat2(sep: str, *parts: Any) -> Any:
    out: list = []
    for p in parts:
        if type(p) is list:
            if not all(type(x) is str for x in p):
                return None
            out.extend(p)
        elif type(p) is str:
            out.append(p)
        else:
            return None
    return sep.join(out)


@register("MASK", strict=("s", "o"))
def mask(s: str, options: Optional[dict] = None) -> Any:
    """stringfun.adoc MASK. The ``mask`` (default eight '*') overlays the
    string from the ``anchor`` ("start"; "end" or a negative offset: laid back
    from there; a pattern: its first match; an offset): each mask character
    covers one input character, a ``hole`` character (default space) lets it
    through, an ``inject`` character is inserted without covering any. The
    input before the anchor is kept; with ``length`` "source" the mask is cut
    to fit and the input after it kept, otherwise the input after it is
    dropped. An anchor outside the string leaves the string as it is."""
    opts = options or {}
    pattern, hole = opts.get("mask", "********"), opts.get("hole", " ")
    inject, anchor = opts.get("inject", ""), opts.get("anchor", "start")
    if not all(type(x) is str for x in (pattern, hole, inject)):
        return None
    source = opts.get("length") == "source"
    marks = list(pattern)
    covered = sum(1 for c in marks if c not in inject)
    backward = anchor == "end" or (is_number(anchor) and type(anchor) is not bool
                                   and anchor < 0)
    if backward:
        stop = len(s) + (0 if anchor == "end" else int(anchor))
        if stop < 0:
            return s
        at = stop - covered
        while at < 0 and marks:  # laid back past the start: cut from the left
            if marks.pop(0) not in inject:
                at += 1
    else:
        if anchor == "start":
            at = 0
        elif is_number(anchor) and type(anchor) is not bool:
            at = int(anchor)
        elif type(anchor) is str:
            m = _search(anchor, s)
            if m is None:
                return s
            at = m
        else:
            return None
        if at > len(s):
            return s
        if source:
            room = len(s) - at
            while covered > room:
                if marks.pop() not in inject:
                    covered -= 1
    out = [s[:at]]
    j = at
    for c in marks:
        if c in inject:
            out.append(c)
            continue
        if c in hole:
            out.append(s[j] if j < len(s) else "")
        else:
            out.append(c)
        j += 1
    if source:
        out.append(s[j:])
    return "".join(out)


register("URLENCODE", strict=("s",))(lambda s: urllib.parse.quote(s, safe=""))


@register("URLDECODE", strict=("s",))
def urldecode(s: str) -> Any:
    """A '%' not followed by two hex digits -> NULL (stringfun.adoc URLDECODE)."""
    if re.search(r"%(?![0-9A-Fa-f]{2})", s):
        return None
    try:
        return urllib.parse.unquote(s, errors="strict")
    except (UnicodeDecodeError, ValueError):
        return None


# -- multibyte (code point) forms: MB_* ---------------------------------------

register("MB_LENGTH", strict=("s",))(len)
register("MB_POSITION", "MB_POSITION0", strict=("s", "s"))(lambda s, sub: s.find(sub))
register("MB_POSITION1", strict=("s", "s"))(lambda s, sub: s.find(sub) + 1)


register("MB_SUBSTR", "MB_SUBSTR0", strict=("s", "n", "n"))(substr_of)  # characters
register("MB_SUBSTR1", strict=("s", "n", "n"))(
    lambda s, pos, length=None: substr_of(s, pos - 1 if pos > 0 else pos, length))

# -- pattern matching (patternmatchingfun.html) -------------------------------

# Go's regexp semantics in linear time (the regex package): Python's re backtracks.


def _compile(pattern: str) -> Optional[Regex]:
    """The compiled pattern, or None for one Go refuses (the function gives NULL)."""
    try:
        return compile_regex(pattern)
    except RegexError:
        return None


def _search(pattern: str, s: str) -> Optional[int]:
    """Where the first match of ``pattern`` in ``s`` starts (None: no match or a bad pattern)."""
    rx = _compile(pattern)
    m = rx.search(s) if rx is not None else None
    return None if m is None else m[0]


def _with_rx(fn: Any) -> Any:
    @functools.wraps(fn)  # its signature: the argument count is checked (error 3000)
    def call(s: str, pattern: str, *rest: Any) -> Any:
        rx = _compile(pattern)
        return None if rx is None else fn(s, rx, *rest)

    return call


def _position(s: str, rx: Regex, base: int) -> int:
    """Where the first match starts: a byte offset into the UTF-8 text, as Go's
    regexp indexes strings (ASCII: the character position)."""
    m = rx.search(s)
    if m is None:
        return -1
    start = m[0]
    return (start if s.isascii() else len(s[:start].encode("utf-8", "surrogatepass"))) + base


register("REGEXP_CONTAINS", "REGEX_CONTAINS", strict=("s", "s"))(
    _with_rx(lambda s, rx: rx.search(s) is not None))
register("REGEXP_LIKE", "REGEX_LIKE", strict=("s", "s"))(
    _with_rx(lambda s, rx: rx.fullmatch(s)))
register("REGEXP_POSITION", "REGEX_POSITION", "REGEXP_POSITION0", "REGEX_POSITION0",
         strict=("s", "s"))(_with_rx(lambda s, rx: _position(s, rx, 0)))
register("REGEXP_POSITION1", "REGEX_POSITION1", strict=("s", "s"))(
    _with_rx(lambda s, rx: _position(s, rx, 1)))
register("REGEXP_MATCHES", "REGEX_MATCHES", strict=("s", "s"))(
    _with_rx(lambda s, rx: [s[m[0]:m[1]] for m in rx.find_all(s)]))
register("REGEXP_SPLIT", "REGEX_SPLIT", strict=("s", "s"))(
    _with_rx(lambda s, rx: rx.split(s)))


@register("REGEXP_REPLACE", "REGEX_REPLACE", strict=("s", "s", "s", "n"))
def regexp_replace(s: str, pattern: str, repl: str, n: Any = None) -> Any:
    """Go's $1 / ${name} expansion in ``repl``; at most ``n`` replacements if given."""
    rx = _compile(pattern)
    if rx is None:
        return None
    if n is not None and n == 0:
        return s
    limit = int(min(n, 2**31)) if n is not None and n > 0 else -1
    return rx.replace(s, repl, limit)


# -- tokens (tokenfun.html) ---------------------------------------------------

_WORD = re.compile(r"[^\W_]+")
_SPECIAL = re.compile(r"\S+")


def _options(options: Any) -> Optional[dict]:
    if options is None or options is MISSING:
        return {}
    return options if type(options) is dict else None


def _string_tokens(s: str, opts: dict) -> Iterator[Any]:
    if opts.get("trim", True) is not False:
        s = s.strip()
    case = opts.get("case")
    if case == "lower":
        s = s.lower()
    elif case == "upper":
        s = s.upper()
    if opts.get("split", True) is False:
        yield s
        return
    if opts.get("specials", False) is True:
        for m in _SPECIAL.finditer(s):
            word = m.group(0).strip(",;:!?\"'()[]{}")
            if word:
                yield word
    for m in _WORD.finditer(s):
        yield m.group(0)


def _tokens(v: Any, opts: dict) -> Iterator[Any]:
    if type(v) is str:
        yield from _string_tokens(v, opts)
    elif type(v) is list:
        for x in v:
            yield from _tokens(x, opts)
    elif type(v) is dict:
        for k, x in v.items():
            if opts.get("names", True) is not False:
                yield from _string_tokens(k, opts)
            yield from _tokens(x, opts)
    elif v is not MISSING:
        yield v


def token_list(v: Any, opts: dict) -> list:
    out: list = []
    seen: set = set()
    for t in _tokens(v, opts):
        key = (type(t).__name__, t)
        if key not in seen:
            seen.add(key)
            out.append(t)
    return out


@register("TOKENS")
def tokens(v: Any, options: Any = None) -> Any:
    if v is MISSING or options is MISSING:
        return MISSING
    opts = _options(options)
    if opts is None:
        return None
    return token_list(v, opts)


def _contains_token(match: Any) -> Any:
    def fn(v: Any, token: Any, options: Any = None) -> Any:
        if v is MISSING or token is MISSING or options is MISSING:
            return MISSING
        opts = _options(options)
        if opts is None or type(token) is not str:
            return None
        return match(token_list(v, opts), token)

    return fn


def _like_any(toks: list, pattern: str) -> Any:
    from ..evaluator import like

    return any(like(t, pattern) is True for t in toks if type(t) is str)


def _regexp_any(toks: list, pattern: str) -> Any:
    rx = _compile(pattern)
    if rx is None:
        return None
    return any(rx.fullmatch(t) for t in toks if type(t) is str)


register("CONTAINS_TOKEN", "HAS_TOKEN")(_contains_token(lambda toks, t: t in [x for x in toks
                                                                  if type(x) is str]))
register("CONTAINS_TOKEN_LIKE")(_contains_token(_like_any))
register("CONTAINS_TOKEN_REGEXP", "CONTAINS_TOKEN_REGEX")(_contains_token(_regexp_any))
