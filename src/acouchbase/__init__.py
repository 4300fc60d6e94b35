"""asyncio front end of couchbase-pure: ``acouchbase.bucket.Bucket``, ``acouchbase.cluster``.

>>> from acouchbase.bucket import Bucket
>>> cb = Bucket("couchbase://127.0.0.1/default")
>>> await cb.connect()
>>> result = await cb.get("key")
"""
