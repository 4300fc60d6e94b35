"""The developer guide's Twisted connection example: ``connect()`` returns a Deferred.

Run: ``python examples/twisted_connect.py [HOST [PORT]]`` (PORT: the management
port, 8091 on a real server).
"""

from __future__ import annotations

import sys

from twisted.internet import reactor

from couchbase.experimental import enable as enable_experimental
from txcouchbase.connection import Connection as TxCouchbase

enable_experimental()
HOST = sys.argv[1] if len(sys.argv) > 1 else "localhost"
PORT = int(sys.argv[2]) if len(sys.argv) > 2 else 8091


class Thing:
    def __init__(self) -> None:
        self.client = TxCouchbase(bucket="default", host=HOST, port=PORT)
        d = self.client.connect()
        d.addCallbacks(self.on_connect_success, self.on_connect_error)
        d.addBoth(lambda _: reactor.stop())

    def on_connect_error(self, err):
        print("Got error", err)
        # Handle it, it's a normal Failure object
        self.client._close()

    def on_connect_success(self, _client):
        print("Couchbase Connected!")


thing = Thing()
reactor.run()
