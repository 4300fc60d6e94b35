"""The 4.x ``acouchbase.management`` modules: the managers of :mod:`couchbase.management`,
whose methods return awaitables when their cluster or bucket is an asyncio one (they run
through its front end's driver)."""
