"""Runs one markdown file's ``python`` blocks in order, as a reader pasting them
into one interpreter would: one namespace for the whole file, and blocks with a
top-level ``await`` run on one asyncio loop kept for the file (so objects made by
one block work in the next).

Input (stdin, JSON): ``{"file": "README.md", "blocks": [{"line": 12, "code": "..."}]}``.
Prints ``block at README.md:12: ok`` per block; on the first failure prints the
traceback and exits 1. Run by tests/docs/test_docs_run.py in its own process, so
gevent, a Twisted reactor or a snippet's globals cannot leak into the test run.
"""

from __future__ import annotations

import ast
import asyncio
import inspect
import json
import sys
import traceback


def run(document: dict) -> int:
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    namespace: dict = {"__name__": "__main__"}
    for block in document["blocks"]:
        where = f"{document['file']}:{block['line']}"
        try:
            code = compile(block["code"], where, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
            if code.co_flags & inspect.CO_COROUTINE:
                loop.run_until_complete(eval(code, namespace))
            else:
                exec(code, namespace)
        except BaseException:  # noqa: BLE001 - a snippet's failure, whatever it is
            print(f"block at {where}: FAILED", flush=True)
            traceback.print_exc()
            return 1
        print(f"block at {where}: ok", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(run(json.load(sys.stdin)))
