"""Check helpers for the scripts that run under the OFFICIAL SDK (no project imports)."""

import sys


def check(name, ok):
    print(f"{'ok' if ok else 'FAIL'} {name}", flush=True)
    if not ok:
        sys.exit(1)


def expect(name, exc_type, fn):
    try:
        fn()
    except exc_type:
        check(name, True)
        return
    except Exception as exc:  # noqa: BLE001 - report what came instead
        print(f"FAIL {name}: got {type(exc).__name__}: {exc}", flush=True)
        sys.exit(1)
    check(name + " (no exception raised)", False)
