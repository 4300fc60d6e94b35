"""Every ``$ ...`` line of docs/cli.md runs against a local cluster, in order, in an empty
directory: ``$ cbcp`` lines in-process, each exiting as documented (0, or the
``# exit N`` the line ends with); other ``$`` lines (``echo ... > file``) in the shell.

Three rewrites, all visible here: ``-U`` is added (the page uses the default
connection string, Couchbase's standard ports; the test cluster takes ephemeral
ones); ``unlock KEY CAS`` uses the CAS that the ``lock`` before it printed (the
page shows an example value); ``--duration`` is at most 1 s (CI budget).
"""

from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path
from typing import Any, Iterator

import pytest

from couchbase_mock.mock import MockCluster

DOC = Path(__file__).resolve().parents[2] / "docs" / "cli.md"
EXIT = re.compile(r"#\s*exit\s+(\d+)\s*$")


def _commands() -> list[tuple[int, str]]:
    out = []
    for number, line in enumerate(DOC.read_text().splitlines(), 1):
        if line.startswith("$ "):
            out.append((number, line[2:]))
    return out


@pytest.fixture(scope="module")
def cluster() -> Iterator[MockCluster]:
    with MockCluster(nodes=2, replicas=1, buckets={"default": {}}) as mock:
        yield mock


def test_the_page_has_examples_of_every_command() -> None:
    used = {shlex.split(line)[1] for _, line in _commands() if line.startswith("cbcp ")}
    from couchbase.cli.main import build_parser

    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    assert set(commands) - used == set(), "commands without an example in docs/cli.md"


def test_every_command_line_exits_as_documented(run_cli: Any, cluster: MockCluster,
                                                tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    last_cas = None
    for number, line in _commands():
        if not line.startswith("cbcp "):
            subprocess.run(line, shell=True, check=True, timeout=30)
            continue
        expected = int(m.group(1)) if (m := EXIT.search(line)) else 0
        argv = shlex.split(line, comments=True)[1:]
        if argv[0] == "unlock" and last_cas is not None:
            argv[2] = last_cas
        if "--duration" in argv:
            at = argv.index("--duration") + 1
            argv[at] = str(min(float(argv[at]), 1.0))
        code, out, err = run_cli([*argv, "-U", f"{cluster.connstr}/default"])
        assert code == expected, f"docs/cli.md:{number}: {line}\n{out}{err}"
        if argv[0] == "lock":
            last_cas = re.search(r"CAS=(0x[0-9a-f]+)", out).group(1)  # type: ignore[union-attr]
