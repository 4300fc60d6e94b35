"""The developer guide's TxAsyncConnection example: operations return AsyncResult
handles (no Deferred); set their ``callback``/``errback`` right after the call.

Run: ``python examples/twisted_txasync.py [HOST [PORT]]``.
"""

from __future__ import annotations

import sys

from twisted.internet import reactor

from couchbase.experimental import enable as enable_experimental
from txcouchbase.connection import TxAsyncConnection as TxAsync

enable_experimental()
HOST = sys.argv[1] if len(sys.argv) > 1 else "localhost"
PORT = int(sys.argv[2]) if len(sys.argv) > 2 else 8091

client = TxAsync(bucket="default", host=HOST, port=PORT)


def on_error(opres, exc_type, exc_value, exc_traceback):
    print("Operation failed:", opres, exc_value)
    reactor.stop()


def on_connected(*args):
    ft_set = client.set("foo", "bar")

    def on_set(rr):
        print("Stored item", rr)

        def on_get(rr2):
            print("Got item", rr2)
            reactor.stop()

        ft_get = client.get("foo")
        ft_get.callback = on_get
        ft_get.errback = on_error

    ft_set.callback = on_set
    ft_set.errback = on_error


def on_connect_error(err):
    print("Got error", err.value)
    reactor.stop()


client.connect().addCallbacks(on_connected, on_connect_error)
reactor.run()
