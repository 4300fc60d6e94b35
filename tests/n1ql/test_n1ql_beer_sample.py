"""Issue 6 acceptance: N1QL through our client against the local cluster's query service.

A generated beer-sample (400 breweries, 2,800 beers; see n1ql_beers.py) is
loaded through the key-value API into bucket ``beer-sample`` of a 2-node
mock; every query runs through ``Bucket.n1ql_query`` with request_plus and
its rows are compared with the answer computed here in Python.
"""

from __future__ import annotations

import json
import re
from typing import Any, Callable, Iterator, Optional

import pytest
from n1ql_beers import generate

from couchbase.bucket import Bucket
from couchbase.exceptions import (
    N1QLError,
    N1QLKeyspaceNotFoundError,
    N1QLNoIndexError,
    N1QLSyntaxError,
)
from couchbase.n1ql import REQUEST_PLUS, N1QLQuery
from couchbase_mock.mock import MockCluster

KS = "`beer-sample`"
DOCS = generate()
BREWERIES = {k: v for k, v in DOCS.items() if v["type"] == "brewery"}
BEERS = {k: v for k, v in DOCS.items() if v["type"] == "beer"}
_MISSING = object()


# -- the Python side of the comparison ----------------------------------------------------
def like(value: Any, pattern: str) -> bool:
    if not isinstance(value, str):
        return False
    rx = "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern)
    return re.fullmatch(rx, value, re.DOTALL) is not None


def coll(value: Any) -> tuple[Any, ...]:
    """N1QL's order: MISSING < null < false < true < number < string < array < object."""
    if value is _MISSING:
        return (0,)
    if value is None:
        return (1,)
    if isinstance(value, bool):
        return (2, value)
    if isinstance(value, (int, float)):
        return (4, value)
    if isinstance(value, str):
        return (5, value)
    return (6, json.dumps(value, sort_keys=True))


def row(**fields: Any) -> dict[str, Any]:
    """A result row: fields that are _MISSING are left out, as the service does."""
    return {k: v for k, v in fields.items() if v is not _MISSING}


def g(doc: dict[str, Any], path: str) -> Any:
    """``doc.a.b`` with MISSING for an absent step."""
    value: Any = doc
    for step in path.split("."):
        if not isinstance(value, dict) or step not in value:
            return _MISSING
        value = value[step]
    return value


def norm(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 6) + 0.0
    if isinstance(value, list):
        return [norm(v) for v in value]
    if isinstance(value, dict):
        return {k: norm(v) for k, v in value.items()}
    return value


def ids(docs: dict[str, Any], keep: Callable[[dict[str, Any]], bool]) -> list[str]:
    return sorted(k for k, d in docs.items() if keep(d))


# -- the cluster ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def cb() -> Iterator[Bucket]:
    with MockCluster(nodes=2, replicas=0, buckets={"beer-sample": {}, "noindex": {}}) as mock:
        bucket = Bucket(f"{mock.connstr}/beer-sample", username=mock.username,
                        password=mock.password)
        if not any(n.query_port for n in bucket._live().router.config.nodes):
            bucket.close()
            pytest.skip("the local cluster has no query service yet")
        for start in range(0, len(DOCS), 500):
            bucket.upsert_multi(dict(list(DOCS.items())[start:start + 500]))
        mgr = bucket.bucket_manager()
        mgr.n1ql_index_create_primary()
        mgr.n1ql_index_create("beer_abv", fields=["type", "abv"])
        mgr.n1ql_index_create("by_city", fields=["city"], defer=True,
                              condition="type = 'brewery'")
        assert mgr.n1ql_index_build_deferred() == ["by_city"]
        mgr.n1ql_index_watch(["by_city", "beer_abv"], timeout=10, watch_primary=True)
        bucket.mock = mock  # type: ignore[attr-defined]
        yield bucket
        bucket.close()


def q(cb: Bucket, statement: str, *args: Any, **named: Any) -> list[Any]:
    query = N1QLQuery(statement.replace("KS", KS), *args, **named)
    query.consistency = REQUEST_PLUS
    return list(cb.n1ql_query(query))


# -- the queries -----------------------------------------------------------------------------
B, R = BREWERIES, BEERS
CASES: list[tuple[str, str, tuple[Any, ...], dict[str, Any], Callable[[], list[Any]], bool]] = []


def case(name: str, statement: str, expected: Callable[[], list[Any]], *args: Any,
         ordered: bool = True, **named: Any) -> None:
    CASES.append((name, statement, args, named, expected, ordered))


# filtering and projection
case("count_beers", "SELECT COUNT(*) AS n FROM KS WHERE type = 'beer'",
     lambda: [{"n": len(R)}])
case("count_breweries_raw", "SELECT RAW COUNT(*) FROM KS WHERE type = 'brewery'",
     lambda: [len(B)])
case("strong_beers",
     "SELECT META().id AS id, name, abv FROM KS WHERE type = 'beer' AND abv >= 11.5 "
     "ORDER BY abv DESC, META().id",
     lambda: [row(id=k, name=d["name"], abv=d["abv"]) for k, d in
              sorted(((k, d) for k, d in R.items() if d["abv"] >= 11.5),
                     key=lambda kd: (-kd[1]["abv"], kd[0]))])
case("between", "SELECT RAW META().id FROM KS WHERE type = 'beer' AND abv BETWEEN 5 AND 5.5 "
                "ORDER BY META().id",
     lambda: ids(R, lambda d: 5 <= d["abv"] <= 5.5))
case("in_list", "SELECT RAW META().id FROM KS WHERE type = 'beer' AND style IN "
                "['Porter', 'Stout'] ORDER BY META().id LIMIT 25",
     lambda: ids(R, lambda d: d["style"] in ("Porter", "Stout"))[:25])
case("like_prefix", "SELECT RAW name FROM KS WHERE type = 'brewery' AND name LIKE 'Golden%' "
                    "ORDER BY name",
     lambda: sorted(d["name"] for d in B.values() if d["name"].startswith("Golden")))
case("like_underscore", "SELECT RAW name FROM KS WHERE type = 'beer' AND name LIKE '%Bock 1_0_' "
                        "ORDER BY name",
     lambda: sorted(d["name"] for d in R.values() if like(d["name"], "%Bock 1_0_")))
case("not_like", "SELECT RAW COUNT(*) FROM KS WHERE type = 'brewery' AND name NOT LIKE '%Iron%'",
     lambda: [sum(1 for d in B.values() if "Iron" not in d["name"])])
case("and_or_not_unknown",
     "SELECT RAW META().id FROM KS WHERE type = 'beer' AND (style = 'Lager' OR abv < 3.3) "
     "AND NOT (ibu > 50) ORDER BY META().id",
     lambda: ids(R, lambda d: (d["style"] == "Lager" or d["abv"] < 3.3)
                 and isinstance(d.get("ibu"), int) and not d["ibu"] > 50))
case("upper_positional", "SELECT RAW UPPER(name) FROM KS WHERE type = 'brewery' AND city = $1 "
                         "ORDER BY name",
     lambda: [d["name"].upper() for d in sorted(B.values(), key=lambda d: d["name"])
              if d["city"] == "Reno"], "Reno")
case("contains_lower", "SELECT RAW META().id FROM KS WHERE type = 'beer' AND "
                       "CONTAINS(LOWER(name), 'imperial') ORDER BY META().id",
     lambda: ids(R, lambda d: "imperial" in d["name"].lower()))
case("length", "SELECT name, LENGTH(name) AS len FROM KS WHERE type = 'beer' "
               "ORDER BY LENGTH(name) DESC, name LIMIT 5",
     lambda: [{"name": d["name"], "len": len(d["name"])} for d in
              sorted(R.values(), key=lambda d: (-len(d["name"]), d["name"]))[:5]])
case("substr_distinct", "SELECT DISTINCT RAW SUBSTR(updated, 0, 4) FROM KS WHERE type = 'beer'",
     lambda: sorted({d["updated"][:4] for d in R.values()}), ordered=False)
case("arithmetic_missing_null",
     "SELECT META().id AS id, abv * 2 AS double_abv, ibu / 2 AS half_ibu, srm + 1 AS srm1 "
     "FROM KS WHERE type = 'beer' AND brewery_id = $1 ORDER BY META().id",
     lambda: [row(id=k, double_abv=d["abv"] * 2, half_ibu=d["ibu"] / 2 if "ibu" in d
                  else _MISSING, srm1=None if d["srm"] is None else d["srm"] + 1)
              for k, d in sorted(R.items()) if d["brewery_id"] == _busy_brewery()],
     "BUSY")
case("case_when",
     "SELECT META().id AS id, CASE WHEN abv >= 8 THEN 'strong' WHEN abv >= 5 THEN 'regular' "
     "ELSE 'light' END AS class FROM KS WHERE type = 'beer' ORDER BY META().id LIMIT 60",
     lambda: [{"id": k, "class": "strong" if d["abv"] >= 8 else "regular" if d["abv"] >= 5
               else "light"} for k, d in sorted(R.items())[:60]])
case("nested_path", "SELECT name, geo.lat AS lat FROM KS WHERE type = 'brewery' AND geo.lat > 54 "
                    "ORDER BY name",
     lambda: [{"name": d["name"], "lat": d["geo"]["lat"]} for d in
              sorted(B.values(), key=lambda d: d["name"]) if g(d, "geo.lat") not in (_MISSING,)
              and d["geo"]["lat"] > 54])
case("array_index", "SELECT name, address[0] AS street FROM KS WHERE type = 'brewery' AND "
                    "ARRAY_LENGTH(address) >= 3 ORDER BY name",
     lambda: [{"name": d["name"], "street": d["address"][0]} for d in
              sorted(B.values(), key=lambda d: d["name"]) if len(d["address"]) >= 3])
case("limit_offset", "SELECT RAW META().id FROM KS WHERE type = 'beer' ORDER BY META().id "
                     "LIMIT 10 OFFSET 100",
     lambda: sorted(R)[100:110])
case("distinct", "SELECT DISTINCT style FROM KS WHERE type = 'beer' ORDER BY style",
     lambda: [{"style": s} for s in sorted({d["style"] for d in R.values()})])
case("distinct_raw_country", "SELECT DISTINCT RAW country FROM KS WHERE type = 'brewery' "
                             "ORDER BY country",
     lambda: sorted({d["country"] for d in B.values()}))
case("order_mixed",
     "SELECT META().id AS id, style, abv FROM KS WHERE type = 'beer' AND abv > 11.7 "
     "ORDER BY style ASC, abv DESC, META().id",
     lambda: [{"id": k, "style": d["style"], "abv": d["abv"]} for k, d in
              sorted(((k, d) for k, d in R.items() if d["abv"] > 11.7),
                     key=lambda kd: (kd[1]["style"], -kd[1]["abv"], kd[0]))])
case("order_missing_null_first",
     "SELECT META().id AS id, category FROM KS WHERE type = 'beer' AND abv > 11.6 "
     "ORDER BY category, META().id",
     lambda: [row(id=k, category=d.get("category", _MISSING)) for k, d in
              sorted(((k, d) for k, d in R.items() if d["abv"] > 11.6),
                     key=lambda kd: (coll(kd[1].get("category", _MISSING)), kd[0]))])
case("order_desc_missing_last",
     "SELECT RAW META().id FROM KS WHERE type = 'beer' AND abv > 11.6 "
     "ORDER BY category DESC, META().id",
     lambda: [k for k, _ in sorted(((k, d) for k, d in R.items() if d["abv"] > 11.6),
                                   key=lambda kd: (_neg(coll(kd[1].get("category", _MISSING))),
                                                   kd[0]))])

# grouping and aggregates
case("group_count", "SELECT style, COUNT(*) AS n FROM KS WHERE type = 'beer' GROUP BY style "
                    "ORDER BY style",
     lambda: [{"style": s, "n": sum(1 for d in R.values() if d["style"] == s)}
              for s in sorted({d["style"] for d in R.values()})])
case("group_min_max_avg",
     "SELECT style, MIN(abv) AS lo, MAX(abv) AS hi, AVG(abv) AS mean FROM KS "
     "WHERE type = 'beer' GROUP BY style ORDER BY style",
     lambda: [{"style": s, "lo": min(v), "hi": max(v), "mean": sum(v) / len(v)}
              for s, v in sorted(_by(R, "style", "abv").items())])
case("sum_skips_missing", "SELECT RAW SUM(ibu) FROM KS WHERE type = 'beer'",
     lambda: [sum(d["ibu"] for d in R.values() if "ibu" in d)])
case("having",
     "SELECT brewery_id, COUNT(*) AS n FROM KS WHERE type = 'beer' GROUP BY brewery_id "
     "HAVING COUNT(*) >= 14 ORDER BY n DESC, brewery_id",
     lambda: sorted(({"brewery_id": b, "n": len(v)} for b, v in
                     _by(R, "brewery_id", "abv").items() if len(v) >= 14),
                    key=lambda r: (-r["n"], r["brewery_id"])))
case("count_field_vs_star",
     "SELECT COUNT(*) AS total, COUNT(category) AS with_category, COUNT(srm) AS with_srm "
     "FROM KS WHERE type = 'beer'",
     lambda: [{"total": len(R),
               "with_category": sum(1 for d in R.values() if d.get("category") is not None),
               "with_srm": sum(1 for d in R.values() if d["srm"] is not None)}])
case("count_distinct", "SELECT RAW COUNT(DISTINCT brewery_id) FROM KS WHERE type = 'beer'",
     lambda: [len({d["brewery_id"] for d in R.values()})])
case("array_agg_distinct",
     "SELECT b.brewery_id, ARRAY_SORT(ARRAY_AGG(DISTINCT b.style)) AS styles FROM KS b "
     "WHERE b.type = 'beer' AND b.brewery_id IN $ids GROUP BY b.brewery_id "
     "ORDER BY b.brewery_id",
     lambda: [{"brewery_id": b, "styles": sorted({d["style"] for d in R.values()
                                                  if d["brewery_id"] == b})}
              for b in sorted(_some_breweries())],
     ids="SOME")
case("group_by_missing_null",
     "SELECT state, COUNT(*) AS n FROM KS WHERE type = 'brewery' AND country = "
     "'United States' GROUP BY state ORDER BY state",
     lambda: [row(state=s, n=n) for s, n in sorted(
         _count_by(B, lambda d: d.get("state", _MISSING) if d["country"] == "United States"
                   else None, keep=lambda d: d["country"] == "United States").items(),
         key=lambda sn: coll(sn[0]))])
case("aggregate_empty", "SELECT COUNT(*) AS n, MAX(abv) AS m FROM KS WHERE type = 'beer' "
                        "AND abv > 100",
     lambda: [{"n": 0, "m": None}])
case("group_by_expression",
     "SELECT SUBSTR(updated, 0, 4) AS year, COUNT(*) AS n FROM KS WHERE type = 'beer' "
     "GROUP BY SUBSTR(updated, 0, 4) ORDER BY year",
     lambda: [{"year": y, "n": n} for y, n in sorted(
         _count_by(R, lambda d: d["updated"][:4]).items())])
case("min_max_strings", "SELECT MIN(name) AS lowest, MAX(name) AS highest FROM KS "
                        "WHERE type = 'brewery'",
     lambda: [{"lowest": min(d["name"] for d in B.values()),
               "highest": max(d["name"] for d in B.values())}])

# USE KEYS
case("use_keys_array",
     "SELECT META().id AS id, name FROM KS USE KEYS $keys ORDER BY META().id",
     lambda: [{"id": k, "name": DOCS[k]["name"]} for k in sorted(_some_keys()) if k in DOCS],
     keys="KEYS")
case("use_keys_single", "SELECT RAW name FROM KS USE KEYS $1",
     lambda: [DOCS[sorted(B)[7]]["name"]], "ONE")
case("use_keys_where",
     "SELECT RAW META().id FROM KS USE KEYS $keys WHERE type = 'beer' ORDER BY META().id",
     lambda: [k for k in sorted(_some_keys()) if k in R], keys="KEYS")

# JOIN ON KEYS
case("join_on_keys",
     "SELECT beer.name AS beer_name, brewery.name AS brewery_name FROM KS beer JOIN KS brewery "
     "ON KEYS beer.brewery_id WHERE beer.type = 'beer' AND beer.abv >= 11.8 ORDER BY beer.name",
     lambda: [{"beer_name": d["name"], "brewery_name": B[d["brewery_id"]]["name"]} for d in
              sorted(R.values(), key=lambda d: d["name"])
              if d["abv"] >= 11.8 and d["brewery_id"] in B])
case("left_join_missing",
     "SELECT META(beer).id AS id, brewery.name AS brewery FROM KS beer LEFT JOIN KS brewery "
     "ON KEYS beer.brewery_id WHERE beer.type = 'beer' AND beer.brewery_id LIKE 'missing%' "
     "ORDER BY META(beer).id",
     lambda: [{"id": k} for k in ids(R, lambda d: d["brewery_id"].startswith("missing"))])
case("join_group_by_country",
     "SELECT brewery.country, COUNT(*) AS n FROM KS beer JOIN KS brewery ON KEYS "
     "beer.brewery_id WHERE beer.type = 'beer' GROUP BY brewery.country ORDER BY brewery.country",
     lambda: [{"country": c, "n": n} for c, n in sorted(_count_by(
         R, lambda d: B[d["brewery_id"]]["country"], keep=lambda d: d["brewery_id"] in B)
         .items())])
case("join_filter_right_named",
     "SELECT RAW META(beer).id FROM KS beer JOIN KS brewery ON KEYS beer.brewery_id "
     "WHERE beer.type = 'beer' AND brewery.city = $city AND beer.abv > $abv "
     "ORDER BY META(beer).id",
     lambda: ids(R, lambda d: d["brewery_id"] in B and B[d["brewery_id"]]["city"] == "Dublin"
                 and d["abv"] > 9), city="Dublin", abv=9)

# UNNEST
case("unnest", "SELECT b.name, a AS line FROM KS b UNNEST b.address a WHERE b.type = 'brewery' "
               "AND b.city = $1 ORDER BY b.name, a",
     lambda: sorted(({"name": d["name"], "line": a} for d in B.values() if d["city"] == "Leeds"
                     for a in d["address"]), key=lambda r: (r["name"], r["line"])), "Leeds")
case("unnest_count", "SELECT RAW COUNT(*) FROM KS b UNNEST b.address a WHERE b.type = 'brewery'",
     lambda: [sum(len(d["address"]) for d in B.values())])
case("unnest_filter_element",
     "SELECT META(b).id AS id, a AS line FROM KS b UNNEST b.address a WHERE b.type = 'brewery' "
     "AND a LIKE '%Suite%' AND b.city = 'Austin' ORDER BY id, line",
     lambda: sorted(({"id": k, "line": a} for k, d in B.items() if d["city"] == "Austin"
                     for a in d["address"] if "Suite" in a),
                    key=lambda r: (r["id"], r["line"])))

# ANY / EVERY / ARRAY, constructors
case("any_satisfies",
     "SELECT RAW META().id FROM KS WHERE type = 'brewery' AND ANY a IN address SATISFIES "
     "a LIKE '%Main St%' END ORDER BY META().id",
     lambda: ids(B, lambda d: any("Main St" in a for a in d["address"])))
case("every_satisfies",
     "SELECT RAW META().id FROM KS WHERE type = 'brewery' AND ARRAY_LENGTH(address) > 0 AND "
     "EVERY a IN address SATISFIES a LIKE '%Suite%' END ORDER BY META().id",
     lambda: ids(B, lambda d: d["address"] and all("Suite" in a for a in d["address"])))
case("every_on_empty_is_true",
     "SELECT RAW COUNT(*) FROM KS WHERE type = 'brewery' AND EVERY a IN address SATISFIES "
     "a LIKE '%Suite%' END",
     lambda: [sum(1 for d in B.values() if all("Suite" in a for a in d["address"]))])
case("array_comprehension",
     "SELECT META().id AS id, ARRAY UPPER(a) FOR a IN address WHEN a LIKE '%St%' END AS streets "
     "FROM KS USE KEYS $keys WHERE type = 'brewery' ORDER BY META().id",
     lambda: [{"id": k, "streets": [a.upper() for a in B[k]["address"] if "St" in a]}
              for k in sorted(_some_keys()) if k in B], keys="KEYS")
case("array_contains_param",
     "SELECT RAW COUNT(*) FROM KS WHERE type = 'beer' AND ARRAY_CONTAINS($styles, style)",
     lambda: [sum(1 for d in R.values() if d["style"] in ("Wheat", "Bock"))],
     styles=["Wheat", "Bock"])
case("object_constructor",
     "SELECT {'n': name, 'loc': [geo.lat, geo.lon], 'tags': ARRAY_LENGTH(address)} AS o "
     "FROM KS USE KEYS $1",
     lambda: [{"o": {"n": B[_geo_brewery()]["name"],
                     "loc": [B[_geo_brewery()]["geo"]["lat"], B[_geo_brewery()]["geo"]["lon"]],
                     "tags": len(B[_geo_brewery()]["address"])}}], "GEO")
case("select_star_alias", "SELECT * FROM KS AS b USE KEYS $1",
     lambda: [{"b": B[_geo_brewery()]}], "GEO")
case("select_star_keyspace_name", "SELECT * FROM KS USE KEYS $1",
     lambda: [{"beer-sample": B[_geo_brewery()]}], "GEO")

# MISSING vs NULL
case("is_missing", "SELECT RAW META().id FROM KS WHERE type = 'beer' AND category IS MISSING "
                   "ORDER BY META().id",
     lambda: ids(R, lambda d: "category" not in d))
case("is_null", "SELECT RAW META().id FROM KS WHERE type = 'beer' AND category IS NULL "
                "ORDER BY META().id",
     lambda: ids(R, lambda d: "category" in d and d["category"] is None))
case("is_not_valued", "SELECT RAW COUNT(*) FROM KS WHERE type = 'beer' AND srm IS NOT VALUED",
     lambda: [sum(1 for d in R.values() if d.get("srm") is None)])
case("is_valued", "SELECT RAW COUNT(*) FROM KS WHERE type = 'beer' AND ibu IS VALUED",
     lambda: [sum(1 for d in R.values() if d.get("ibu") is not None)])
case("is_not_missing", "SELECT RAW COUNT(*) FROM KS WHERE type = 'beer' AND "
                       "category IS NOT MISSING",
     lambda: [sum(1 for d in R.values() if "category" in d)])
case("projection_missing_vs_null",
     "SELECT META().id AS id, category, state FROM KS USE KEYS $keys ORDER BY META().id",
     lambda: [row(id=k, category=DOCS[k].get("category", _MISSING),
                  state=DOCS[k].get("state", _MISSING)) for k in sorted(_mixed_keys())],
     keys="MIXED")
case("equals_null_is_unknown",
     "SELECT RAW COUNT(*) FROM KS WHERE type = 'beer' AND category = NULL", lambda: [0])
case("ifmissingornull",
     "SELECT RAW IFMISSINGORNULL(category, 'none') FROM KS USE KEYS $keys WHERE type = 'beer' "
     "ORDER BY META().id",
     lambda: [R[k].get("category") or "none" for k in sorted(_mixed_keys()) if k in R],
     keys="MIXED")
case("ifmissing_vs_ifnull",
     "SELECT META().id AS id, IFMISSING(category, 'm') AS a, IFNULL(category, 'n') AS b "
     "FROM KS USE KEYS $keys WHERE type = 'beer' ORDER BY META().id",
     lambda: [row(id=k, a=R[k].get("category", "m"),
                  b=_MISSING if "category" not in R[k] else
                  ("n" if R[k]["category"] is None else R[k]["category"]))
              for k in sorted(_mixed_keys()) if k in R], keys="MIXED")

# parameters
case("named_params",
     "SELECT RAW META().id FROM KS WHERE type = $t AND style = $s AND abv > $min "
     "ORDER BY META().id",
     lambda: ids(R, lambda d: d["style"] == "Stout" and d["abv"] > 10),
     t="beer", s="Stout", min=10)
case("positional_array_in",
     "SELECT RAW META().id FROM KS WHERE type = 'beer' AND brewery_id IN $1 ORDER BY META().id",
     lambda: ids(R, lambda d: d["brewery_id"] in _some_breweries()), "SOME")
case("param_projection_and_limit",
     "SELECT $greeting AS g, name FROM KS WHERE type = 'brewery' ORDER BY name LIMIT $n",
     lambda: [{"g": "hi", "name": d["name"]} for d in
              sorted(B.values(), key=lambda d: d["name"])[:4]], greeting="hi", n=4)
case("param_object_path",
     "SELECT RAW COUNT(*) FROM KS WHERE type = 'brewery' AND city = $where.city",
     lambda: [sum(1 for d in B.values() if d["city"] == "Munich")], where={"city": "Munich"})
case("positional_numbered_twice",
     "SELECT RAW COUNT(*) FROM KS WHERE type = 'beer' AND abv >= $1 AND ibu >= $1 * 10",
     lambda: [sum(1 for d in R.values() if d["abv"] >= 6 and d.get("ibu", -1) >= 60)], 6)


# -- values the cases use, picked from the data ---------------------------------------------
def _by(docs: dict[str, Any], key: str, value: str) -> dict[Any, list[Any]]:
    out: dict[Any, list[Any]] = {}
    for d in docs.values():
        out.setdefault(d[key], []).append(d[value])
    return out


def _count_by(docs: dict[str, Any], key: Callable[[dict[str, Any]], Any],
              keep: Optional[Callable[[dict[str, Any]], bool]] = None) -> dict[Any, int]:
    out: dict[Any, int] = {}
    for d in docs.values():
        if keep is None or keep(d):
            k = key(d)
            out[k] = out.get(k, 0) + 1
    return out


def _neg(key: tuple[Any, ...]) -> tuple[Any, ...]:
    """Descending order of a collation key (the values here are strings or absent)."""
    return (-key[0],) + tuple(_Rev(v) for v in key[1:])


class _Rev:
    def __init__(self, v: Any) -> None:
        self.v = v

    def __lt__(self, other: _Rev) -> bool:
        return self.v > other.v

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Rev) and self.v == other.v


def _busy_brewery() -> str:
    counts = _count_by(R, lambda d: d["brewery_id"], keep=lambda d: d["brewery_id"] in B)
    return max(sorted(counts), key=lambda b: counts[b])


def _some_breweries() -> list[str]:
    return sorted(B)[10:16]


def _some_keys() -> list[str]:
    return sorted(B)[20:26] + sorted(R)[40:44] + ["no-such-key"]


def _geo_brewery() -> str:
    return next(k for k in sorted(B) if "geo" in B[k])


def _mixed_keys() -> list[str]:
    out = [next(k for k in sorted(R) if "category" not in R[k]),
           next(k for k in sorted(R) if "category" in R[k] and R[k]["category"] is None),
           next(k for k in sorted(R) if R[k].get("category"))]
    out += [next(k for k in sorted(B) if "state" not in B[k]),
            next(k for k in sorted(B) if "state" in B[k] and B[k]["state"] is None)]
    return out


_PARAMS = {"BUSY": _busy_brewery, "SOME": _some_breweries, "KEYS": _some_keys,
           "ONE": lambda: sorted(B)[7], "GEO": _geo_brewery, "MIXED": _mixed_keys}


def _resolve(value: Any) -> Any:
    return _PARAMS[value]() if isinstance(value, str) and value in _PARAMS else value


@pytest.mark.parametrize("name,statement,args,named,expected,ordered", CASES,
                         ids=[c[0] for c in CASES])
def test_query(cb: Bucket, name: str, statement: str, args: tuple[Any, ...],
               named: dict[str, Any], expected: Callable[[], list[Any]], ordered: bool) -> None:
    got = q(cb, statement, *[_resolve(a) for a in args],
            **{k: _resolve(v) for k, v in named.items()})
    want = expected()
    assert want, "a case must expect rows"
    if not ordered:
        got = sorted(got, key=lambda r: json.dumps(r, sort_keys=True))
        want = sorted(want, key=lambda r: json.dumps(r, sort_keys=True))
    assert norm(got) == norm(want)


# -- DML with RETURNING, through the same store as key-value -----------------------------
def test_insert_returning_and_key_value_sees_it(cb: Bucket) -> None:
    rows = q(cb, 'INSERT INTO KS (KEY, VALUE) VALUES ("dml-1", {"type": "dml", "n": 1}), '
                 '("dml-2", {"type": "dml", "n": 2}) RETURNING META().id AS id, n')
    assert sorted(rows, key=lambda r: r["id"]) == [{"id": "dml-1", "n": 1},
                                                   {"id": "dml-2", "n": 2}]
    assert cb.get("dml-1").value == {"type": "dml", "n": 1}
    with pytest.raises(N1QLError) as dup:
        q(cb, 'INSERT INTO KS (KEY, VALUE) VALUES ("dml-1", {"type": "dml"})')
    assert dup.value.code == 12009 and "Duplicate Key" in dup.value.msg


def test_upsert_update_unset_delete_returning(cb: Bucket) -> None:
    assert q(cb, 'UPSERT INTO KS (KEY, VALUE) VALUES ("dml-3", {"type": "dml", "n": 3}), '
                 '("dml-4", {"type": "dml", "n": 4}) RETURNING RAW n') in ([3, 4], [4, 3])
    req = cb.n1ql_query(N1QLQuery(f"UPDATE {KS} AS d SET d.n = d.n + 100, d.tag = $tag "
                                  "WHERE d.type = 'dml' AND d.n >= 3 "
                                  "RETURNING META(d).id AS id, d.n, d.tag", tag="bumped"))
    rows = sorted(req, key=lambda r: r["id"])
    assert rows == [{"id": "dml-3", "n": 103, "tag": "bumped"},
                    {"id": "dml-4", "n": 104, "tag": "bumped"}]
    assert req.metrics["mutationCount"] == 2
    assert q(cb, "UPDATE KS AS d USE KEYS 'dml-3' UNSET d.tag RETURNING d.*") == [
        {"type": "dml", "n": 103}]
    assert cb.get("dml-3").value == {"type": "dml", "n": 103}
    gone = q(cb, "DELETE FROM KS AS d WHERE d.type = 'dml' AND d.n > 100 "
                 "RETURNING RAW META(d).id")
    assert sorted(gone) == ["dml-3", "dml-4"]
    assert q(cb, "SELECT RAW META().id FROM KS WHERE type = 'dml' ORDER BY META().id") == [
        "dml-1", "dml-2"]
    assert not cb.get("dml-4", quiet=True).success


def test_key_value_writes_are_seen_with_request_plus(cb: Bucket) -> None:
    cb.upsert_multi({f"kv-{i}": {"type": "kvdoc", "i": i} for i in range(20)})
    assert q(cb, "SELECT RAW SUM(i) FROM KS WHERE type = 'kvdoc'") == [sum(range(20))]
    cb.remove("kv-0")
    assert q(cb, "SELECT RAW COUNT(*) FROM KS WHERE type = 'kvdoc'") == [19]


# -- errors --------------------------------------------------------------------------------
def test_syntax_errors_carry_code_3000_and_the_position(cb: Bucket) -> None:
    with pytest.raises(N1QLSyntaxError) as info:
        q(cb, "SELECT name FROM KS WHERE type = = 'beer'")
    err = info.value
    assert err.code == 3000 and err.status == 400
    # the column counts the keyspace's backticks: `beer-sample` is 13 characters
    assert err.msg.startswith("syntax error - line 1, column 45, near 'sample` WHERE type =', "
                              "at: =")
    with pytest.raises(N1QLSyntaxError):
        q(cb, "SELEC name FROM KS")
    with pytest.raises(N1QLSyntaxError) as end:
        q(cb, "SELECT name FROM")
    assert "end of input" in end.value.msg


def test_no_index_is_code_4000_and_a_secondary_index_serves_what_it_covers(cb: Bucket) -> None:
    mock = cb.mock  # type: ignore[attr-defined]
    noindex = Bucket(f"{mock.connstr}/noindex", username=mock.username, password=mock.password)
    try:
        noindex.upsert_multi({f"x{i}": {"kind": "x" if i % 2 else "y", "n": i}
                              for i in range(10)})
        with pytest.raises(N1QLNoIndexError) as info:
            list(noindex.n1ql_query("SELECT * FROM noindex"))
        assert info.value.code == 4000
        assert info.value.msg.startswith("No index available on keyspace")
        noindex.bucket_manager().n1ql_index_create("by_kind", fields=["kind"])
        q1 = N1QLQuery("SELECT RAW n FROM noindex WHERE kind = 'x' ORDER BY n")
        q1.consistency = REQUEST_PLUS
        assert list(noindex.n1ql_query(q1)) == [1, 3, 5, 7, 9]
        with pytest.raises(N1QLNoIndexError):
            list(noindex.n1ql_query("SELECT RAW n FROM noindex WHERE n > 3"))
    finally:
        noindex.close()


def test_missing_keyspace_is_code_12003(cb: Bucket) -> None:
    with pytest.raises(N1QLKeyspaceNotFoundError) as info:
        q(cb, "SELECT * FROM nosuchbucket")
    assert info.value.code == 12003


# -- indexes, prepared statements, 3.x ----------------------------------------------------
def test_secondary_index_is_used_and_agrees_with_a_primary_scan(cb: Bucket) -> None:
    stmt = "SELECT RAW META(b).id FROM KS AS b {} WHERE b.type = 'beer' AND b.abv > 11.5 " \
           "ORDER BY META(b).id"
    plan = q(cb, "EXPLAIN " + stmt.format(""))[0]["plan"]
    assert "beer_abv" in json.dumps(plan)
    forced = q(cb, "EXPLAIN " + stmt.format("USE INDEX (`#primary`)"))[0]["plan"]
    assert "beer_abv" not in json.dumps(forced)
    want = ids(R, lambda d: d["abv"] > 11.5)
    assert q(cb, stmt.format("")) == want == q(cb, stmt.format("USE INDEX (`#primary`)"))


def test_index_list_from_the_bucket_manager(cb: Bucket) -> None:
    indexes = {ix.name: ix for ix in cb.bucket_manager().n1ql_index_list()}
    assert {"#primary", "beer_abv", "by_city"} <= set(indexes)
    assert indexes["by_city"].condition and indexes["beer_abv"].fields == ["`type`", "`abv`"]
    assert all(ix.state == "online" for ix in indexes.values())


def test_prepared_queries(cb: Bucket) -> None:
    query = N1QLQuery(f"SELECT RAW COUNT(*) FROM {KS} WHERE type = 'beer' AND style = $1")
    query.adhoc = False
    for style in ("Porter", "Lager", "Porter"):
        want = sum(1 for d in R.values() if d["style"] == style)
        assert list(cb.n1ql_query(query, style)) == [want]


def test_cluster_query(cb: Bucket) -> None:
    from couchbase.auth import PasswordAuthenticator
    from couchbase.cluster import Cluster
    from couchbase.n1ql import QueryOptions, QueryScanConsistency
    from couchbase.options import ClusterOptions

    mock = cb.mock  # type: ignore[attr-defined]
    cluster = Cluster.connect(mock.connstr, ClusterOptions(
        PasswordAuthenticator(mock.username, mock.password)))
    try:
        cluster.bucket("beer-sample")
        stmt = f"SELECT RAW name FROM {KS} WHERE type = 'brewery' AND city = $1 ORDER BY name"
        want = sorted(d["name"] for d in B.values() if d["city"] == "Boston")
        assert list(cluster.query(stmt, "Boston")) == want
        result = cluster.query(stmt, QueryOptions(positional_parameters=["Boston"],
                                                  scan_consistency=QueryScanConsistency
                                                  .REQUEST_PLUS))
        assert list(result.rows()) == want
        assert result.metadata().metrics().result_count() == len(want)
    finally:
        cluster.close()


def test_meta_and_metrics(cb: Bucket) -> None:
    req = cb.n1ql_query(f"SELECT name FROM {KS} WHERE type = 'brewery' LIMIT 7")
    assert len(list(req)) == 7
    assert req.status == "success" and req.meta["clientContextID"] == req.client_context_id
    assert req.metrics["resultCount"] == 7 and req.metadata().metrics().elapsed_time()
    assert req.signature == {"name": "json"}
