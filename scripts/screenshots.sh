#!/usr/bin/env bash
# Screenshots of every page the browser tests visit (issue 17: the web console and
# the beer app), at 1280x800 and 400x800.
#
#   scripts/screenshots.sh [DIR] [pytest args...]    (default DIR: build/screenshots)
#
# Installs the browser when missing (scripts/install-browser.sh), empties DIR, runs
# tests/browser with BROWSER_ARTEFACTS=DIR (each screenshot(page, name) call writes
# DIR/<test file>.<test>[viewport]--<name>.png), then lists the PNG files made and
# exits with pytest's status.
set -uo pipefail
cd "$(dirname "$0")/.."

DIR=${1:-build/screenshots}
[ $# -gt 0 ] && shift
PY=.venv/bin/python
[ -x "$PY" ] || PY=python3

scripts/install-browser.sh
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
find "$DIR" -maxdepth 1 -name '*.png' -delete

BROWSER_ARTEFACTS="$DIR" "$PY" -m pytest -q -p no:cacheprovider tests/browser "$@"
status=$?

count=$(find "$DIR" -maxdepth 1 -name '*.png' | wc -l)
echo "screenshots: $count PNG file(s) in $DIR"
find "$DIR" -maxdepth 1 -name '*.png' -printf '%f\n' | sort
exit $status
