"""Support for callback-driven front ends (the guide's ``couchbase.async``, renamed:
``async`` is a reserved word since Python 3.7)."""
