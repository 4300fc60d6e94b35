"""The WITH object of CREATE [PRIMARY] INDEX and CREATE VECTOR INDEX: known properties only.

createindex.adoc, "WITH Clause" documents ``nodes``, ``defer_build`` and
``num_replica``; index-partitioning.adoc adds ``num_partition``. Any other
property makes the creation fail (code 5000, the index service's message naming
the property), and no index is left behind.
"""

from __future__ import annotations

import pytest

from couchbase_mock.n1ql import QueryEngine
from couchbase_mock.n1ql.errors import N1QLError


def names(engine: QueryEngine) -> set:
    return set(engine.query(
        "SELECT RAW name FROM system:indexes WHERE keyspace_id = 'empty'").results)


@pytest.mark.parametrize("stmt", [
    "CREATE INDEX ok1 ON empty(a) WITH {'defer_build': true}",
    "CREATE INDEX ok2 ON empty(a) WITH {'num_replica': 0}",
    "CREATE INDEX ok3 ON empty(a) PARTITION BY HASH(META().id) WITH {'num_partition': 8}",
    "CREATE INDEX ok4 ON empty(a) WITH {'retain_deleted_xattr': true, 'defer_build': false}",
    "CREATE PRIMARY INDEX ok5 ON empty WITH {'defer_build': true}",
])
def test_documented_properties_are_accepted(fresh: QueryEngine, stmt: str) -> None:
    fresh.query(stmt)
    assert len(names(fresh)) == 1


@pytest.mark.parametrize("stmt", [
    "CREATE INDEX bad ON empty(a) WITH {'defer': true}",
    "CREATE INDEX bad ON empty(a) WITH {'Defer_Build': true}",  # names are case-sensitive
    "CREATE INDEX bad ON empty(a) WITH {'num_replicas': 1}",
    "CREATE PRIMARY INDEX bad ON empty WITH {'dimension': 3}",
    "CREATE INDEX bad ON empty(a) WITH {'similarity': 'L2'}",  # a vector index's only
])
def test_unknown_properties_are_refused(fresh: QueryEngine, stmt: str) -> None:
    with pytest.raises(N1QLError) as err:
        fresh.query(stmt)
    assert err.value.code == 5000
    assert "Invalid parameters in with-clause" in str(err.value)
    assert "'defer_build'" in str(err.value)  # the valid ones are listed
    assert names(fresh) == set()


def test_vector_index_takes_its_own_properties(fresh: QueryEngine) -> None:
    fresh.query("CREATE VECTOR INDEX v1 ON empty(emb VECTOR) WITH {'dimension': 3, "
                "'similarity': 'L2', 'description': 'IVF,SQ8', 'scan_nprobes': 4, "
                "'train_list': 100, 'defer_build': true}")
    state = fresh.query("SELECT RAW state FROM system:indexes WHERE name = 'v1'").results
    assert state == ["deferred"]  # the GSI part is applied
    with pytest.raises(N1QLError) as err:
        fresh.query("CREATE VECTOR INDEX v2 ON empty(emb VECTOR) WITH {'dimension': 3, "
                    "'similarity': 'L2', 'description': 'IVF,SQ8', 'colour': 'red'}")
    assert "'colour'" in str(err.value)
