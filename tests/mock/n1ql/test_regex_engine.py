"""N1QL regular expressions: Go's regexp semantics, refusals, and linear time.

patternmatchingfun.adoc (docs.couchbase.com .../n1ql-language-reference/
patternmatchingfun.html) says the REGEXP_* functions take the patterns of Go's
regexp package (golang.org/pkg/regexp/syntax, RE2 syntax). Facts used here
from that syntax page: ``\\w \\d \\s \\b`` are ASCII-only; ``$`` without ``(?m)``
is the end of the text; ``.`` skips ``\\n`` unless ``(?s)``; ``x|y`` prefers x
(leftmost-first); ``*?`` is non-greedy; ``(?i)`` folds case; ``[[:alpha:]]``,
``\\pL``, ``\\Q...\\E``; repeat counts at most 1000; no backreferences or
lookaround. A pattern Go refuses gives NULL (derived: the function has no value
for it; test_functions_strings.py has the same rule). Go's regexp guarantees
time linear in the text: the "freeze" cases check a query with a pathological
pattern still answers at once.
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from couchbase_mock.n1ql import QueryEngine
from couchbase_mock.n1ql import regex as R


def q(engine: QueryEngine, expr: str) -> object:
    return engine.query(f"SELECT RAW {expr}").results[0]


# -- Go semantics through the functions (regexp/syntax page) ------------------------

GO_CASES = [
    # \w is ASCII: "é" is not a word character
    ('REGEXP_MATCHES("héllo wörld", "\\\\w+")', ["h", "llo", "w", "rld"]),
    # \d is ASCII: Arabic-Indic digits are not digits
    ('REGEXP_CONTAINS("\u0661\u0662", "\\\\d")', False),
    # \s is [\t\n\f\r ]: no vertical tab
    ('REGEXP_CONTAINS("\u000b", "\\\\s")', False),
    # $ without (?m) is the end of the text only (not before a final newline)
    ('REGEXP_CONTAINS("abc\\n", "abc$")', False),
    ('REGEXP_CONTAINS("abc\\ndef", "(?m)abc$")', True),
    ('REGEXP_MATCHES("a\\nb", "(?m)^\\\\w")', ["a", "b"]),
    # . does not match \n unless (?s)
    ('REGEXP_LIKE("a\\nb", "a.b")', False),
    ('REGEXP_LIKE("a\\nb", "(?s)a.b")', True),
    # leftmost-first: the first alternative that matches wins, not the longest
    ('REGEXP_MATCHES("ab", "a|ab")', ["a"]),
    ('REGEXP_MATCHES("ab", "ab|a")', ["ab"]),
    # non-greedy repeats, and (?U) swapping greediness
    ('REGEXP_MATCHES("<a><b>", "<.+?>")', ["<a>", "<b>"]),
    ('REGEXP_MATCHES("<a><b>", "<.+>")', ["<a><b>"]),
    ('REGEXP_MATCHES("<a><b>", "(?U)<.+>")', ["<a>", "<b>"]),
    ('REGEXP_MATCHES("aaaa", "a{2,3}?")', ["aa", "aa"]),
    # (?i) folds case, also as a scoped group
    ('REGEXP_LIKE("HeLLo", "(?i)hello")', True),
    ('REGEXP_LIKE("HeLLo", "(?i:h)ello")', False),
    ('REGEXP_LIKE("\u212a", "(?i)k")', True),  # Kelvin sign folds to k
    # classes: POSIX, negated POSIX, Unicode, \Q...\E literal text
    ('REGEXP_MATCHES("ab1_c", "[[:alpha:]]+")', ["ab", "c"]),
    ('REGEXP_MATCHES("ab1_c", "[[:^alpha:]]+")', ["1_"]),
    ('REGEXP_MATCHES("héllo wörld", "\\\\pL+")', ["héllo", "wörld"]),
    ('REGEXP_MATCHES("Ab Cd", "\\\\p{Lu}")', ["A", "C"]),
    ('REGEXP_CONTAINS("1+1=2", "\\\\Q1+1\\\\E")', True),
    ('REGEXP_MATCHES("a.bbb", "\\\\Qa.b\\\\E+")', ["a.bbb"]),
    ('REGEXP_LIKE("\\n", "[^a]")', True),  # a negated class matches a newline
    ('REGEXP_LIKE("AAA", "\\\\x{41}\\\\101\\\\x41")', True),  # hex and octal escapes
    # \b is an ASCII word boundary
    ('REGEXP_MATCHES("été ok", "\\\\b\\\\w+\\\\b")', ["t", "ok"]),
    # named groups, and Go's template expansion in REGEXP_REPLACE
    ('REGEXP_REPLACE("ab@cd", "(?P<user>\\\\w+)@(\\\\w+)", "${2}.${user}")', "cd.ab"),
    ('REGEXP_REPLACE("ab@cd", "(?<user>\\\\w+)@(\\\\w+)", "$2/$user")', "cd/ab"),
    ('REGEXP_REPLACE("ab", "(a)", "$1x")', "b"),  # $1x names group "1x": none, empty
    ('REGEXP_REPLACE("ab", "(a)", "${1}x")', "axb"),
    ('REGEXP_REPLACE("ab", "a", "$$")', "$b"),
    ('REGEXP_REPLACE("ab", "a", "$")', "$b"),  # a lone $ is plain text
    ('REGEXP_REPLACE("ab", "a", "$9")', "b"),  # an absent group expands to nothing
    # empty matches as Go's FindAll/ReplaceAll see them: never right after a match
    ('REGEXP_REPLACE("abxd", "x*", "-")', "-a-b-d-"),
    ('REGEXP_MATCHES("abxd", "x*")', ["", "", "x", ""]),
    ('REGEXP_SPLIT("a1b22c", "\\\\d+")', ["a", "b", "c"]),
    ('REGEXP_SPLIT("abc", "")', ["a", "b", "c"]),
    ('REGEXP_REPLACE("aaaa", "a", "b", 2)', "bbaa"),
    # positions are offsets into the UTF-8 text, as Go indexes strings
    ('REGEXP_POSITION("café bar", "bar")', 6),
    ('REGEXP_POSITION1("café bar", "bar")', 7),
    ('REGEXP_POSITION("abc", "x")', -1),
    ('CONTAINS_TOKEN_REGEXP("Indian Cove", "(?i)c.*")', True),
]


@pytest.mark.parametrize("expr,expected", GO_CASES, ids=[c[0][:70] for c in GO_CASES])
def test_go_semantics(engine: QueryEngine, expr: str, expected: object) -> None:
    assert q(engine, expr) == expected


# -- refusals: what Go's parser refuses gives NULL ------------------------------------

REFUSED = [
    "(a)\\1",  # backreference
    "(?=a)", "(?!a)", "(?<=a)b", "(?<!a)b",  # lookaround
    "a*+", "a++", "a**", "a{2}{3}",  # possessive / nested repetition
    "*a", "(|*)", "a|?",  # repetition with no argument
    "\\Z", "\\C", "\\e", "\\8", "\\",  # escapes Go has not
    "(", ")", "[a", "[z-a]", "[[:foo:]]", "\\p{NoSuchClass}",
    "a{1001}", "(a{500}){3}", "(?P<n>a)(?P<n>b)", "(?P<>a)", "(?x)a", "(?P=n)",
]


@pytest.mark.parametrize("pattern", REFUSED)
def test_refused_patterns(engine: QueryEngine, pattern: str) -> None:
    with pytest.raises(R.RegexError, match="error parsing regexp"):
        R.compile(pattern)
    lit = pattern.replace("\\", "\\\\")
    for fn in ("REGEXP_CONTAINS", "REGEXP_LIKE", "REGEXP_POSITION", "REGEXP_MATCHES",
               "REGEXP_SPLIT"):
        assert q(engine, f'{fn}("aab", "{lit}")') is None, fn
    assert q(engine, f'REGEXP_REPLACE("aab", "{lit}", "x")') is None


ACCEPTED = ["a{1000}", "a{2,}", "a{,3}", "a{", "x{2}y", "[]a]", "[a-]", "[^]]", "\\.\\+",
            "(?i)(?-i:a)", "(?s:.)", "(?:)", "a||b", "()", "\\pN", "\\PL", "\\p{^Greek}",
            "[\\d\\s]", "\\x{10FFFF}", "\\0", "\\12"]


@pytest.mark.parametrize("pattern", ACCEPTED)
def test_accepted_patterns(pattern: str) -> None:
    """What Go's syntax allows is no error (a "{" with no count is a literal)."""
    R.compile(pattern)


def test_literal_brace_and_octal() -> None:
    assert R.compile("a{,3}").search("a{,3}") == [0, 5]
    assert R.compile("\\12").search("x\ny") == [1, 2]


# -- no request may freeze: pathological patterns in linear time ---------------------

FREEZE_SCRIPT = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, {here!r})
    from n1ql_sample import make_engine
    e = make_engine()
    cases = [
        ('REPEAT("a", 10000) || "!"', "(a+)+$"),
        ('REPEAT("a", 10000)', "(a|aa)*b"),
        ('REPEAT("x", 10000)', "(x+x+)+y"),
        ('REPEAT("a", 10000) || "!"', "((a*)*)*$"),
        ('REPEAT("ab", 5000)', "(a|ab|b)*c"),
        ('REPEAT("a", 10000)', "a*a*a*a*a*b"),
        ('REPEAT("a", 10000)', "(?:a?){30}a{30}$x"),
        ('REPEAT(" ", 10000) || "x"', "\\\\s*\\\\s*\\\\s*$"),
    ]
    t = time.time()
    for text, pattern in cases:
        for fn in ("REGEXP_CONTAINS", "REGEXP_LIKE", "REGEXP_MATCHES", "REGEXP_SPLIT"):
            e.query(f'SELECT RAW {fn}({text}, "{pattern}")')
    r = e.query('SELECT RAW REPEAT("a", 10000) LIKE "%a%a%a%a%a%a%b"').results
    assert r == [False], r
    print(time.time() - t)
""").replace("{here!r}", repr(str(Path(__file__).parent)))


def test_pathological_patterns_finish() -> None:
    """Each would take years with a backtracking engine; all of them together
    take well under a few seconds (run in a child process so a regression
    times out instead of hanging the suite)."""
    out = subprocess.run([sys.executable, "-c", FREEZE_SCRIPT], capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert float(out.stdout.strip()) < 60  # about 2 s when the machine is not busy


def test_the_vm_answers_where_backtracking_explodes() -> None:
    rx = R.compile("(a+)+$")
    assert rx.fast is None  # a loop over a loop: never handed to Python's re
    assert rx.search("a" * 5000 + "!") is None
    assert rx.search("a" * 5000) == [0, 5000, 0, 5000]


def test_fast_path_only_where_bounded() -> None:
    rx = R.compile("a*a*b")
    assert rx.fast is not None
    assert rx.fast.fits(50) and not rx.fast.fits(10000)
    assert rx.search("a" * 10000) is None  # answered by the VM, at once


# -- LIKE: linear wildcard matching, same answers -------------------------------------

LIKES = [("abc", "a%", True), ("abc", "%c", True), ("abc", "a_c", True), ("abc", "a_", False),
         ("a%c", "a\\%c", True), ("abc", "a\\%c", False), ("", "%", True), ("", "_", False),
         ("aXbYc", "%X%Y%", True), ("aXbYc", "%Y%X%", False), ("a", "a%a", False),
         ("abab", "%ab", True), ("a\nb", "a_b", True), ("abcab", "ab%ab", True)]


@pytest.mark.parametrize("value,pattern,expected", LIKES)
def test_like(value: str, pattern: str, expected: bool) -> None:
    """comparisonops.adoc LIKE: % any run of characters, _ exactly one, \\ escapes."""
    assert R.compile_like(pattern)(value) is expected
    rx = "".join(".*" if c == "%" else "." if c == "_" else re.escape(c)
                 for c in re.findall(r"\\.|.", pattern, re.S) if c) if "\\" not in pattern else None
    if rx is not None:
        assert (re.fullmatch(rx, value, re.S) is not None) is expected


# -- the VM agrees with Python's re on patterns both read the same way ----------------

_ATOMS = ["a", "b", "c", ".", "[ab]", "[^a]", "[a-c]", "\\.", "(?:ab)"]
_QUANT = ["", "", "*", "+", "?", "*?", "+?", "??", "{1,2}", "{2}", "{0,2}?"]


@st.composite
def _patterns(draw: st.DrawFn, depth: int = 0) -> str:
    n = draw(st.integers(1, 4))
    items = []
    for _ in range(n):
        if depth < 2 and draw(st.integers(0, 4)) == 0:
            branches = draw(st.lists(_patterns(depth + 1), min_size=1, max_size=3))
            body = "|".join(branches)
            quant = draw(st.sampled_from(["", "?", "+", "*"]))
            items.append(f"({body}){quant}")
        else:
            items.append(draw(st.sampled_from(_ATOMS)) + draw(st.sampled_from(_QUANT)))
    return "".join(items)


def _nullable_loop(pattern: str) -> bool:
    """Whether Python and Go may disagree: an unbounded loop whose body can match ''."""
    try:
        parsed = R.syntax.parse(pattern)
    except R.RegexError:
        return True

    def nullable(n: object) -> bool:
        kind = n[0]  # type: ignore[index]
        if kind == "char":
            return False
        if kind == "cat":
            return all(nullable(x) for x in n[1])  # type: ignore[index]
        if kind == "alt":
            return any(nullable(x) for x in n[1])  # type: ignore[index]
        if kind == "group":
            return nullable(n[2])  # type: ignore[index]
        if kind == "rep":
            return n[2] == 0 or nullable(n[1])  # type: ignore[index]
        return True

    def bad(n: object) -> bool:
        kind = n[0]  # type: ignore[index]
        if kind in ("cat", "alt"):
            return any(bad(x) for x in n[1])  # type: ignore[index]
        if kind == "group":
            return bad(n[2])  # type: ignore[index]
        if kind == "rep":
            return (n[3] is None and nullable(n[1])) or bad(n[1])  # type: ignore[index]
        return False

    return bad(parsed.ast)


@pytest.mark.skipif(sys.implementation.name == "pypy", reason="PyPy 7.3's re is no oracle: "
                    "it full-matches '((a)|[^a]{0,2}?.a*(a)?)?' on '..\\na', CPython does not")
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_patterns(), st.text(alphabet="abc.\n", max_size=12))
def test_vm_agrees_with_python_re(pattern: str, text: str) -> None:
    rx = R.compile(pattern)  # every generated pattern is valid Go syntax
    if _nullable_loop(pattern):
        return
    want = re.search(pattern, text)
    got = rx.search(text, vm=True)
    if want is None:
        assert got is None
        return
    spans = [x for i in range(rx.ngroups + 1) for x in want.span(i)]
    assert got == [None if x == -1 else x for x in spans]
    assert rx.search(text) == got  # the fast path (if taken) agrees too
    assert rx.fullmatch(text, vm=True) == (re.fullmatch(pattern, text) is not None)


_GO_ATOMS = ["a", "b", "\\w", "\\W", "\\s", "\\d", "\\b", "\\B", "^", "$", "(?m:^)", "(?m:$)",
             "(?i:a)", "(?i:[b-c])", "[[:alpha:]]", "(?s:.)", ".", "\\x{e9}", "[^\\n]"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(_GO_ATOMS), st.sampled_from(["", "", "*", "+?", "?"])),
                min_size=1, max_size=5),
       st.text(alphabet="aAbB1 \n\u00e9_", max_size=10), st.integers(0, 3))
def test_fast_path_agrees_with_vm(parts: list, text: str, pos: int) -> None:
    """The translation to Python's re keeps Go's meaning of each construct
    (ASCII classes, text anchors, folding), also when a search starts mid-text."""
    pattern = "".join(a + (qn if a[0] not in "^$\\" or a in ("\\w", "\\W", "\\s", "\\d") else "")
                      for a, qn in parts)
    rx = R.compile(pattern)
    pos = min(pos, len(text))
    assert rx.search(text, pos) == rx.search(text, pos, vm=True)
    assert rx.fullmatch(text) == rx.fullmatch(text, vm=True)
