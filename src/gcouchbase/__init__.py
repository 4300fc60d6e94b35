"""gevent front end of couchbase-pure: the synchronous API, cooperative.

>>> from gcouchbase.connection import GConnection   # 1.x
>>> from gcouchbase.bucket import Bucket            # 2.x
>>> cb = GConnection(bucket="default")
>>> cb.set("foo", "bar")

Every call blocks only the calling greenlet; no monkey-patching is needed.
"""
