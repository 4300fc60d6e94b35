"""The official SDK follows a failover and a rebalance driven by the control API."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path


def test_official_sdk_reads_everything_through_failover_and_rebalance(official_python,
                                                                       mock_process):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    out = subprocess.run(
        [str(official_python), str(Path(__file__).with_name("official_sdk_failover.py")),
         mock_process["connstr"], mock_process["username"], mock_process["password"],
         mock_process["mgmt"]],
        capture_output=True, text=True, timeout=180, env=env,
    )
    assert out.returncode == 0 and "ALL OK" in out.stdout, out.stdout + out.stderr[-3000:]
