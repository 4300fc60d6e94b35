"""The 4.x management calls test_management_4x leaves out, on every front end against
the local cluster: user groups (upsert/get/get_all/drop, a user's roles from its
groups with their origins, GroupNotFoundException) and the search index controls
(pause/resume ingest, allow/disallow querying, freeze/unfreeze plan, analyze_document)."""

from __future__ import annotations

import uuid
from typing import Any, Callable

import pytest

from couchbase.exceptions import (
    GroupNotFoundException,
    InvalidArgumentException,
    SearchIndexNotFoundException,
)
from couchbase.management.search import SearchIndex, SearchIndexManager
from couchbase.management.users import Group, Role, User, UserManager
from frontends.conftest import Proxy


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"


@pytest.fixture
def manager(cb: Proxy) -> Callable[[Any], Proxy]:
    def make(factory: Any) -> Proxy:
        return Proxy(factory(cb._target), cb._resolve)
    return make


def test_group_life_cycle(manager: Callable[[Any], Proxy]) -> None:
    mgr = manager(UserManager)
    name = unique("g-")
    roles = {Role("bucket_admin", bucket="default"), Role("ro_admin")}
    mgr.upsert_group(Group(name, description="Operators", roles=roles))
    try:
        got = mgr.get_group(name)
        assert (got.name, got.description, got.roles) == (name, "Operators", roles)
        assert name in [g.name for g in mgr.get_all_groups()]
        mgr.upsert_group(Group(name, description="Admins", roles={Role("admin")}))
        assert mgr.get_group(name).roles == {Role("admin")}
    finally:
        mgr.drop_group(name)
    with pytest.raises(GroupNotFoundException):
        mgr.get_group(name)
    with pytest.raises(GroupNotFoundException):
        mgr.drop_group(name)
    with pytest.raises(InvalidArgumentException):
        mgr.upsert_group(Group(unique("g-"), roles={Role("no_such_role")}))
    with pytest.raises(InvalidArgumentException):
        mgr.upsert_group("not a group")


def test_a_users_roles_from_its_groups(manager: Callable[[Any], Proxy]) -> None:
    mgr = manager(UserManager)
    group, user = unique("g-"), unique("u-")
    mgr.upsert_group(Group(group, roles={Role("bucket_full_access", bucket="default")}))
    try:
        mgr.upsert_user(User(username=user, password="s3cret!", roles={Role("ro_admin")},
                             groups={group}))
        got = mgr.get_user(user)
        assert got.user.groups == {group}
        assert got.user.roles == {Role("ro_admin")}  # (the user's own)
        origins = {r.role.name: [(o.type, o.name) for o in r.origins]
                   for r in got.effective_roles}
        assert origins["ro_admin"] == [("user", None)]
        assert origins["bucket_full_access"] == [("group", group)]
        with pytest.raises(InvalidArgumentException):  # a group that does not exist
            mgr.upsert_user(User(username=user, password="s3cret!", groups={unique("g-")}))
    finally:
        mgr.drop_user(user)
        mgr.drop_group(group)


def test_search_index_controls(manager: Callable[[Any], Proxy], cb: Proxy) -> None:
    mgr = manager(SearchIndexManager)
    name = unique("fts")
    cb.upsert(unique("doc-"), {"text": "quick brown foxes"})
    mgr.upsert_index(SearchIndex(name=name, source_name="default"))
    try:
        for call in (mgr.pause_ingest, mgr.resume_ingest, mgr.disallow_querying,
                     mgr.allow_querying, mgr.freeze_plan, mgr.unfreeze_plan):
            assert call(name) is None
        mgr.pause_ingest(name)
        plan = mgr.get_index(name).plan_params
        assert plan["nodePlanParams"][""][""]["canWrite"] is False
        mgr.resume_ingest(name)
        mgr.freeze_plan(name)
        assert mgr.get_index(name).plan_params["planFrozen"] is True
        analyzed = mgr.analyze_document(name, {"text": "Jumping foxes"})
        assert [t["term"] for t in analyzed[0]["text"]] == ["jumping", "foxes"]
    finally:
        mgr.drop_index(name)
    for call in (mgr.pause_ingest, mgr.allow_querying, mgr.freeze_plan):
        with pytest.raises(SearchIndexNotFoundException):
            call(name)
    with pytest.raises(SearchIndexNotFoundException):
        mgr.analyze_document(name, {"text": "x"})
