"""The developer guide's gevent example: the sync API, cooperative under gevent.

``python examples/gevent_hello.py --host HOST --port 8091`` (the management
port; ``python -m couchbase_mock`` prints a local cluster's as "mgmt").
"""

from __future__ import annotations

import argparse

import gevent

from couchbase import experimental  # noqa: F401 - the guide imports it; no longer needed
from gcouchbase.connection import GConnection


def main(host: str = "localhost", port: int = 8091) -> None:
    cb = GConnection(bucket='default', host=host, port=port)
    cb.set("foo", "bar")
    print("foo =", cb.get("foo").value)

    # Each call blocks only its own greenlet: these ten share the one connection.
    cb.set("gevent-hello-counter", 0)

    def count() -> None:
        for _ in range(10):
            cb.incr("gevent-hello-counter")

    gevent.joinall([gevent.spawn(count) for _ in range(10)], raise_error=True)
    print("counter =", cb.get("gevent-hello-counter").value)
    cb.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="localhost")
    parser.add_argument("--port", type=int, default=8091)
    args = parser.parse_args()
    main(args.host, args.port)
