"""EXPLAIN of window functions (windowfun.adoc; window.adoc for the OVER clause
and WINDOW clause; explain.adoc for the plan): the window functions of a
block are computed by a WindowAggregate operator, one per window
specification, after the rows are read, filtered and grouped and before the
projection, each preceded by the Order its PARTITION BY and ORDER BY need.
Its ``aggregates`` are the calls' texts."""

from __future__ import annotations

from couchbase_mock.n1ql.explain import operators

BEERS = "FROM `beer-sample` b WHERE b.type = 'beer'"


def plan_of(engine, statement: str) -> dict:
    return engine.query("EXPLAIN " + statement).results[0]["plan"]


def names(plan: dict) -> list:
    return [op["#operator"] for op in operators(plan)]


def windows(plan: dict) -> list:
    return [op for op in operators(plan) if op["#operator"] == "WindowAggregate"]


def test_one_window_function(engine):
    # windowfun.adoc, RANK(): rank of each beer by abv within its brewery
    q = (f"SELECT b.name, RANK() OVER (PARTITION BY b.brewery_id ORDER BY b.abv DESC) AS r "
         f"{BEERS}")
    plan = plan_of(engine, q)
    ops = names(plan)
    assert ops.index("Filter") < ops.index("WindowAggregate") < ops.index("InitialProject")
    (win,) = windows(plan)
    assert win["aggregates"] == [
        "rank() over (partition by (`b`.`brewery_id`) order by (`b`.`abv`) desc)"]
    order = [op for op in operators(plan) if op["#operator"] == "Order"]
    assert order[0]["sort_terms"] == [{"expr": "(`b`.`brewery_id`)"},
                                      {"expr": "(`b`.`abv`)", "desc": True}]
    assert len(engine.query(q).results) == 12


def test_calls_over_one_window_share_an_operator(engine):
    # window.adoc, Window Clause: several functions over the named window w
    q = (f"SELECT b.name, ROW_NUMBER() OVER w AS n, SUM(b.abv) OVER w AS s {BEERS} "
         f"WINDOW w AS (ORDER BY b.name)")
    (win,) = windows(plan_of(engine, q))
    assert win["aggregates"] == ["row_number() over (order by (`b`.`name`))",
                                 "sum((`b`.`abv`)) over (order by (`b`.`name`))"]


def test_two_windows_fewest_sort_terms_first(engine):
    q = (f"SELECT b.name, COUNT(1) OVER () AS total, "
         f"DENSE_RANK() OVER (PARTITION BY b.brewery_id ORDER BY b.abv) AS d {BEERS}")
    wins = windows(plan_of(engine, q))
    assert [w["aggregates"] for w in wins] == [
        ["count(1) over ()"],
        ["dense_rank() over (partition by (`b`.`brewery_id`) order by (`b`.`abv`))"]]
    # OVER () needs no sort: its WindowAggregate has no Order before it
    ops = names(plan_of(engine, q))
    first = ops.index("WindowAggregate")
    assert ops[first - 1] != "Order"


def test_window_after_grouping(engine):
    # windowfun.adoc: window functions run after GROUP BY (an aggregate inside OVER's ORDER BY)
    q = ("SELECT b.brewery_id, RANK() OVER (ORDER BY COUNT(*) DESC) AS r "
         "FROM `beer-sample` b WHERE b.type = 'beer' GROUP BY b.brewery_id")
    plan = plan_of(engine, q)
    ops = names(plan)
    assert ops.index("FinalGroup") < ops.index("WindowAggregate") < ops.index("InitialProject")
    assert len(engine.query(q).results) == 5


def test_window_in_order_by_only(engine):
    q = f"SELECT RAW b.name {BEERS} ORDER BY ROW_NUMBER() OVER (ORDER BY b.abv)"
    (win,) = windows(plan_of(engine, q))
    assert win["aggregates"] == ["row_number() over (order by (`b`.`abv`))"]


def test_no_window_no_operator(engine):
    assert windows(plan_of(engine, f"SELECT b.name {BEERS}")) == []
