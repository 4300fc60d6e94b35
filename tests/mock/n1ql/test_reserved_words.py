"""Reserved words (reservedwords.adoc): a reserved word is no plain identifier,
but may be used escaped in backticks ("Using Reserved Words as Identifiers");
keywords are case-insensitive. Words that are not reserved work as identifiers.

The engine reserves every word of the page's list. Where the page is silent,
the server's grammar (n1ql.y) decides: five of the words (DEFAULT, USER,
USERS, SEQUENCE, VECTOR: its "permitted_identifiers") may stand where a name
goes; a field after a dot is a name like any other (``d.`index```, never
``d.index``); REPLACE, FLATTEN_KEYS and NTH_VALUE are the only keywords that
are also function names; an object constructor's reserved field name is
quoted (``{"index": 1}``)."""

from __future__ import annotations

import pytest

from couchbase_mock.n1ql import N1QLError, QueryEngine
from couchbase_mock.n1ql.parser import DOCUMENTED_RESERVED, IDENTIFIER_KEYWORDS, RESERVED

# reservedwords.adoc, "N1QL Reserved Words" (the whole table)
DOCUMENTED = frozenset("""
_INDEX_CONDITION _INDEX_KEY ADVISE ALL ALTER ANALYZE AND ANY ARRAY AS ASC AT BEGIN BETWEEN
BINARY BOOLEAN BREAK BUCKET BUILD BY CACHE CALL CASE CAST CLUSTER COLLATE COLLECTION COMMIT
COMMITTED CONNECT CONTINUE CORRELATED COVER CREATE CURRENT CYCLE DATABASE DATASET DATASTORE
DECLARE DECREMENT DEFAULT DELETE DERIVED DESC DESCRIBE DISTINCT DO DROP EACH ELEMENT ELSE END
ESCAPE EVERY EXCEPT EXCLUDE EXECUTE EXISTS EXPLAIN FALSE FETCH FILTER FIRST FLATTEN
FLATTEN_KEYS FLUSH FOLLOWING FOR FORCE FROM FTS FUNCTION GOLANG GRANT GROUP GROUPS GSI HASH
HAVING IF IGNORE ILIKE IN INCLUDE INCREMENT INDEX INFER INLINE INNER INSERT INTERSECT INTO IS
ISOLATION JAVASCRIPT JOIN KEY KEYS KEYSPACE KNOWN LANGUAGE LAST LATERAL LEFT LET LETTING LEVEL
LIKE LIMIT LSM MAP MAPPING MATCHED MATERIALIZED MAXVALUE MERGE MINUS MINVALUE MISSING
NAMESPACE NAMESPACE_ID NEST NEXT NEXTVAL NL NO NOT NOT_A_TOKEN NTH_VALUE NULL NULLS NUMBER
OBJECT OFFSET ON OPTION OPTIONS OR ORDER OTHERS OUTER OVER PARSE PARTITION PASSWORD PATH POOL
PRECEDING PREPARE PREV PREVIOUS PREVVAL PRIMARY PRIVATE PRIVILEGE PROBE PROCEDURE PUBLIC
RANGE RAW READ REALM RECURSIVE REDUCE RENAME REPLACE RESPECT RESTART RESTRICT RETURN
RETURNING REVOKE RIGHT ROLE ROLES ROLLBACK ROW ROWS SATISFIES SAVEPOINT SCHEMA SCOPE SELECT
SELF SEQUENCE SEMI SET SHOW SOME START STATISTICS STRING SYSTEM THEN TIES TO TRAN TRANSACTION
TRIGGER TRUE TRUNCATE UNBOUNDED UNDER UNION UNIQUE UNKNOWN UNNEST UNSET UPDATE UPSERT USE
USER USERS USING VALIDATE VALUE VALUED VALUES VECTOR VIA VIEW WHEN WHERE WHILE WINDOW WITH
WITHIN WORK XOR
""".split())


def test_every_reserved_word_is_on_the_page() -> None:
    assert RESERVED <= DOCUMENTED, sorted(RESERVED - DOCUMENTED)


def test_every_word_on_the_page_is_reserved() -> None:
    assert len(DOCUMENTED) == 230
    assert DOCUMENTED_RESERVED == DOCUMENTED, sorted(DOCUMENTED ^ DOCUMENTED_RESERVED)
    assert RESERVED | IDENTIFIER_KEYWORDS == DOCUMENTED
    assert len(RESERVED) == 225


# TRUE/FALSE/NULL/MISSING are literals, and the quantifiers, CASE, NOT, EXISTS
# start expressions: as a plain projection they are no identifier either way.
_EXPRESSION_WORDS = {"TRUE", "FALSE", "NULL", "MISSING", "ANY", "SOME", "EVERY", "ARRAY",
                     "FIRST", "CASE", "NOT", "EXISTS"}


@pytest.mark.parametrize("word", sorted(RESERVED - _EXPRESSION_WORDS))
def test_reserved_word_is_no_plain_field_name(engine: QueryEngine, word: str) -> None:
    with pytest.raises(N1QLError) as e:
        engine.query(f"SELECT 1 AS v FROM [{{}}] AS d WHERE {word} = 1")
    assert e.value.code == 3000


@pytest.mark.parametrize("word", sorted(RESERVED))
def test_reserved_word_escaped_is_an_identifier(engine: QueryEngine, word: str) -> None:
    # reservedwords.adoc: escape it by enclosing the reserved word inside backticks
    name = word.lower()
    rows = engine.query(f"SELECT d.`{name}` AS v, `{name}` AS w "
                        f"FROM [{{\"{name}\": 27}}] AS d").results
    assert rows == [{"v": 27, "w": 27}]


def test_keywords_are_case_insensitive(engine: QueryEngine) -> None:
    assert engine.query("select VALUE 1 from [1] as x where TRUE").results == [1]


@pytest.mark.parametrize("word", ["name", "type", "age", "abv", "city", "status", "data"])
def test_words_that_are_not_reserved_are_identifiers(engine: QueryEngine, word: str) -> None:
    rows = engine.query(f"SELECT {word} FROM [{{\"{word}\": 1}}] AS {word}x").results
    assert rows == [{word: 1}]


def test_the_page_example_field_named_index(engine: QueryEngine) -> None:
    # reservedwords.adoc: a document with a field named `index`
    doc = '{"age": "42", "index": 27, "name": "Elvis"}'
    assert engine.query(f"SELECT d.`index`, d.name FROM [{doc}] AS d").results == [
        {"index": 27, "name": "Elvis"}]
    with pytest.raises(N1QLError):
        engine.query(f"SELECT index FROM [{doc}] AS d")


def _syntax_error_at(engine: QueryEngine, statement: str, word: str) -> None:
    with pytest.raises(N1QLError) as e:
        engine.query(statement)
    assert e.value.code == 3000
    assert str(e.value).endswith(f"at: {word}"), str(e.value)


@pytest.mark.parametrize("word", ["index", "path", "value", "bucket", "first", "window"])
def test_reserved_word_after_a_dot_is_a_syntax_error(engine: QueryEngine, word: str) -> None:
    # the grammar's path step is expr DOT identifier: escape the keyword
    doc = f'{{"{word}": 5}}'
    _syntax_error_at(engine, f"SELECT d.{word} AS v FROM [{doc}] AS d", word)
    assert engine.query(f"SELECT d.`{word}` AS v FROM [{doc}] AS d").results == [{"v": 5}]


@pytest.mark.parametrize("statement, word", [
    ("SELECT 1 AS value", "value"),                          # result alias
    ("SELECT v FROM [1] AS path", "path"),                    # FROM alias
    ("SELECT RAW x FROM [1] AS d LET role = 1", "role"),     # LET variable
    ("SELECT ARRAY w FOR window IN [1] END", "window"),      # range variable
    ("SELECT * FROM bucket", "bucket"),                       # keyspace name
    ("SELECT * FROM system:keyspaces AS keyspace", "keyspace"),
])
def test_reserved_word_is_no_name(engine: QueryEngine, statement: str, word: str) -> None:
    _syntax_error_at(engine, statement, word)


def test_escaped_reserved_words_as_names(engine: QueryEngine) -> None:
    rows = engine.query("SELECT `path`.`value` AS `index` FROM [{\"value\": 3}] AS `path` "
                        "LET `role` = 1 WHERE `role` = 1").results
    assert rows == [{"index": 3}]


@pytest.mark.parametrize("word", sorted(IDENTIFIER_KEYWORDS))
def test_permitted_keywords_are_names(engine: QueryEngine, word: str) -> None:
    # n1ql.y permitted_identifiers: IDENT | DEFAULT | USER | USERS | SEQUENCE | VECTOR
    name = word.lower()
    rows = engine.query(f"SELECT {name}.{name} AS {name} FROM [{{\"{name}\": 8}}] AS {name}"
                        ).results
    assert rows == [{name: 8}]


def test_from_default_names_the_default_bucket(engine: QueryEngine) -> None:
    # DEFAULT may name a keyspace: an unknown one here, not a syntax error
    with pytest.raises(N1QLError) as e:
        engine.query("SELECT * FROM default")
    assert e.value.code != 3000


@pytest.mark.parametrize("call", ["LEFT('abc', 1)", "KEYS(1)", "INDEX(1)", "STRING(1)"])
def test_a_keyword_is_no_function_name(engine: QueryEngine, call: str) -> None:
    _syntax_error_at(engine, f"SELECT {call}", call.split("(")[0])


def test_keywords_that_are_function_names(engine: QueryEngine) -> None:
    # REPLACE is a keyword (CREATE OR REPLACE) and a string function (stringfun.adoc)
    assert engine.query("SELECT RAW REPLACE('abc', 'b', 'x')").results == ["axc"]
    assert engine.query("SELECT RAW replace('abc', 'b', 'x')").results == ["axc"]


def test_object_constructor_names_a_reserved_field_in_quotes(engine: QueryEngine) -> None:
    assert engine.query('SELECT RAW {"index": 1, "value": 2}').results == [
        {"index": 1, "value": 2}]
    _syntax_error_at(engine, "SELECT RAW {index: 1}", "index")


def test_system_namespace_still_names_system_keyspaces(engine: QueryEngine) -> None:
    # SYSTEM is reserved, but SYSTEM: is the system namespace (namespace_term)
    rows = engine.query("SELECT RAW d.name FROM system:dual AS d").results
    assert rows == [None] or rows == []
