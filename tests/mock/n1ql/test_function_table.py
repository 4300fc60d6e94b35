"""The function table (issue 13): every function of the language reference is
implemented, or listed in docs/n1ql-functions.md as not implemented with a reason.

The reference's names are in reference_functions.txt (name, family, page:
modules/n1ql/pages/n1ql-language-reference/*.adoc). A name counts as
implemented when the engine knows it: a scalar function (``FUNCTIONS``), an
aggregate, or a window function, wherever the engine's modules declare them.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import pytest

import couchbase_mock.n1ql as n1ql
from couchbase_mock.n1ql import MemoryDatastore, QueryEngine
from couchbase_mock.n1ql.errors import N1QLError
from couchbase_mock.n1ql.functions import FUNCTIONS

HERE = Path(__file__).parent
DOC = HERE.parents[2] / "docs" / "n1ql-functions.md"
ROW = re.compile(r"^\|\s*`?([A-Z0-9_]+)`?\s*\|\s*([a-z-]+)\s*\|\s*(yes|no)\s*\|\s*(.*?)\s*\|\s*$")
SUMMARY = re.compile(r"Summary: (\d+) functions in the reference: (\d+) implemented, "
                     r"(\d+) not implemented")


def reference() -> dict[str, tuple[str, str]]:
    out = {}
    for line in (HERE / "reference_functions.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, family, page = line.split()
            out[name] = (family, page)
    return out


def compiles(name: str) -> bool:
    """The engine takes a call of ``name`` (one it compiles itself, as META())."""
    try:
        QueryEngine(MemoryDatastore()).query(f"SELECT {name}() AS v")
    except N1QLError as e:
        return "Invalid function" not in e.msg
    return True


def engine_names() -> set[str]:
    """Scalar functions, every name in an engine module's AGGREGATES, aggregate
    ALIASES or WINDOW* collection (other modules add to these), and the
    reference's names the engine compiles itself."""
    names = set(FUNCTIONS)
    for mod in pkgutil.walk_packages(n1ql.__path__, n1ql.__name__ + "."):
        try:
            module = importlib.import_module(mod.name)
        except ImportError:
            continue
        for attr, value in vars(module).items():
            if not (attr.isupper() and ("AGGREGATE" in attr or "WINDOW" in attr
                                        or attr == "ALIASES")):
                continue
            if isinstance(value, (set, frozenset, dict, list, tuple)):
                names.update(k for k in value if isinstance(k, str) and k.isupper())
    names.update(n for n in reference() if n not in names and compiles(n))
    return names


def table() -> dict[str, tuple[str, bool, str]]:
    rows = {}
    for line in DOC.read_text().splitlines():
        m = ROW.match(line)
        if m:
            name, family, done, reason = m.groups()
            assert name not in rows, f"{name} is listed twice"
            rows[name] = (family, done == "yes", reason)
    return rows


def test_reference_names_are_distinct_and_well_formed() -> None:
    names = reference()
    assert len(names) > 250
    assert all(re.fullmatch(r"[A-Z][A-Z0-9_]*", n) for n in names)


def test_every_reference_function_is_implemented_or_listed_with_a_reason() -> None:
    known, rows = engine_names(), table()
    missing = []
    for name in reference():
        if name in known:
            continue
        row = rows.get(name)
        if row is None or row[1] or not row[2]:
            missing.append(name)
    assert missing == [], f"neither implemented nor listed as unsupported with a reason: {missing}"


def test_the_table_lists_every_reference_function_in_its_family() -> None:
    rows = table()
    for name, (family, _page) in reference().items():
        assert name in rows, f"{name} is not in docs/n1ql-functions.md"
        assert rows[name][0] == family, name
    assert set(rows) == set(reference())


def test_functions_the_table_calls_implemented_are_registered() -> None:
    known = engine_names()
    claimed = [n for n, (_f, done, _r) in table().items() if done and n not in known]
    assert claimed == []


def test_summary_counts_match_the_table() -> None:
    m = SUMMARY.search(DOC.read_text())
    assert m, "the summary line is missing"
    total, done, undone = map(int, m.groups())
    rows = table()
    assert total == len(reference()) == len(rows)
    assert done == sum(1 for r in rows.values() if r[1])
    assert undone == sum(1 for r in rows.values() if not r[1])


@pytest.mark.parametrize("name", ["AI_COMPUTE", "AI_RERANK"])
def test_deliberately_unsupported_functions_say_why(name: str) -> None:
    row = table()[name]
    assert not row[1] and len(row[2]) > 20


def test_only_ai_functions_stay_unsupported() -> None:
    """Issue 13: AI and vector functions may be the only ones not implemented."""
    assert sorted(n for n, (_f, done, _r) in table().items() if not done) == \
        ["AI_COMPUTE", "AI_RERANK"]
