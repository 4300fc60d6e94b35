"""The 4.x ``txcouchbase.management`` modules: the managers of :mod:`couchbase.management`,
whose methods return Deferreds when their cluster or bucket is a Twisted one (they run
through its front end's driver)."""
