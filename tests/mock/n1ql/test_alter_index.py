"""ALTER INDEX / ALTER VECTOR INDEX (alterindex.adoc, altervectorindex.adoc): replica
alterations are validated, accepted and shown in system:indexes (metadata.num_replica).

The examples need four or five index nodes: the engine is given a directory of five."""

from __future__ import annotations

import pytest
from n1ql_sample import make_engine

from couchbase_mock.n1ql import N1QLError
from couchbase_mock.n1ql.system import Directory

AIRPORT = "travel.inventory.airline"


class FiveNodes(Directory):
    def nodes(self) -> list:
        return [{"name": f"svc-dqi-node-00{i}:18091", "services": ["index", "n1ql"]}
                for i in range(1, 6)]


@pytest.fixture
def eng():
    engine = make_engine()
    engine.directory = FiveNodes()
    engine.query(f"CREATE INDEX country_idx ON {AIRPORT}(country, name)")
    return engine


def row(engine, name: str = "country_idx") -> dict:
    return engine.query(f"SELECT RAW i FROM system:indexes i WHERE i.name = '{name}'").results[0]


def code_msg(engine, statement: str) -> tuple:
    with pytest.raises(N1QLError) as info:
        engine.query(statement)
    return info.value.code, info.value.msg


def test_increasing_the_number_of_replicas(eng):
    # alterindex.adoc, "Increasing the number of replicas": returns an empty array
    got = eng.query(f'ALTER INDEX country_idx ON {AIRPORT} WITH {{"action": "replica_count", '
                    '"num_replica": 4}').results
    assert got == []
    assert row(eng)["metadata"]["num_replica"] == 4


def test_decreasing_the_number_of_replicas(eng):
    # "Decreasing the number of replicas"
    eng.query(f'ALTER INDEX country_idx ON {AIRPORT} WITH {{"action": "replica_count", '
              '"num_replica": 2}')
    eng.query(f'ALTER INDEX country_idx ON {AIRPORT} WITH {{"action": "replica_count", '
              '"num_replica": 1}')
    assert row(eng)["metadata"]["num_replica"] == 1


def test_dropping_a_specific_replica(eng):
    # "Dropping a specific replica": the topology (replica count) does not change
    eng.query(f'ALTER INDEX country_idx ON {AIRPORT} WITH {{"action": "replica_count", '
              '"num_replica": 2}')
    eng.query(f'ALTER INDEX country_idx ON {AIRPORT} WITH {{"action": "drop_replica", '
              '"replicaId": 2}')
    assert row(eng)["metadata"]["num_replica"] == 2
    # "Fail to alter index: Fail to drop replica": the replica does not exist (any more)
    for rid in (2, 7):
        code, msg = code_msg(eng, f'ALTER INDEX country_idx ON {AIRPORT} WITH '
                                  f'{{"action": "drop_replica", "replicaId": {rid}}}')
        assert (code, msg) == (19201, "Fail to alter index: Fail to drop replica")


def test_index_path_syntax_and_vector_synonym(eng):
    # "Index Path: Full Keyspace"; ALTER VECTOR INDEX is a synonym (altervectorindex.adoc)
    eng.query('ALTER INDEX default:travel.inventory.airline.country_idx USING GSI '
              'WITH {"action": "replica_count", "num_replica": 1}')
    eng.query('ALTER VECTOR INDEX travel.inventory.airline.country_idx '
              'WITH {"action": "replica_count", "num_replica": 3}')
    assert row(eng)["metadata"]["num_replica"] == 3


def test_move_names_one_node_per_copy(eng):
    eng.query(f'ALTER INDEX country_idx ON {AIRPORT} WITH {{"action": "move", '
              '"nodes": ["svc-dqi-node-003:18091"]}')
    assert row(eng)["nodes"] == ["svc-dqi-node-003:18091"]
    code, _ = code_msg(eng, f'ALTER INDEX country_idx ON {AIRPORT} WITH {{"action": "move"}}')
    assert code == 19201


@pytest.mark.parametrize("with_, message", [
    ('{"action": "replicas"}', "Unsupported action value"),          # "Mistyped the action"
    ('{"num_replica": 1}', "Unsupported action value"),
    ('{"action": "replica_count"}', "num_replica"),
    ('{"action": "replica_count", "num_replica": -1}', "num_replica"),
    ('{"action": "replica_count", "num_replica": 5}', "index nodes"),  # >= index nodes
    ('{"action": "replica_count", "num_replica": 1, "nodes": ["elsewhere:8091"]}',
     "not an index node"),
    ('{"action": "move", "nodes": ["svc-dqi-node-001:18091", "svc-dqi-node-002:18091"]}',
     "one per copy"),
    ('"replica_count"', "object"),
])
def test_invalid_alterations_are_refused(eng, with_, message):
    code, msg = code_msg(eng, f"ALTER INDEX country_idx ON {AIRPORT} WITH {with_}")
    assert code == 19201 and message in msg
    assert "metadata" not in row(eng)  # nothing changed


def test_unknown_index_and_missing_with(eng):
    # alterindex.adoc, "Return Value": GSI index xxxxxxxx not found
    code, msg = code_msg(eng, f'ALTER INDEX nope ON {AIRPORT} WITH {{"action": "move"}}')
    assert code == 12016 and "GSI index nope not found" in msg
    assert code_msg(eng, f"ALTER INDEX country_idx ON {AIRPORT}")[0] == 3000  # WITH required


def test_deferred_index_cannot_be_altered(eng):
    # "If you attempt to alter an index which is still scheduled for background creation,
    # the request fails."
    eng.query(f'CREATE INDEX later ON {AIRPORT}(iata) WITH {{"defer_build": true}}')
    code, _ = code_msg(eng, f'ALTER INDEX later ON {AIRPORT} WITH {{"action": '
                            '"replica_count", "num_replica": 1}')
    assert code == 19201


def test_one_node_cluster_has_no_room_for_replicas():
    engine = make_engine()  # the default directory: one node
    engine.query(f"CREATE INDEX c ON {AIRPORT}(country)")
    code, _ = code_msg(engine, f'ALTER INDEX c ON {AIRPORT} WITH {{"action": "replica_count", '
                               '"num_replica": 1}')
    assert code == 19201
    engine.query(f'ALTER INDEX c ON {AIRPORT} WITH {{"action": "replica_count", '
                 '"num_replica": 0}')
