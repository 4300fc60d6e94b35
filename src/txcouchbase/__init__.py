"""Twisted front end of couchbase-pure.

``txcouchbase.bucket.Bucket`` (2.x) and ``txcouchbase.connection.Connection``
(1.x) return Deferreds; ``RawBucket`` and ``TxAsyncConnection`` return
lightweight ``AsyncResult`` handles.

>>> from txcouchbase.bucket import Bucket
>>> cb = Bucket("couchbase://127.0.0.1/default")
>>> cb.get("key").addCallback(print)
"""
