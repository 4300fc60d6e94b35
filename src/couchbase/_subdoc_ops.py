"""``lookup_in``, ``mutate_in`` and ``retrieve_in``: sub-document operations, written
once for every front end (mixed into :class:`~couchbase._kvapi.KeyValueAPI`).

Arguments become an :class:`~couchbase._operation.Operation` whose request a
:class:`~couchbase._core.subdoc.SubdocCommand` makes and whose response
:mod:`couchbase._subdoc_result` reads; a front end runs it like any other.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

from . import _kv
from . import subdocument as SD
from ._core.document import MAX_VALUE_SIZE
from ._core.subdoc import DocFlag, SubdocCommand
from ._operation import Operation
from ._subdoc_result import lookup_result, mutation_result
from .exceptions import ArgumentError, TooBigError


def _flat(specs: Sequence[Any]) -> Sequence[Any]:
    """``f(key, s1, s2)`` as 2.x wrote it, or ``f(key, [s1, s2])`` as 3.x does."""
    if len(specs) == 1 and isinstance(specs[0], (list, tuple)) \
            and not isinstance(specs[0], SD.Spec):
        return tuple(specs[0])
    return specs


def _doc_flags(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 0xFF:
        raise ArgumentError(f"_sd_doc_flags must be a byte of flags, not {value!r}")
    return value


class SubdocOperations:
    """The sub-document methods of a bucket or collection."""

    # the owner's hooks (see couchbase._kvapi.KeyValueAPI)
    _run: Callable[[Operation], Any]
    _op: Callable[..., Operation]
    _mutate: Callable[..., Any]  # (op, persist_to, replicate_to)

    def lookup_in(self, key: Any, *specs: Any, _sd_doc_flags: int = 0) -> Any:
        """Read several paths of one document atomically: a
        :class:`~couchbase._subdoc_result.SubdocResult`::

            rv = cb.lookup_in('user', SD.get('email'), SD.get('name'),
                              SD.exists('friends.therock'))
            email, name = rv[0], rv['name']
            friend_exists = rv.exists(2)

        A missing path does not raise here: ``rv.exists(i)`` is False and
        ``rv[i]`` raises :exc:`~couchbase.exceptions.SubdocPathNotFoundError`.
        A missing document raises :exc:`~couchbase.exceptions.NotFoundError`.
        """
        return self._run(self._lookup_op(key, _flat(specs), _doc_flags(_sd_doc_flags)))

    def retrieve_in(self, key: Any, *paths: str) -> Any:
        """:meth:`lookup_in` of :func:`~couchbase.subdocument.get` on each path:
        ``email, name = cb.retrieve_in('user', 'email', 'name')``."""
        return self.lookup_in(key, *(SD.get(path) for path in paths))

    def _lookup_op(self, key: Any, specs: Sequence[Any], doc_flags: int = 0) -> Operation:
        ekey = _kv.encode_key(key)
        command = SubdocCommand(SD.path_specs(specs, lookup=True), lookup=True)
        return self._op(key, command.request(ekey, doc_flags=doc_flags), lookup_result,
                        command, [spec[1] for spec in specs])

    def mutate_in(self, key: Any, *specs: Any, cas: int = 0, ttl: int = 0,
                  persist_to: int = 0, replicate_to: int = 0, create_doc: bool = False,
                  upsert_doc: bool = False, insert_doc: bool = False,
                  _sd_doc_flags: int = 0) -> Any:
        """Change several paths of one document atomically: all the changes are
        made, or none. Returns a :class:`~couchbase._subdoc_result.SubdocResult`
        (with the new value of each :func:`~couchbase.subdocument.counter`)::

            cb.mutate_in('user', SD.array_addunique('tags', 'dog'), SD.counter('updates', 1))

        ``upsert_doc`` (or its older name ``create_doc``) creates the document
        if it does not exist; ``insert_doc`` creates it and fails with
        :exc:`~couchbase.exceptions.KeyExistsError` if it exists. ``cas``,
        ``ttl``, ``persist_to`` and ``replicate_to`` are as for
        :meth:`upsert`. A failed path raises its error
        (:exc:`~couchbase.exceptions.SubdocPathExistsError`...), and the
        document is left unchanged.
        """
        op = self._mutate_op(key, _flat(specs), cas, ttl, upsert_doc or create_doc, insert_doc,
                             _doc_flags(_sd_doc_flags))
        return self._mutate(op, persist_to, replicate_to)

    def _mutate_op(self, key: Any, specs: Sequence[Any], cas: Any = 0, ttl: Any = 0,
                   upsert_doc: bool = False, insert_doc: bool = False,
                   doc_flags: int = 0) -> Operation:
        ekey = _kv.encode_key(key)
        if upsert_doc and insert_doc:
            raise ArgumentError("upsert_doc (create_doc) and insert_doc exclude each other",
                                key=key)
        if insert_doc and cas:
            raise ArgumentError("insert_doc creates the document: it has no CAS to compare",
                                key=key)
        doc_flags |= (DocFlag.MKDOC if upsert_doc else 0) | (DocFlag.ADD if insert_doc else 0)
        command = SubdocCommand(SD.path_specs(specs, lookup=False), lookup=False)
        req = command.request(ekey, _kv.check_cas(cas, key), _kv.check_ttl(ttl, key), doc_flags)
        if len(req.value) > MAX_VALUE_SIZE:
            raise TooBigError(f"the specs are {len(req.value)} bytes once encoded; the server "
                              f"takes at most {MAX_VALUE_SIZE}", key=key)
        return self._op(key, req, mutation_result, command, [spec[1] for spec in specs])


__all__ = ["SubdocOperations"]
