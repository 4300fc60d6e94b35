"""Identifiers (identifiers.adoc): unescaped identifiers are letters, digits,
``_`` and ``$`` starting with a letter or ``_``; escaped identifiers in
backticks may hold any character (a backtick doubled or ``\\```); a
case-insensitive field reference is ```name`i`` (nestedops.adoc). Comments
(conventions.adoc): ``/* */`` and ``--`` to the end of the line."""

from __future__ import annotations

import pytest

from couchbase_mock.n1ql import N1QLError, QueryEngine

DOC = '{"first-name": "Ann", "a b": 1, "x`y": 2, "Name": "N", "_id$1": 3, "$odd": 4}'


def q(engine: QueryEngine, text: str) -> list:
    return engine.query(text).results


def test_escaped_identifier_with_special_characters(engine: QueryEngine) -> None:
    # identifiers.adoc, Escaped Identifiers: hyphens and spaces need backticks
    assert q(engine, f"SELECT d.`first-name` AS n, d.`a b` AS s FROM [{DOC}] AS d") == [
        {"n": "Ann", "s": 1}]


def test_unescaped_hyphen_is_subtraction(engine: QueryEngine) -> None:
    # unescaped, given-name is given - name: both MISSING, so the term is dropped
    assert q(engine, f"SELECT d.given-name AS n FROM [{DOC}] AS d") == [{}]


def test_backtick_inside_an_escaped_identifier(engine: QueryEngine) -> None:
    assert q(engine, f"SELECT d.`x``y` AS v FROM [{DOC}] AS d") == [{"v": 2}]


def test_unescaped_identifier_characters(engine: QueryEngine) -> None:
    # identifiers.adoc: letters, digits, underscore, dollar; starting with a letter or _
    assert q(engine, f"SELECT d._id$1 AS v FROM [{DOC}] AS d") == [{"v": 3}]
    assert q(engine, f"SELECT d.`$odd` AS v FROM [{DOC}] AS d") == [{"v": 4}]


def test_identifiers_are_case_sensitive(engine: QueryEngine) -> None:
    assert q(engine, f"SELECT d.name AS a, d.Name AS b FROM [{DOC}] AS d") == [{"b": "N"}]


def test_case_insensitive_identifier(engine: QueryEngine) -> None:
    # nestedops.adoc, Field Selection: `name`i matches Name
    assert q(engine, f"SELECT d.`name`i AS v FROM [{DOC}] AS d") == [{"v": "N"}]


def test_alias_may_be_escaped(engine: QueryEngine) -> None:
    assert q(engine, "SELECT `my alias`.v FROM [{\"v\": 1}] AS `my alias`") == [{"v": 1}]


def test_unterminated_escaped_identifier_is_a_syntax_error(engine: QueryEngine) -> None:
    with pytest.raises(N1QLError) as e:
        q(engine, "SELECT `abc FROM [1] AS d")
    assert e.value.code == 3000


def test_comments(engine: QueryEngine) -> None:
    # conventions.adoc: block comments and line comments
    assert q(engine, "SELECT /* a\nblock */ 1 AS one -- the rest\n") == [{"one": 1}]
    with pytest.raises(N1QLError) as e:
        q(engine, "SELECT 1 /* never closed")
    assert e.value.code == 3000
