"""The options of the management API (SDK 4.x): one class per call.

Each is a ``dict`` of the names given (``None`` values left out), as in the
4.x SDK, so ``CreateBucketOptions(timeout=timedelta(seconds=5))`` and
``create_bucket(settings, timeout=timedelta(seconds=5))`` say the same; keyword
arguments win over the options object. A name the call does not know is an
:exc:`~couchbase.exceptions.InvalidArgumentException` at once, not ignored.

Every class takes ``timeout`` (a :class:`~datetime.timedelta` or seconds: the
most the call may wait without an answer) and ``parent_span`` (accepted; this
client has no tracer spans).
"""

from __future__ import annotations

from typing import Any, ClassVar, Optional

from .. import options as _options
from ..options import OptionsBase, timeout_seconds
from ._errors import invalid_argument

_COMMON = ("timeout", "parent_span")


class ManagementOptions(OptionsBase):
    """What every management options class shares: the check of the names."""

    _names: ClassVar[tuple[str, ...]] = ()

    def __init__(self, **kwargs: Any) -> None:
        known = _COMMON + self._names
        unknown = sorted(set(kwargs) - set(known))
        if unknown:
            raise invalid_argument(f"{type(self).__name__} has no option "
                                   f"{', '.join(unknown)} (it has {', '.join(known)})")
        super().__init__(**kwargs)


def merge(cls: type[ManagementOptions], options: tuple[Any, ...],
          kwargs: dict[str, Any]) -> dict[str, Any]:
    """The options of one call (:func:`couchbase.options.merge`), checked by ``cls``;
    ``timeout`` comes out in seconds (a positive float) when given."""
    checked = dict(cls(**_options.merge(options, kwargs)))
    if "timeout" in checked:
        checked["timeout"] = timeout_seconds(checked["timeout"])
    return checked


# -- buckets -------------------------------------------------------------------------------
class CreateBucketOptions(ManagementOptions):
    pass


class UpdateBucketOptions(ManagementOptions):
    pass


class DropBucketOptions(ManagementOptions):
    pass


class GetBucketOptions(ManagementOptions):
    pass


class GetAllBucketOptions(ManagementOptions):
    pass


class FlushBucketOptions(ManagementOptions):
    pass


class BucketDescribeOptions(ManagementOptions):
    pass


# -- collections ---------------------------------------------------------------------------
class GetAllScopesOptions(ManagementOptions):
    pass


class CreateScopeOptions(ManagementOptions):
    pass


class DropScopeOptions(ManagementOptions):
    pass


class CreateCollectionOptions(ManagementOptions):
    pass


class UpdateCollectionOptions(ManagementOptions):
    pass


class DropCollectionOptions(ManagementOptions):
    pass


# -- users and groups ----------------------------------------------------------------------
class UserOptions(ManagementOptions):
    """The user calls' options: ``domain_name`` is ``"local"`` (default) or ``"external"``."""

    _names = ("domain_name",)

    def __init__(self, domain_name: Optional[str] = None, **kwargs: Any) -> None:
        super().__init__(domain_name=domain_name, **kwargs)


class GetUserOptions(UserOptions):
    pass


class GetAllUsersOptions(UserOptions):
    pass


class UpsertUserOptions(UserOptions):
    pass


class DropUserOptions(UserOptions):
    pass


class ChangePasswordOptions(UserOptions):
    pass


class GetRolesOptions(ManagementOptions):
    pass


class GetGroupOptions(ManagementOptions):
    pass


class GetAllGroupsOptions(ManagementOptions):
    pass


class UpsertGroupOptions(ManagementOptions):
    pass


class DropGroupOptions(ManagementOptions):
    pass


# -- query indexes -------------------------------------------------------------------------
_KEYSPACE = ("scope_name", "collection_name")


class CreatePrimaryQueryIndexOptions(ManagementOptions):
    _names = ("index_name", "ignore_if_exists", "num_replicas", "deferred", "condition",
              *_KEYSPACE)


class CreateQueryIndexOptions(ManagementOptions):
    _names = ("ignore_if_exists", "num_replicas", "deferred", "condition", *_KEYSPACE)


class DropPrimaryQueryIndexOptions(ManagementOptions):
    _names = ("index_name", "ignore_if_not_exists", *_KEYSPACE)


class DropQueryIndexOptions(ManagementOptions):
    _names = ("ignore_if_not_exists", *_KEYSPACE)


class GetAllQueryIndexOptions(ManagementOptions):
    _names = _KEYSPACE


class BuildDeferredQueryIndexOptions(ManagementOptions):
    _names = _KEYSPACE


class WatchQueryIndexOptions(ManagementOptions):
    _names = ("watch_primary", *_KEYSPACE)


# -- views ---------------------------------------------------------------------------------
class GetDesignDocumentOptions(ManagementOptions):
    pass


class GetAllDesignDocumentsOptions(ManagementOptions):
    pass


class UpsertDesignDocumentOptions(ManagementOptions):
    pass


class DropDesignDocumentOptions(ManagementOptions):
    pass


class PublishDesignDocumentOptions(ManagementOptions):
    pass


# -- search indexes ------------------------------------------------------------------------
class UpsertSearchIndexOptions(ManagementOptions):
    pass


class GetSearchIndexOptions(ManagementOptions):
    pass


class GetAllSearchIndexesOptions(ManagementOptions):
    pass


class DropSearchIndexOptions(ManagementOptions):
    pass


class GetSearchIndexedDocumentsCountOptions(ManagementOptions):
    pass


class PauseIngestSearchIndexOptions(ManagementOptions):
    pass


class ResumeIngestSearchIndexOptions(ManagementOptions):
    pass


class AllowQueryingSearchIndexOptions(ManagementOptions):
    pass


class DisallowQueryingSearchIndexOptions(ManagementOptions):
    pass


class FreezePlanSearchIndexOptions(ManagementOptions):
    pass


class UnfreezePlanSearchIndexOptions(ManagementOptions):
    pass


class AnalyzeDocumentSearchIndexOptions(ManagementOptions):
    pass


class GetSearchIndexStatsOptions(ManagementOptions):
    pass


class GetAllSearchIndexStatsOptions(ManagementOptions):
    pass


# -- analytics (couchbase.management.analytics) ----------------------------------------------
class CreateDataverseOptions(ManagementOptions):
    _names = ("ignore_if_exists",)


class DropDataverseOptions(ManagementOptions):
    _names = ("ignore_if_not_exists",)


class CreateDatasetOptions(ManagementOptions):
    _names = ("ignore_if_exists", "condition", "dataverse_name")


class DropDatasetOptions(ManagementOptions):
    _names = ("ignore_if_not_exists", "dataverse_name")


class GetAllDatasetOptions(ManagementOptions):
    pass


class CreateAnalyticsIndexOptions(ManagementOptions):
    _names = ("ignore_if_exists", "dataverse_name")


class DropAnalyticsIndexOptions(ManagementOptions):
    _names = ("ignore_if_not_exists", "dataverse_name")


class GetAllAnalyticsIndexesOptions(ManagementOptions):
    pass


class ConnectLinkOptions(ManagementOptions):
    _names = ("dataverse_name", "link_name", "force")


class DisconnectLinkOptions(ManagementOptions):
    _names = ("dataverse_name", "link_name")


class GetPendingMutationsOptions(ManagementOptions):
    pass


class CreateLinkAnalyticsOptions(ManagementOptions):
    pass


class ReplaceLinkAnalyticsOptions(ManagementOptions):
    pass


class DropLinkAnalyticsOptions(ManagementOptions):
    pass


class GetLinksAnalyticsOptions(ManagementOptions):
    _names = ("dataverse_name", "name", "link_type")


_ANALYTICS_OPTIONS = [
    "ConnectLinkOptions", "CreateAnalyticsIndexOptions", "CreateDatasetOptions",
    "CreateDataverseOptions", "CreateLinkAnalyticsOptions", "DisconnectLinkOptions",
    "DropAnalyticsIndexOptions", "DropDatasetOptions", "DropDataverseOptions",
    "DropLinkAnalyticsOptions", "GetAllAnalyticsIndexesOptions", "GetAllDatasetOptions",
    "GetLinksAnalyticsOptions", "GetPendingMutationsOptions", "ReplaceLinkAnalyticsOptions",
]


__all__ = [
    "AllowQueryingSearchIndexOptions",
    "AnalyzeDocumentSearchIndexOptions",
    "BucketDescribeOptions",
    "BuildDeferredQueryIndexOptions",
    "ChangePasswordOptions",
    "CreateBucketOptions",
    "CreateCollectionOptions",
    "CreatePrimaryQueryIndexOptions",
    "CreateQueryIndexOptions",
    "CreateScopeOptions",
    "DisallowQueryingSearchIndexOptions",
    "DropBucketOptions",
    "DropCollectionOptions",
    "DropDesignDocumentOptions",
    "DropGroupOptions",
    "DropPrimaryQueryIndexOptions",
    "DropQueryIndexOptions",
    "DropScopeOptions",
    "DropSearchIndexOptions",
    "DropUserOptions",
    "FlushBucketOptions",
    "FreezePlanSearchIndexOptions",
    "GetAllBucketOptions",
    "GetAllDesignDocumentsOptions",
    "GetAllGroupsOptions",
    "GetAllQueryIndexOptions",
    "GetAllScopesOptions",
    "GetAllSearchIndexStatsOptions",
    "GetAllSearchIndexesOptions",
    "GetAllUsersOptions",
    "GetBucketOptions",
    "GetDesignDocumentOptions",
    "GetGroupOptions",
    "GetRolesOptions",
    "GetSearchIndexOptions",
    "GetSearchIndexStatsOptions",
    "GetSearchIndexedDocumentsCountOptions",
    "GetUserOptions",
    "ManagementOptions",
    "PauseIngestSearchIndexOptions",
    "PublishDesignDocumentOptions",
    "ResumeIngestSearchIndexOptions",
    "UnfreezePlanSearchIndexOptions",
    "UpdateBucketOptions",
    "UpdateCollectionOptions",
    "UpsertDesignDocumentOptions",
    "UpsertGroupOptions",
    "UpsertSearchIndexOptions",
    "UpsertUserOptions",
    "UserOptions",
    "WatchQueryIndexOptions",
    "merge",
    *_ANALYTICS_OPTIONS,
]
