"""Every long-running N1QL construct honours the request's deadline.

The query service's ``timeout`` request parameter (settings/query-settings.adoc,
"timeout": the request stops with 1080 "Timeout ... exceeded" once it has run
that long) must hold whatever the statement does: each test below runs a
statement sized to take several seconds without a deadline (window over
200,000 rows, a recursive CTE of 10^6 rows, a 3,000 x 3,000 cross join...)
with a 200 ms deadline, and expects 1080 well within a loose bound (2 s: the
machine is shared), rather than the whole run or a frozen node.
"""

from __future__ import annotations

import json
import time

import pytest

from couchbase_mock.n1ql import MemoryDatastore, N1QLError, QueryEngine
from couchbase_mock.n1ql.cancel import Cancel
from couchbase_mock.views import jsengine

BIG = ("big", "_default", "_default")
ROWS = 200_000
DEADLINE = 0.2
BOUND = 2.0


def _load(ds: MemoryDatastore, count: int) -> None:
    ds.create_bucket("big")
    for i in range(count):
        ds.upsert(BIG, f"k{i:06d}", json.dumps(
            {"n": i, "g": i % 100, "s": f"name-{i % 997}", "t": [i % 7, i % 3, i % 5],
             "v": [float(i % 13), float(i % 11), float(i % 7)]}).encode())


@pytest.fixture(scope="module")
def big() -> QueryEngine:
    """200,000 small documents in `big` (read-only tests)."""
    ds = MemoryDatastore()
    _load(ds, ROWS)
    engine = QueryEngine(ds)
    engine.query("CREATE PRIMARY INDEX ON big")
    engine.query("CREATE INDEX big_g ON big(g)")
    engine.query("CREATE FUNCTION fan(n) LANGUAGE INLINE AS "
                 "(CASE WHEN n <= 0 THEN 1 ELSE fan(n - 1) + fan(n - 1) END)")
    engine.query("CREATE FUNCTION spin(n) LANGUAGE JAVASCRIPT AS "
                 "\"function spin(n) { var i = 0; while (true) { i++; } return i; }\"")
    return engine


@pytest.fixture
def writable() -> QueryEngine:
    """100,000 documents in `big` for statements that write."""
    ds = MemoryDatastore()
    _load(ds, 100_000)
    engine = QueryEngine(ds)
    engine.query("CREATE PRIMARY INDEX ON big")
    return engine


def times_out(engine: QueryEngine, statement: str) -> float:
    """Run ``statement`` with a 200 ms deadline: it must fail with 1080 within BOUND."""
    start = time.monotonic()
    with pytest.raises(N1QLError) as err:
        engine.query(statement, cancel=Cancel(timeout=DEADLINE))
    took = time.monotonic() - start
    assert err.value.code == 1080, err.value
    assert err.value.msg == "Timeout 200ms exceeded"
    assert took < BOUND, f"{took:.2f}s to notice the deadline"
    return took


READS = {
    # window.adoc: a window over every row, a running frame
    "window": "SELECT RAW SUM(n) OVER (ORDER BY n ROWS BETWEEN UNBOUNDED PRECEDING "
              "AND CURRENT ROW) FROM big",
    "window_partitions": "SELECT RAW RANK() OVER (PARTITION BY g ORDER BY s) FROM big",
    "window_expression": "SELECT RAW ROW_NUMBER() OVER (ORDER BY v DESC) "
                         "FROM ARRAY_RANGE(0, 1000000) AS v",
    # with.adoc: recursive (levels/documents raised by OPTIONS) and plain CTEs
    "recursive_cte": "WITH RECURSIVE r AS (SELECT 0 AS x UNION SELECT r.x + 1 AS x FROM r "
                     "WHERE r.x < 1000000) OPTIONS {'levels': 2000000, 'documents': 2000000} "
                     "SELECT COUNT(*) FROM r",
    "cte": "WITH c AS (SELECT RAW v FROM ARRAY_RANGE(0, 1000000) AS v) "
           "SELECT COUNT(*) FROM c AS x, ARRAY_RANGE(0, 10) AS y",
    # groupby.adoc: GROUP BY, GROUP AS
    "group_by": "SELECT s, COUNT(*) AS c, ARRAY_AGG(n) AS ns FROM big GROUP BY s",
    "group_as": "SELECT g, COUNT(*) AS c FROM big GROUP BY g GROUP AS grp",
    # orderby.adoc: a big sort, keys computed then sorted
    "order_by": "SELECT RAW n FROM big ORDER BY s, t DESC, -n",
    "order_by_expression": "SELECT RAW v FROM ARRAY_RANGE(0, 1000000) AS v "
                           "ORDER BY -v, TO_STRING(v)",
    # join.adoc comma joins and FROM expressions; a nested-loop ANSI join
    "cross_join": "SELECT COUNT(*) FROM ARRAY_RANGE(0, 3000) AS a, ARRAY_RANGE(0, 3000) AS c",
    "ansi_join_nested_loop": "SELECT COUNT(*) FROM big x JOIN big y ON x.n = y.g",
    "subquery_from": "SELECT COUNT(*) FROM (SELECT RAW v FROM ARRAY_RANGE(0, 1000000) AS v) "
                     "AS s, ARRAY_RANGE(0, 5) AS w",
    # set operations, DISTINCT, aggregates over expressions
    "union": "SELECT RAW v FROM ARRAY_RANGE(0, 1000000) AS v UNION "
             "SELECT RAW v FROM ARRAY_RANGE(0, 1000000) AS v",
    "intersect": "SELECT RAW v FROM ARRAY_RANGE(0, 1000000) AS v INTERSECT "
                 "SELECT RAW v FROM ARRAY_RANGE(0, 1000000) AS v",
    "distinct": "SELECT DISTINCT RAW TO_STRING(v) FROM ARRAY_RANGE(0, 1000000) AS v",
    "array_agg": "SELECT ARRAY_AGG(TO_STRING(v)) FROM ARRAY_RANGE(0, 1000000) AS v",
    # collection operators: ARRAY ... FOR, ANY ... SATISFIES over 10^6 elements
    "array_for": "SELECT RAW ARRAY_LENGTH(ARRAY TO_STRING(v) FOR v IN ARRAY_RANGE(0, 1000000) "
                 "END) FROM ARRAY_RANGE(0, 5) AS w",
    "any_satisfies": "SELECT RAW ANY v IN ARRAY_RANGE(0, 1000000) SATISFIES "
                     "TO_STRING(v) = 'x' END FROM ARRAY_RANGE(0, 5) AS w",
    # functions that build large values, called per row
    "repeat": "SELECT RAW LENGTH(REPEAT('x', 20000000)) FROM ARRAY_RANGE(0, 1000) AS i",
    "lpad": "SELECT RAW LENGTH(LPAD('x', 20000000, 'ab')) FROM ARRAY_RANGE(0, 1000) AS i",
    "array_range": "SELECT RAW ARRAY_SUM(ARRAY_RANGE(0, 1000000)) FROM ARRAY_RANGE(0, 100) AS i",
    # (one DATE_RANGE_* call is checked only between rows: at its 10^6 elements
    # (limits.MAX_ARRAY_LENGTH) it alone takes about 2.5 s here)
    "date_range": "SELECT RAW ARRAY_LENGTH(DATE_RANGE_MILLIS(0, 100000000, 'second')) "
                  "FROM ARRAY_RANGE(0, 1000) AS i",
    # SELECT ... EXCLUDE over every document
    "exclude": "SELECT * EXCLUDE s FROM big ORDER BY n",
    # INFER over the whole keyspace
    "infer": "INFER big WITH {'sample_size': 200000, 'num_sample_values': 5}",
    # user-defined functions: an inline one called 2^30 times, a JavaScript loop
    "udf_fanout": "SELECT RAW fan(30)",
    "js_udf_loop": "SELECT RAW spin(1)",
}


NEEDS_JS = pytest.mark.skipif(not jsengine.available(), reason="JavaScript functions need "
                              "the views' JavaScript engine (mini-racer; no PyPy wheel)")


@pytest.mark.timeout(120)
@pytest.mark.parametrize("name", [pytest.param(n, marks=NEEDS_JS) if n.startswith("js_")
                                  else n for n in sorted(READS)])
def test_a_long_read_stops_at_its_deadline(big: QueryEngine, name: str) -> None:
    times_out(big, READS[name])


WRITES = {
    # merge.adoc: 100,000 source rows
    "merge": "MERGE INTO big t USING (SELECT RAW v FROM ARRAY_RANGE(0, 100000) AS v) s "
             "ON META(t).id = 'k' || LPAD(TO_STRING(s), 6, '0') "
             "WHEN MATCHED THEN UPDATE SET t.m = s",
    # update.adoc: UPDATE ... FOR over every document
    "update_for": "UPDATE big SET e.seen = true FOR e IN ARRAY {'i': x} FOR x IN "
                  "ARRAY_RANGE(0, 100) END END",
    "update": "UPDATE big SET m = ARRAY_LENGTH(ARRAY_RANGE(0, 1000))",
    "insert_select": "INSERT INTO big (KEY k, VALUE v) SELECT 'new' || TO_STRING(v) AS k, v "
                     "FROM ARRAY_RANGE(0, 1000000) AS v",
    "delete": "DELETE FROM big WHERE ARRAY_LENGTH(ARRAY_RANGE(0, 1000)) > 0",
}


@pytest.mark.timeout(120)
@pytest.mark.parametrize("name", sorted(WRITES))
def test_a_long_write_stops_at_its_deadline(writable: QueryEngine, name: str) -> None:
    times_out(writable, WRITES[name])
