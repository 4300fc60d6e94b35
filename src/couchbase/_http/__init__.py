"""HTTP requests of the API layer (views, design documents) as flows.

A flow (:mod:`.flows`) is a generator yielding the commands of
:mod:`couchbase._core.commands`; the drivers of :mod:`couchbase._waiting`
answer them, the front end's way. The bytes are parsed by the sans-IO
:mod:`couchbase._core.http` and :mod:`couchbase._core.http_rows`, whatever
the driver.
"""
