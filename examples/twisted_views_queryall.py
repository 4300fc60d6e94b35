"""The developer guide's Twisted ``queryAll`` example: one Deferred firing with every row.

Needs the beer-sample bucket with the ``beer`` design document's ``brewery_beers`` view.
Run: ``python examples/twisted_views_queryall.py [HOST [PORT]]``.
"""

from __future__ import annotations

import sys

from twisted.internet import reactor

from couchbase.experimental import enable as enable_experimental
from txcouchbase.connection import Connection as TxCouchbase

enable_experimental()
HOST = sys.argv[1] if len(sys.argv) > 1 else "localhost"
PORT = int(sys.argv[2]) if len(sys.argv) > 2 else 8091


def on_view_rows(rows):
    for row in rows:
        print(row)


def on_error(err):
    print("Got error while querying view", err.value)


client = TxCouchbase(bucket="beer-sample", host=HOST, port=PORT)
d = client.queryAll("beer", "brewery_beers", limit=5)
d.addCallback(on_view_rows)
d.addErrback(on_error)
d.addBoth(lambda _: reactor.stop())
reactor.run()
