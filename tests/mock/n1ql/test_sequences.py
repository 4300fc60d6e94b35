"""Sequences: CREATE/ALTER/DROP SEQUENCE, NEXT/PREV VALUE FOR, system:sequences.

Each test cites the reference page and example it follows (createsequence.adoc,
altersequence.adoc, dropsequence.adoc, sequenceops.adoc, n1ql-intro/sysinfo.adoc).
The examples' ``travel-sample.inventory`` scope is ``travel.inventory`` here.
"""

from __future__ import annotations

import threading
from typing import Iterator

import pytest
from n1ql_sample import make_engine

from couchbase_mock.n1ql import N1QLError

S = "travel.inventory."


@pytest.fixture
def eng():
    return make_engine()


def q(engine, statement: str) -> list:
    return engine.query(statement).results


def code_of(engine, statement: str) -> int:
    with pytest.raises(N1QLError) as info:
        engine.query(statement)
    return info.value.code


# -- CREATE SEQUENCE (createsequence.adoc, "Examples") ---------------------------------------


def test_create_in_a_specified_scope_has_the_default_attributes(eng):
    # ex-create-seq1; defaults: "Sequence Options" / "WITH Clause" (cache 50)
    q(eng, "CREATE SEQUENCE travel.inventory.seq1")
    row = q(eng, "SELECT s.* FROM system:all_sequences s")[0]
    assert {k: row[k] for k in ("bucket", "scope_id", "name", "cache", "cycle", "increment",
                                "min", "max", "namespace", "path")} == {
        "bucket": "travel", "scope_id": "inventory", "name": "seq1", "cache": 50,
        "cycle": False, "increment": 1, "min": -2 ** 63, "max": 2 ** 63 - 1,
        "namespace": "default", "path": "`default`:`travel`.`inventory`.`seq1`"}
    assert q(eng, f"SELECT RAW NEXT VALUE FOR {S}seq1") == [0]  # "default start value is 0"


def test_create_cycling_sequence_starts_at_its_start_value(eng):
    # ex-create-seq3: the query returns the specified starting value, 5
    q(eng, f"CREATE SEQUENCE {S}seq3 IF NOT EXISTS START WITH 5 INCREMENT BY 5 "
           "MAXVALUE 1000 MINVALUE 0 CYCLE")
    assert q(eng, f"SELECT NEXT VALUE FOR {S}seq3") == [{"$1": 5}]
    assert q(eng, f"SELECT RAW NEXTVAL FOR {S}seq3") == [10]


def test_create_descending_sequence_with_a_with_clause(eng):
    # ex-create-seq4: returns 10, counts down, stops at the minimum
    q(eng, f'CREATE SEQUENCE {S}seq4 IF NOT EXISTS WITH {{"start": 10, "increment": -1, '
           '"min": 0}')
    got = [q(eng, f"SELECT RAW NEXT VALUE FOR {S}seq4")[0] for _ in range(11)]
    assert got == list(range(10, -1, -1))
    # "If a sequence does not permit cycling ... it generates an error" (sequenceops.adoc)
    assert code_of(eng, f"SELECT NEXT VALUE FOR {S}seq4") == 19104


def test_cycling_continues_from_the_minimum(eng):
    # sequenceops.adoc, "Cycling": ascending past max continues from min (not from start)
    q(eng, f"CREATE SEQUENCE {S}c START WITH 5 INCREMENT BY 5 MAXVALUE 15 MINVALUE 1 CYCLE")
    got = [q(eng, f"SELECT RAW NEXTVAL FOR {S}c")[0] for _ in range(5)]
    assert got == [5, 10, 15, 1, 6]


def test_if_not_exists_either_side_and_duplicate_error(eng):
    # createsequence.adoc, "IF NOT EXISTS Clause"; ddl.ebnf allows it before or after the name
    q(eng, f"CREATE SEQUENCE {S}dup")
    q(eng, f"CREATE SEQUENCE {S}dup IF NOT EXISTS START WITH 7")
    q(eng, f"CREATE SEQUENCE IF NOT EXISTS {S}dup")
    assert code_of(eng, f"CREATE SEQUENCE {S}dup") == 19101
    assert q(eng, f"SELECT RAW NEXTVAL FOR {S}dup") == [0]  # the first definition stands


@pytest.mark.parametrize("options", [
    "CACHE 0",                                   # "The value must be greater than 0"
    "INCREMENT BY 0",
    "MINVALUE 10 MAXVALUE 5",
    "START WITH 100 MAXVALUE 50",
    'WITH {"cache": 0}',
    'WITH {"start": "one"}',
    'WITH {"cycle": 1}',
    'WITH {"restart": 4}',                       # RESTART is ALTER's, START is CREATE's
    'WITH {"bogus": 1}',
    'WITH ["start", 1]',
])
def test_invalid_options_are_refused(eng, options):
    assert code_of(eng, f"CREATE SEQUENCE {S}bad {options}") == 19103
    assert q(eng, "SELECT RAW name FROM system:all_sequences") == []


@pytest.mark.parametrize("text", [
    f"CREATE SEQUENCE {S}x CACHE 5 CACHE 6",      # "none of them can occur more than once"
    f"CREATE SEQUENCE {S}x RESTART WITH 4",
    f"CREATE SEQUENCE {S}x START 4",
    f"CREATE SEQUENCE {S}x START WITH 1.5",
    "CREATE SEQUENCE travel.x",
])
def test_bad_syntax(eng, text):
    assert code_of(eng, text) in (3000, 19103)


def test_no_clauses_give_their_documented_values(eng):
    # "NO MAXVALUE" = 2^63-1, "NO MINVALUE" = -2^63, "NO CACHE" = 1, "NO CYCLE"
    q(eng, f"CREATE SEQUENCE {S}n NO MAXVALUE NO MINVALUE NO CACHE NO CYCLE")
    row = q(eng, "SELECT RAW s FROM system:sequences s")[0]
    assert (row["max"], row["min"], row["cache"], row["cycle"]) == (2 ** 63 - 1, -2 ** 63, 1,
                                                                    False)


def test_scope_and_bucket_must_exist(eng):
    assert code_of(eng, "CREATE SEQUENCE travel.nowhere.s") == 12021
    assert code_of(eng, "CREATE SEQUENCE nobucket.inventory.s") == 12003
    assert code_of(eng, "CREATE SEQUENCE s") == 3000  # no query_context to qualify it


# -- ALTER SEQUENCE (altersequence.adoc, "Examples") -----------------------------------------


def _seq3(eng) -> None:
    q(eng, f"CREATE SEQUENCE {S}seq3 IF NOT EXISTS START WITH 5 INCREMENT BY 5 "
           "MAXVALUE 1000 MINVALUE 0 CYCLE")


def test_restart_goes_back_to_the_start_value(eng):
    # ex-alter-seq1: returns 5
    _seq3(eng)
    for _ in range(3):
        q(eng, f"SELECT NEXTVAL FOR {S}seq3")
    q(eng, f"ALTER SEQUENCE {S}seq3 RESTART")
    assert q(eng, f"SELECT NEXT VALUE FOR {S}seq3") == [{"$1": 5}]


def test_restart_with_a_new_value(eng):
    # ex-alter-seq2: returns 25
    _seq3(eng)
    q(eng, f"SELECT NEXTVAL FOR {S}seq3")
    q(eng, f"ALTER SEQUENCE {S}seq3 RESTART WITH 25")
    assert q(eng, f"SELECT NEXT VALUE FOR {S}seq3") == [{"$1": 25}]
    assert q(eng, f"SELECT RAW NEXT VALUE FOR {S}seq3") == [30]


def test_alter_increment_and_maximum(eng):
    # ex-alter-seq3
    _seq3(eng)
    q(eng, f"ALTER SEQUENCE {S}seq3 INCREMENT BY 1 MAXVALUE 250")
    row = q(eng, "SELECT RAW s FROM system:all_sequences s")[0]
    assert (row["increment"], row["max"], row["min"], row["cycle"]) == (1, 250, 0, True)
    q(eng, f"ALTER SEQUENCE {S}seq3 RESTART")
    assert [q(eng, f"SELECT RAW NEXTVAL FOR {S}seq3")[0] for _ in range(2)] == [5, 6]


def test_alter_cycling_with_a_with_clause(eng):
    # ex-alter-seq4: counts down from 10 again when it reaches 0
    q(eng, f'CREATE SEQUENCE {S}seq4 IF NOT EXISTS WITH {{"start": 10, "increment": -1, '
           '"min": 0}')
    q(eng, f'ALTER SEQUENCE {S}seq4 WITH {{"max": 10, "cycle": true, "restart": null}}')
    got = [q(eng, f"SELECT RAW NEXTVAL FOR {S}seq4")[0] for _ in range(12)]
    assert got == [10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 10]


def test_alter_loses_the_rest_of_the_cached_block(eng):
    # createsequence.adoc, "Cache": altering loses the unused values of the block; the
    # sysinfo example shows seq3 (start 5, increment 5, cache 50) with ~next_block 255
    _seq3(eng)
    q(eng, f"SELECT NEXTVAL FOR {S}seq3")
    value = q(eng, "SELECT RAW s.`value` FROM system:all_sequences s")[0]
    assert value["~next_block"] == 255 and 5 in value.values()
    q(eng, f"ALTER SEQUENCE {S}seq3 MAXVALUE 2000")
    assert q(eng, f"SELECT RAW NEXTVAL FOR {S}seq3") == [255]


def test_alter_errors(eng):
    assert code_of(eng, f"ALTER SEQUENCE {S}nosuch RESTART") == 19102
    _seq3(eng)
    assert code_of(eng, f"ALTER SEQUENCE {S}seq3 MINVALUE 2000") == 19103
    assert code_of(eng, f"ALTER SEQUENCE {S}seq3 START WITH 3") == 3000
    row = q(eng, "SELECT RAW s FROM system:all_sequences s")[0]
    assert row["min"] == 0  # a refused ALTER changes nothing


# -- DROP SEQUENCE (dropsequence.adoc, "Examples") -------------------------------------------


def test_drop_and_if_exists(eng):
    # ex-drop-seq1, ex-drop-seq2; "IF EXISTS Clause"
    q(eng, f"CREATE SEQUENCE {S}seq1")
    q(eng, f"DROP SEQUENCE {S}seq1")
    assert q(eng, "SELECT RAW name FROM system:all_sequences") == []
    assert code_of(eng, f"DROP SEQUENCE {S}seq1") == 19102
    q(eng, f"DROP SEQUENCE {S}seq1 IF EXISTS")
    q(eng, f"DROP SEQUENCE IF EXISTS {S}seq1")
    assert code_of(eng, f"SELECT NEXTVAL FOR {S}seq1") == 19102


def test_names_are_case_sensitive(eng):
    # "The sequence name is case-sensitive" (dropsequence.adoc, "Sequence Name")
    q(eng, f"CREATE SEQUENCE {S}Seq")
    assert code_of(eng, f"SELECT NEXTVAL FOR {S}seq") == 19102
    assert q(eng, f"SELECT RAW NEXTVAL FOR {S}`Seq`") == [0]


# -- the operators (sequenceops.adoc) --------------------------------------------------------


def test_next_value_is_taken_once_per_row(eng):
    # "Return Value": the sequence is only incremented once per document
    q(eng, f"CREATE SEQUENCE {S}ordNum START WITH 1000")
    rows = q(eng, f"SELECT NEXTVAL FOR {S}ordNum a, NEXT VALUE FOR {S}ordNum b, "
                  f"PREVVAL FOR {S}ordNum c FROM travel.inventory.airline ORDER BY a")
    assert [(r["a"], r["b"], r["c"]) for r in rows] == [(1000, 1000, 1000),
                                                        (1001, 1001, 1001),
                                                        (1002, 1002, 1002)]


def test_subqueries_increment_independently(eng):
    # "Subqueries operate on independent documents from their containing queries"
    q(eng, f"CREATE SEQUENCE {S}s")
    row = q(eng, f"SELECT NEXTVAL FOR {S}s a, (SELECT RAW NEXTVAL FOR {S}s)[0] b")[0]
    assert row["a"] != row["b"] and {row["a"], row["b"]} == {0, 1}


def test_insert_examples_with_a_sequence(eng):
    # ex-nextval-start, ex-nextval-doc, ex-nextval-key, ex-nextval-same
    b = "travel.inventory.airline"
    q(eng, f"CREATE SEQUENCE {S}ordNum START WITH 1000")
    got = q(eng, f'INSERT INTO {b} AS bookings VALUES (UUID(), {{"num": NEXT VALUE FOR '
                 f'{S}ordNum, "user": 0}}) RETURNING *')
    assert got == [{"bookings": {"num": 1000, "user": 0}}]
    got = q(eng, f'INSERT INTO {b} AS bookings VALUES (TO_STRING(NEXTVAL FOR {S}ordNum), '
                 f'{{"num": NEXTVAL FOR {S}ordNum, "user": 1}}) RETURNING META().id, *')
    assert got == [{"id": "1001", "bookings": {"num": 1002, "user": 1}}]
    got = q(eng, f'INSERT INTO {b} AS bookings (KEY k, VALUE v) SELECT TO_STRING(NEXTVAL FOR '
                 f'{S}ordNum) k, {{"num": NEXTVAL FOR {S}ordNum, "user": 1}} v '
                 "RETURNING META().id, *")
    assert got == [{"id": "1003", "bookings": {"num": 1003, "user": 1}}]


def test_prev_value_in_later_statements(eng):
    # ex-prevval-multi / ex-prevval-test (without the transaction): the items carry the
    # order's number; the result groups them under it
    b = "travel.inventory.airline"
    q(eng, f"CREATE SEQUENCE {S}ordNum START WITH 1004")
    q(eng, f'INSERT INTO {b} VALUES(UUID(), {{"num": NEXT VALUE FOR {S}ordNum, "user": 0, '
           '"type": "order"})')
    for hotel in ("hotel_17413", "hotel_15912"):
        q(eng, f'INSERT INTO {b} VALUES(UUID(), {{"order_num": PREVVAL FOR {S}ordNum, '
               f'"hotel": "{hotel}", "type": "item"}})')
    got = q(eng, f"SELECT o.num, o.user, ARRAY_AGG(i.hotel) items FROM {b} o, {b} i "
                 'WHERE o.type = "order" AND i.type = "item" AND o.num = i.order_num '
                 "GROUP BY o.num, o.user")
    assert got == [{"num": 1004, "user": 0, "items": ["hotel_15912", "hotel_17413"]}]


def test_prev_value_synonyms_and_no_value_error(eng):
    # "Synonym: PREVIOUS VALUE FOR, PREV VALUE FOR, and PREVVAL FOR"; "If no value has been
    # generated for the sequence, the previous value operator returns an error"
    q(eng, f"CREATE SEQUENCE {S}p START WITH 3")
    assert code_of(eng, f"SELECT PREVVAL FOR {S}p") == 19105
    q(eng, f"SELECT NEXTVAL FOR {S}p")
    got = q(eng, f"SELECT PREVIOUS VALUE FOR {S}p a, PREV VALUE FOR {S}p b, "
                 f"PREVVAL FOR {S}p c")
    assert got == [{"a": 3, "b": 3, "c": 3}]


@pytest.mark.parametrize("where", [
    f"WHERE NEXTVAL FOR {S}s > 0",
    f"WHERE name = TO_STRING(PREV VALUE FOR {S}s)",
    f"a JOIN travel.inventory.airline b ON a.x = NEXTVAL FOR {S}s",
])
def test_not_allowed_in_where_or_on(eng, where):
    # sequenceops.adoc, "Restrictions": semantic error 3100
    q(eng, f"CREATE SEQUENCE {S}s")
    assert code_of(eng, f"SELECT * FROM travel.inventory.airline {where}") == 3100


def test_next_and_value_stay_ordinary_names(eng):
    got = q(eng, 'SELECT d.`next`, d.`value`, `nextval` FROM {"next": 1, "value": 2, '
                 '"nextval": 3} AS d LET `nextval` = d.`nextval`')
    assert got == [{"next": 1, "value": 2, "nextval": 3}]


def test_explain_prints_the_operator(eng):
    q(eng, f"CREATE SEQUENCE {S}s")
    plan = q(eng, f"EXPLAIN SELECT NEXTVAL FOR {S}s AS n")[0]["plan"]
    assert "nextval for `default`:`travel`.`inventory`.`s`" in str(plan)


def test_concurrent_requests_never_get_the_same_value(eng):
    # the values of a sequence that neither cycles nor restarts never repeat
    q(eng, f"CREATE SEQUENCE {S}t CACHE 7")
    got: list = []
    lock = threading.Lock()

    def worker() -> None:
        mine = [q(eng, f"SELECT RAW NEXTVAL FOR {S}t")[0] for _ in range(100)]
        mine += [r["n"] for r in q(eng, f"SELECT NEXTVAL FOR {S}t n "
                                        "FROM travel.inventory.airline")]
        with lock:
            got.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(got) == 8 * 103
    assert sorted(got) == list(range(8 * 103))


# -- through the query service: query_context (createsequence.adoc, ex-create-seq2) --------


@pytest.fixture(scope="module")
def mock() -> Iterator:
    from couchbase_mock import MockCluster

    with MockCluster(nodes=1, buckets={"shop": {}}) as m:
        m.create_scope("shop", "inventory")
        yield m


def test_query_context_names_the_scope(mock):
    from test_query_service import q as post

    ctx = "default:shop.inventory"
    assert post(mock, "CREATE SEQUENCE seq2 IF NOT EXISTS", query_context=ctx).status == 200
    assert post(mock, "SELECT RAW NEXTVAL FOR seq2", query_context=ctx).results == [0]
    assert post(mock, "SELECT RAW NEXTVAL FOR shop.inventory.seq2").results == [1]
    rows = post(mock, "SELECT RAW s.`path` FROM system:sequences s").results
    assert rows == ["`default`:`shop`.`inventory`.`seq2`"]
    answer = post(mock, "SELECT NEXTVAL FOR seq2 FROM system:dual WHERE PREVVAL FOR seq2 > 0",
                  query_context=ctx)
    assert answer.error[0] == 3100
    assert post(mock, "DROP SEQUENCE seq2 IF EXISTS", query_context=ctx).status == 200
    assert post(mock, "SELECT RAW name FROM system:all_sequences").results == []
