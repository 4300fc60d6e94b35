"""The fast path: a Go pattern as a Python ``re`` pattern, when that is safe.

Safe means two things. The same matches: every construct is spelled out so
Python's defaults cannot differ from Go's (classes as explicit code point
ranges, case folding already expanded by the parser, ``\\A``/``\\Z`` for Go's
text anchors, ASCII ``\\b``). And bounded backtracking: the pattern's worst
case for Python's backtracking engine is at most ``choices * (n + 1) **
(loops + 1)`` steps on a text of length ``n``, where ``loops`` counts the
unbounded repeats, each of a fixed-width, choice-free body (a repeat of a body
with a choice or another repeat inside, like ``(a+)+`` or ``(a|aa)*``, has no
such bound and is never translated), and ``choices`` multiplies the
alternatives and counted-repeat lengths. A call takes the fast path only when
that bound is small for its text (:func:`Translated.fits`); the Pike VM answers
the rest.
"""

from __future__ import annotations

import re
from typing import Any, Optional

from .syntax import MAX_RUNE, CharClass

STEP_LIMIT = 5_000_000  # backtracking steps allowed a fast-path call
MAX_LOOPS = 3
_CAP = STEP_LIMIT + 1

_ASSERTS = {"bot": r"\A", "eot": r"\Z", "bol": "(?m:^)", "eol": "(?m:$)",
            "wordb": r"(?a:\b)", "nwordb": r"(?:(?a:\B)|\A\Z)"}  # Python's \B fails on ""


class Translated:
    def __init__(self, rx: re.Pattern, choices: int, loops: int):
        self.rx = rx
        self.choices = choices
        self.loops = loops

    def fits(self, n: int) -> bool:
        """Whether the worst case on a text of ``n`` characters is within the limit."""
        return self.choices * (n + 1) ** (self.loops + 1) <= STEP_LIMIT


def translate(ast: Any) -> Optional[Translated]:
    try:
        text, choices, loops, _ = _tr(ast)
    except (_Unsafe, RecursionError):
        return None
    if loops > MAX_LOOPS or choices > STEP_LIMIT:
        return None
    try:
        return Translated(re.compile(text), choices, loops)
    except (re.error, RecursionError, OverflowError):  # pragma: no cover - defensive
        return None


class _Unsafe(Exception):
    pass


def _chr(cp: int) -> str:
    ch = chr(cp)
    if ch.isalnum() and cp < 0x80:
        return ch
    return f"\\U{cp:08x}"


def class_text(cls: CharClass) -> str:
    if cls.props or cls.negated:
        raise _Unsafe  # a Unicode property: Python's re has no such class
    ch = cls.single()
    if ch is not None:
        return re.escape(ch)
    if not cls.ranges:
        return f"[^\\x00-\\U{MAX_RUNE:08x}]"
    parts = [_chr(lo) if lo == hi else f"{_chr(lo)}-{_chr(hi)}" for lo, hi in cls.ranges]
    return "[" + "".join(parts) + "]"


def _tr(n: Any) -> tuple:
    """(python text, choices, loops, fixed width or None)."""
    kind = n[0]
    if kind == "char":
        return class_text(n[1]), 1, 0, 1
    if kind == "assert":
        return _ASSERTS[n[1]], 1, 0, 0
    if kind == "group":
        text, b, k, w = _tr(n[2])
        return "(" + text + ")", b, k, w
    if kind == "cat":
        texts, b, k, w = [], 1, 0, 0
        for sub in n[1]:
            t, sb, sk, sw = _tr(sub)
            texts.append(t)
            b = min(b * sb, _CAP)
            k += sk
            w = None if w is None or sw is None else w + sw
        return "".join(texts), b, k, w
    if kind == "alt":
        subs = [_tr(sub) for sub in n[1]]
        widths = {s[3] for s in subs}
        return ("(?:" + "|".join(s[0] for s in subs) + ")", min(sum(s[1] for s in subs), _CAP),
                max(s[2] for s in subs), widths.pop() if len(widths) == 1 else None)
    if kind == "rep":
        _, body, lo, hi, greedy = n
        text, b, k, w = _tr(body)
        lazy = "" if greedy else "?"
        if hi is None:
            if k or b != 1 or not w:
                raise _Unsafe  # a loop over a choice, a loop, or an empty-width body
            return f"(?:{text}){{{lo},}}{lazy}", 1, 1, None
        choices = min((hi - lo + 1) * b ** min(hi, 64), _CAP) if b > 1 else hi - lo + 1
        return (f"(?:{text}){{{lo},{hi}}}{lazy}", min(choices, _CAP), k * hi,
                w * lo if w is not None and lo == hi else None)
    raise AssertionError(kind)  # pragma: no cover
