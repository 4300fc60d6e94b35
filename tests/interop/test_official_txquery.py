"""``ctx.query`` of the OFFICIAL SDK 4.x against the local cluster, and ours running
the same script (issue 16): KV and query steps in one transaction, through the
query service's BEGIN WORK with the attempt's txdata, ``EXECUTE __get/__insert/
__update``, COMMIT and ROLLBACK (couchbase_mock/n1ql/tx_staging.py)."""

from __future__ import annotations

import sys
import uuid

import pytest
from test_official_4x import run_script  # the one runner of the 4.x scripts

pytestmark = pytest.mark.timeout(240)

SCRIPT = "official_sdk_txquery4x.py"

EXPECTED = [
    ["mixed transaction", True],
    ["seen during", {"query sees kv insert": [1], "kv get sees query insert": {"v": 2},
                     "staged, invisible": [None, None, True]}],
    ["committed", [{"v": 1}, {"v": 3}, False, False]],
    ["lambda raises after a query", {"raised": "TransactionFailed"}],
    ["rolled back", [{"v": 10}, None, False, False]],
    ["duplicate key", {"raised": "TransactionFailed"}],
    ["after duplicate", {"v": 10}],
]


def test_official_sdk_mixes_kv_and_query_steps(official_python, mock_process):
    steps = run_script(str(official_python), SCRIPT, mock_process,
                       f"o{uuid.uuid4().hex[:6]}-", False)
    assert steps == EXPECTED


def test_ours_runs_the_same_script_alike(mock_process):
    steps = run_script(sys.executable, SCRIPT, mock_process, f"p{uuid.uuid4().hex[:6]}-", True)
    assert steps == EXPECTED
