"""The statement table (issue 13): every statement form of the language reference is
implemented, or listed in docs/n1ql-statements.md as not implemented with a reason.

The reference's forms are in reference_statements.txt (form | page | one statement
from the page's examples; pages: modules/n1ql/pages/n1ql-language-reference/*.adoc).
An implemented form's example must parse (``parser.parse``, no execution: the
examples name the reference's sample keyspaces); a form the table lists as not
implemented must be refused with a N1QLError, never a Python exception, and must
not have started parsing without the table being updated.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from couchbase_mock.n1ql import MemoryDatastore, QueryEngine
from couchbase_mock.n1ql.errors import N1QLError
from couchbase_mock.n1ql.parser import parse

HERE = Path(__file__).parent
DOC = HERE.parents[2] / "docs" / "n1ql-statements.md"
SRC = HERE.parents[2] / "src" / "couchbase_mock" / "n1ql"
ROW = re.compile(r"^\|\s*([^|]+?)\s*\|\s*([a-z-]+\.adoc)\s*\|\s*(yes|no)\s*\|"
                 r"\s*([^|]*?)\s*\|\s*([^|]*?)\s*\|\s*$")
SUMMARY = re.compile(r"Summary: (\d+) statement forms in the reference: (\d+) implemented, "
                     r"(\d+) not implemented")


def reference() -> dict[str, tuple[str, str]]:
    """form -> (page, example)."""
    out: dict[str, tuple[str, str]] = {}
    for line in (HERE / "reference_statements.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            form, page, example = (part.strip() for part in line.split(" | ", 2))
            assert form not in out, f"{form} is listed twice"
            out[form] = (page, example)
    return out


def table() -> dict[str, tuple[str, bool, str, str]]:
    """form -> (page, implemented, where, reason)."""
    rows: dict[str, tuple[str, bool, str, str]] = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        m = ROW.match(line)
        if m:
            form, page, done, where, reason = m.groups()
            assert form not in rows, f"{form} is listed twice"
            rows[form] = (page, done == "yes", where, reason)
    return rows


REF = reference()
DONE = sorted(f for f, row in table().items() if row[1])
UNDONE = sorted(f for f, row in table().items() if not row[1])


def test_reference_forms_are_well_formed() -> None:
    assert len(REF) > 60
    for form, (page, example) in REF.items():
        assert re.fullmatch(r"[a-z-]+\.adoc", page), form
        assert example and "\n" not in example, form


def test_the_table_lists_every_reference_form_on_its_page() -> None:
    rows = table()
    assert set(rows) == set(REF), set(rows) ^ set(REF)
    for form, (page, _example) in REF.items():
        assert rows[form][0] == page, form


@pytest.mark.parametrize("form", DONE)
def test_an_implemented_forms_documented_example_parses(form: str) -> None:
    parse(REF[form][1])


@pytest.mark.parametrize("form", DONE)
def test_an_implemented_form_names_modules_that_exist(form: str) -> None:
    where = table()[form][2]
    modules = [m.strip() for m in where.split(",") if m.strip()]
    assert modules, f"{form}: no module named"
    for module in modules:
        assert (SRC / module).is_file(), f"{form}: {module} does not exist"


@pytest.mark.parametrize("form", UNDONE)
def test_an_unimplemented_form_has_a_reason(form: str) -> None:
    _page, _done, _where, reason = table()[form]
    assert len(reason) > 20 and ("not yet" in reason or "not supported" in reason), form


@pytest.mark.parametrize("form", UNDONE)
def test_an_unimplemented_form_is_a_n1ql_error_not_a_python_exception(form: str) -> None:
    """Parsing and running both refuse it with the syntax error code (3000): a
    client gets a proper query error. If this fails because the form now parses,
    mark it implemented in docs/n1ql-statements.md."""
    example = REF[form][1]
    with pytest.raises(N1QLError) as parsed:
        parse(example)
    assert parsed.value.code == 3000
    with pytest.raises(N1QLError) as ran:
        QueryEngine(MemoryDatastore()).query(example)
    assert ran.value.code == 3000


def test_transactions_are_implemented() -> None:
    """Issue 16: the five transaction statement forms parse and run
    (tests/mock/n1ql/test_query_transactions.py runs them)."""
    for form in ("BEGIN TRANSACTION", "COMMIT TRANSACTION", "ROLLBACK TRANSACTION",
                 "SAVEPOINT", "SET TRANSACTION"):
        assert form in DONE, form


def test_ai_and_credential_store_statements_need_an_external_service() -> None:
    for form in ("USING AI", "BEGIN CHAT", "CREATE CREDENTIALSTORE", "ALTER CREDENTIALSTORE",
                 "DROP CREDENTIALSTORE"):
        assert form in UNDONE and "external" in table()[form][3], form


def test_only_ai_and_credential_stores_stay_unsupported() -> None:
    assert UNDONE == sorted([
        "USING AI", "BEGIN CHAT", "CREATE CREDENTIALSTORE", "ALTER CREDENTIALSTORE",
        "DROP CREDENTIALSTORE"])


def test_summary_counts_match_the_table() -> None:
    m = SUMMARY.search(DOC.read_text(encoding="utf-8"))
    assert m, "the summary line is missing"
    total, done, undone = map(int, m.groups())
    rows = table()
    assert total == len(REF) == len(rows)
    assert done == len(DONE)
    assert undone == len(UNDONE)
