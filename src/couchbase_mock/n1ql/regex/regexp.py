"""A compiled Go regular expression: search, full match, all matches, replace, split.

Each call takes the fast path (Python's ``re`` on the translated pattern) when
its worst case on that text is bounded (translate.py), else the Pike VM; both
give the same spans. The iteration over successive matches, the replacement
template and split follow Go's regexp package (FindAll, Expand, Split).
"""

from __future__ import annotations

from typing import Iterator, Optional

from . import pikevm
from .syntax import parse
from .translate import Translated, translate

Spans = list  # [start0, end0, start1, end1, ...]: None for a group that did not take part


class Regex:
    __slots__ = ("pattern", "ngroups", "names", "_ast", "_prog", "_full", "fast")

    def __init__(self, pattern: str):
        parsed = parse(pattern)
        self.pattern = pattern
        self.ngroups = parsed.ngroups
        self.names = parsed.names
        self._ast = parsed.ast
        self._prog = pikevm.compile_program(parsed.ast, parsed.ngroups)
        self._full: Optional[pikevm.Program] = None
        self.fast: Optional[Translated] = translate(parsed.ast)

    def search(self, s: str, pos: int = 0, vm: bool = False) -> Optional[Spans]:
        """The leftmost-first match starting at or after ``pos`` (Go's doExecute)."""
        fast = self.fast
        if fast is not None and not vm and fast.fits(len(s)):
            m = fast.rx.search(s, pos)
            if m is None:
                return None
            return [x for i in range(self.ngroups + 1) for x in _span(m.span(i))]
        return pikevm.run(self._prog, s, pos)

    def fullmatch(self, s: str, vm: bool = False) -> bool:
        fast = self.fast
        if fast is not None and not vm and fast.fits(len(s)):
            return fast.rx.fullmatch(s) is not None
        if self._full is None:
            self._full = pikevm.compile_program(self._ast, self.ngroups, full=True)
        return pikevm.run(self._full, s) is not None

    def find_all(self, s: str, limit: int = -1) -> Iterator[Spans]:
        """Successive matches as Go's FindAll finds them: after an empty match the
        search moves on one character, and an empty match right after the previous
        match is skipped."""
        pos, prev_end, found, n = 0, -1, 0, len(s)
        while pos <= n and found != limit:
            m = self.search(s, pos)
            if m is None:
                return
            accept = True
            if m[1] == pos:  # an empty match
                if m[0] == prev_end:
                    accept = False
                pos += 1
            else:
                pos = m[1]
            prev_end = m[1]
            if accept:
                found += 1
                yield m

    def replace(self, s: str, template: str, limit: int = -1) -> str:
        """``s`` with its first ``limit`` matches (all: -1) replaced by ``template``
        expanded as Go's Expand does (``$1``, ``${1}``, ``$name``, ``${name}``, ``$$``)."""
        out, last = [], 0
        for m in self.find_all(s, limit):
            out.append(s[last:m[0]])
            out.append(self.expand(template, s, m))
            last = m[1]
        out.append(s[last:])
        return "".join(out)

    def expand(self, template: str, s: str, m: Spans) -> str:
        out = []
        i, n = 0, len(template)
        while i < n:
            j = template.find("$", i)
            if j < 0:
                out.append(template[i:])
                break
            out.append(template[i:j])
            i = j + 1
            if i < n and template[i] == "$":
                out.append("$")
                i += 1
                continue
            name, i2 = _template_name(template, i)
            if name is None:  # malformed: the "$" is plain text
                out.append("$")
                continue
            i = i2
            group = self._group_index(name)
            if group is not None and m[2 * group] is not None:
                out.append(s[m[2 * group]:m[2 * group + 1]])
        return "".join(out)

    def _group_index(self, name: str) -> Optional[int]:
        if name.isdigit() and name < "\x80" * len(name):
            num = int(name)
            return num if num <= self.ngroups else None
        for index, gname in self.names.items():
            if gname == name:
                return index
        return None

    def split(self, s: str) -> list:
        """The pieces between matches (Go's Split with n = -1)."""
        pieces, begin, end = [], 0, 0
        for m in self.find_all(s):
            end = m[0]
            if m[1] != 0:
                pieces.append(s[begin:end])
            begin = m[1]
        if end != len(s):
            pieces.append(s[begin:])
        return pieces


def _span(span: tuple) -> tuple:
    return span if span[0] >= 0 else (None, None)


def _word(ch: str) -> bool:
    return ch == "_" or ch.isalnum() and ch < "\x80"


def _template_name(t: str, i: int) -> tuple:
    """The group name after a "$" at ``i``: ``{name}`` or the longest run of
    letters, digits and "_" (Go's extract); (None, i) if there is none."""
    if i < len(t) and t[i] == "{":
        end = t.find("}", i + 1)
        name = t[i + 1:end] if end > 0 else ""
        if end < 0 or not name or not all(_word(ch) for ch in name):
            return None, i
        return name, end + 1
    j = i
    while j < len(t) and _word(t[j]):
        j += 1
    return (t[i:j], j) if j > i else (None, i)
