#!/usr/bin/env bash
# The last line of `make test`: what ran and whether all of it passed.
#   scripts/test-summary.sh NAME:EXIT_STATUS:LOG...
# For each run, the counts of pytest's final summary line in LOG ("7762 passed,
# 20 skipped in 180.01s"), then the verdict:
#   make test: CPython 7762 passed, 20 skipped; PyPy 6001 passed: ALL PASSED
#   make test: CPython 7760 passed, 2 failed; PyPy 6001 passed: FAILED (CPython)
# A run without a summary line (an install error, a crash) shows its exit status
# and counts as failed. Exits 1 if any run failed, else 0.
set -uo pipefail

parts=()
failed=()
for run in "$@"; do
    name=${run%%:*}
    rest=${run#*:}
    status=${rest%%:*}
    log=${rest#*:}
    # pytest -q ends with "N passed, M skipped ... in 1.23s" (with or without ==== around).
    counts=$(grep -aE '[0-9]+ (passed|failed|errors?|skipped|xfailed|xpassed|deselected)\b.* in [0-9.]+s' "$log" 2>/dev/null \
             | tail -n 1 | sed -E 's/^=+ //; s/ in [0-9.]+s.*$//; s/ =+$//')
    parts+=("$name ${counts:-no test summary (exit status $status)}")
    [ "$status" = 0 ] && [ -n "$counts" ] || failed+=("$name")  # nothing ran: not a pass
done

line="make test: $(IFS=';'; echo "${parts[*]}" | sed 's/;/; /g')"
if [ ${#failed[@]} -eq 0 ]; then
    echo "$line: ALL PASSED"
else
    echo "$line: FAILED ($(IFS=,; echo "${failed[*]}" | sed 's/,/, /g'))"
    exit 1
fi
