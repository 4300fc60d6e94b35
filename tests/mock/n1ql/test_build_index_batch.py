"""BUILD INDEX of several deferred indexes (createindex.adoc, "defer_build";
build-index.adoc): the indexes are filled in one pass over the keyspace and
hold exactly what building them one at a time (or creating them without
``defer_build``) gives, so queries over them answer the same."""

from __future__ import annotations

import json

import pytest

from couchbase_mock.n1ql import MemoryDatastore, N1QLError, QueryEngine
from couchbase_mock.samples.install import index_statements

KS = ("ks", "_default", "_default")

DEFINITIONS = [
    "CREATE PRIMARY INDEX ix_primary ON ks",
    "CREATE INDEX ix_name ON ks(name)",
    "CREATE INDEX ix_city_name ON ks(city, name) WHERE type = 'hotel'",
    "CREATE INDEX ix_tags ON ks(DISTINCT ARRAY t FOR t IN tags END)",
    "CREATE INDEX ix_days ON ks(src, ALL ARRAY s.day FOR s IN sched END)",
    "CREATE INDEX ix_missing ON ks(nothing INCLUDE MISSING, name)",
    "CREATE INDEX ix_meta ON ks(META().id, ROUND(score))",
]
NAMES = ["ix_primary", "ix_name", "ix_city_name", "ix_tags", "ix_days", "ix_missing", "ix_meta"]


def _engine() -> QueryEngine:
    ds = MemoryDatastore()
    ds.create_bucket("ks")
    for i in range(300):
        doc = {"name": f"n{i % 37}", "city": ["Paris", "Oslo", None][i % 3],
               "type": "hotel" if i % 2 else "route", "tags": [i % 4, i % 4, "x", [i % 2]],
               "src": f"A{i % 5}", "sched": [{"day": d} for d in range(i % 4)],
               "score": i / 7}
        if i % 11 == 0:
            del doc["name"]
        if i % 13 == 0:
            doc["tags"] = "not an array"
        ds.upsert(KS, f"k{i:04d}", json.dumps(doc).encode())
    ds.upsert(KS, "binary", b"\x00not json")
    return QueryEngine(ds)


def _contents(engine: QueryEngine) -> dict:
    out = {}
    for ix in engine.catalog.of(KS):
        assert ix.state == "online", ix.name
        if ix.primary:
            out[ix.name] = list(ix.keys)  # type: ignore[attr-defined]
        else:  # Values compares equal to anything: compare its contents too
            out[ix.name] = [(e[0], e[1], e[2], repr(tuple(e[3])))
                            for e in ix.entries]  # type: ignore[attr-defined]
    return out


def _one_by_one() -> QueryEngine:
    engine = _engine()
    for statement in DEFINITIONS:
        engine.query(statement)
    return engine


def test_build_several_deferred_indexes_fills_them_as_one_by_one() -> None:
    expected = _contents(_one_by_one())
    assert all(expected.values())
    engine = _engine()
    for statement in DEFINITIONS:
        engine.query(statement + ' WITH {"defer_build": true}')
    states = engine.query("SELECT RAW state FROM system:indexes WHERE keyspace_id = 'ks'")
    assert states.results == ["deferred"] * len(DEFINITIONS)
    engine.query("BUILD INDEX ON ks(" + ", ".join(NAMES) + ")")
    assert _contents(engine) == expected


def test_deferred_build_one_at_a_time_and_in_a_batch_agree() -> None:
    engine = _engine()
    for statement in DEFINITIONS:
        engine.query(statement + ' WITH {"defer_build": true}')
    for name in NAMES:
        engine.query(f"BUILD INDEX ON ks({name})")
    assert _contents(engine) == _contents(_one_by_one())


def test_batch_built_indexes_follow_later_writes() -> None:
    engine = _engine()
    for statement in DEFINITIONS:
        engine.query(statement + ' WITH {"defer_build": true}')
    engine.query("BUILD INDEX ON ks(" + ", ".join(NAMES) + ")")
    reference = _one_by_one()
    for e in (engine, reference):
        e.query('UPSERT INTO ks (KEY, VALUE) VALUES ("new", {"name": "zz", "tags": [9]})')
        e.query('DELETE FROM ks WHERE META().id = "k0007"')
    assert _contents(engine) == _contents(reference)
    q = "SELECT RAW META().id FROM ks WHERE ANY t IN tags SATISFIES t = 9 END"
    assert engine.query(q).results == ["new"]


def test_build_names_an_index_twice_or_an_online_one() -> None:
    engine = _engine()
    engine.query("CREATE INDEX ix_name ON ks(name)")
    engine.query('CREATE INDEX ix_tags ON ks(DISTINCT ARRAY t FOR t IN tags END) '
                 'WITH {"defer_build": true}')
    engine.query("BUILD INDEX ON ks(ix_tags, ix_tags, ix_name)")
    assert {ix.name: ix.state for ix in engine.catalog.of(KS)} == {
        "ix_name": "online", "ix_tags": "online"}


def test_build_with_an_unknown_name_builds_nothing() -> None:
    engine = _engine()
    engine.query('CREATE INDEX ix_name ON ks(name) WITH {"defer_build": true}')
    with pytest.raises(N1QLError) as err:
        engine.query("BUILD INDEX ON ks(ix_name, nope)")
    assert err.value.code == 12016  # index not found
    assert engine.catalog.get(KS, "ix_name").state == "deferred"  # type: ignore[union-attr]


def test_sample_installer_defers_then_builds_each_keyspace_once() -> None:
    statements = index_statements([
        "CREATE PRIMARY INDEX `p` ON `b`",
        "CREATE INDEX `x` ON `b`(`a`)",
        "CREATE INDEX `y` ON `b`.`s`.`c`(`a`)",
    ])
    assert statements == [
        'CREATE PRIMARY INDEX `p` ON `b` WITH {"defer_build": true}',
        'CREATE INDEX `x` ON `b`(`a`) WITH {"defer_build": true}',
        'CREATE INDEX `y` ON `b`.`s`.`c`(`a`) WITH {"defer_build": true}',
        "BUILD INDEX ON `b`(`p`, `x`)",
        "BUILD INDEX ON `b`.`s`.`c`(`y`)",
    ]
