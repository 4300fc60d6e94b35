"""How a sub-document operation says it failed: with the status the server answers."""

from __future__ import annotations

CAN_ONLY_REVIVE_DELETED_DOCUMENTS = 0xD6
"""kv_engine's SubdocCanOnlyReviveDeletedDocuments (not in our status table yet)."""

DELETED_DOCUMENT_CANT_HAVE_VALUE = 0xD7
"""kv_engine's SubdocDeletedDocumentCantHaveValue."""


class SubdocError(Exception):
    """An operation failed with ``status`` (a :class:`~couchbase._core.status.Status`
    or one of the codes above)."""

    def __init__(self, status: int) -> None:
        super().__init__(hex(status))
        self.status = status
