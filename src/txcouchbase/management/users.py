"""``txcouchbase.management.users``: the :mod:`couchbase.management.users` classes. A
manager reached from a Twisted cluster or bucket (``cluster.users()``) returns
Deferreds: one class for every front end."""

from __future__ import annotations

from couchbase.management.users import (
    Group,
    Origin,
    Role,
    RoleAndDescription,
    RoleAndOrigins,
    User,
    UserAndMetadata,
    UserManager,
)

__all__ = ["Group", "Origin", "Role", "RoleAndDescription", "RoleAndOrigins", "User",
           "UserAndMetadata", "UserManager"]
