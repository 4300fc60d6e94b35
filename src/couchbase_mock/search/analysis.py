"""Analyzers: text in, tokens (term, position, byte start, byte end) out.

The search service's built-in analyzers, as its documentation describes them:

- ``standard``: Unicode word tokenizer (UAX #29 words, approximated by a
  regular expression: letters, digits and ``_`` joined by ``.`` or ``'``;
  each CJK ideograph a word of its own), lower case, English stop words
  removed (positions still count them, as the server's do);
- ``simple``: runs of letters, lower case;
- ``keyword``: the whole input as one term, unchanged;
- ``en``: ``standard`` plus possessive ``'s`` removed and a light English
  stemmer (plurals, ``-ed``, ``-ing``, ``-ly``). The server uses the Porter
  stemmer: a stemmed term may differ from the server's, but a word and its
  usual inflections meet on one term here too.

Offsets are UTF-8 byte offsets, as the server reports them in ``locations``.
"""

from __future__ import annotations

import re
from typing import Callable, NamedTuple

__all__ = ["ANALYZERS", "Token", "analyze", "known_analyzer"]


class Token(NamedTuple):
    term: str
    pos: int  # 1-based position among the words
    start: int  # byte offsets in the UTF-8 text
    end: int


_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_WORD = re.compile(rf"[{_CJK}]|[^\W{_CJK}]+(?:[.'\u2019][^\W{_CJK}]+)*")
_LETTERS = re.compile(r"[^\W\d_]+")

# The English stop word list of the Snowball project, which the server's
# ``stop_en`` filter uses.
STOP_EN = frozenset("""
i me my myself we our ours ourselves you your yours yourself yourselves he him his
himself she her hers herself it its itself they them their theirs themselves what
which who whom this that these those am is are was were be been being have has had
having do does did doing would should could ought i'm you're he's she's it's we're
they're i've you've we've they've i'd you'd he'd she'd we'd they'd i'll you'll he'll
she'll we'll they'll isn't aren't wasn't weren't hasn't haven't hadn't doesn't don't
didn't won't wouldn't shan't shouldn't can't cannot couldn't mustn't let's that's
who's what's here's there's when's where's why's how's a an the and but if or because
as until while of at by for with about against between into through during before
after above below to from up down in out on off over under again further then once
here there when where why how all any both each few more most other some such no nor
not only own same so than too very
""".split())


def _byte_offsets(text: str) -> Callable[[int], int]:
    if text.isascii():
        return lambda i: i
    prefix = [0]
    for ch in text:
        prefix.append(prefix[-1] + len(ch.encode("utf-8", "surrogatepass")))
    return prefix.__getitem__


def _words(pattern: re.Pattern[str], text: str) -> list[Token]:
    offset = _byte_offsets(text)
    return [Token(m.group(), i, offset(m.start()), offset(m.end()))
            for i, m in enumerate(pattern.finditer(text), 1)]


def _standard(text: str) -> list[Token]:
    out = []
    for tok in _words(_WORD, text):
        term = tok.term.lower()
        if term not in STOP_EN:
            out.append(tok._replace(term=term))
    return out


def _simple(text: str) -> list[Token]:
    return [tok._replace(term=tok.term.lower()) for tok in _words(_LETTERS, text)]


def _keyword(text: str) -> list[Token]:
    return [Token(text, 1, 0, len(text.encode("utf-8", "surrogatepass")))] if text else []


def stem_en(term: str) -> str:
    """A light English stemmer (see the module docstring)."""
    for suffix in ("'s", "\u2019s"):
        if term.endswith(suffix):
            term = term[: -len(suffix)]
    if len(term) <= 3:
        return term
    if term.endswith("ies") and len(term) > 4:
        return term[:-3] + "y"
    if term.endswith(("sses", "shes", "ches", "xes")):
        return term[:-2]
    if term.endswith("s") and not term.endswith(("ss", "us", "is")):
        term = term[:-1]
    for suffix in ("ingly", "edly", "ing", "ed", "ly"):
        if term.endswith(suffix) and len(term) - len(suffix) >= 3:
            stem = term[: -len(suffix)]
            if len(stem) > 3 and stem[-1] == stem[-2] and stem[-1] not in "lsz":
                stem = stem[:-1]  # running -> run
            return stem
    return term


def _english(text: str) -> list[Token]:
    return [tok._replace(term=stem_en(tok.term)) for tok in _standard(text)]


ANALYZERS: dict[str, Callable[[str], list[Token]]] = {
    "standard": _standard,
    "simple": _simple,
    "keyword": _keyword,
    "en": _english,
}


def known_analyzer(name: str) -> bool:
    return name in ANALYZERS


def analyze(name: str, text: str) -> list[Token]:
    """The tokens of ``text`` by analyzer ``name`` (``KeyError``: no such analyzer)."""
    return ANALYZERS[name](text)
