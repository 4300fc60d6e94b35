"""Every ```python block of README.md and docs/**/*.md runs, as written, in order.

How (one file at a time):

- The cluster is started the way the file says: the first ``couchbase-mock ...``
  (or ``python -m couchbase_mock ...``) line in one of its ``sh`` blocks, run with
  those arguments (README.md's when the file has none). ``--standard-ports`` and
  ``--port-base N`` are dropped: the test takes ephemeral ports, never Couchbase's
  own (CI machines, parallel workers).
- The one rewrite of snippet text is :func:`to_test_cluster`: the standard
  host:ports the README's cluster listens on (``couchbase://127.0.0.1``,
  ``127.0.0.1:8091``, ``host="localhost"`` with the 1.x default port 8091) become
  the test cluster's. Nothing else in a block is changed.
- The blocks run in a separate Python process (tests/docs/docs_block_runner.py), one
  namespace per file, top-level ``await`` on one asyncio loop; the process must exit
  0 with no traceback on stderr.
- A block preceded by ``<!-- docs-test: skip (reason) -->`` is not run; the reason
  is required and the skips are counted (test_skipped_blocks_give_a_reason).
  ``sh`` blocks are never run, except for the cluster command above.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import pytest

ROOT = Path(__file__).resolve().parents[2]
RUNNER = Path(__file__).resolve().with_name("docs_block_runner.py")
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("**/*.md"))]

FENCE = re.compile(r"^```(\w*)\s*$")
SKIP = re.compile(r"^<!--\s*docs-test:\s*skip\s*(?:\((?P<reason>[^)]*)\))?\s*-->\s*$")
CLUSTER_COMMAND = re.compile(r"^(?:\$\s*)?(?:\S*/)?(?:couchbase-mock|python3? -m couchbase_mock)\b")

# Couchbase Server's ports for node 0's services (nodesExt names), as the snippets use them.
STANDARD = {"mgmt": 8091, "capi": 8092, "n1ql": 8093, "fts": 8094, "kv": 11210,
            "mgmtSSL": 18091, "capiSSL": 18092, "n1qlSSL": 18093, "ftsSSL": 18094,
            "kvSSL": 11207}


@dataclass
class Block:
    language: str
    line: int  # of the opening fence, 1-based
    code: str
    skip: str | None = None  # the reason, when marked skip


@dataclass
class Doc:
    path: Path
    blocks: list[Block] = field(default_factory=list)

    @property
    def name(self) -> str:
        return str(self.path.relative_to(ROOT))

    def python(self) -> list[Block]:
        return [b for b in self.blocks if b.language == "python"]

    def cluster_args(self) -> list[str] | None:
        """The arguments of the file's first cluster command, port placement dropped."""
        for block in self.blocks:
            if block.language not in ("sh", "bash", "console", "shell"):
                continue
            for text in block.code.splitlines():
                if CLUSTER_COMMAND.match(text.strip()):
                    words = shlex.split(text.strip().lstrip("$ "), comments=True)
                    words = words[1:] if words[0].endswith("couchbase-mock") else words[3:]
                    return _without_port_placement(words)
        return None


def _without_port_placement(words: list[str]) -> list[str]:
    out: list[str] = []
    it = iter(words)
    for word in it:
        if word == "--standard-ports":
            continue
        if word == "--port-base":
            next(it, None)
            continue
        if word.startswith("--port-base="):
            continue
        out.append(word)
    return out


def parse(path: Path) -> Doc:
    """The file's fenced blocks, with the skip marker each one carries."""
    doc = Doc(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    i = 0
    previous = ""  # the last non-blank line outside a block
    while i < len(lines):
        opening = FENCE.match(lines[i])
        if opening is None:
            if lines[i].strip():
                previous = lines[i].strip()
            i += 1
            continue
        start = i
        i += 1
        body = []
        while i < len(lines) and lines[i].rstrip() != "```":
            body.append(lines[i])
            i += 1
        marker = SKIP.match(previous)
        skip = None
        if marker is not None:
            skip = (marker.group("reason") or "").strip()
        doc.blocks.append(Block(opening.group(1), start + 1, "\n".join(body) + "\n", skip))
        previous = ""
        i += 1
    return doc


def to_test_cluster(code: str, ports: dict[str, int], kv_hosts: str, tls_hosts: str) -> str:
    """THE rewrite: the README cluster's standard addresses -> the test cluster's.

    - ``couchbase://127.0.0.1`` / ``couchbase://localhost`` (no port) -> every node's
      KV address, as the cluster's ready line prints it (``couchbases://``: TLS ports);
    - ``127.0.0.1:8091`` / ``localhost:8091`` (and 8092-8094, 11210, the TLS ports)
      -> ``127.0.0.1:<node 0's port for that service>``;
    - the 1.x ``host="localhost"`` (default port 8091) or ``host="localhost",
      port=8091`` -> ``host="127.0.0.1", port=<node 0's management port>``.
    """
    by_standard = {STANDARD[name]: port for name, port in ports.items() if name in STANDARD}

    def connstr(match: re.Match[str]) -> str:
        scheme = match.group(1)
        return f"{scheme}://{tls_hosts if scheme == 'couchbases' else kv_hosts}"

    def host_port(match: re.Match[str]) -> str:
        port = int(match.group(2))
        return f"127.0.0.1:{by_standard.get(port, port)}"

    code = re.sub(r"\b(couchbases?)://(?:127\.0\.0\.1|localhost)(?![\w.:-])", connstr, code)
    code = re.sub(r"\b(127\.0\.0\.1|localhost):(\d+)\b", host_port, code)
    return re.sub(r"""host=(["'])(?:localhost|127\.0\.0\.1)\1(?:,\s*port=8091\b)?""",
                  f'host="127.0.0.1", port={ports["mgmt"]}', code)


@dataclass
class DocsCluster:
    proc: subprocess.Popen[str]
    ready: dict
    ports: dict[str, int]

    def hosts(self, key: str) -> str:
        return self.ready.get(key, self.ready["connstr"]).split("://", 1)[1]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _node0_ports(ready: dict) -> dict[str, int]:
    token = base64.b64encode(f"{ready['username']}:{ready['password']}".encode()).decode()
    request = urllib.request.Request(ready["mgmt"] + "/pools/default",
                                     headers={"Authorization": f"Basic {token}"})
    context = None
    if ready["mgmt"].startswith("https"):
        import ssl
        context = ssl.create_default_context(cafile=ready.get("ca"))
    with urllib.request.urlopen(request, timeout=30, context=context) as answer:
        config = json.load(answer)
    return dict(config["nodesExt"][0]["services"])


def start_cluster(args: list[str]) -> DocsCluster:
    proc = subprocess.Popen([sys.executable, "-m", "couchbase_mock", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=_env())
    assert proc.stdout is not None
    line = proc.stdout.readline()  # the ready line, once every port listens
    if not line:
        _, err = proc.communicate(timeout=30)
        raise AssertionError(f"couchbase-mock {' '.join(args)} did not start: {err}")
    ready = json.loads(line)
    return DocsCluster(proc, ready, _node0_ports(ready))


def stop_cluster(cluster: DocsCluster) -> None:
    cluster.proc.send_signal(signal.SIGTERM)
    try:
        cluster.proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        cluster.proc.kill()
        cluster.proc.communicate()


README_ARGS = parse(ROOT / "README.md").cluster_args() or []
RUNNABLE = [doc for doc in map(parse, DOCS) if any(b.skip is None for b in doc.python())]


@pytest.fixture
def cluster(request: pytest.FixtureRequest) -> Iterator[DocsCluster]:
    doc: Doc = request.param
    started = start_cluster(doc.cluster_args() or README_ARGS)
    try:
        yield started
    finally:
        stop_cluster(started)


@pytest.mark.parametrize("cluster, doc", [(d, d) for d in RUNNABLE],
                         ids=[d.name for d in RUNNABLE], indirect=["cluster"])
def test_python_blocks_run_as_written(cluster: DocsCluster, doc: Doc, tmp_path: Path):
    blocks = [{"line": b.line,
               "code": to_test_cluster(b.code, cluster.ports, cluster.hosts("connstr"),
                                       cluster.hosts("tls_connstr"))}
              for b in doc.python() if b.skip is None]
    run = subprocess.run([sys.executable, str(RUNNER)], input=json.dumps(
        {"file": doc.name, "blocks": blocks}), capture_output=True, text=True,
        env=_env(), cwd=tmp_path, timeout=240)
    report = f"--- stdout\n{run.stdout[-4000:]}\n--- stderr\n{run.stderr[-4000:]}"
    assert run.returncode == 0, report
    assert run.stdout.count(": ok\n") == len(blocks), report
    assert "Traceback" not in run.stderr and "Unhandled error" not in run.stderr, report


def test_skipped_blocks_give_a_reason():
    skipped = [(doc.name, b.line, b.skip) for doc in map(parse, DOCS) for b in doc.blocks
               if b.skip is not None]
    assert all(reason for _, _, reason in skipped), skipped
    python = sum(len(doc.python()) for doc in map(parse, DOCS))
    print(f"docs: {python} python blocks, {len(skipped)} marked skip: {skipped}")


def test_readme_starts_its_cluster_and_has_python_blocks():
    readme = parse(ROOT / "README.md")
    assert readme.cluster_args() is not None
    assert len(readme.python()) >= 6


@pytest.mark.parametrize("before, after", [
    ('Bucket("couchbase://127.0.0.1/default")',
     'Bucket("couchbase://127.0.0.1:7,127.0.0.1:9/default")'),
    ('Cluster.connect("couchbase://localhost", o)',
     'Cluster.connect("couchbase://127.0.0.1:7,127.0.0.1:9", o)'),
    ('"couchbases://127.0.0.1?x=1"', '"couchbases://127.0.0.1:5?x=1"'),
    ('"couchbase://127.0.0.1.example.com"', '"couchbase://127.0.0.1.example.com"'),
    ('"http://localhost:8091/pools"', '"http://127.0.0.1:1/pools"'),
    ('"http://127.0.0.1:8093/query/service"', '"http://127.0.0.1:3/query/service"'),
    ('connect(bucket="default", host="localhost", port=8091)',
     'connect(bucket="default", host="127.0.0.1", port=1)'),
    ("Connection(bucket='default', host='localhost')",
     'Connection(bucket=\'default\', host="127.0.0.1", port=1)'),
    ('"couchbase://db.example.com"', '"couchbase://db.example.com"'),
])
def test_the_rewrite_touches_only_standard_addresses(before: str, after: str):
    ports = {"mgmt": 1, "n1ql": 3, "kv": 7, "kvSSL": 5}
    assert to_test_cluster(before, ports, "127.0.0.1:7,127.0.0.1:9", "127.0.0.1:5") == after
