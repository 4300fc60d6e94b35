"""Analytics (issue 16): the official SDK 4.x's ``cluster.analytics_query``,
``scope.analytics_query`` and ``cluster.analytics_indexes()`` against the local
cluster's analytics service, and this package giving the same answers.

official_sdk_analytics4x.py runs once with the official SDK's interpreter and once
with this package (``PYTHONPATH=src``) against one couchbase_mock process, each run
on its own keys, dataverse and scope; every step's outcome must be the same, except
the differences named below (each checked to still be what it says).
"""

from __future__ import annotations

import sys
import uuid

import pytest
from test_official_4x import run_script  # the one runner of the 4.x scripts

pytestmark = pytest.mark.timeout(300)

SCRIPT = "official_sdk_analytics4x.py"

# step -> (official outcome, ours, why)
KNOWN_DIFFERENCES: dict[str, tuple[object, object, str]] = {
    "syntax error": (
        {"raised": "CouchbaseException"}, {"raised": "ParsingFailedException"},
        "24000 (syntax error): the official SDK has no class for it; ours raises "
        "ParsingFailedException, a CouchbaseException, so handlers of either catch it"),
    "error context": (
        {"class": "CouchbaseException", "context": "AnalyticsErrorContext",
         "first_error_code": 24000, "statement": "SELEKT 1"},
        {"class": "ParsingFailedException", "context": "AnalyticsErrorContext",
         "first_error_code": 24000, "statement": "SELEKT 1"},
        "the same error as 'syntax error'; the context is the same"),
}

# what an application relies on, whichever SDK runs the script
EXPECTED = {
    "create dataverse again": {"raised": "DataverseAlreadyExistsException"},
    "create dataset again": {"raised": "DatasetAlreadyExistsException"},
    "create dataset in a missing dataverse": {"raised": "DataverseNotFoundException"},
    "dataset bucket and link": [["default", "Local"]],
    "indexes": [["airports", "airports", "Pdv"], ["airports", "by_country", "Pdv"]],
    "create index again": {"raised": "QueryIndexAlreadyExistsException"},
    "pending mutations": {"Pdv.airports": 0},  # flat "dataverse.dataset" keys
    "positional as arguments": ["Charles de Gaulle", "Orly"],
    "named as options": ["San Francisco Intl"],
    "count": [{"$1": 2}],
    "read_only DDL": {"raised": "CouchbaseException"},
    "dataset follows KV writes": ["Charles de Gaulle", "Nice"],
    "scope analytics query": ["Gatwick", "Heathrow"],
    "scope query of a missing dataset": {"raised": "DatasetNotFoundException"},
    "missing dataset": {"raised": "DatasetNotFoundException"},
    "drop missing index": {"raised": "QueryIndexNotFoundException"},
    "drop missing dataset": {"raised": "DatasetNotFoundException"},
    "drop missing dataverse": {"raised": "DataverseNotFoundException"},
    "datasets after drop": [],
}


@pytest.fixture(scope="module")
def runs(official_python, mock_process) -> tuple[list, list]:
    tag = uuid.uuid4().hex[:6]
    theirs = run_script(str(official_python), SCRIPT, mock_process, f"o{tag}-", False)
    ours = run_script(sys.executable, SCRIPT, mock_process, f"p{tag}-", True)
    return theirs, ours


def test_the_official_sdk_queries_and_manages_the_local_analytics_service(runs):
    outcomes = dict(runs[0])
    assert {step: outcomes.get(step) for step in EXPECTED} == EXPECTED
    assert outcomes["metadata"]["status"] == "SUCCESS"
    assert outcomes["metadata"]["client_context_id"] == "ctx-a1"
    assert outcomes["request_plus"][0] == {"name": "Charles de Gaulle", "runways": 3}


def test_ours_answers_as_the_official_sdk_does(runs):
    theirs, ours = runs
    assert [s for s, _ in ours] == [s for s, _ in theirs]
    differ = [(step, mine, official) for (step, mine), (_, official) in zip(ours, theirs)
              if mine != official
              and KNOWN_DIFFERENCES.get(step, (None, None))[:2] != (official, mine)]
    assert not differ, "\n".join(f"{s}: ours {m!r}, official {o!r}" for s, m, o in differ)
    outcomes = dict(theirs)
    assert {step: outcomes[step] for step in KNOWN_DIFFERENCES} == {
        step: official for step, (official, _, _) in KNOWN_DIFFERENCES.items()}
