"""The exceptions of the 4.x API, and the one table that picks them.

Every 4.x class derives from :class:`CouchbaseException` (itself a 2.x
:class:`~couchbase.exceptions.CouchbaseError`) **and** from the 2.x class of
the same meaning, so code written for either generation catches what the
4.x API raises::

    try:
        collection.get("missing")
    except DocumentNotFoundException:   # 4.x code
        ...
    except NotFoundError:               # 2.x code: the same exception
        ...

The 2.x API keeps raising the 2.x classes. The 4.x API raises these: its
finish functions ask :func:`kv_error` (a server status) and :func:`to_4x`
(an error that left the I/O layer as a 2.x class: timeouts, lost
connections) for the class. ``error_code`` is the cross-SDK error number
(101 document not found...), as the official SDK reports it.

Re-exported by :mod:`couchbase.exceptions`.
"""

from __future__ import annotations

from enum import Enum
from typing import Any, Optional

from ._core.opcode import Opcode
from ._core.status import Status
from .exceptions import (
    ArgumentError,
    AuthError,
    BucketNotFoundError,
    CollectionNotFoundError,
    CouchbaseDataError,
    CouchbaseError,
    CouchbaseNetworkError,
    CryptoError,
    DeltaBadvalError,
    DocumentNotJsonError,
    DocumentTooDeepError,
    DurabilityError,
    HTTPError,
    InternalError,
    KeyExistsError,
    N1QLError,
    N1QLIndexExistsError,
    N1QLIndexNotFoundError,
    N1QLKeyspaceNotFoundError,
    N1QLPreparedStatementError,
    N1QLSyntaxError,
    NetworkError,
    NoMatchingServerError,
    NotFoundError,
    NotSupportedError,
    ObjectDestroyedError,
    ScopeNotFoundError,
    SubdocBadDeltaError,
    SubdocCantInsertValueError,
    SubdocEmptyPathError,
    SubdocNumberTooBigError,
    SubdocPathExistsError,
    SubdocPathInvalidError,
    SubdocPathMismatchError,
    SubdocPathNotFoundError,
    SubdocPathTooBigError,
    SubdocValueTooDeepError,
    TemporaryFailError,
    TimeoutError,
    TooBigError,
    ValueFormatError,
)


# -- error contexts ------------------------------------------------------------------
class ErrorContext:
    """What the SDK knew when an operation failed; every field it was given is an
    attribute (missing ones read as None) and ``repr`` shows them all."""

    def __init__(self, **kwargs: Any) -> None:
        self._base = kwargs

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return self._base.get(name)

    @property
    def last_dispatched_to(self) -> Optional[str]:
        return self._base.get("last_dispatched_to")

    @property
    def last_dispatched_from(self) -> Optional[str]:
        return self._base.get("last_dispatched_from")

    @property
    def retry_attempts(self) -> int:
        return int(self._base.get("retry_attempts") or 0)

    @property
    def retry_reasons(self) -> set[str]:
        return set(self._base.get("retry_reasons") or ())

    @classmethod
    def from_dict(cls, **kwargs: Any) -> ErrorContext:
        return cls(**kwargs)

    def as_dict(self) -> dict[str, Any]:
        return dict(self._base)

    def __repr__(self) -> str:
        return f"{type(self).__name__}:{self._base!r}"

    __str__ = __repr__


class KeyValueErrorContext(ErrorContext):
    """``key``, ``bucket_name``, ``scope_name``, ``collection_name``, ``opaque``,
    ``status_code`` (the server's), ``cas``."""


class SubdocumentErrorContext(KeyValueErrorContext):
    """Adds ``first_error_path``, ``first_error_index``, ``deleted``."""


class HTTPErrorContext(ErrorContext):
    """``method``, ``response_code``, ``path``, ``response_body``, ``client_context_id``."""


class QueryErrorContext(HTTPErrorContext):
    """Adds ``first_error_code``, ``first_error_message``, ``statement``, ``parameters``."""


class AnalyticsErrorContext(QueryErrorContext):
    """As :class:`QueryErrorContext`, for the analytics service."""


class SearchErrorContext(HTTPErrorContext):
    """Adds ``index_name``, ``query``, ``parameters``."""


class ViewErrorContext(HTTPErrorContext):
    """Adds ``design_document_name``, ``view_name``, ``query_string``."""


class ManagementErrorContext(ErrorContext):
    """``response_code``, ``path``, ``content``, ``client_context_id``."""


class TransactionsErrorContext(ErrorContext):
    """What a failed transaction knew."""


# -- the base --------------------------------------------------------------------------
class CouchbaseException(CouchbaseError):
    """Base of the 4.x exceptions: ``message``, ``context`` (an :class:`ErrorContext`),
    ``error_code`` (the cross-SDK number), ``inner_cause``; also every attribute of
    the 2.x :class:`~couchbase.exceptions.CouchbaseError` it is."""

    ERROR_CODE: Optional[int] = None

    def __init__(self, base: Any = None, message: Optional[str] = None,
                 context: Optional[ErrorContext] = None, error_code: Optional[int] = None,
                 exc_info: Any = None, **kwargs: Any) -> None:
        if isinstance(base, str) and message is None:  # Exception("text")
            base, message = None, base
        if isinstance(base, dict):
            kwargs = {**base, **kwargs}
        if message is not None:
            kwargs["message"] = message
        super().__init__(None, **kwargs)
        self._context = context
        self.error_code = error_code if error_code is not None else self.ERROR_CODE
        self.exc_info = exc_info

    @property
    def context(self) -> ErrorContext:
        return self._context if self._context is not None else ErrorContext()

    @context.setter
    def context(self, value: ErrorContext) -> None:
        self._context = value

    @property
    def error_context(self) -> ErrorContext:
        return self.context

    def __str__(self) -> str:
        parts = []
        if self.error_code is not None:
            parts.append(f"ec={self.error_code}")
        parts.append(f"message={self.message}")
        if self._context is not None:
            parts.append(f"context={self._context!r}")
        if self.inner_cause is not None:
            parts.append(f"inner_cause={self.inner_cause!r}")
        return f"{type(self).__name__}(<{', '.join(parts)}>)"

    __repr__ = __str__


# -- common ------------------------------------------------------------------------------
class RequestCanceledException(CouchbaseException, CouchbaseNetworkError):
    """The request was cancelled before it completed (connection lost or closed)."""
    ERROR_CODE = 2


class InvalidArgumentException(CouchbaseException, ArgumentError):
    """An argument has an invalid value or type."""
    ERROR_CODE = 3


class ServiceUnavailableException(CouchbaseException, NotSupportedError):
    """The service the request needs is not available in the cluster."""
    ERROR_CODE = 4


class InternalServerFailureException(CouchbaseException, InternalError):
    """The server reported an internal failure (KV: ERR_INTERNAL 0x84)."""
    ERROR_CODE = 5


class AuthenticationException(CouchbaseException, AuthError):
    """Authenticating the user to the cluster failed."""
    ERROR_CODE = 6


class TemporaryFailException(CouchbaseException, TemporaryFailError):
    """The server is temporarily unable to serve the request; retry later."""
    ERROR_CODE = 7


class ParsingFailedException(CouchbaseException, N1QLSyntaxError):
    """The query does not parse."""
    ERROR_CODE = 8


class CasMismatchException(CouchbaseException, KeyExistsError):
    """The document changed since the CAS given was read."""
    ERROR_CODE = 9


class BucketNotFoundException(CouchbaseException, BucketNotFoundError):
    """The bucket being referenced does not exist."""
    ERROR_CODE = 10


class CollectionNotFoundException(CouchbaseException, CollectionNotFoundError):
    """The collection does not exist."""
    ERROR_CODE = 11


class UnsupportedOperation(CouchbaseException, NotSupportedError):
    """The server does not support this operation."""
    ERROR_CODE = 12


class TimeoutException(CouchbaseException, TimeoutError):
    """The operation did not complete in time."""
    ERROR_CODE = 1


class AmbiguousTimeoutException(TimeoutException):
    """A request that changes state timed out: it may or may not have happened."""
    ERROR_CODE = 13


class UnAmbiguousTimeoutException(TimeoutException):
    """A request that changes nothing (a read) timed out."""
    ERROR_CODE = 14


class FeatureUnavailableException(CouchbaseException, NotSupportedError):
    """The cluster does not offer the feature this request needs."""
    ERROR_CODE = 15


class ScopeNotFoundException(CouchbaseException, ScopeNotFoundError):
    """The scope does not exist."""
    ERROR_CODE = 16


class QueryIndexNotFoundException(CouchbaseException, N1QLIndexNotFoundError):
    """The query index does not exist."""
    ERROR_CODE = 17


class QueryIndexAlreadyExistsException(CouchbaseException, N1QLIndexExistsError):
    """The query index exists already."""
    ERROR_CODE = 18


class PlanningFailureException(CouchbaseException, N1QLError):
    """The query service could not plan the statement (codes 4000-4999)."""
    ERROR_CODE = 201


class IndexFailureException(CouchbaseException, N1QLError):
    """The query service's index access failed (codes 12000-12999, 14000-14999)."""
    ERROR_CODE = 202


class PreparedStatementFailureException(CouchbaseException, N1QLPreparedStatementError):
    """A prepared statement could not be prepared or executed (codes 4040-4090)."""
    ERROR_CODE = 203


class DmlFailureException(CouchbaseException, N1QLError):
    """A query's data modification failed in the key-value service (code 12009)."""
    ERROR_CODE = 204


class RateLimitedException(CouchbaseException, TemporaryFailError):
    """The server refused the request: a rate limit of the user was reached."""
    ERROR_CODE = 21


class QuotaLimitedException(CouchbaseException, TemporaryFailError):
    """The server refused the request: a quota was reached."""
    ERROR_CODE = 22


class InternalSDKException(CouchbaseException, InternalError):
    """An error inside the SDK."""
    ERROR_CODE = 5000


class HTTPException(CouchbaseException, HTTPError):
    """An HTTP request failed."""
    ERROR_CODE = 5001


class UnsuccessfulOperationException(CouchbaseException):
    """The operation did not succeed."""
    ERROR_CODE = 5002


class FeatureNotFoundException(CouchbaseException, NotSupportedError):
    """The feature is not known."""


class MissingConnectionException(CouchbaseException, ObjectDestroyedError):
    """The cluster or bucket is not connected (or was closed)."""


class MissingTokenException(CouchbaseException):
    """A mutation token is missing where one is needed."""


class AlreadyQueriedException(CouchbaseException):
    """A streaming result was already iterated."""


class NoChildrenException(CouchbaseException):
    """The object has no children."""


class InvalidIndexException(CouchbaseException, IndexError):
    """An index (of a sub-document spec in a result) is out of range."""


class ValueFormatException(CouchbaseException, ValueFormatError):
    """A value could not be encoded or decoded."""


class ValueTooLargeException(CouchbaseException, TooBigError):
    """The value is larger than the server stores (not in the official SDK's list:
    it raises a generic error there)."""
    ERROR_CODE = 104


# -- key-value --------------------------------------------------------------------------
class DocumentNotFoundException(CouchbaseException, NotFoundError):
    """The document does not exist."""
    ERROR_CODE = 101


class DocumentUnretrievableException(CouchbaseException, NotFoundError):
    """No replica (nor the active copy) could return the document."""
    ERROR_CODE = 102


class DocumentLockedException(CouchbaseException, TemporaryFailError):
    """The document is locked (``get_and_lock``)."""
    ERROR_CODE = 103


class DocumentExistsException(CouchbaseException, KeyExistsError):
    """The document exists already, and the operation expected it not to."""
    ERROR_CODE = 105


class DurabilityInvalidLevelException(CouchbaseException, DurabilityError):
    """The server does not know this durability level."""
    ERROR_CODE = 107


class DurabilityImpossibleException(CouchbaseException, DurabilityError):
    """The cluster cannot meet the durability asked for (too few replicas)."""
    ERROR_CODE = 108


class DurabilitySyncWriteAmbiguousException(CouchbaseException, DurabilityError):
    """The durable write's outcome is not known (it may have been committed)."""
    ERROR_CODE = 109


class DurabilitySyncWriteInProgressException(CouchbaseException, TemporaryFailError):
    """Another durable write on this document is in progress."""
    ERROR_CODE = 110


class PathNotFoundException(CouchbaseException, SubdocPathNotFoundError):
    """The sub-document path does not exist."""
    ERROR_CODE = 113


class PathMismatchException(CouchbaseException, SubdocPathMismatchError):
    """The path treats an element as something it is not."""
    ERROR_CODE = 114


class PathInvalidException(CouchbaseException, SubdocPathInvalidError):
    """The path does not parse."""
    ERROR_CODE = 115


class PathTooBigException(CouchbaseException, SubdocPathTooBigError):
    """The path is too long or has too many components."""
    ERROR_CODE = 116


class PathTooDeepException(CouchbaseException, DocumentTooDeepError):
    """The document is nested too deep for sub-document operations."""
    ERROR_CODE = 117


class ValueTooDeepException(CouchbaseException, SubdocValueTooDeepError):
    """The value would make the document too deep."""
    ERROR_CODE = 118


class InvalidValueException(CouchbaseException, SubdocCantInsertValueError):
    """The value cannot be inserted at the path."""
    ERROR_CODE = 119


class DocumentNotJsonException(CouchbaseException, DocumentNotJsonError):
    """The document is not JSON, so it has no paths."""
    ERROR_CODE = 120


class NumberTooBigException(CouchbaseException, SubdocNumberTooBigError):
    """The number at the path is too big for a counter."""
    ERROR_CODE = 121


class DeltaInvalidException(CouchbaseException, DeltaBadvalError, SubdocBadDeltaError):
    """The counter's delta is invalid, or the stored value is not a number."""
    ERROR_CODE = 122


class PathExistsException(CouchbaseException, SubdocPathExistsError):
    """The path exists already."""
    ERROR_CODE = 123


class DocumentNotLockedException(CouchbaseException, TemporaryFailError):
    """``unlock`` of a document that is not locked."""
    ERROR_CODE = 131


class MutationTokenOutdatedException(CouchbaseException):
    """A range scan's mutation token is ahead of the vbucket."""
    ERROR_CODE = 133


class RangeScanCompletedException(CouchbaseException):
    """The range scan has no more items."""
    ERROR_CODE = 134


class SubdocCantInsertValueException(CouchbaseException, SubdocCantInsertValueError):
    """The value cannot be inserted at the path (older name)."""


class SubdocPathMismatchException(CouchbaseException, SubdocPathMismatchError):
    """The path treats an element as something it is not (older name)."""


CASMismatchException = CasMismatchException


# -- management, query, views, analytics, search, eventing --------------------------------
class BucketAlreadyExistsException(CouchbaseException, KeyExistsError):
    """A bucket of that name exists."""


class BucketDoesNotExistException(CouchbaseException, BucketNotFoundError):
    """The bucket does not exist (bucket management)."""


class BucketNotFlushableException(CouchbaseException):
    """The bucket's flush is not enabled."""


class ScopeAlreadyExistsException(CouchbaseException, KeyExistsError):
    """A scope of that name exists."""


class CollectionAlreadyExistsException(CouchbaseException, KeyExistsError):
    """A collection of that name exists."""


class KeyspaceNotFoundException(CouchbaseException, N1QLKeyspaceNotFoundError):
    """The statement names a keyspace that does not exist."""


class WatchQueryIndexTimeoutException(CouchbaseException, TimeoutError):
    """``watch_indexes`` gave up before the indexes came online."""


class DesignDocumentNotFoundException(CouchbaseException, NotFoundError):
    """The design document does not exist."""
    ERROR_CODE = 502


class SearchIndexNotFoundException(CouchbaseException, NotFoundError):
    """The search index does not exist."""


class UserNotFoundException(CouchbaseException, NotFoundError):
    """The user does not exist."""


class GroupNotFoundException(CouchbaseException, NotFoundError):
    """The group does not exist."""


class DatasetNotFoundException(CouchbaseException, NotFoundError):
    """The analytics dataset does not exist."""
    ERROR_CODE = 303


class DataverseNotFoundException(CouchbaseException, NotFoundError):
    """The analytics dataverse does not exist."""
    ERROR_CODE = 304


class DatasetAlreadyExistsException(CouchbaseException, KeyExistsError):
    """The analytics dataset exists already."""
    ERROR_CODE = 305


class DataverseAlreadyExistsException(CouchbaseException, KeyExistsError):
    """The analytics dataverse exists already."""
    ERROR_CODE = 306


class AnalyticsLinkExistsException(CouchbaseException, KeyExistsError):
    """The analytics link exists already."""


class AnalyticsLinkNotFoundException(CouchbaseException, NotFoundError):
    """The analytics link does not exist."""


class EventingFunctionNotFoundException(CouchbaseException, NotFoundError):
    """The eventing function does not exist."""


class EventingFunctionCompilationFailureException(CouchbaseException):
    """The eventing function does not compile."""


class EventingFunctionIdenticalKeyspaceException(CouchbaseException):
    """The eventing function's source and metadata keyspaces are the same."""


class EventingFunctionNotBootstrappedException(CouchbaseException):
    """The eventing function is not bootstrapped yet."""


class EventingFunctionNotDeployedException(CouchbaseException):
    """The eventing function is not deployed."""


class EventingFunctionNotUnDeployedException(CouchbaseException):
    """The eventing function is still deployed."""


class EventingFunctionAlreadyDeployedException(CouchbaseException):
    """The eventing function is deployed already."""


class EventingFunctionCollectionNotFoundException(CouchbaseException, NotFoundError):
    """A collection the eventing function names does not exist."""


# -- field-level encryption, transactions ---------------------------------------------------
class CryptoKeyNotFoundException(CouchbaseException, CryptoError):
    """The key is not in the keyring."""


class InvalidCryptoKeyException(CouchbaseException, CryptoError):
    """The key is not valid for the algorithm."""


class EncrypterNotFoundException(CouchbaseException, CryptoError):
    """No encrypter is registered under that name."""


class DecrypterNotFoundException(CouchbaseException, CryptoError):
    """No decrypter is registered under that name."""


class EncrypterAlreadyExistsException(CouchbaseException, CryptoError):
    """An encrypter is registered under that name already."""


class DecrypterAlreadyExistsException(CouchbaseException, CryptoError):
    """A decrypter is registered under that name already."""


class EncryptionFailureException(CouchbaseException, CryptoError):
    """Encrypting failed."""


class DecryptionFailureException(CouchbaseException, CryptoError):
    """Decrypting failed."""


class InvalidCipherTextException(CouchbaseException, CryptoError):
    """The cipher text is not valid."""


class TransactionException(CouchbaseException):
    """Base of the transaction errors."""


class TransactionFailed(TransactionException):
    """The transaction failed and was rolled back."""


class TransactionExpired(TransactionException):
    """The transaction ran out of time."""


class TransactionCommitAmbiguous(TransactionException):
    """The transaction's commit may or may not have happened."""


class TransactionOperationFailed(TransactionException):
    """An operation inside the transaction failed."""


# -- the table -----------------------------------------------------------------------------
_BY_STATUS: dict[int, type[CouchbaseException]] = {
    Status.KEY_ENOENT: DocumentNotFoundException,
    Status.KEY_EEXISTS: DocumentExistsException,  # CasMismatch when a CAS was given
    Status.E2BIG: ValueTooLargeException,
    Status.EINVAL: InvalidArgumentException,
    Status.NOT_STORED: DocumentNotFoundException,  # append/prepend on a missing document
    Status.DELTA_BADVAL: DeltaInvalidException,
    Status.NO_BUCKET: BucketNotFoundException,
    Status.LOCKED: DocumentLockedException,
    Status.NOT_LOCKED: DocumentNotLockedException,
    Status.AUTH_STALE: AuthenticationException,
    Status.AUTH_ERROR: AuthenticationException,
    Status.ERANGE: InvalidArgumentException,
    Status.EACCESS: AuthenticationException,
    Status.RATE_LIMITED_NETWORK_INGRESS: RateLimitedException,
    Status.RATE_LIMITED_NETWORK_EGRESS: RateLimitedException,
    Status.RATE_LIMITED_MAX_CONNECTIONS: RateLimitedException,
    Status.RATE_LIMITED_MAX_COMMANDS: RateLimitedException,
    Status.SCOPE_SIZE_LIMIT_EXCEEDED: QuotaLimitedException,
    Status.UNKNOWN_FRAME_INFO: FeatureUnavailableException,
    Status.UNKNOWN_COMMAND: UnsupportedOperation,
    Status.NOT_SUPPORTED: FeatureUnavailableException,
    Status.ENOMEM: TemporaryFailException,
    Status.EINTERNAL: InternalServerFailureException,
    Status.EBUSY: TemporaryFailException,
    Status.ETMPFAIL: TemporaryFailException,
    Status.XATTR_EINVAL: InvalidArgumentException,
    Status.UNKNOWN_COLLECTION: CollectionNotFoundException,
    Status.UNKNOWN_SCOPE: ScopeNotFoundException,
    Status.DURABILITY_INVALID_LEVEL: DurabilityInvalidLevelException,
    Status.DURABILITY_IMPOSSIBLE: DurabilityImpossibleException,
    Status.SYNC_WRITE_IN_PROGRESS: DurabilitySyncWriteInProgressException,
    Status.SYNC_WRITE_AMBIGUOUS: DurabilitySyncWriteAmbiguousException,
    Status.SYNC_WRITE_RE_COMMIT_IN_PROGRESS: DurabilitySyncWriteInProgressException,
    Status.RANGE_SCAN_COMPLETE: RangeScanCompletedException,
    Status.VBUUID_NOT_EQUAL: MutationTokenOutdatedException,
    Status.SUBDOC_PATH_ENOENT: PathNotFoundException,
    Status.SUBDOC_PATH_MISMATCH: PathMismatchException,
    Status.SUBDOC_PATH_EINVAL: PathInvalidException,
    Status.SUBDOC_PATH_E2BIG: PathTooBigException,
    Status.SUBDOC_DOC_E2DEEP: PathTooDeepException,
    Status.SUBDOC_VALUE_CANTINSERT: InvalidValueException,
    Status.SUBDOC_DOC_NOTJSON: DocumentNotJsonException,
    Status.SUBDOC_NUM_ERANGE: NumberTooBigException,
    Status.SUBDOC_DELTA_EINVAL: DeltaInvalidException,
    Status.SUBDOC_PATH_EEXISTS: PathExistsException,
    Status.SUBDOC_VALUE_ETOODEEP: ValueTooDeepException,
    Status.SUBDOC_INVALID_COMBO: InvalidArgumentException,
    Status.SUBDOC_XATTR_INVALID_FLAG_COMBO: InvalidArgumentException,
    Status.SUBDOC_XATTR_INVALID_KEY_COMBO: InvalidArgumentException,
    Status.SUBDOC_XATTR_UNKNOWN_MACRO: PathInvalidException,
    Status.SUBDOC_XATTR_UNKNOWN_VATTR: PathInvalidException,
    Status.SUBDOC_XATTR_CANT_MODIFY_VATTR: InvalidArgumentException,
    Status.SUBDOC_INVALID_XATTR_ORDER: InvalidArgumentException,
}

# a lookup's "not stored" is a mutation's: ADD that found the key
_EXISTS_ON_NOT_STORED = frozenset((Opcode.ADD,))


def kv_class(status: int, opcode: int = 0, cas_given: bool = False) -> type[CouchbaseException]:
    """The 4.x class for a key-value response ``status`` to a request of ``opcode``."""
    if status == Status.KEY_EEXISTS and cas_given:
        return CasMismatchException
    if status == Status.NOT_STORED and opcode in _EXISTS_ON_NOT_STORED:
        return DocumentExistsException
    if status == Status.LOCKED and opcode == Opcode.UNLOCK_KEY:  # locked with another CAS
        return CasMismatchException
    return _BY_STATUS.get(status, CouchbaseException)


def kv_error(status: int, key: Any, context: KeyValueErrorContext, opcode: int = 0,
             cas_given: bool = False, message: str = "") -> CouchbaseException:
    """The exception for a failed key-value response (``context`` says where)."""
    cls = kv_class(status, opcode, cas_given)
    text = message or _MESSAGES.get(cls) or f"server status 0x{status:02x}"
    return cls(message=text, context=context, key=key, server_status=status)


_MESSAGES: dict[type[CouchbaseException], str] = {
    DocumentNotFoundException: "document_not_found",
    DocumentExistsException: "document_exists",
    CasMismatchException: "cas_mismatch",
    DocumentLockedException: "document_locked",
    DocumentNotLockedException: "document_not_locked",
    TemporaryFailException: "temporary_failure",
    DeltaInvalidException: "delta_invalid",
    ValueTooLargeException: "value_too_large",
    DurabilityImpossibleException: "durability_impossible",
    DurabilityInvalidLevelException: "durability_level_not_available",
    DurabilitySyncWriteInProgressException: "durable_write_in_progress",
    DurabilitySyncWriteAmbiguousException: "durability_ambiguous",
    PathNotFoundException: "path_not_found",
    PathExistsException: "path_exists",
    PathMismatchException: "path_mismatch",
    PathInvalidException: "path_invalid",
    CollectionNotFoundException: "collection_not_found",
    ScopeNotFoundException: "scope_not_found",
}

# a 2.x class that left the I/O layer -> its 4.x class (most specific first)
_FROM_2X: tuple[tuple[type[CouchbaseError], type[CouchbaseException]], ...] = (
    (NoMatchingServerError, RequestCanceledException),
    (ObjectDestroyedError, MissingConnectionException),  # (closed: still ObjectDestroyedError)
    (NetworkError, RequestCanceledException),
    (CouchbaseNetworkError, RequestCanceledException),
    (AuthError, AuthenticationException),
    (BucketNotFoundError, BucketNotFoundException),
    (CollectionNotFoundError, CollectionNotFoundException),
    (ScopeNotFoundError, ScopeNotFoundException),
    (NotSupportedError, ServiceUnavailableException),
    (ValueFormatError, ValueFormatException),
    (ArgumentError, InvalidArgumentException),
    (SubdocEmptyPathError, InvalidArgumentException),  # as the server's EINVAL for get("")
    (TooBigError, ValueTooLargeException),
    (DurabilityError, DurabilityImpossibleException),
    (NotFoundError, DocumentNotFoundException),
    (KeyExistsError, DocumentExistsException),
    (TemporaryFailError, TemporaryFailException),
    (HTTPError, HTTPException),
    (CouchbaseDataError, CouchbaseException),
)


def to_4x(exc: BaseException, idempotent: bool = True,
          context: Optional[ErrorContext] = None) -> BaseException:
    """The 4.x exception for ``exc`` (itself if it is one already, or no CouchbaseError).

    A timeout is unambiguous for a request that changes nothing (``idempotent``)
    and ambiguous for one that may have changed the document.
    """
    if isinstance(exc, CouchbaseException) or not isinstance(exc, CouchbaseError):
        return exc
    if isinstance(exc, TimeoutError):
        cls: type[CouchbaseException] = (UnAmbiguousTimeoutException if idempotent
                                         else AmbiguousTimeoutException)
    else:
        cls = next((new for old, new in _FROM_2X if isinstance(exc, old)), CouchbaseException)
    new = cls(message=exc.message, context=context, key=exc.key, inner_cause=exc,
              server_status=exc.server_status, status=exc.status)
    new.__cause__ = exc
    return new


class CouchbaseErrorCategory(Enum):
    """The official C++ core's error categories (what its exceptions' ``repr`` names):
    the same members and values. Pure Python has no such core: nothing here
    produces them, they exist for code that names them."""

    common = "couchbase.common"
    key_value = "couchbase.key_value"
    query = "couchbase.query"
    search = "couchbase.search"
    view = "couchbase.view"
    analytics = "couchbase.analytics"
    management = "couchbase.management"
    network = "couchbase.network"
    other = "other"


__all__ = [
    "AlreadyQueriedException", "AmbiguousTimeoutException", "AnalyticsErrorContext",
    "AnalyticsLinkExistsException", "AnalyticsLinkNotFoundException",
    "AuthenticationException", "BucketAlreadyExistsException",
    "BucketDoesNotExistException", "BucketNotFlushableException", "BucketNotFoundException",
    "CASMismatchException", "CasMismatchException", "CollectionAlreadyExistsException",
    "CollectionNotFoundException", "CouchbaseErrorCategory", "CouchbaseException",
    "CryptoKeyNotFoundException",
    "DatasetAlreadyExistsException", "DatasetNotFoundException",
    "DataverseAlreadyExistsException", "DataverseNotFoundException",
    "DecrypterAlreadyExistsException", "DecrypterNotFoundException",
    "DecryptionFailureException", "DeltaInvalidException", "DmlFailureException",
    "DesignDocumentNotFoundException", "DocumentExistsException", "DocumentLockedException",
    "DocumentNotFoundException", "DocumentNotJsonException", "DocumentNotLockedException",
    "DocumentUnretrievableException", "DurabilityImpossibleException",
    "DurabilityInvalidLevelException", "DurabilitySyncWriteAmbiguousException",
    "DurabilitySyncWriteInProgressException", "EncrypterAlreadyExistsException",
    "EncrypterNotFoundException", "EncryptionFailureException", "ErrorContext",
    "EventingFunctionAlreadyDeployedException",
    "EventingFunctionCollectionNotFoundException",
    "EventingFunctionCompilationFailureException",
    "EventingFunctionIdenticalKeyspaceException",
    "EventingFunctionNotBootstrappedException", "EventingFunctionNotDeployedException",
    "EventingFunctionNotFoundException", "EventingFunctionNotUnDeployedException",
    "FeatureNotFoundException", "FeatureUnavailableException", "GroupNotFoundException",
    "IndexFailureException", "PlanningFailureException", "PreparedStatementFailureException",
    "HTTPErrorContext", "HTTPException", "InternalSDKException",
    "InternalServerFailureException", "InvalidArgumentException",
    "InvalidCipherTextException", "InvalidCryptoKeyException", "InvalidIndexException",
    "InvalidValueException", "KeyValueErrorContext", "KeyspaceNotFoundException",
    "ManagementErrorContext", "MissingConnectionException", "MissingTokenException",
    "MutationTokenOutdatedException", "NoChildrenException", "NumberTooBigException",
    "ParsingFailedException", "PathExistsException", "PathInvalidException",
    "PathMismatchException", "PathNotFoundException", "PathTooBigException",
    "PathTooDeepException", "QueryErrorContext", "QueryIndexAlreadyExistsException",
    "QueryIndexNotFoundException", "QuotaLimitedException", "RangeScanCompletedException",
    "RateLimitedException", "RequestCanceledException", "ScopeAlreadyExistsException",
    "ScopeNotFoundException", "SearchErrorContext", "SearchIndexNotFoundException",
    "ServiceUnavailableException", "SubdocCantInsertValueException",
    "SubdocPathMismatchException", "SubdocumentErrorContext", "TemporaryFailException",
    "TimeoutException", "TransactionCommitAmbiguous", "TransactionException",
    "TransactionExpired", "TransactionFailed", "TransactionOperationFailed",
    "TransactionsErrorContext", "UnAmbiguousTimeoutException",
    "UnsuccessfulOperationException", "UnsupportedOperation", "UserNotFoundException",
    "ValueFormatException", "ValueTooDeepException", "ValueTooLargeException",
    "ViewErrorContext", "WatchQueryIndexTimeoutException",
]
