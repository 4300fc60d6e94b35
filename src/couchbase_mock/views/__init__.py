"""Views in the local cluster: design documents, JavaScript map/reduce
indexes and the ``capi`` HTTP service that answers view queries.

Modules: :mod:`.collation` (key order), :mod:`.jsengine` (V8 through
mini-racer, the ``views`` extra, run in a child process: :mod:`.jsworker`,
with time and memory limits), :mod:`.ddocs` (design documents),
:mod:`.index` (incremental per-design-document index), :mod:`.reduce`,
:mod:`.query` (parameters and row selection), :mod:`.service` (routes and
the HTTP protocol).
"""
