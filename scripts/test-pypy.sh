#!/usr/bin/env bash
# Runs the client suites and the local cluster's N1QL engine suite under PyPy 3
# (part of `make test`).
#
#   scripts/test-pypy.sh [pytest args...]     (default: those suites)
#
# - installs Debian's pypy3 (+ pypy3-venv for ensurepip) when `pypy3` is not on
#   PATH: as root with apt-get, quietly; otherwise it says what to install;
# - keeps a PyPy virtualenv in .venv-pypy with the project (editable) and the
#   test extra, less gevent (no PyPy wheel on PyPI: a C build that needs
#   pypy3-dev and minutes; the key-value suites don't import it); reinstalls
#   only when pyproject.toml or pypy3 changes;
# - runs pytest under it and exits with pytest's status.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.venv-pypy
PY=$VENV/bin/python
STAMP=$VENV/.installed
# Test-extra packages that don't install from wheels under PyPy (Twisted does;
# mini-racer's wheel needs Python 3.10, newer than Debian's PyPy), and the docs
# build's (tests/docs runs on CPython only: no need to install Sphinx twice).
SKIP_RE='^(gevent|greenlet|mini-racer|sphinx|myst-parser)$'

say() { echo "[pypy] $*" >&2; }

install_pypy() {
    if [ "$(id -u)" != 0 ]; then
        say "pypy3 not found; install it (Debian: apt-get install pypy3 pypy3-venv)"
        return 1
    fi
    say "pypy3 not found: installing Debian's pypy3 and pypy3-venv"
    local log
    log=$(mktemp)
    if ! { DEBIAN_FRONTEND=noninteractive apt-get update -qq \
           && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
                  --no-install-recommends -o Dpkg::Use-Pty=0 pypy3 pypy3-venv; } \
           >"$log" 2>&1; then
        tail -n 30 "$log" >&2
        rm -f "$log"
        say "apt-get could not install pypy3"
        return 1
    fi
    rm -f "$log"
}

command -v pypy3 >/dev/null 2>&1 || install_pypy

# The test extra, as pip requirements, without the packages in SKIP_RE. Read with
# pypy3 itself (Python 3.9: no tomllib), so a line-based read of the one table.
test_requirements() {
    pypy3 - "$SKIP_RE" <<'EOF'
import re, sys
text = open("pyproject.toml", encoding="utf-8").read()
m = re.search(r"^\[project\.optional-dependencies\]\s*$(.*?)(?=^\[|\Z)", text, re.M | re.S)
block = m.group(1) if m else ""
t = re.search(r"^test\s*=\s*\[(.*?)\]\s*$", block, re.M | re.S)  # a ] ending a line: not Twisted[tls]
reqs = re.findall(r"\"([^\"]+)\"|'([^']+)'", t.group(1)) if t else []
skip = re.compile(sys.argv[1], re.I)
for pair in reqs:
    req = (pair[0] or pair[1]).strip()
    name = re.split(r"[\s\[<>=!~;]", req, maxsplit=1)[0]
    if not skip.match(name):
        print(req)
EOF
}

if ! "$PY" -c pass >/dev/null 2>&1; then  # missing, or its pypy3 was replaced
    say "creating $VENV"
    rm -rf "$VENV"
    pypy3 -m venv "$VENV"
fi

mapfile -t reqs < <(test_requirements)
# Without a test extra in pyproject.toml, the least the suites need.
[ ${#reqs[@]} -gt 0 ] || reqs=(pytest hypothesis pytest-timeout)
want="$(sha256sum pyproject.toml | cut -d' ' -f1) $(pypy3 -VV 2>&1 | tr '\n' ' ') ${reqs[*]}"
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$want" ]; then
    say "installing the project and ${reqs[*]} into $VENV"
    rm -f "$STAMP"
    "$PY" -m pip install -q --disable-pip-version-check --upgrade pip
    # --prefer-binary: a package whose newest release has no PyPy wheel installs its
    # newest release that has one, instead of a source build; cryptography never
    # builds from source here (Rust, crates.io unreachable), so what needs it
    # (pyOpenSSL of Twisted[tls], trustme) resolves to releases its wheels satisfy
    "$PY" -m pip install -q --disable-pip-version-check --prefer-binary \
        --only-binary cryptography -e . "${reqs[@]}"
    printf '%s' "$want" >"$STAMP"
fi

if [ $# -eq 0 ]; then
    set -- tests/client tests/guide tests/core tests/mock/n1ql
    [ -d tests/frontends ] && set -- "$@" tests/frontends
fi
say "$("$PY" -c 'import sys; print(sys.version.replace(chr(10), " "))')"
say "pytest $*"
# two workers (pytest-xdist), a test file each: as the CPython run in the Makefile
exec "$PY" -m pytest -q -p no:cacheprovider -n 2 --dist loadfile "$@"
