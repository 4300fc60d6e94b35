"""A Pike VM: Thompson NFA simulation with submatches, in time linear in the text.

Threads are kept in priority order and a matching thread cuts the ones below it,
which gives Go's leftmost-first submatches (the match a backtracking engine
would find) without ever backtracking: each program instruction runs at most
once per text position.
"""

from __future__ import annotations

from typing import Any, Optional

from .syntax import RegexError

LIT, SET, CLASS, SPLIT, JMP, SAVE, ASSERT, MATCH = range(8)
MAX_PROGRAM = 500_000  # instructions: a bigger pattern is "expression too large"


class Program:
    def __init__(self, insts: list, ncap: int, anchored: bool, first: Optional[str]):
        self.insts = insts
        self.ncap = ncap  # slots: 2 per group, group 0 included
        self.anchored = anchored
        self.first = first  # a literal every match starts with, else None


def compile_program(ast: Any, ngroups: int, full: bool = False) -> Program:
    c = _Compiler()
    c.emit((SAVE, 0))
    if full:
        c.emit((ASSERT, "bot"))
    c.node(ast)
    if full:
        c.emit((ASSERT, "eot"))
    c.emit((SAVE, 1))
    c.emit((MATCH,))
    return Program(c.insts, 2 * ngroups + 2, full or _anchored(ast), _first_literal(ast))


class _Compiler:
    def __init__(self) -> None:
        self.insts: list = []

    def emit(self, inst: tuple) -> int:
        self.insts.append(inst)
        if len(self.insts) > MAX_PROGRAM:
            raise RegexError("error parsing regexp: expression too large")
        return len(self.insts) - 1

    def node(self, n: Any) -> None:
        kind = n[0]
        if kind == "char":
            cls = n[1]
            ch = cls.single()
            if ch is not None:
                self.emit((LIT, ch))
            elif cls._set is not None and not cls.props and not cls.negated:
                self.emit((SET, cls._set))
            else:
                self.emit((CLASS, cls.has))
        elif kind == "cat":
            for sub in n[1]:
                self.node(sub)
        elif kind == "alt":
            jumps = []
            branches = n[1]
            for sub in branches[:-1]:
                split = self.emit((SPLIT, 0, 0))
                self.node(sub)
                jumps.append(self.emit((JMP, 0)))
                self.insts[split] = (SPLIT, split + 1, len(self.insts))
            self.node(branches[-1])
            for j in jumps:
                self.insts[j] = (JMP, len(self.insts))
        elif kind == "group":
            self.emit((SAVE, 2 * n[1]))
            self.node(n[2])
            self.emit((SAVE, 2 * n[1] + 1))
        elif kind == "assert":
            self.emit((ASSERT, n[1]))
        elif kind == "rep":
            self.rep(n[1], n[2], n[3], n[4])
        else:  # pragma: no cover - the parser makes no other node
            raise AssertionError(kind)

    def _split(self, at: int, body_start: int, after: int, greedy: bool) -> None:
        self.insts[at] = ((SPLIT, body_start, after) if greedy else (SPLIT, after, body_start))

    def rep(self, body: Any, lo: int, hi: Optional[int], greedy: bool) -> None:
        for _ in range(lo - 1 if hi is None and lo > 0 else lo):
            self.node(body)
        if hi is None:
            if lo > 0:  # x+ : body, then loop back
                start = len(self.insts)
                self.node(body)
                split = self.emit((SPLIT, 0, 0))
                self._split(split, start, split + 1, greedy)
            else:  # x* : loop with the test first
                split = self.emit((SPLIT, 0, 0))
                self.node(body)
                self.emit((JMP, split))
                self._split(split, split + 1, len(self.insts), greedy)
            return
        splits = []
        for _ in range(hi - lo):  # x(x(x)?)? : each optional copy inside the one before
            splits.append(self.emit((SPLIT, 0, 0)))
            self.node(body)
        end = len(self.insts)
        for s in splits:
            self._split(s, s + 1, end, greedy)


def _anchored(ast: Any) -> bool:
    while True:
        kind = ast[0]
        if kind == "assert":
            return bool(ast[1] == "bot")
        if kind == "cat" and ast[1]:
            ast = ast[1][0]
        elif kind == "group":
            ast = ast[2]
        else:
            return False


def _first_literal(ast: Any) -> Optional[str]:
    while True:
        kind = ast[0]
        if kind == "char":
            return ast[1].single()
        if kind == "cat" and ast[1]:
            ast = ast[1][0]
        elif kind == "group":
            ast = ast[2]
        elif kind == "rep" and ast[2] > 0:
            ast = ast[1]
        else:
            return None


def _word(ch: str) -> bool:
    return ch == "_" or ("0" <= ch <= "9") or ("a" <= ch <= "z") or ("A" <= ch <= "Z")


def _assert(kind: str, s: str, i: int) -> bool:
    n = len(s)
    if kind == "bot":
        return i == 0
    if kind == "eot":
        return i == n
    if kind == "bol":
        return i == 0 or s[i - 1] == "\n"
    if kind == "eol":
        return i == n or s[i] == "\n"
    before = i > 0 and _word(s[i - 1])
    after = i < n and _word(s[i])
    return (before != after) == (kind == "wordb")


def run(prog: Program, s: str, pos: int = 0) -> Optional[list]:
    """The leftmost-first match at or after ``pos``: capture slots (None: unset)."""
    insts = prog.insts
    n = len(s)
    mark = [-1] * len(insts)
    anchored = prog.anchored
    first = prog.first

    def add(lst: list, pc: int, caps: tuple, i: int) -> None:
        stack = [(pc, caps)]
        while stack:
            pc, caps = stack.pop()
            if mark[pc] == i:
                continue
            mark[pc] = i
            inst = insts[pc]
            op = inst[0]
            if op == JMP:
                stack.append((inst[1], caps))
            elif op == SPLIT:
                stack.append((inst[2], caps))
                stack.append((inst[1], caps))
            elif op == SAVE:
                c = list(caps)
                c[inst[1]] = i
                stack.append((pc + 1, tuple(c)))
            elif op == ASSERT:
                if _assert(inst[1], s, i):
                    stack.append((pc + 1, caps))
            else:
                lst.append((pc, caps))

    empty = (None,) * prog.ncap
    matched: Optional[tuple] = None
    clist: list = []
    i = pos
    if anchored and pos > 0:
        return None
    while True:
        if matched is None and (not anchored or i == pos):
            if not clist and first is not None:
                j = s.find(first, i)
                if j < 0:
                    break
                i = j
            add(clist, 0, empty, i)
        if not clist:
            if matched is not None or anchored or i >= n:
                break
            i += 1
            continue
        nlist: list = []
        ch = s[i] if i < n else ""
        nxt = i + 1
        for pc, caps in clist:
            inst = insts[pc]
            op = inst[0]
            if op == MATCH:
                matched = caps
                break
            if not ch:
                continue
            if op == LIT:
                if ch != inst[1]:
                    continue
            elif op == SET:
                if ch not in inst[1]:
                    continue
            elif not inst[1](ch):
                continue
            add(nlist, pc + 1, caps, nxt)
        clist = nlist
        if i >= n:
            break
        i = nxt
    return list(matched) if matched is not None else None
