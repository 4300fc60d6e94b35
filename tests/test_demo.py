"""The README's first command runs examples/demo.py: it must print Hello Couchbase's results."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_demo_prints_the_hello_example_results():
    out = subprocess.run([sys.executable, str(ROOT / "examples" / "demo.py")],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[1] == "Juleøl, ABV: 5.9"
    assert re.fullmatch(r"OperationResult<RC=0x0, Key=aass_brewery-juleol, CAS=0x[0-9a-f]+>",
                        lines[2])
