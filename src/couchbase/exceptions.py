"""The exception hierarchy of the Couchbase Python SDK.

Every class that wraps a libcouchbase error code registers that code with
``rc=`` in its class statement; :meth:`CouchbaseError.rc_to_exctype` maps a
code back to its class. Codes are libcouchbase's (``0xD`` is "No such key"),
as the 1.x and 2.x SDKs reported them in ``Result.rc``.
"""

from __future__ import annotations

import reprlib
from typing import Any, ClassVar, Optional

_RC_TO_CLASS: dict[int, type[CouchbaseError]] = {}

# libcouchbase's descriptions, used in str(exception)
_RC_TEXT = {
    0x00: "Success",
    0x01: "Continue authentication",
    0x02: "Authentication error",
    0x03: "The value requested to be incremented is not stored as a number",
    0x04: "Object too big",
    0x05: "Too busy. Try again later",
    0x06: "Internal libcouchbase error",
    0x07: "Invalid input/arguments",
    0x08: "The server is out of memory. Try again later",
    0x09: "Invalid range",
    0x0A: "Generic error",
    0x0B: "Temporary failure received from server. Try again later",
    0x0C: "Key exists (with a different CAS value)",
    0x0D: "No such key",
    0x0E: "Failed to open shared object",
    0x0F: "Failed to locate the requested symbol",
    0x10: "Network error",
    0x11: "The vbucket is not located on this server",
    0x12: "Not stored",
    0x13: "Not supported",
    0x14: "Unknown command",
    0x15: "Unknown host",
    0x16: "Protocol error",
    0x17: "Operation timed out",
    0x18: "Connection failure",
    0x19: "Bucket not found",
    0x1A: "Out of client memory",
    0x1B: "Temporary failure on the client. Try again later",
    0x1C: "Invalid handle type",
    0x1D: "Unexpected usage of the server protocol",
    0x1F: "Invalid host format",
    0x20: "Invalid character",
    0x21: "Durability constraints requires more nodes/replicas than the cluster has",
    0x22: "The same key was passed multiple times in a command list",
    0x23: "The command was scheduled for a server that does not exist",
    0x26: "Invalid username",
    0x3B: "HTTP error",
    # sub-document (libcouchbase's texts)
    0x3F: "Sub-document path does not exist",
    0x40: "Type of element in sub-document path conflicts with type in document",
    0x41: "Malformed sub-document path",
    0x42: "Sub-document contains too many components",
    0x43: "Existing document contains too many levels of nesting",
    0x44: "Subdocument operation would invalidate the JSON",
    0x45: "Existing document is not valid JSON",
    0x46: "The existing numeric value is too large",
    0x47: "Delta must be numeric, within the 64 bit signed range, and non-zero",
    0x48: "The given path already exists in the document",
    0x49: "Could not execute one or more multi lookups or mutations",
    0x4A: "Value is too deep to insert",
    0x4C: "Missing subdocument path",
    0x55: "An invalid combination of commands was specified",
    0x58: "The combination of the subdoc flags for the xattrs is not valid",
    0x59: "Only a single xattr key may be accessed at the same time",
    0x5A: "The server has no knowledge of the requested macro",
    0x5B: "The server has no knowledge of the requested virtual xattr",
    0x5C: "Virtual xattrs cannot be modified",
    0x5E: "According to the spec all xattr commands should come first, followed by the "
          "commands for the document body",
}


class CouchbaseError(Exception):
    """Base class for errors within the Couchbase Python SDK.

    Attributes: ``message`` (always a string), ``rc`` (libcouchbase error
    code), ``key``, ``inner_cause`` (the exception that caused this one),
    ``objextra`` (the object that likely caused it), ``all_results`` (the
    :class:`~couchbase.result.MultiResult` of a multi operation), ``result``
    (the failed result), ``status`` (HTTP status, where HTTP was used),
    ``server_status`` (the key-value status code the server answered).
    """

    CODE: ClassVar[int] = 0

    def __init_subclass__(cls, rc: Optional[int] = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if rc is not None:
            cls.CODE = rc
            _RC_TO_CLASS.setdefault(rc, cls)

    def __init__(self, params: Any = None, **kwargs: Any) -> None:
        if isinstance(params, dict):
            kwargs = {**params, **kwargs}
        elif params is not None:
            kwargs.setdefault("message", str(params))
        self.message: str = kwargs.pop("message", None) or ""
        self.rc: int = kwargs.pop("rc", None) or self.CODE
        self.key: Any = kwargs.pop("key", None)
        self.inner_cause: Optional[BaseException] = kwargs.pop("inner_cause", None)
        self.objextra: Any = kwargs.pop("objextra", None)
        self._all_results: Any = kwargs.pop("all_results", None)
        self.result: Any = kwargs.pop("result", None)
        self.status: Optional[int] = kwargs.pop("status", None)
        self.server_status: Optional[int] = kwargs.pop("server_status", None)
        self.cas: Optional[int] = kwargs.pop("cas", None)
        self.csrc_info: tuple[Any, ...] = ()
        self.extra = kwargs
        super().__init__(self.message)

    @classmethod
    def rc_to_exctype(cls, rc: int) -> type[CouchbaseError]:
        """The exception class raised for libcouchbase error code ``rc``."""
        return _RC_TO_CLASS.get(rc, LibcouchbaseError)

    @classmethod
    def _can_derive(cls, rc: int) -> bool:
        """Whether the error for code ``rc`` is this class or one derived from it."""
        return issubclass(cls.rc_to_exctype(rc), cls)

    @property
    def all_results(self) -> Any:
        """Every result of the operation that failed, by key: a multi operation's
        MultiResult, or for a single key a MultiResult of its one result (as 2.x)."""
        if self._all_results is None and self.key is not None:
            from .result import MultiResult, Result  # (result imports this module)

            result = self.result if self.result is not None else Result(self.key, self.rc)
            self._all_results = MultiResult({self.key: result})
            self._all_results.all_ok = False
        return self._all_results

    @all_results.setter
    def all_results(self, value: Any) -> None:
        self._all_results = value

    def split_results(self) -> tuple[dict[Any, Any], dict[Any, Any]]:
        """``(ok, failed)``: :attr:`all_results` split into the results that
        succeeded and those that did not, each a dict by key."""
        ok: dict[Any, Any] = {}
        failed: dict[Any, Any] = {}
        for key, result in (self.all_results or {}).items():
            (ok if getattr(result, "success", False) else failed)[key] = result
        return ok, failed

    @property
    def categories(self) -> int:
        return 0

    def __str__(self) -> str:
        parts = []
        if self.message:
            parts.append(self.message)
        if self.key is not None:
            parts.append(f"Key={self.key!r}")
        if self.rc:
            parts.append(f"RC=0x{self.rc:X}[{_RC_TEXT.get(self.rc, 'Unknown error')}]")
        if self.status is not None:
            parts.append(f"HTTP Status={self.status}")
        if self._all_results is not None:
            parts.append(f"Results={len(self._all_results)}")
        if self.inner_cause is not None:
            parts.append(f"inner_cause={self.inner_cause}")
        if self.objextra is not None:
            parts.append(f"OBJ={_safe_repr(self.objextra)}")
        return "<" + ", ".join(parts) + ">"


_MAX_OBJ_REPR = 500


def _safe_repr(obj: Any) -> str:
    """``repr(obj)``, cut short where it is too long (a 20 MB value) or nests
    too deep to print at all (the value of a ValueFormatError may be either)."""
    if isinstance(obj, (str, bytes, bytearray)) and len(obj) > _MAX_OBJ_REPR:
        return f"{obj[:_MAX_OBJ_REPR]!r}...({len(obj)} long)"
    try:
        text = repr(obj)
    except RecursionError:
        return reprlib.repr(obj)
    return text if len(text) <= _MAX_OBJ_REPR else text[:_MAX_OBJ_REPR] + "..."


# Semantic bases (1.2): catch a whole family of errors at once.
class CouchbaseInputError(CouchbaseError):
    """The application passed something the library or server can't use."""


class CouchbaseNetworkError(CouchbaseError):
    """A network problem: connect, read, write or name lookup failed."""


class CouchbaseFatalError(CouchbaseError):
    """The connection is unusable and must be created anew."""


class CouchbaseDataError(CouchbaseError):
    """The server could not perform the operation on this item's data."""


class CouchbaseTransientError(CouchbaseError):
    """A temporary condition: retrying later may succeed."""


class CouchbaseInternalError(CouchbaseError):
    """An error inside the library."""


class ArgumentError(CouchbaseInputError, ValueError, rc=0x07):
    """Invalid argument: a given argument is invalid or must be set."""


class ValueFormatError(CouchbaseInputError, rc=0x07):
    """Failed to decode or encode a value."""


class AuthError(CouchbaseError, rc=0x02):
    """Authentication failed: an invalid username/password combination."""


class DeltaBadvalError(CouchbaseDataError, rc=0x03):
    """The value to be incremented or decremented is not a number."""


class TooBigError(CouchbaseDataError, rc=0x04):
    """The server reported that this object is too big."""


class BusyError(CouchbaseTransientError, rc=0x05):
    """The cluster is too busy right now; back off and try again later."""


class InternalError(CouchbaseInternalError, rc=0x06):
    """Internal error inside the library."""


class InvalidError(CouchbaseInputError, rc=0x07):
    """Invalid arguments specified."""


class NoMemoryError(CouchbaseTransientError, rc=0x08):
    """The server ran out of memory."""


class RangeError(CouchbaseInputError, rc=0x09):
    """An invalid range was specified."""


class LibcouchbaseError(CouchbaseError, rc=0x0A):
    """A generic error."""


class TemporaryFailError(CouchbaseTransientError, rc=0x0B):
    """Temporary failure on the server (for example: the key is locked)."""


class KeyExistsError(CouchbaseDataError, rc=0x0C):
    """The key already exists (with another CAS value)."""


class NotFoundError(CouchbaseDataError, rc=0x0D):
    """The key does not exist."""


class DlopenFailedError(CouchbaseInternalError, rc=0x0E):
    """Failed to open a shared object (kept for compatibility)."""


class DlsymFailedError(CouchbaseInternalError, rc=0x0F):
    """Failed to locate a symbol (kept for compatibility)."""


class NetworkError(CouchbaseNetworkError, rc=0x10):
    """A network related problem occurred (name lookup, read/write/connect etc)."""


class NotMyVbucketError(CouchbaseNetworkError, rc=0x11):
    """The server that received the request is not responsible for the key."""


class NotStoredError(CouchbaseDataError, rc=0x12):
    """The object was not stored on the server."""


class NotSupportedError(CouchbaseError, rc=0x13):
    """The server knows the command but does not support it here."""


class UnknownCommandError(CouchbaseError, rc=0x14):
    """The server doesn't know what that command is."""


class UnknownHostError(CouchbaseNetworkError, rc=0x15):
    """The server failed to resolve the requested hostname."""


class ProtocolError(CouchbaseNetworkError, rc=0x16):
    """There is something wrong with the data stream received from the server."""


class TimeoutError(CouchbaseTransientError, rc=0x17):  # noqa: A001 - the documented name
    """The operation timed out."""


class ConnectError(CouchbaseNetworkError, rc=0x18):
    """Failed to connect to the requested server."""


class BucketNotFoundError(CouchbaseError, rc=0x19):
    """The requested bucket does not exist."""


class ClientNoMemoryError(CouchbaseInternalError, rc=0x1A):
    """The client ran out of memory."""


class ClientTemporaryFailError(CouchbaseTransientError, rc=0x1B):
    """Temporary failure on the client; retrying may resolve the problem."""


class BadHandleError(CouchbaseInternalError, rc=0x1C):
    """The requested operation isn't allowed for the given type."""


class HTTPError(CouchbaseError, rc=0x3B):
    """An HTTP request (views, N1QL, management) returned an error status."""


_N1QL_CODE_TO_CLASS: dict[int, type[N1QLError]] = {}


class N1QLError(HTTPError):
    """A N1QL query failed: the query service answered with ``errors``.

    ``code`` and ``msg`` are the first error's (``n1ql_errcode`` is ``code``,
    as in SDK 2.x), ``errors`` every ``{"code", "msg"}`` the service sent,
    ``status`` the HTTP status and ``objextra`` the first error. Subclasses
    register the service codes they stand for; :meth:`for_errors` picks the
    class for a response.
    """

    CODES: ClassVar[tuple[int, ...]] = ()

    def __init_subclass__(cls, codes: tuple[int, ...] = (), **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if codes:
            cls.CODES = codes
            for code in codes:
                _N1QL_CODE_TO_CLASS.setdefault(code, cls)

    def __init__(self, params: Any = None, **kwargs: Any) -> None:
        errors = kwargs.pop("errors", None)
        super().__init__(params, **kwargs)
        if errors is None:
            errors = [self.objextra] if isinstance(self.objextra, dict) else []
        self.errors: list[Any] = list(errors)
        first = self.errors[0] if self.errors and isinstance(self.errors[0], dict) else {}
        if self.objextra is None and first:
            self.objextra = first
        self.code: Optional[int] = first.get("code")
        self.msg: str = str(first.get("msg", ""))

    @property
    def n1ql_errcode(self) -> Optional[int]:
        """The service's code for the (first) error."""
        return self.code

    @classmethod
    def for_errors(cls, errors: list[Any]) -> type[N1QLError]:
        """The class for a response whose ``errors`` these are (its first error decides)."""
        first = errors[0] if errors and isinstance(errors[0], dict) else {}
        code = first.get("code")
        found = _N1QL_CODE_TO_CLASS.get(code) if isinstance(code, int) else None
        if found is not None:
            return found
        text = str(first.get("msg", "")).lower()
        if "index" in text and "already exist" in text:  # GSI's answer, code 5000 on some servers
            return N1QLIndexExistsError
        if "index" in text and "not found" in text:
            return N1QLIndexNotFoundError
        return N1QLError


class N1QLSyntaxError(N1QLError, codes=(3000,)):
    """The statement does not parse (code 3000, with the position in ``msg``)."""


class N1QLNoIndexError(N1QLError, codes=(4000,)):
    """No index can serve the query (code 4000, "No index available on keyspace ...")."""


class N1QLPreparedStatementError(N1QLError, codes=(4040, 4050, 4070)):
    """The prepared statement is unknown to the query node, or its plan is stale."""


class N1QLIndexExistsError(N1QLError, KeyExistsError, codes=(4300,)):
    """CREATE INDEX of an index that exists (also a KeyExistsError, as SDK 2.x raised)."""


class N1QLIndexNotFoundError(N1QLError, NotFoundError, codes=(12004, 12016)):
    """DROP INDEX of an index that does not exist (also a NotFoundError, as SDK 2.x raised)."""


class N1QLKeyspaceNotFoundError(N1QLError, codes=(12003,)):
    """The statement names a bucket or collection that does not exist."""


class N1QLTimeoutError(N1QLError, TimeoutError, codes=(1080,)):
    """The query service stopped the request at its timeout (code 1080)."""


class AnalyticsError(N1QLError):
    """An analytics query failed: the analytics service answered with ``errors``
    (``code``, ``msg``, ``errors`` as on :class:`N1QLError`, which it is: 2.x
    raised N1QL errors for analytics requests)."""


class ObjectThreadError(CouchbaseInternalError):
    """The object was used from several threads at once (LOCKMODE_EXC)."""


class ObjectDestroyedError(CouchbaseInternalError):
    """The object was closed and can no longer be used."""


class PipelineError(CouchbaseInternalError):
    """An operation was used in a way a pipeline does not allow."""


class DurabilityError(CouchbaseError, rc=0x21):
    """The durability requirements could not be satisfied."""


class DuplicateCommandsError(ArgumentError, rc=0x22):
    """The same key was passed several times in one multi operation."""


class NoMatchingServerError(CouchbaseNetworkError, rc=0x23):
    """The command was scheduled for a server that does not exist."""


class InvalidUsernameError(CouchbaseInputError, rc=0x26):
    """The username must match the bucket name for this kind of bucket."""


class CollectionNotFoundError(CouchbaseError, rc=0xD3):
    """The collection does not exist (or was dropped)."""


class ScopeNotFoundError(CouchbaseError, rc=0xD9):
    """The scope does not exist."""


# Sub-document errors (2.x names; the codes are libcouchbase's, the bases its categories).
class SubdocPathNotFoundError(CouchbaseDataError, rc=0x3F):
    """The sub-document path does not exist."""


class SubdocPathMismatchError(CouchbaseDataError, rc=0x40):
    """The path treats an element as something it is not (an array as an object...)."""


class SubdocPathInvalidError(CouchbaseInputError, rc=0x41):
    """The path does not parse."""


class SubdocPathTooBigError(CouchbaseInputError, rc=0x42):
    """The path is too long or has too many components."""


class DocumentTooDeepError(CouchbaseDataError, rc=0x43):
    """The document is nested too deep for sub-document operations."""


class SubdocCantInsertValueError(CouchbaseInputError, rc=0x44):
    """The value cannot be inserted there (not JSON, or not one value for an array)."""


class DocumentNotJsonError(CouchbaseDataError, rc=0x45):
    """The document is not JSON, so it has no paths."""


class SubdocNumberTooBigError(CouchbaseDataError, rc=0x46):
    """The number at the path is too big for a counter."""


class SubdocBadDeltaError(CouchbaseDataError, rc=0x47):
    """The counter delta is zero, not an integer or out of range."""


class SubdocPathExistsError(CouchbaseDataError, rc=0x48):
    """The path exists already (and the operation needs it not to)."""


class SubdocMultipleErrors(CouchbaseDataError, rc=0x49):
    """One or more sub-operations failed: inspect the result of each."""


class SubdocValueTooDeepError(CouchbaseInputError, rc=0x4A):
    """The value is nested too deep to insert, or would make the document too deep."""


class SubdocEmptyPathError(CouchbaseInputError, rc=0x4C):
    """An empty path was given to an operation that needs one."""


class QueueEmpty(Exception):
    """``queue_pop`` found no item in the queue (2.x: not a CouchbaseError)."""


# Names used elsewhere in the documentation.
KeyNotFoundError = NotFoundError
TemporaryFailureError = TemporaryFailError
SubdocPathTooDeepError = SubdocPathTooBigError


# Field-level encryption (couchbase.crypto; messages from the cross-SDK RFC 0032).
class CryptoError(CouchbaseError):
    """A field-level encryption error; ``alias`` is the provider alias it concerns."""

    _template = "Generic Cryptography Error for alias: {alias}"

    def __init__(self, params: Any = None, alias: Optional[str] = None, **kwargs: Any) -> None:
        self.alias = alias
        if params is None and "message" not in kwargs:
            kwargs["message"] = self._template.format(alias=alias, **kwargs)
        super().__init__(params, **kwargs)


class CryptoConfigError(CryptoError):
    """The providers are configured wrongly (missing alias, provider or key name)."""

    _template = "Generic Cryptography Configuration Error for alias: {alias}"


class CryptoExecutionError(CryptoError):
    """Encrypting, decrypting or checking a signature failed."""

    _template = "Generic Cryptography Execution Error for alias: {alias}"


class CryptoProviderNotFoundException(CryptoConfigError):
    """No crypto provider is registered for the alias."""

    _template = "The cryptographic provider could not be found for the alias: {alias}"


class CryptoProviderAliasNullException(CryptoConfigError):
    """A field specification or registration gave no (or an empty) alias."""

    _template = "Cryptographic providers require a non-null, empty alias be configured."


class CryptoProviderMissingPublicKeyException(CryptoConfigError):
    """The provider has no encryption key name (kid), or the key store lacks that key."""

    _template = ("Cryptographic providers require a non-null, empty public and key "
                 "identifier (kid) be configured for the alias: {alias}")


class CryptoProviderMissingSigningKeyException(CryptoConfigError):
    """A symmetric provider has no signing (HMAC) key name, or the store lacks it."""

    _template = ("Symmetric key cryptographic providers require a non-null, empty signing "
                 "key be configured for the alias: {alias}")


class CryptoProviderMissingPrivateKeyException(CryptoConfigError):
    """An asymmetric provider has no private key name, or the store lacks it."""

    _template = ("Asymmetric key cryptographic providers require a non-null, empty private "
                 "key be configured for the alias: {alias}")


class CryptoProviderSigningFailedException(CryptoExecutionError):
    """The signature of an encrypted field does not match: tampered, or the wrong key."""

    _template = ("The authentication failed while checking the signature of the message "
                 "payload for the alias: {alias}")


class CryptoProviderEncryptFailedException(CryptoExecutionError):
    """The provider failed to encrypt a field."""

    _template = "The encryption of the field failed for the alias: {alias}"


class CryptoProviderDecryptFailedException(CryptoExecutionError):
    """The provider failed to decrypt a field, or the field is not a valid encrypted field."""

    _template = "The decryption of the field failed for the alias: {alias}"


class CryptoProviderKeySizeException(CryptoError):
    """A key's size is not the size the algorithm needs (``expected_keysize``,
    ``configured_keysize``, in bytes)."""

    _template = ("The key found does not match the size of the key that the algorithm "
                 "expects for the alias: {alias}. Expected key size was {expected_keysize} "
                 "and configured key size is {configured_keysize}")

    def __init__(self, params: Any = None, alias: Optional[str] = None,
                 expected_keysize: Optional[int] = None,
                 configured_keysize: Optional[int] = None, **kwargs: Any) -> None:
        self.expected_keysize = expected_keysize
        self.configured_keysize = configured_keysize
        if params is None and "message" not in kwargs:
            kwargs["message"] = self._template.format(
                alias=alias, expected_keysize=expected_keysize,
                configured_keysize=configured_keysize)
        super().__init__(params, alias=alias, **kwargs)


# The 3.x SDK's names of the crypto bases.
CryptoException = CryptoError
CryptoConfigException = CryptoConfigError
CryptoExecutionException = CryptoExecutionError

# The 4.x exceptions and error contexts (defined in _errors4x: they derive from the classes above)
from ._errors4x import *  # noqa: E402,F401,F403
