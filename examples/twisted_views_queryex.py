"""The developer guide's Twisted ``queryEx`` example: rows streamed into a row handler
as they arrive (``couchbase.asynchronous.view`` is the guide's ``couchbase.async.view``;
``async`` is a reserved word since Python 3.7).

Needs the beer-sample bucket with the ``beer`` design document's ``brewery_beers`` view.
Run: ``python examples/twisted_views_queryex.py [HOST [PORT]]``.
"""

from __future__ import annotations

import sys

from twisted.internet import reactor

from couchbase.asynchronous.view import AsyncViewBase
from couchbase.experimental import enable as enable_experimental
from txcouchbase.connection import Connection as TxCouchbase

enable_experimental()
HOST = sys.argv[1] if len(sys.argv) > 1 else "localhost"
PORT = int(sys.argv[2]) if len(sys.argv) > 2 else 8091


class MyRowHandler(AsyncViewBase):
    def __init__(self, *args, **kwargs):
        self.__times_called = 0
        self.__received_rows = 0
        super().__init__(*args, **kwargs)

    def on_rows(self, rows):
        self.__times_called += 1
        self.__received_rows += len([r for r in rows])

    def on_error(self, ex):
        # ex is an Exception, *not* a Failure
        print("Got error while querying view", ex)
        reactor.stop()

    def on_done(self):
        print("Callback invoked {0} times. Total of {1} rows received"  # noqa: UP030, UP032
              .format(self.__times_called, self.__received_rows))
        print("Indexed Rows: ", self.indexed_rows)
        reactor.stop()


client = TxCouchbase(bucket="beer-sample", host=HOST, port=PORT)
client.queryEx(MyRowHandler, "beer", "brewery_beers")
reactor.run()
