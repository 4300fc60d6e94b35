"""The sans-IO protocol core shared by the client and :mod:`couchbase_mock`.

Nothing in this package touches a socket, a thread, an event loop or a clock:
it turns bytes into events and requests into bytes. I/O drivers own the rest.
"""
