"""The developer guide's Twisted operations example: each operation returns a Deferred
firing with the same Result the synchronous API returns.

Run: ``python examples/twisted_set_get.py [HOST [PORT]]``.
"""

from __future__ import annotations

import sys

from twisted.internet import defer, reactor

from couchbase.experimental import enable as enable_experimental
from txcouchbase.connection import Connection as TxCouchbase

enable_experimental()
HOST = sys.argv[1] if len(sys.argv) > 1 else "localhost"
PORT = int(sys.argv[2]) if len(sys.argv) > 2 else 8091

client = TxCouchbase(bucket="default", host=HOST, port=PORT)


def on_get(result):
    print("Got result", result)


def on_set(result):
    print("Set item", result)


def on_error(err):
    print("Error:", err.value)


# operations on one key run in order, so the get sees the set
d_set = client.set("foo", "bar").addCallback(on_set)
d_get = client.get("foo").addCallback(on_get)
defer.DeferredList([d_set.addErrback(on_error), d_get.addErrback(on_error)]).addBoth(
    lambda _: reactor.stop())
reactor.run()
