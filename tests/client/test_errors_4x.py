"""couchbase.exceptions (4.x): every class the 4.x reference lists is importable,
derives from CouchbaseException and from the 2.x class of the same meaning, carries
its error context, and one table picks the class for a server status."""

from __future__ import annotations

import pytest

import couchbase.exceptions as E
from couchbase._core.opcode import Opcode
from couchbase._core.status import Status
from couchbase._errors4x import kv_class, to_4x

NAMES_4X = """AmbiguousTimeoutException AuthenticationException BucketAlreadyExistsException
BucketDoesNotExistException BucketNotFlushableException BucketNotFoundException
CasMismatchException CollectionAlreadyExistsException CollectionNotFoundException
CouchbaseException DeltaInvalidException DesignDocumentNotFoundException
DocumentExistsException DocumentLockedException DocumentNotFoundException
DocumentNotJsonException DocumentNotLockedException DocumentUnretrievableException
DurabilityImpossibleException DurabilityInvalidLevelException
DurabilitySyncWriteAmbiguousException DurabilitySyncWriteInProgressException
FeatureUnavailableException HTTPException InternalSDKException
InternalServerFailureException InvalidArgumentException InvalidValueException
KeyspaceNotFoundException NumberTooBigException ParsingFailedException PathExistsException
PathInvalidException PathMismatchException PathNotFoundException PathTooBigException
PathTooDeepException QueryIndexAlreadyExistsException QueryIndexNotFoundException
RequestCanceledException ScopeAlreadyExistsException ScopeNotFoundException
SearchIndexNotFoundException ServiceUnavailableException TemporaryFailException
TimeoutException UnAmbiguousTimeoutException UnsupportedOperation UserNotFoundException
ValueFormatException ValueTooDeepException""".split()

BOTH = [
    ("DocumentNotFoundException", "NotFoundError"),
    ("DocumentExistsException", "KeyExistsError"),
    ("CasMismatchException", "KeyExistsError"),
    ("AmbiguousTimeoutException", "TimeoutError"),
    ("UnAmbiguousTimeoutException", "TimeoutError"),
    ("DocumentLockedException", "TemporaryFailError"),
    ("TemporaryFailException", "TemporaryFailError"),
    ("PathNotFoundException", "SubdocPathNotFoundError"),
    ("PathExistsException", "SubdocPathExistsError"),
    ("InvalidArgumentException", "ArgumentError"),
    ("AuthenticationException", "AuthError"),
    ("BucketNotFoundException", "BucketNotFoundError"),
    ("CollectionNotFoundException", "CollectionNotFoundError"),
    ("ParsingFailedException", "N1QLSyntaxError"),
    ("QueryIndexNotFoundException", "N1QLIndexNotFoundError"),
    ("DurabilityImpossibleException", "DurabilityError"),
    ("ValueFormatException", "ValueFormatError"),
]


@pytest.mark.parametrize("name", NAMES_4X)
def test_every_class_is_a_couchbase_exception(name: str) -> None:
    cls = getattr(E, name)
    assert issubclass(cls, E.CouchbaseException) and issubclass(cls, E.CouchbaseError)


@pytest.mark.parametrize("new,old", BOTH)
def test_catchable_as_both_generations(new: str, old: str) -> None:
    with pytest.raises(getattr(E, old)):
        raise getattr(E, new)(message="boom")


def test_exception_fields() -> None:
    ctx = E.KeyValueErrorContext(key="k", bucket_name="b", scope_name="s",
                                 collection_name="c", status_code=1)
    exc = E.DocumentNotFoundException(message="document_not_found", context=ctx)
    assert exc.message == "document_not_found" and exc.error_code == 101
    assert exc.context.key == "k" and exc.context.collection_name == "c"
    assert exc.context.retry_attempts == 0
    assert "DocumentNotFoundException" in repr(exc) and "KeyValueErrorContext" in str(exc)
    assert isinstance(E.CouchbaseException().context, E.ErrorContext)
    assert issubclass(E.QueryErrorContext, E.HTTPErrorContext)
    assert issubclass(E.SubdocumentErrorContext, E.KeyValueErrorContext)


@pytest.mark.parametrize("status,opcode,cas,cls", [
    (Status.KEY_ENOENT, Opcode.GET, False, "DocumentNotFoundException"),
    (Status.KEY_EEXISTS, Opcode.ADD, False, "DocumentExistsException"),
    (Status.KEY_EEXISTS, Opcode.REPLACE, True, "CasMismatchException"),
    (Status.NOT_STORED, Opcode.APPEND, False, "DocumentNotFoundException"),
    (Status.LOCKED, Opcode.SET, False, "DocumentLockedException"),
    (Status.NOT_LOCKED, Opcode.UNLOCK_KEY, True, "DocumentNotLockedException"),
    (Status.ETMPFAIL, Opcode.SET, False, "TemporaryFailException"),
    (Status.DURABILITY_IMPOSSIBLE, Opcode.SET, False, "DurabilityImpossibleException"),
    (Status.SYNC_WRITE_IN_PROGRESS, Opcode.SET, False,
     "DurabilitySyncWriteInProgressException"),
    (Status.SUBDOC_PATH_ENOENT, 0, False, "PathNotFoundException"),
    (Status.SUBDOC_VALUE_CANTINSERT, 0, False, "InvalidValueException"),
    (Status.UNKNOWN_COLLECTION, 0, False, "CollectionNotFoundException"),
    (0x7F, 0, False, "CouchbaseException"),
])
def test_status_table(status: int, opcode: int, cas: bool, cls: str) -> None:
    assert kv_class(status, opcode, cas) is getattr(E, cls)


def test_2x_errors_become_4x() -> None:
    read = to_4x(E.TimeoutError("slow"), idempotent=True)
    write = to_4x(E.TimeoutError("slow"), idempotent=False)
    assert type(read) is E.UnAmbiguousTimeoutException
    assert type(write) is E.AmbiguousTimeoutException
    assert isinstance(to_4x(E.NetworkError("gone")), E.RequestCanceledException)
    closed = to_4x(E.ObjectDestroyedError("closed"))
    assert isinstance(closed, E.ObjectDestroyedError)
    already = E.DocumentNotFoundException()
    assert to_4x(already) is already
    plain = ValueError("not ours")
    assert to_4x(plain) is plain


def test_2x_api_keeps_raising_2x_classes(mock_cluster: object, key: str) -> None:
    from couchbase.bucket import Bucket

    cb = Bucket(f"{mock_cluster.connstr}/default",  # type: ignore[attr-defined]
                username="Administrator", password="password")
    try:
        with pytest.raises(E.NotFoundError) as info:
            cb.get(key)
        assert not isinstance(info.value, E.CouchbaseException)
    finally:
        cb.close()
