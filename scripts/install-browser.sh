#!/usr/bin/env bash
# Installs the browser of the browser tests (tests/browser; part of `make test`).
#
#   scripts/install-browser.sh
#
# - does nothing when /usr/bin/chromium is there (Playwright drives that system
#   browser: no `playwright install`, whose browser download this network refuses);
# - otherwise, as root, installs Debian's chromium with apt-get, quietly, and says
#   how long it took;
# - when it cannot (not root, no apt-get, apt-get failed) it says why and what to
#   install, and exits 0 all the same: the browser tests then skip with that reason.
# Always exits 0: a missing browser is a skip, not a failure of `make test`.
set -uo pipefail

BROWSER=/usr/bin/chromium

say() { echo "[browser] $*" >&2; }

if [ -x "$BROWSER" ]; then
    exit 0
fi
if [ "$(id -u)" != 0 ]; then
    say "$BROWSER not found and not root: the browser tests will skip" \
        "(install it: apt-get install chromium)"
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    say "$BROWSER not found and no apt-get: the browser tests will skip" \
        "(install Chromium at $BROWSER)"
    exit 0
fi

say "$BROWSER not found: installing Debian's chromium"
start=$(date +%s)
log=$(mktemp)
if ! { DEBIAN_FRONTEND=noninteractive apt-get update -qq \
       && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
              --no-install-recommends -o Dpkg::Use-Pty=0 chromium; } >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    rm -f "$log"
    say "apt-get could not install chromium: the browser tests will skip"
    exit 0
fi
rm -f "$log"
if [ -x "$BROWSER" ]; then
    say "installed $("$BROWSER" --version 2>/dev/null || echo chromium) in $(( $(date +%s) - start )) s"
else
    say "chromium installed but $BROWSER is missing: the browser tests will skip"
fi
exit 0
