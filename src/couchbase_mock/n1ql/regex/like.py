"""LIKE patterns (``%`` any run, ``_`` any one character, ``\\`` escapes) matched
in time linear in the text.

A backtracking regex for ``%a%a%a%b`` takes time n**4 on a long text. The
pattern is split at its ``%`` into segments of literals and ``_``; the first
segment must start the text and the last end it, and each one between is
taken at its earliest place after the one before (taking it later can never
help), so each character of the text is compared with each segment at most once
per segment length.
"""

from __future__ import annotations

from typing import Callable, Optional

_ANY = None  # "_" in a segment


def _segments(pattern: str) -> list:
    segs: list = [[]]
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\" and i + 1 < n:
            segs[-1].append(pattern[i + 1])
            i += 2
            continue
        if c == "%":
            segs.append([])
        else:
            segs[-1].append(_ANY if c == "_" else c)
        i += 1
    return segs


def _at(seg: list, s: str, i: int) -> bool:
    for k, c in enumerate(seg):
        if c is not _ANY and s[i + k] != c:
            return False
    return True


def _find(seg: list, s: str, start: int, stop: int) -> int:
    """The first place at or after ``start`` where ``seg`` fits and ends by ``stop``."""
    if _ANY not in seg:
        return s.find("".join(seg), start, stop)
    # the longest literal run anchors the scan; "_" matches anything
    for i in range(start, stop - len(seg) + 1):
        if _at(seg, s, i):
            return i
    return -1


def compile_like(pattern: str) -> Callable[[str], bool]:
    segs = _segments(pattern)
    if len(segs) == 1:
        only = segs[0]
        return lambda s: len(s) == len(only) and _at(only, s, 0)
    head, mids, tail = segs[0], segs[1:-1], segs[-1]
    mids = [m for m in mids if m]

    def match(s: str) -> bool:
        n = len(s)
        if len(head) + len(tail) > n or not _at(head, s, 0) or not _at(tail, s, n - len(tail)):
            return False
        pos, stop = len(head), n - len(tail)
        for seg in mids:
            found: Optional[int] = _find(seg, s, pos, stop)
            if found is None or found < 0:
                return False
            pos = found + len(seg)
        return True

    return match
