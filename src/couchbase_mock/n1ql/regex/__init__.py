"""Regular expressions as the query service has them: Go's regexp (RE2 syntax,
leftmost-first matches) in time linear in the text.

Python's ``re`` backtracks: ``(a+)+$`` on forty "a"s and a "!" would run for
hours in a query worker that no timeout can stop. Here every pattern is parsed
with Go's rules (syntax.py), run by a Pike VM (pikevm.py), and handed to
Python's ``re`` only where its worst case is bounded for the text at hand
(translate.py). :func:`compile` caches; it raises :class:`RegexError` for a
pattern Go refuses (backreferences, lookaround, bad escapes...).
"""

from __future__ import annotations

from .like import compile_like
from .regexp import Regex
from .syntax import RegexError

__all__ = ["Regex", "RegexError", "compile", "compile_like"]

_CACHE: dict = {}
_CACHE_MAX = 512


def compile(pattern: str) -> Regex:  # noqa: A001 - the module's verb, as re.compile
    rx = _CACHE.get(pattern)
    if rx is None:
        try:
            rx = Regex(pattern)
        except RecursionError:
            raise RegexError("error parsing regexp: expression nests too deeply") from None
        if len(_CACHE) >= _CACHE_MAX:
            _CACHE.clear()
        _CACHE[pattern] = rx
    return rx
