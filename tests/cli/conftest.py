"""Running ``cbcp`` in-process: ``cbcp(*argv)`` gives ``(exit code, stdout, stderr)``."""

from __future__ import annotations

from typing import Any, Callable

import pytest

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> Run:
    """``run_cli(argv)``: ``main(argv)``'s exit code and what it printed."""
    from couchbase.cli.main import main

    def run(argv: list[str]) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main(argv)
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def cbcp(run_cli: Run, mock_cluster: Any) -> Run:
    """``cbcp("cat", "key", ...)`` against the session cluster's ``default`` bucket (the
    common options go after the command, as with cbc)."""

    def run(command: str, *rest: str) -> tuple[int, str, str]:
        words = command.split()
        return run_cli([*words, "-U", f"{mock_cluster.connstr}/default", *rest])

    return run
