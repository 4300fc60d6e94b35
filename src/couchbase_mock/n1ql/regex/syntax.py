"""Go's regular expression syntax (RE2, as regexp.Compile reads it) parsed to an AST.

Facts from the regexp/syntax package documentation (pkg.go.dev/regexp/syntax):
Perl flags (``^``/``$`` at the text's ends unless ``(?m)``, ``.`` not matching
``\\n`` unless ``(?s)``, negated classes matching ``\\n``), flags ``i m s U``,
``\\d \\s \\w \\b`` ASCII-only, ``[[:alpha:]]`` ASCII classes, ``\\pL``/``\\p{Lu}``
Unicode classes, ``\\Q...\\E``, repeat counts at most 1000, and no
backreferences, lookaround or possessive repeats: those are errors.

AST nodes are tuples: ("char", CharClass), ("cat", [nodes]), ("alt", [nodes]),
("rep", node, min, max or None, greedy), ("group", index, node),
("assert", kind) with kind in bot eot bol eol wordb nwordb.
"""

from __future__ import annotations

import bisect
import unicodedata
from typing import Any, Callable, Optional

MAX_RUNE = 0x10FFFF
MAX_REPEAT = 1000
MAX_NEST = 1000


class RegexError(ValueError):
    """A pattern Go's regexp package refuses (its message is Go's wording)."""


# -- character sets -----------------------------------------------------------


def _norm(ranges: list) -> list:
    out: list = []
    for lo, hi in sorted(ranges):
        if out and lo <= out[-1][1] + 1:
            if hi > out[-1][1]:
                out[-1] = (out[-1][0], hi)
        else:
            out.append((lo, hi))
    return out


def _negate(ranges: list) -> list:
    out, nxt = [], 0
    for lo, hi in ranges:
        if lo > nxt:
            out.append((nxt, lo - 1))
        nxt = hi + 1
    if nxt <= MAX_RUNE:
        out.append((nxt, MAX_RUNE))
    return out


class CharClass:
    """A set of characters: code point ranges, plus Unicode property tests
    (general category or script) that have no range list here."""

    __slots__ = ("ranges", "props", "negated", "_starts", "_set")

    def __init__(self, ranges: list, props: Optional[list] = None, negated: bool = False):
        self.ranges = _norm(ranges)
        self.props = props or []  # [(predicate, negated)]
        self.negated = negated  # only with props: ranges alone are negated eagerly
        self._starts = [lo for lo, _ in self.ranges]
        size = sum(hi - lo + 1 for lo, hi in self.ranges)
        self._set = (frozenset(chr(c) for lo, hi in self.ranges for c in range(lo, hi + 1))
                     if size <= 64 else None)

    def has(self, ch: str) -> bool:
        if self._set is not None:
            hit = ch in self._set
        else:
            c = ord(ch)
            i = bisect.bisect_right(self._starts, c) - 1
            hit = i >= 0 and c <= self.ranges[i][1]
        if not hit:
            for pred, neg in self.props:
                if pred(ch) != neg:
                    hit = True
                    break
        return hit != self.negated

    def single(self) -> Optional[str]:
        """The one character this class is, if it is a plain literal."""
        if not self.props and not self.negated and len(self.ranges) == 1:
            lo, hi = self.ranges[0]
            if lo == hi:
                return chr(lo)
        return None


# -- case folding (Go's simple folding orbits, as Python's str case maps give them)

_ORBITS: Optional[dict] = None
_CASED: list = []


def _canon(c: str) -> str:
    u = c.upper()
    if len(u) != 1:
        u = c
    low = u.lower()
    return low if len(low) == 1 else u


def _orbits() -> dict:
    global _ORBITS
    if _ORBITS is None:
        groups: dict = {}
        for cp in range(0x1E950):
            if 0xD800 <= cp < 0xE000 or cp == 0x131:  # dotless i folds only in Turkic rules
                continue
            c = chr(cp)
            k = _canon(c)
            if k != c or c.upper() != c or c.lower() != c:
                groups.setdefault(k, set()).update((c, k))
        orb = {}
        for members in groups.values():
            if len(members) > 1:
                for m in members:
                    orb[ord(m)] = members
        _CASED[:] = sorted(orb)
        _ORBITS = orb
    return _ORBITS


def fold_ranges(ranges: list) -> list:
    """``ranges`` with every character's case-folding orbit added."""
    orb = _orbits()
    out = list(ranges)
    for lo, hi in ranges:
        i = bisect.bisect_left(_CASED, lo)
        while i < len(_CASED) and _CASED[i] <= hi:
            out.extend((ord(m), ord(m)) for m in orb[_CASED[i]])
            i += 1
    return _norm(out)


# -- named classes --------------------------------------------------------------


def _r(*pairs: str) -> list:
    return [(ord(p[0]), ord(p[-1])) for p in pairs]


PERL = {"d": _r("09"), "s": _r("\t\n", "\f\r", " "), "w": _r("09", "AZ", "az", "_")}
ASCII_CLASSES = {
    "alnum": _r("09", "AZ", "az"), "alpha": _r("AZ", "az"), "ascii": [(0, 0x7F)],
    "blank": _r("\t", " "), "cntrl": [(0, 0x1F), (0x7F, 0x7F)], "digit": _r("09"),
    "graph": _r("!~"), "lower": _r("az"), "print": _r(" ~"),
    "punct": _r("!/", ":@", "[`", "{~"), "space": _r("\t\r", " "), "upper": _r("AZ"),
    "word": _r("09", "AZ", "az", "_"), "xdigit": _r("09", "AF", "af"),
}
_CATEGORIES = {"L", "Lu", "Ll", "Lt", "Lm", "Lo", "M", "Mn", "Mc", "Me", "N", "Nd", "Nl",
               "No", "P", "Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "S", "Sm", "Sc", "Sk",
               "So", "Z", "Zs", "Zl", "Zp", "C", "Cc", "Cf", "Cs", "Co"}
# Scripts by the character name's first word (an approximation of Unicode's Script
# property: combining marks shared between scripts are not counted).
_SCRIPTS = {"Latin": ("LATIN",), "Greek": ("GREEK",), "Cyrillic": ("CYRILLIC",),
            "Arabic": ("ARABIC",), "Hebrew": ("HEBREW",), "Han": ("CJK UNIFIED",
            "CJK COMPATIBILITY IDEOGRAPH"), "Hiragana": ("HIRAGANA",),
            "Katakana": ("KATAKANA",), "Hangul": ("HANGUL",), "Thai": ("THAI",),
            "Devanagari": ("DEVANAGARI",), "Armenian": ("ARMENIAN",),
            "Georgian": ("GEORGIAN",)}


def unicode_class(name: str) -> Optional[Callable[[str], bool]]:
    if name == "Any":
        return lambda ch: True
    if name in _CATEGORIES:
        if len(name) == 1:
            return lambda ch: unicodedata.category(ch)[0] == name
        return lambda ch: unicodedata.category(ch) == name
    prefixes = _SCRIPTS.get(name)
    if prefixes:
        return lambda ch: unicodedata.name(ch, "").startswith(prefixes)
    return None


# -- the parser -----------------------------------------------------------------

FLAG_I, FLAG_M, FLAG_S, FLAG_U = 1, 2, 4, 8
_FLAG_LETTERS = {"i": FLAG_I, "m": FLAG_M, "s": FLAG_S, "U": FLAG_U}
_REPEAT_OPS = "*+?{"


class Parsed:
    """A parsed pattern: its AST, capture group count and names (index -> name)."""

    def __init__(self, ast: Any, ngroups: int, names: dict):
        self.ast = ast
        self.ngroups = ngroups
        self.names = names


def parse(pattern: str) -> Parsed:
    return _Parser(pattern).run()


class _Parser:
    def __init__(self, pattern: str):
        self.p = pattern
        self.i = 0
        self.ngroups = 0
        self.names: dict = {}
        self.depth = 0

    def err(self, what: str, arg: str) -> RegexError:
        return RegexError(f"error parsing regexp: {what}: `{arg}`")

    def run(self) -> Parsed:
        ast = self.alternation(0)
        if self.i < len(self.p):  # only a ")" stops the top level early
            raise self.err("unexpected )", self.p)
        return Parsed(ast, self.ngroups, self.names)

    def alternation(self, flags: int) -> Any:
        branches = []
        while True:
            node, flags = self.concat(flags)
            branches.append(node)
            if self.i < len(self.p) and self.p[self.i] == "|":
                self.i += 1
                continue
            break
        return branches[0] if len(branches) == 1 else ("alt", branches)

    def concat(self, flags: int) -> tuple:
        items: list = []
        p = self.p
        while self.i < len(p):
            c = p[self.i]
            if c == "|" or c == ")":
                break
            start = self.i
            if c in "*+?" or (c == "{" and self._repeat_count() is not None):
                if not items or items[-1] is None:
                    raise self.err("missing argument to repetition operator",
                                   p[start:self.i + 1] if c != "{" else p[start:self.i])
                self._repeat(items, flags, start)
                continue
            if c == "(":
                node, flags = self.group(flags)
                items.append(node)  # None: a flags-only group, nothing to repeat
                continue
            node = self.atom(flags)
            if node[0] == "cat":  # \Q...\E: a repeat after it takes its last character
                items.extend(node[1])
            else:
                items.append(node)
        nodes = [n for n in items if n is not None]
        return (nodes[0] if len(nodes) == 1 else ("cat", nodes)), flags

    def _repeat_count(self) -> Optional[tuple]:
        """``{n}``, ``{n,}`` or ``{n,m}`` at self.i (else a literal "{"): (min, max, end)."""
        p, j = self.p, self.i + 1
        k = j
        while k < len(p) and p[k].isdigit() and p[k] < "\x80":
            k += 1
        if k == j:
            return None
        lo_text = p[j:k]
        hi_text: Optional[str] = lo_text
        if k < len(p) and p[k] == ",":
            k += 1
            m = k
            while k < len(p) and p[k].isdigit() and p[k] < "\x80":
                k += 1
            hi_text = p[m:k] if k > m else None
        if k >= len(p) or p[k] != "}":
            return None
        lo = int(lo_text)
        hi = int(hi_text) if hi_text is not None else None
        return lo, hi, k + 1

    def _repeat(self, items: list, flags: int, start: int) -> None:
        p = self.p
        c = p[self.i]
        if c == "{":
            rc = self._repeat_count()
            assert rc is not None
            lo, hi, self.i = rc
            if lo > MAX_REPEAT or (hi is not None and (hi > MAX_REPEAT or hi < lo)):
                raise self.err("invalid repeat count", p[start:self.i])
        else:
            lo, hi = {"*": (0, None), "+": (1, None), "?": (0, 1)}[c]
            self.i += 1
        greedy = True
        if self.i < len(p) and p[self.i] == "?":
            greedy = False
            self.i += 1
        if flags & FLAG_U:
            greedy = not greedy
        if self.i < len(p) and p[self.i] in _REPEAT_OPS:
            if p[self.i] != "{" or self._repeat_count() is not None:
                raise self.err("invalid nested repetition operator", p[start:self.i + 1])
        node = ("rep", items[-1], lo, hi, greedy)
        if c == "{" and (lo >= 2 or (hi or 0) >= 2) and not _repeat_ok(node, MAX_REPEAT):
            raise self.err("invalid repeat count", p[start:self.i])
        items[-1] = node

    def group(self, flags: int) -> tuple:
        p = self.p
        self.i += 1
        name = None
        if p.startswith("?P<", self.i) or (p.startswith("?<", self.i)
                                           and not p.startswith("?<=", self.i)
                                           and not p.startswith("?<!", self.i)):
            j = self.i + (3 if p[self.i + 1] == "P" else 2)
            end = p.find(">", j)
            if end < 0:
                raise self.err("invalid named capture", p[self.i - 1:])
            name = p[j:end]
            if not name or not all(ch == "_" or (ch.isalnum() and ch < "\x80") for ch in name):
                raise self.err("invalid named capture", p[self.i - 1:end + 1])
            if name in self.names.values():
                raise self.err("duplicate capture group name", name)
            self.i = end + 1
        elif p.startswith("?:", self.i):
            self.i += 2
            return ("cat", [self._nested(flags)]), flags
        elif p.startswith("?", self.i):
            return self._flags_group(flags)
        self.ngroups += 1
        index = self.ngroups
        if name is not None:
            self.names[index] = name
        body = self._nested(flags)
        return ("group", index, body), flags

    def _nested(self, flags: int) -> Any:
        self.depth += 1
        if self.depth > MAX_NEST:
            raise self.err("expression nests too deeply", self.p)
        body = self.alternation(flags)
        self.depth -= 1
        if self.i >= len(self.p) or self.p[self.i] != ")":
            raise self.err("missing closing )", self.p)
        self.i += 1
        return body

    def _flags_group(self, flags: int) -> tuple:
        p, start = self.p, self.i - 1
        j = self.i + 1
        new, neg, seen_minus, any_flag = flags, False, False, False
        while j < len(p):
            c = p[j]
            if c in _FLAG_LETTERS:
                new = new & ~_FLAG_LETTERS[c] if neg else new | _FLAG_LETTERS[c]
                any_flag = True
            elif c == "-" and not seen_minus:
                neg = seen_minus = True
                any_flag = False
            elif c in ":)" and any_flag:
                self.i = j + 1
                if c == ")":
                    return None, new
                return ("cat", [self._nested(new)]), flags
            else:
                break
            j += 1
        raise self.err("invalid or unsupported Perl syntax", p[start:j + 1])

    # -- atoms
    def atom(self, flags: int) -> Any:
        p = self.p
        c = p[self.i]
        if c == "[":
            return ("char", self.char_class(flags))
        if c == ".":
            self.i += 1
            ranges = [(0, MAX_RUNE)] if flags & FLAG_S else [(0, 9), (11, MAX_RUNE)]
            return ("char", CharClass(ranges))
        if c == "^":
            self.i += 1
            return ("assert", "bol" if flags & FLAG_M else "bot")
        if c == "$":
            self.i += 1
            return ("assert", "eol" if flags & FLAG_M else "eot")
        if c == "\\":
            return self.escape_atom(flags)
        self.i += 1
        return self.literal(ord(c), flags)

    def literal(self, cp: int, flags: int) -> Any:
        ranges = [(cp, cp)]
        return ("char", CharClass(fold_ranges(ranges) if flags & FLAG_I else ranges))

    def escape_atom(self, flags: int) -> Any:
        p = self.p
        if self.i + 1 >= len(p):
            raise self.err("trailing backslash at end of expression", "")
        c = p[self.i + 1]
        simple = {"A": "bot", "z": "eot", "b": "wordb", "B": "nwordb"}
        if c in simple:
            self.i += 2
            return ("assert", simple[c])
        if c == "Q":
            end = p.find("\\E", self.i + 2)
            lit = p[self.i + 2:] if end < 0 else p[self.i + 2:end]
            self.i = len(p) if end < 0 else end + 2
            return ("cat", [self.literal(ord(ch), flags) for ch in lit])
        cls = self.class_escape(flags)
        if cls is not None:
            return ("char", cls)
        return self.literal(self.char_escape(), flags)

    def class_escape(self, flags: int) -> Optional[CharClass]:
        """``\\d \\s \\w`` (and upper-case negations) or ``\\pX``/``\\p{Name}`` at self.i."""
        p = self.p
        c = p[self.i + 1]
        if c.lower() in PERL and c < "\x80":
            self.i += 2
            ranges = PERL[c.lower()]
            if flags & FLAG_I:
                ranges = fold_ranges(ranges)
            return CharClass(_negate(ranges) if c.isupper() else ranges)
        if c in "pP":
            start = self.i
            neg = c == "P"
            if self.i + 2 >= len(p):
                raise self.err("invalid character class range", p[start:])
            if p[self.i + 2] == "{":
                end = p.find("}", self.i + 3)
                if end < 0:
                    raise self.err("invalid character class range", p[start:])
                name = p[self.i + 3:end]
                self.i = end + 1
            else:
                name = p[self.i + 2]
                self.i += 3
            if name.startswith("^"):
                neg, name = not neg, name[1:]
            pred = unicode_class(name)
            if pred is None:
                raise self.err("invalid character class range", p[start:self.i])
            if flags & FLAG_I and name not in ("Any",):
                base = pred
                orb = _orbits()

                def pred(ch: str, base: Any = base, orb: dict = orb) -> bool:
                    return any(base(m) for m in orb.get(ord(ch), (ch,)))
            return CharClass([], [(pred, neg)])
        return None

    def char_escape(self) -> int:
        """A single-character escape at self.i (past it after): its code point."""
        p = self.p
        start = self.i
        c = p[self.i + 1]
        self.i += 2
        if "1" <= c <= "7" and not (self.i < len(p) and "0" <= p[self.i] <= "7"):
            raise self.err("invalid escape sequence", p[start:self.i])  # a backreference
        if "0" <= c <= "7":
            j = self.i
            while j < len(p) and j < self.i + 2 and "0" <= p[j] <= "7":
                j += 1
            cp = int(p[self.i - 1:j], 8)
            self.i = j
            return cp
        if c == "x":
            if self.i < len(p) and p[self.i] == "{":
                end = p.find("}", self.i)
                digits = p[self.i + 1:end] if end > 0 else ""
                if end < 0 or not digits or not _is_hex(digits) or int(digits, 16) > MAX_RUNE:
                    raise self.err("invalid escape sequence", p[start:end + 1 if end > 0 else None])
                self.i = end + 1
                return int(digits, 16)
            digits = p[self.i:self.i + 2]
            if len(digits) < 2 or not _is_hex(digits):
                raise self.err("invalid escape sequence", p[start:self.i + len(digits)])
            self.i += 2
            return int(digits, 16)
        named = {"a": 7, "f": 12, "t": 9, "n": 10, "r": 13, "v": 11}
        if c in named:
            return named[c]
        if c < "\x80" and not c.isalnum():
            return ord(c)  # escaped punctuation stands for itself
        raise self.err("invalid escape sequence", p[start:self.i])

    def char_class(self, flags: int) -> CharClass:
        p = self.p
        start = self.i
        self.i += 1
        negated = False
        if self.i < len(p) and p[self.i] == "^":
            negated = True
            self.i += 1
        ranges: list = []
        props: list = []
        first = True
        while True:
            if self.i >= len(p):
                raise self.err("missing closing ]", p[start:])
            c = p[self.i]
            if c == "]" and not first:
                self.i += 1
                break
            first = False
            if c == "[" and p.startswith("[:", self.i):
                end = p.find(":]", self.i + 2)
                if end >= 0:
                    name = p[self.i + 2:end]
                    neg = name.startswith("^")
                    cls = ASCII_CLASSES.get(name[1:] if neg else name)
                    if cls is None:
                        raise self.err("invalid character class range", p[self.i:end + 2])
                    ranges.extend(_negate(cls) if neg else cls)
                    self.i = end + 2
                    continue
            if c == "\\" and self.i + 1 < len(p):
                sub = self.class_escape(0)
                if sub is not None:
                    ranges.extend(sub.ranges)
                    props.extend(sub.props)
                    continue
            rstart = self.i
            lo = self._class_char()
            hi = lo
            if self.i + 1 < len(p) and p[self.i] == "-" and p[self.i + 1] != "]":
                self.i += 1
                hi = self._class_char()
                if hi < lo:
                    raise self.err("invalid character class range", p[rstart:self.i])
            ranges.append((lo, hi))
        if flags & FLAG_I:
            ranges = fold_ranges(ranges)
            if props:
                orb = _orbits()
                props = [(lambda ch, f=f, orb=orb: any(f(m) for m in orb.get(ord(ch), (ch,))),
                          n) for f, n in props]
        if props:
            return CharClass(ranges, props, negated)
        ranges = _norm(ranges)
        return CharClass(_negate(ranges) if negated else ranges)

    def _class_char(self) -> int:
        p = self.p
        if p[self.i] == "\\":
            if self.i + 1 >= len(p):
                raise self.err("trailing backslash at end of expression", "")
            return self.char_escape()
        self.i += 1
        return ord(p[self.i - 1])


def _is_hex(s: str) -> bool:
    return all(ch in "0123456789abcdefABCDEF" for ch in s)


def _repeat_ok(node: Any, budget: int) -> bool:
    """Go refuses nested counted repeats whose counts multiply past 1000."""
    kind = node[0]
    if kind == "rep":
        m = node[3] if node[3] is not None else node[2]
        if node[3] == 0:
            return True
        if m > budget:
            return False
        if m > 0:
            budget //= m
        return _repeat_ok(node[1], budget)
    if kind in ("cat", "alt"):
        return all(_repeat_ok(n, budget) for n in node[1])
    if kind == "group":
        return _repeat_ok(node[2], budget)
    return True
