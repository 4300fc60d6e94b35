"""The user guide builds with Sphinx, warnings as errors (as ``make docs`` does).

One build per session, in a subprocess: ``sphinx-build -W --keep-going -b html``
over docs/ (MyST Markdown pages, autodoc API reference). The build must exit 0
and print no warning, and the pages a reader starts from must be in the output:
the index, the API pages of ``Bucket`` and ``Cluster`` (with their methods), and
every chapter of the guide.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Tuple

import pytest

pytest.importorskip("sphinx", reason="the docs extra (pip install -e '.[docs]')")
pytest.importorskip("myst_parser", reason="the docs extra (pip install -e '.[docs]')")

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
CHAPTERS = ["getting-started", "key-value", "multi", "views", "n1ql", "async",
            "local-cluster", "migrating-2x", "migrating-4x", "performance"]
Built = Tuple[Path, "subprocess.CompletedProcess[str]", float]  # output dir, the run, seconds
BUDGET_S = 120  # measured ~10 s on a quiet 2-CPU VM; generous for a shared one


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    out = tmp_path_factory.mktemp("html")
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    started = time.monotonic()
    run = subprocess.run([sys.executable, "-m", "sphinx", "-W", "--keep-going", "-b", "html",
                          "-q", str(DOCS), str(out)], capture_output=True, text=True,
                         env=env, timeout=BUDGET_S * 2)
    return out, run, time.monotonic() - started


def test_builds_without_warnings(built):
    _, run, elapsed = built
    report = f"--- stdout\n{run.stdout[-4000:]}\n--- stderr\n{run.stderr[-6000:]}"
    assert run.returncode == 0, report
    assert "WARNING" not in run.stderr and "ERROR" not in run.stderr, report
    assert elapsed < BUDGET_S, f"the docs build took {elapsed:.1f} s"


def test_index_and_every_chapter_are_built(built):
    out, _, _ = built
    index = (out / "index.html").read_text(encoding="utf-8")
    for chapter in CHAPTERS:
        assert (out / "guide" / f"{chapter}.html").is_file(), chapter
        assert f'href="guide/{chapter}.html"' in index, chapter  # in the table of contents


def test_existing_pages_are_included(built):
    out, _, _ = built
    for page in sorted(DOCS.glob("*.md")):
        assert (out / f"{page.stem}.html").is_file(), page.name


@pytest.mark.parametrize("page, anchors", [
    ("api/bucket.html", ["couchbase.bucket.Bucket", "couchbase.bucket.Bucket.upsert",
                         "couchbase.bucket.Bucket.get_multi"]),
    ("api/cluster.html", ["couchbase.cluster.Cluster", "couchbase.cluster.Cluster.connect",
                          "couchbase.collection.Collection.get"]),
    ("api/mock.html", ["couchbase_mock.mock.MockCluster",
                       "couchbase_mock.mock.MockCluster.failover"]),
])
def test_api_reference_comes_from_the_docstrings(built, page: str, anchors: list[str]):
    out, _, _ = built
    html = (out / page).read_text(encoding="utf-8")
    for anchor in anchors:
        assert f'id="{anchor}"' in html, anchor


def test_a_warning_fails_the_build(tmp_path: Path):
    """-W is what keeps the guide honest: a page with a broken link does not build."""
    (tmp_path / "conf.py").write_text((DOCS / "conf.py").read_text(encoding="utf-8"))
    (tmp_path / "index.md").write_text("# Broken\n\nSee [the missing chapter](missing.md).\n")
    run = subprocess.run([sys.executable, "-m", "sphinx", "-W", "--keep-going", "-b", "html",
                          "-q", str(tmp_path), str(tmp_path / "out")], capture_output=True,
                         text=True, timeout=BUDGET_S)
    assert run.returncode != 0
    assert "missing.md" in run.stderr and "WARNING" in run.stderr, run.stderr
