"""The developer guide's Twisted error example: failures reach ``addErrback`` as a
Failure wrapping the documented exception (here NotFoundError).

Run: ``python examples/twisted_errback.py [HOST [PORT]]``.
"""

from __future__ import annotations

import sys

from twisted.internet import reactor

from couchbase.exceptions import NotFoundError
from couchbase.experimental import enable as enable_experimental
from txcouchbase.connection import Connection as TxCouchbase

enable_experimental()
HOST = sys.argv[1] if len(sys.argv) > 1 else "localhost"
PORT = int(sys.argv[2]) if len(sys.argv) > 2 else 8091


def on_get_miss(err, key):
    err.trap(NotFoundError)
    print("Couldn't fetch", key)


client = TxCouchbase(bucket="default", host=HOST, port=PORT)
client.delete("foo", quiet=True)
d = client.get("foo").addErrback(on_get_miss, "foo")
d.addErrback(lambda err: print("Unexpected error:", err.value))
d.addBoth(lambda _: reactor.stop())
reactor.run()
