"""Date functions of the N1QL language reference, checked against its examples.

Page: datefun.adoc (docs.couchbase.com/server/current/n1ql/n1ql-language-reference/
datefun.html); "8.0" marks the newer edition's forms and results (DATE_FORMAT_STR
with an input format, DATE_TRUNC_STR/STR_TO_UTC/STR_TO_TZ with formats, the TZN
format) where the older one differs. The reference ran its examples on a query
node in America/Los_Angeles: those run here with that server time zone (fixture
``pacific``); the local cluster's own zone is UTC. A case marked "derived" has no
example on the page: its result follows from the page's text.
"""

from __future__ import annotations

import re
import time
from typing import Any

import pytest

from couchbase_mock.n1ql import QueryEngine, dates
from couchbase_mock.n1ql.errors import N1QLError


def value(engine: QueryEngine, expr: str, **kw: Any) -> Any:
    rows = engine.query(f"SELECT RAW {expr}", **kw).results
    assert len(rows) == 1
    return rows[0]


@pytest.fixture
def pacific(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dates, "LOCAL", dates.zone("America/Los_Angeles"))


LAST_1111 = -27075949140001  # 1111-12-31T23:00:59.999Z
DAY_1111 = -27076032000000  # 1111-12-31T00:00:00Z
JUNE_28 = 1624838400000  # 2021-06-28T00:00:00Z

CASES = [
    # Date Formats, Epoch/UNIX Timestamps: 2017-01-31T10:02:07Z is 1485856927000
    ("STR_TO_MILLIS('2017-01-31T10:02:07Z')", 1485856927000),
    # Date String Formats, the ISO-8601 forms (each of the table's formats)
    ("STR_TO_MILLIS('1111-12-31T23:00:59.999+00:00')", LAST_1111),
    ("STR_TO_MILLIS('1111-12-31T23:00:59.999Z')", LAST_1111),
    ("STR_TO_MILLIS('1111-12-31 23:00:59.999Z')", LAST_1111),
    ("STR_TO_MILLIS('1111-12-31T23:00:59.999')", LAST_1111),
    ("STR_TO_MILLIS('1111-12-31T23:00:59+00:00')", LAST_1111 - 999),
    ("STR_TO_MILLIS('1111-12-31 23:00:59')", LAST_1111 - 999),
    ("STR_TO_MILLIS('1111-12-31')", DAY_1111),
    ("DATE_FORMAT_STR('23:00:59.999+00:00', '1111-11-11T11:11:11.111Z')",
     "0000-01-01T23:00:59.999Z"),
    ("DATE_FORMAT_STR('23:00:59Z', '1111-11-11 11:11:11')", "0000-01-01 23:00:59"),
    # ... "N1QL is very specific as to what it accepts as a valid date format"
    ("STR_TO_MILLIS('01:01:01') IS NOT NULL", True),
    ("STR_TO_MILLIS('hh:mm:ss')", None),
    ("STR_TO_MILLIS('01:01:01.111') IS NOT NULL", True),
    ("STR_TO_MILLIS('01:01.111')", None),
    ("STR_TO_MILLIS('2017-01-31') IS NOT NULL", True),
    ("STR_TO_MILLIS('2017-01-86')", None),
    # Date String Codes: "YYYY MM DD parses 2021-06-28, 2021/06/28, 2021.06.28"
    ("STR_TO_MILLIS('2021-06-28', 'YYYY MM DD')", JUNE_28),
    ("STR_TO_MILLIS('2021/06/28', 'YYYY MM DD')", JUNE_28),
    ("STR_TO_MILLIS('2021.06.28', 'YYYY MM DD')", JUNE_28),
    # Go Reference Dates: "2006 01 02" parses the same; 2006-02-01 is year-day-month
    ("STR_TO_MILLIS('2021.06.28', '2006 01 02')", JUNE_28),
    ("MILLIS_TO_STR(1624838400000, '2006-02-01')", "2021-28-06"),
    ("MILLIS_TO_STR(1624904579123, 'Monday, January _2 2006 3:04:05.000 PM -0700')",
     "Monday, June 28 2021 6:22:59.123 PM +0000"),
    ("MILLIS_TO_STR(1624904579120, '15:04:05.999 002 __2 Z07:00')", "18:22:59.12 179 179 Z"),
    # Percent-Style Dates: "%Y %m %d parses ..."; the elements' table
    ("STR_TO_MILLIS('2021/06/28', '%Y %m %d')", JUNE_28),
    ("MILLIS_TO_STR(1624908179123, '%D|%Y|%C|%y|%m|%B|%b|%d|%A|%a|%f|%H|%I|%p|%P|%M|%S')",
     "2021-06-28|2021|20|21|06|June|Jun|28|Monday|Mon|th|19|07|PM|pm|22|59"),
    ("MILLIS_TO_STR(1624908179123, '%R|%T|%N|%z|%Z|%s|%x|%r|%X|%:z|%::z|%j|%q|%w|%u|%V|%G')",
     "19:22|19:22:59|123|+00:00|UTC|1624908179|2021-06-28|07:22:59 PM|19:22:59|+00:00|"
     "+00:00:00|179|2|1|1|26|2021"),
    ("MILLIS_TO_STR(1624908179123, '%F %% %-d/%-m %_H %^a %#')",
     "2021-06-28T19:22:59.123+00:00 % 28/6 19 MON 451363:22:59"),
    ("MILLIS_TO_TZ(1624908179123, 'Asia/Kolkata', '%F %Z %:::z')",
     "2021-06-29T00:52:59.123+05:30 Asia/Kolkata +05:30"),
    ("STR_TO_MILLIS('2021-06-28 19:22 Europe/Paris', '%Y-%m-%d %H:%M %z')", 1624900920000),
    # Default Values: "parsing just 16 as the year is ... 2016-01-01T00:00:00"
    ("STR_TO_MILLIS('16', 'YY')", 1451606400000),
    ("STR_TO_MILLIS('69', 'YY')", -31536000000),
    # Date and Time Components: the table's examples for 2006-01-02T15:04:05.999Z
    ("[DATE_PART_STR(d, 'millennium'), DATE_PART_STR(d, 'century'), "
     "DATE_PART_STR(d, 'decade'), DATE_PART_STR(d, 'year'), DATE_PART_STR(d, 'iso_year'), "
     "DATE_PART_STR(d, 'quarter'), DATE_PART_STR(d, 'month'), DATE_PART_STR(d, 'week'), "
     "DATE_PART_STR(d, 'iso_week'), DATE_PART_STR(d, 'day'), DATE_PART_STR(d, 'day_of_year'), "
     "DATE_PART_STR(d, 'doy'), DATE_PART_STR(d, 'day_of_week'), DATE_PART_STR(d, 'dow')] "
     "LET d = '2006-01-02T15:04:05.999Z'", [3, 21, 200, 2006, 2006, 1, 1, 1, 1, 2, 2, 2, 1, 1]),
    # (the table says hour 5 for 15:04: a typo; 15 is the hour of the day)
    ("[DATE_PART_STR(d, 'HOUR'), DATE_PART_STR(d, 'minute'), DATE_PART_STR(d, 'second'), "
     "DATE_PART_STR(d, 'millisecond'), DATE_PART_STR(d, 'timezone'), "
     "DATE_PART_STR(d, 'timezone_hour'), DATE_PART_STR(d, 'timezone_minute')] "
     "LET d = '2006-01-02T15:04:05.999Z'", [15, 4, 5, 999, 0, 0, 0]),
    # ... "the iso_week of 2006-01-08T15:04:05.999Z is 1, while the week is 2"
    ("[DATE_PART_STR('2006-01-08T15:04:05.999Z', 'iso_week'), "
     "DATE_PART_STR('2006-01-08T15:04:05.999Z', 'week')]", [1, 2]),
    ("[DATE_PART_STR(d, 'timezone'), DATE_PART_STR(d, 'timezone_hour'), "
     "DATE_PART_STR(d, 'timezone_minute'), DATE_PART_STR(d, 'iso_dow')] "
     "LET d = '2021-01-03T10:00:00-09:30'", [-34200, -9, -30, 7]),  # derived
    ("[DATE_PART_STR('2000-06-01', 'millennium'), DATE_PART_STR('1999-06-01', 'century'), "
     "DATE_PART_STR('2021-01-01', 'iso_year')]", [3, 20, 2020]),  # derived: from year 0
    # DATE_ADD_MILLIS, DATE_ADD_STR: Examples
    ("[DATE_ADD_MILLIS(1463284740000, 3, 'day'), DATE_ADD_MILLIS(1463284740000, 3, 'year'), "
     "DATE_ADD_MILLIS(1463284740000, -3, 'day'), DATE_ADD_MILLIS(1463284740000, -3, 'year')]",
     [1463543940000, 1557892740000, 1463025540000, 1368590340000]),
    ("[DATE_ADD_STR(d, 3, 'day'), DATE_ADD_STR(d, 3, 'year'), DATE_ADD_STR(d, -3, 'day'), "
     "DATE_ADD_STR(d, -3, 'year')] LET d = '2016-05-15 03:59:00Z'",
     ["2016-05-18T03:59:00Z", "2019-05-15T03:59:00Z", "2016-05-12T03:59:00Z",
      "2013-05-15T03:59:00Z"]),
    # ... months carry into the next month as the server does (issue 13); calendar_month
    # stops at the month's last day; the other parts (derived)
    ("DATE_ADD_STR('2019-04-30', -2, 'month')", "2019-03-02"),
    ("DATE_ADD_STR('2019-01-31', 1, 'month')", "2019-03-03"),
    ("DATE_ADD_STR('2019-01-31', 1, 'calendar_month')", "2019-02-28"),
    ("[DATE_ADD_STR(d, 1, 'millennium'), DATE_ADD_STR(d, 1, 'century'), "
     "DATE_ADD_STR(d, 1, 'decade'), DATE_ADD_STR(d, 1, 'quarter'), DATE_ADD_STR(d, 1, 'week'), "
     "DATE_ADD_STR(d, 1, 'Hour'), DATE_ADD_STR(d, 1, 'minute'), DATE_ADD_STR(d, 1, 'second'), "
     "DATE_ADD_STR(d, 1, 'millisecond')] LET d = '2016-05-15T03:59:00.000+02:00'",
     ["3016-05-15T03:59:00.000+02:00", "2116-05-15T03:59:00.000+02:00",
      "2026-05-15T03:59:00.000+02:00", "2016-08-15T03:59:00.000+02:00",
      "2016-05-22T03:59:00.000+02:00", "2016-05-15T04:59:00.000+02:00",
      "2016-05-15T04:00:00.000+02:00", "2016-05-15T03:59:01.000+02:00",
      "2016-05-15T03:59:00.001+02:00"]),
    ("[DATE_ADD_STR('10:00:00', 90, 'minute'), DATE_ADD_STR('2016/05/15', 1, 'day')]",
     ["11:30:00", "2016-05-16"]),  # derived: time-only and YYYY/MM/DD inputs
    # DATE_DIFF_MILLIS, DATE_DIFF_STR: Examples
    ("[DATE_DIFF_MILLIS(1463543940000, 1463284740000, 'day'), "
     "DATE_DIFF_MILLIS(1557892740000, 1463284740000, 'year'), "
     "DATE_DIFF_MILLIS(1463025540000, 1463284740000, 'day'), "
     "DATE_DIFF_MILLIS(1368590340000, 1463284740000, 'year')]", [3, 3, -3, -3]),
    ("[DATE_DIFF_STR('2016-05-18T03:59:00Z', d, 'day'), "
     "DATE_DIFF_STR('2019-05-15T03:59:00Z', d, 'year'), "
     "DATE_DIFF_STR('2016-05-12T03:59:00Z', d, 'day'), "
     "DATE_DIFF_STR('2013-05-15T03:59:00Z', d, 'year')] LET d = '2016-05-15 03:59:00Z'",
     [3, 3, -3, -3]),
    # ... calendar boundaries crossed (derived), and the _ABS forms
    ("[DATE_DIFF_STR('2016-01-01', '2015-12-31', 'year'), "
     "DATE_DIFF_STR('2016-01-01T00:00:00Z', '2015-12-31T23:59:59Z', 'day'), "
     "DATE_DIFF_STR('2016-03-31', '2016-02-01', 'month'), "
     "DATE_DIFF_STR('2016-05-15', '2016-05-14', 'week'), "
     "DATE_DIFF_STR('2016-05-15T10:00:00', '2016-05-15T09:59:59.999', 'hour')]",
     [1, 1, 1, 1, 1]),
    ("[DATE_DIFF_ABS_STR('2013-05-15T03:59:00Z', '2016-05-15 03:59:00Z', 'year'), "
     "DATE_DIFF_ABS_MILLIS(1463025540000, 1463284740000, 'day')]", [3, 3]),
    # DATE_FORMAT_STR: Example (8.0)
    ("[DATE_FORMAT_STR('2016-05-15T00:00:23+00:00', '1111-11-11'), "
     "DATE_FORMAT_STR('2016-05-15', '1111-11-11T00:00:00+00:00'), "
     "DATE_FORMAT_STR('01:10:05', '1111-11-11T01:01:01Z'), "
     "DATE_FORMAT_STR('15-MAY-2016', 'DD-MON-YYYY', 'YYYY-MM-DD')]",
     ["2016-05-15", "2016-05-15T00:00:00Z", "0000-01-01T01:10:05Z", "2016-05-15"]),
    ("DATE_FORMAT_STR('2016-05-15', 'invalid format')", "2016-05-15T00:00:00Z"),
    # DATE_PART_STR: Example
    ("[DATE_PART_STR(d, 'day'), DATE_PART_STR(d, 'millisecond'), DATE_PART_STR(d, 'month'), "
     "DATE_PART_STR(d, 'week'), DATE_PART_STR(d, 'year')] LET d = '2016-05-15T03:59:00Z'",
     [15, 0, 5, 20, 2016]),
    # DATE_RANGE_STR: Examples 1-5
    ("DATE_RANGE_STR('2015-11-30T15:04:05.999', '2017-04-14T15:04:06.998', 'quarter')",
     ["2015-11-30T15:04:05.999", "2016-03-01T15:04:05.999", "2016-06-01T15:04:05.999",
      "2016-09-01T15:04:05.999", "2016-12-01T15:04:05.999", "2017-03-01T15:04:05.999"]),
    ("DATE_RANGE_STR('2016-01-01T15:04:05.999', '2016-01-05T15:04:05.998', 'day', 1)",
     ["2016-01-01T15:04:05.999", "2016-01-02T15:04:05.999", "2016-01-03T15:04:05.999",
      "2016-01-04T15:04:05.999"]),
    ("DATE_RANGE_STR('2018-01-01','2019-01-01', 'month', 4)",
     ["2018-01-01", "2018-05-01", "2018-09-01"]),
    ("DATE_RANGE_STR('2016-01-05T15:04:05.999', '2016-01-01T15:04:06.998', 'day', -1)",
     ["2016-01-05T15:04:05.999", "2016-01-04T15:04:05.999", "2016-01-03T15:04:05.999",
      "2016-01-02T15:04:05.999"]),
    ("DATE_RANGE_STR('2015-01-01T01:01:01', '2015-12-11T00:00:00', 'month', 1)",
     [f"2015-{m:02d}-01T01:01:01" for m in range(1, 13)]),
    # ... Limitations: start after end gives an empty array, not an error
    ("DATE_RANGE_STR('2016-01-05', '2016-01-01', 'day')", []),
    ("DATE_RANGE_MILLIS(10, 0, 'millisecond')", []),
    # DATE_TRUNC_MILLIS: Example (8.0)
    ("[DATE_TRUNC_MILLIS(1463284740000, 'day'), DATE_TRUNC_MILLIS(1463284740000, 'month'), "
     "DATE_TRUNC_MILLIS(1463284740000, 'year')]", [1463270400000, 1462060800000, 1451606400000]),
    # DATE_TRUNC_STR: Example (8.0), and the other accepted parts (derived)
    ("[DATE_TRUNC_STR(d, 'day'), DATE_TRUNC_STR(d, 'month'), DATE_TRUNC_STR(d, 'year'), "
     "DATE_TRUNC_STR('05/18/2016 03:59:00', 'month', 'MM/DD/YYYY HH24:MI:SS')] "
     "LET d = '2016-05-18T03:59:00Z'",
     ["2016-05-18T00:00:00Z", "2016-05-01T00:00:00Z", "2016-01-01T00:00:00Z",
      "05/01/2016 00:00:00"]),
    ("[DATE_TRUNC_STR(d, 'millennium'), DATE_TRUNC_STR(d, 'century'), "
     "DATE_TRUNC_STR(d, 'decade'), DATE_TRUNC_STR(d, 'quarter'), DATE_TRUNC_STR(d, 'week'), "
     "DATE_TRUNC_STR(d, 'iso_week'), DATE_TRUNC_STR(d, 'hour')] LET d = '2016-05-18T03:59:00'",
     ["2000-01-01T00:00:00", "2000-01-01T00:00:00", "2010-01-01T00:00:00",
      "2016-04-01T00:00:00", "2016-05-15T00:00:00", "2016-05-16T00:00:00",
      "2016-05-18T03:00:00"]),
    # DURATION_TO_STR, STR_TO_DURATION: Examples
    ("[DURATION_TO_STR(2000), DURATION_TO_STR(2000000), DURATION_TO_STR(2000000000)]",
     ["2µs", "2ms", "2s"]),
    ("[STR_TO_DURATION('1h'), STR_TO_DURATION('1us'), STR_TO_DURATION('1ms'), "
     "STR_TO_DURATION('1m'), STR_TO_DURATION('1ns'), STR_TO_DURATION('1s')]",
     [3600000000000, 1000, 1000000, 60000000000, 1, 1000000000]),
    ("[STR_TO_DURATION('1µs'), STR_TO_DURATION('1h30m'), DURATION_TO_STR(5400000000000)]",
     [1000, 5400000000000, "1h30m0s"]),  # derived
    # MILLIS: Example; MILLIS_TO_UTC: Example; MILLIS_TO_TZ: Example
    ("MILLIS('2016-05-15T03:59:00Z')", 1463284740000),
    ("[MILLIS_TO_UTC(1463284740000), MILLIS_TO_UTC(1463284740000, 'invalid format'), "
     "MILLIS_TO_UTC(1463284740000, '1111-11-11')]",
     ["2016-05-15T03:59:00Z", "2016-05-15T03:59:00Z", "2016-05-15"]),
    ("[MILLIS_TO_TZ(1463284740000, 'America/New_York'), "
     "MILLIS_TO_TZ(1463284740000, 'Asia/Kolkata'), MILLIS_TO_ZONE_NAME(1463284740000, 'UTC')]",
     ["2016-05-14T23:59:00-04:00", "2016-05-15T09:29:00+05:30", "2016-05-15T03:59:00Z"]),
    # STR_TO_MILLIS: Examples 1 and 2
    ("STR_TO_MILLIS('2016-05-15T03:59:00Z')", 1463284740000),
    ("STR_TO_MILLIS('19/08/2011 6:33:23+0000', '02/01/2006 15:04:05Z0700')", 1313735603000),
    # STR_TO_UTC: Example (8.0)
    ("[STR_TO_UTC('1111-11-11T00:00:00+08:00'), STR_TO_UTC('1111-11-11'), "
     "STR_TO_UTC('1111-11-11', 'YYYY-MM-DD', 'YYYY-MM-DD HH:MI:SS')]",
     ["1111-11-10T16:00:00Z", "1111-11-11", "1111-11-11 12:00:00"]),
    # STR_TO_TZ: Example (8.0): before 1883 New York and Paris keep local mean time
    ("[STR_TO_TZ('1111-11-11T00:00:00+08:00', 'America/New_York'), "
     "STR_TO_TZ('1111-11-11T00:00:00+08:00', 'UTC'), STR_TO_ZONE_NAME('1111-11-11', 'UTC'), "
     "STR_TO_TZ('1111-11-11', 'UTC', 'YYYY-MM-DD', 'YYYY-MM-DD HH:MI:SS'), "
     "STR_TO_TZ('1111-11-11T00:00:00+07:00', 'Europe/Paris', "
     "'YYYY-MM-DDThh:mm:ssTZD', 'YYYY-MM-DDThh:mm:ssTZN')]",
     ["1111-11-10T11:03:58-04:56", "1111-11-10T16:00:00Z", "1111-11-11",
      "1111-11-11 12:00:00", "1111-11-10T17:09:21LMT"]),
    ("STR_TO_TZ('2016-01-15T12:00:00Z', 'Europe/London', 'YYYY-MM-DD hh:mm TZN')",
     "2016-01-15 12:00 GMT"),  # derived
    # WEEKDAY_MILLIS, WEEKDAY_STR: Examples
    ("WEEKDAY_MILLIS(1486237655742, 'America/Tijuana')", "Saturday"),
    ("WEEKDAY_STR('2017-02-05')", "Sunday"),
]


@pytest.mark.parametrize("expr, expected", CASES, ids=[c[0][:70] for c in CASES])
def test_documented_function(engine: QueryEngine, expr: str, expected: Any) -> None:
    assert value(engine, expr) == expected


PACIFIC_CASES = [
    # DATE_PART_MILLIS: Example
    ("[DATE_PART_MILLIS(1463284740000, 'day'), "
     "DATE_PART_MILLIS(1463284740000, 'day', 'America/Tijuana'), "
     "DATE_PART_MILLIS(1463284740000, 'day', 'UTC'), DATE_PART_MILLIS(1463284740000, 'month'), "
     "DATE_PART_MILLIS(1463284740000, 'week'), DATE_PART_MILLIS(1463284740000, 'year')]",
     [14, 14, 15, 5, 20, 2016]),
    # DATE_RANGE_MILLIS: Examples 1 and 2 (months of the query node's zone: PST and PDT)
    ("DATE_RANGE_MILLIS(1480752000000, 1475478000000, 'month', -1)",
     [1480752000000, 1478156400000]),
    ("DATE_RANGE_MILLIS(1480752000000, 1449129600000, 'month', -1)",
     [1480752000000, 1478156400000, 1475478000000, 1472886000000, 1470207600000,
      1467529200000, 1464937200000, 1462258800000, 1459666800000, 1456992000000,
      1454486400000, 1451808000000]),
    # MILLIS_TO_STR (and its alias MILLIS_TO_LOCAL): Example
    ("[MILLIS_TO_STR(1463284740000), MILLIS_TO_STR(1463284740000, 'invalid format'), "
     "MILLIS_TO_LOCAL(1463284740000, '1111-11-11')]",
     ["2016-05-14T20:59:00-07:00", "2016-05-14T20:59:00-07:00", "2016-05-14"]),
    # Date String Formats: "where the timezone is not specified, the local system time"
    ("STR_TO_MILLIS('2016-05-14T20:59:00')", 1463284740000),
    ("DATE_FORMAT_STR('2016-05-15', '1111-11-11T00:00:00+00:00')",
     "2016-05-15T00:00:00-07:00"),
]


@pytest.mark.parametrize("expr, expected", PACIFIC_CASES,
                         ids=[c[0][:70] for c in PACIFIC_CASES])
def test_documented_function_on_a_pacific_query_node(engine: QueryEngine, pacific: None,
                                                      expr: str, expected: Any) -> None:
    assert value(engine, expr) == expected


# -- NOW_* (the statement's time) and CLOCK_* (the call's) -----------------------

def test_now_functions_give_the_documented_results_at_the_documented_time(
        engine: QueryEngine, pacific: None) -> None:
    """NOW_TZ Example 1, NOW_LOCAL Example 1, NOW_UTC Example 1: the statement time
    1516745616.457 s is 2018-01-23T22:13:36.457Z."""
    now = 1516745616.457
    got = value(engine, "[NOW_TZ('invalid tz'), NOW_TZ('Asia/Kolkata'), NOW_TZ('UTC'), "
                        "NOW_TZ('UTC', '1111-11-11'), NOW_LOCAL(), NOW_LOCAL('invalid date'), "
                        "NOW_STR('1111-11-11'), NOW_UTC(), NOW_MILLIS()]", now=now)
    assert got == [None, "2018-01-24T03:43:36.457+05:30", "2018-01-23T22:13:36.457Z",
                   "2018-01-23", "2018-01-23T14:13:36.457-08:00",
                   "2018-01-23T14:13:36.457-08:00", "2018-01-23", "2018-01-23T22:13:36.457Z",
                   1516745616457]
    # "40.26-08:00": the fraction drops its trailing zeros
    assert value(engine, "NOW_LOCAL()", now=1516745020.26) == "2018-01-23T14:03:40.26-08:00"


def test_now_does_not_vary_during_a_statement(engine: QueryEngine) -> None:
    """NOW_* Example 2: the same value however often it is called; CLOCK_* moves on."""
    rows = engine.query("SELECT NOW_STR() AS s, NOW_MILLIS() AS m, NOW_UTC() AS u, "
                        "NOW_LOCAL() AS l, NOW_TZ('UTC') AS t, CLOCK_MILLIS() AS c "
                        "FROM ARRAY_RANGE(0, 200) AS x").results
    assert len({(r["s"], r["m"], r["u"], r["l"], r["t"]) for r in rows}) == 1
    assert rows[0]["s"] == rows[0]["u"] == rows[0]["t"]  # the server's zone is UTC
    assert dates.parse_iso(rows[0]["s"])[0].millis == int(rows[0]["m"])  # type: ignore[index]
    assert all(r["c"] >= rows[0]["m"] for r in rows)
    later = engine.query("SELECT RAW NOW_MILLIS()").results[0]
    assert later >= rows[0]["m"]


ISO_FULL = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?(Z|[+-]\d{2}:\d{2})$")


def test_clock_functions_have_the_documented_shapes(engine: QueryEngine) -> None:
    """CLOCK_LOCAL, CLOCK_STR, CLOCK_TZ, CLOCK_UTC, CLOCK_MILLIS: Examples."""
    before = time.time() * 1000
    got = value(engine, "[CLOCK_LOCAL(), CLOCK_LOCAL('invalid date'), CLOCK_LOCAL('1111-11-11'), "
                        "CLOCK_STR(), CLOCK_UTC(), CLOCK_UTC('1111-11-11'), CLOCK_TZ('UTC'), "
                        "CLOCK_TZ('UTC', '1111-11-11'), CLOCK_TZ('invalid timezone'), "
                        "CLOCK_TZ('US/Eastern'), CLOCK_TZ('US/Pacific'), CLOCK_MILLIS()]")
    after = time.time() * 1000
    full = [got[i] for i in (0, 1, 3, 4, 6, 9, 10)]
    assert all(ISO_FULL.match(s) for s in full), full
    assert all(s.endswith("Z") for s in (got[0], got[3], got[4], got[6]))
    assert got[9][-6:] in ("-05:00", "-04:00") and got[10][-6:] in ("-08:00", "-07:00")
    assert all(re.match(r"^\d{4}-\d{2}-\d{2}$", got[i]) for i in (2, 5, 7))
    assert got[8] is None
    assert isinstance(got[11], float) and before - 1 <= got[11] <= after + 1


# -- failures: NULL for wrong input, MISSING for MISSING, errors for counts and size ---

NULL_CASES = [
    "STR_TO_MILLIS('not a date')", "STR_TO_MILLIS('2016-13-01')", "STR_TO_MILLIS('2016-02-30')",
    "STR_TO_MILLIS('2016-05-15T25:00:00')", "STR_TO_MILLIS('2016-05-15T')",
    "STR_TO_MILLIS(20160515)", "STR_TO_MILLIS('2016-05-15', 'no format here')",
    "STR_TO_MILLIS('15 May', 'YYYY-MM-DD')", "STR_TO_MILLIS('2016-05-15T10:00:00+25:00')",
    "MILLIS('x')", "MILLIS_TO_STR('1463284740000')", "MILLIS_TO_TZ(0, 'Mars/Olympus')",
    "MILLIS_TO_TZ(0, 'europe/london')",  # Timezones: "case sensitive"
    "MILLIS_TO_TZ(0, '../../etc/passwd')", "DATE_ADD_MILLIS(0, 1, 'fortnight')",
    "DATE_ADD_MILLIS(0, 1.5, 'day')", "DATE_ADD_STR('2016-05-15', 1, 'days')",
    "DATE_ADD_STR('2016-05-15', '1', 'day')", "DATE_ADD_STR('2016-05-32', 1, 'day')",
    "DATE_DIFF_STR('2016-05-15', '2016-05-14', 'dow')", "DATE_DIFF_MILLIS(0, 'x', 'day')",
    "DATE_PART_STR('2016-05-15', 'weekday')", "DATE_PART_MILLIS(0, 'day', 'Nowhere')",
    "DATE_TRUNC_STR('2016-05-15', 'dow')", "DATE_TRUNC_MILLIS(0, 'x')",
    "DATE_TRUNC_STR('05/18/2016', 'month', 'YYYY-MM-DD')",
    "DATE_RANGE_STR('2016-01-01', '2016-02-01', 'day', 0)",
    "DATE_RANGE_STR('2016-01-01', '2016-02-01', 'day', 1.5)",
    "DATE_RANGE_MILLIS(0, 10, 'fortnight')", "DATE_FORMAT_STR('yesterday', '1111-11-11')",
    "STR_TO_UTC('2016-05-15x')", "STR_TO_TZ('2016-05-15', 'Atlantis')",
    "STR_TO_DURATION('1x')", "STR_TO_DURATION('')", "DURATION_TO_STR('2s')",
    "WEEKDAY_STR('2017-02-30')", "WEEKDAY_MILLIS(0, 'nowhere')", "NOW_TZ('invalid tz')",
    # NULL arguments give NULL (Date Functions: NOTE)
    "STR_TO_MILLIS(NULL)", "DATE_ADD_STR('2016-05-15', NULL, 'day')", "CLOCK_STR(NULL)",
    "MILLIS_TO_STR(0, NULL)", "NOW_STR(NULL)",
]


@pytest.mark.parametrize("expr", NULL_CASES)
def test_wrong_input_gives_null(engine: QueryEngine, expr: str) -> None:
    assert value(engine, expr) is None


@pytest.mark.parametrize("expr", [
    "DATE_ADD_STR(MISSING, 1, 'day')", "MILLIS_TO_STR(MISSING)", "NOW_TZ(MISSING)",
    "DATE_PART_MILLIS(0, MISSING)", "STR_TO_MILLIS('2016-05-15', MISSING)",
])
def test_a_missing_argument_gives_missing(engine: QueryEngine, expr: str) -> None:
    """Date Functions: "If any arguments ... are MISSING then the result is also MISSING"."""
    assert engine.query(f"SELECT {expr} AS v").results == [{}]


@pytest.mark.parametrize("expr", [
    "NOW_TZ()", "NOW_STR('a', 'b')", "NOW_MILLIS(1)", "CLOCK_MILLIS(1)", "MILLIS()",
    "STR_TO_MILLIS('a', 'b', 'c')", "DATE_ADD_STR('2016-05-15', 1)",
    "DATE_RANGE_MILLIS(0, 1, 'day', 1, 2)", "STR_TO_TZ('2016-05-15')",
])
def test_a_wrong_argument_count_is_error_3000(engine: QueryEngine, expr: str) -> None:
    with pytest.raises(N1QLError) as info:
        engine.query(f"SELECT RAW {expr}")
    assert info.value.code == 3000
    assert "Number of arguments to function" in str(info.value)


@pytest.mark.parametrize("expr", [
    "DATE_RANGE_MILLIS(0, 1e15, 'millisecond')",
    "DATE_RANGE_STR('0001-01-01', '9999-01-01', 'minute')",
    "DATE_RANGE_MILLIS(0, 1e17, 'month')",
    "DATE_RANGE_MILLIS(0, 1e17, 'calendar_month', 1)",
])
def test_a_huge_date_range_is_refused_quickly(engine: QueryEngine, expr: str) -> None:
    """DATE_RANGE_*: Limitations ("very large arrays"): refused, as ARRAY_RANGE is,
    before any element is built."""
    start = time.monotonic()
    with pytest.raises(N1QLError) as info:
        engine.query(f"SELECT RAW {expr}")
    assert "more than the local cluster builds" in str(info.value)
    assert time.monotonic() - start < 2
    assert value(engine, "ARRAY_LENGTH(DATE_RANGE_STR('2016-01-01', '2017-01-01', 'day'))") \
        == 366


def test_zones_follow_daylight_saving_time(engine: QueryEngine) -> None:
    """Timezones: "N1QL take[s] this into account when converting dates" (the table's
    offsets for America/New_York, Europe/Paris, Asia/Kolkata)."""
    got = value(engine, "[MILLIS_TO_TZ(w, 'America/New_York'), MILLIS_TO_TZ(s, "
                        "'America/New_York'), MILLIS_TO_TZ(w, 'Europe/Paris'), "
                        "MILLIS_TO_TZ(s, 'Europe/Paris'), MILLIS_TO_TZ(s, 'Asia/Kolkata', "
                        "'-07:00')] LET w = STR_TO_MILLIS('2021-01-15T12:00:00Z'), "
                        "s = STR_TO_MILLIS('2021-07-15T12:00:00Z')")
    assert got == ["2021-01-15T07:00:00-05:00", "2021-07-15T08:00:00-04:00",
                   "2021-01-15T13:00:00+01:00", "2021-07-15T14:00:00+02:00", "+05:30"]
    # a string carries an offset, not a zone: adding to it keeps the offset
    assert value(engine, "DATE_ADD_STR(STR_TO_TZ('2021-03-13T12:00:00Z', 'America/New_York'), "
                         "1, 'day')") == "2021-03-14T07:00:00-05:00"


def test_millis_arithmetic_keeps_the_wall_clock_of_the_servers_zone(
        engine: QueryEngine, pacific: None) -> None:
    """DATE_ADD_MILLIS by days and months reads the timestamp in the server's zone
    (as DATE_RANGE_MILLIS's examples do): across the spring change a day is 23 hours."""
    start = value(engine, "STR_TO_MILLIS('2021-03-13T12:00:00')")
    assert value(engine, f"DATE_ADD_MILLIS({start}, 1, 'day') - {start}") == 23 * 3600 * 1000
    assert value(engine, f"DATE_ADD_MILLIS({start}, 24, 'hour') - {start}") == 24 * 3600 * 1000
    assert value(engine, f"MILLIS_TO_STR(DATE_ADD_MILLIS({start}, 1, 'day'))") == \
        "2021-03-14T12:00:00-07:00"
