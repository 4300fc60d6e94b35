"""examples/4x/*.py (the 4.x Python SDK documentation's examples, in our words) run as
scripts, each against its own embedded local cluster with the travel-sample
bucket, and print what the documentation shows."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

EXPECTED = {
    "hello_world.py": [
        "upserted airline_8091 cas set: True",
        "get: {'type': 'airline', 'id': 8091, 'callsign': 'CBS', 'iata': None, 'icao': None, "
        "'name': 'Couchbase Airways'}",
        "by callsign: Couchbase Airways",
    ],
    "kv_operations.py": [
        "insert again: DocumentExistsException",
        "replace with an old CAS: CasMismatchException",
        "get: {'foo': 'bar', 'bar': 'baz'}",
        "document-key-opts expires: True",
        "durable upsert: ok",
        "remove with a wrong CAS: CasMismatchException",
        "expiry after touch set: True",
        "get_and_touch: {'foo': 'bar', 'bar': 'foo'}",
        "increment: 1000",
        "increment by 5: 1005",
        "decrement by 2: 1003",
        "named collection: John Doe",
        "after remove: DocumentNotFoundException",
    ],
    "subdocument.py": [
        "country: United Kingdom",
        "pending purchases exist: False",
        "country and last purchase: United Kingdom True",
        "insert of an existing path: PathExistsException",
        "my_array: ['some element', 'elem1', 'elem2', 'elem3', ['elem4', 'elem5', 'elem6']]",
        "some_doc: {'some': {'array': ['Hello', 'World']}}",
        "array_addunique #1: added",
        "array_addunique #2: PathExistsException",
        "array_addunique of an object: InvalidValueException",
        "array_addunique into an array of objects: PathMismatchException",
        "array_insert out of bounds: PathNotFoundException",
        "array: ['hello', 'cruel', 'world', ['another', 'array', '!']]",
        "logins: 1",
        "player432 gold: 850",
        "phone: {'num': '311-555-0101', 'ext': 16}",
        "mutate_in with a wrong CAS: CasMismatchException",
        "any replica: United Kingdom",
        "a copy: United Kingdom active",
    ],
    "queries.py": [
        "row: {'faa': 'AAT', 'airportname': 'Lambert Intl'}",
        "row: {'faa': 'ABC', 'airportname': 'Moreau Field'}",
        "row: {'faa': 'ABO', 'airportname': 'Adams Municipal'}",
        "result count: 3 | execution time is a timedelta: True",
        "positional: ['AEZ', 'AGI', 'AMO']",
        "positional option: ['AEZ', 'AGI', 'AMO']",
        "named keyword: ['AEZ', 'AGI', 'AMO']",
        "named option: ['AEZ', 'AGI', 'AMO']",
        "airline: 40-Mile Air, callsign: MILE-AIR",
        "airline: Air Alpine, callsign: AIR ALPINE",
        "airlines: [187]",
        "read your own write: ['Howdy Airlines']",
        "client context id: user-44",
        "French airlines: ['Air Atlantic', 'Air Aurora', 'Air Cardinal']",
        "bad statement: ParsingFailedException, code 3000",
    ],
    "provisioning.py": [
        "hello bucket previously created",
        "found bucket: hello",
        "flush enabled: True",
        "hello bucket dropped",
        "found scope: example-scope",
        "found collection: ['example-collection']",
        "collection dropped",
        "scope dropped",
    ],
    "async_operations.py": [
        "hotel: Medway Youth Hostel in Medway",
        "upserted, cas set: True",
        "get of a missing key: DocumentNotFoundException",
        "first review's ratings are a dict: True",
        "rooms rating, alias: 3.5 Hostel",
        "exist: [True, False, False]",
        "found: Adams Bed and Breakfast",
        "found: Adams Guest House",
        "found: Adams Lodge",
    ],
    "analytics.py": [
        "create it again: DatasetAlreadyExistsException",
        "datasets: ['airports']",
        "indexes: ['airports_by_country']",
        "found row: {'greeting': 'hello'}",
        "status: SUCCESS | execution time is a timedelta: True",
        "positional: [{'airports': 497}]",
        "positional option: [{'airports': 497}]",
        "named keyword: [{'airports': 497}]",
        "named option: [{'airports': 497}]",
        "airport: AFF Trans Lyon Intl",
        "airport: AHH Marseille Regional",
        "airport: AJM Liberty Paris County",
        "after an upsert, request_plus: [{'airports': 498}]",
        "client context id mirrored: True",
        "priority: [{'airports': 497}]",
        "read only: [{'airports': 497}]",
        "bad statement rejected, code 24000",
        "full name: [{'airportname': 'Adams County', 'country': 'France'}, {'airportname': 'Adams "
        "Field', 'country': 'France'}, {'airportname': 'Adams Regional', 'country': 'France'}]",
        "from the scope: [{'airportname': 'Adams County', 'country': 'France'}, "
        "{'airportname': 'Adams Field', 'country': 'France'}, "
        "{'airportname': 'Adams Regional', 'country': 'France'}]",
        "asyncio: {'airports': 497}",
        "datasets after dropping: []",
    ],
    "transactions.py": [
        "foo: hello",
        "doc-a inside the transaction: {}",
        "doc-b outside, before commit: {}",
        "transaction id set: True | unstaging complete: True",
        "doc-a: {}",
        "doc-b: {'transactions': 'are awesome!'}",
        "doc-c exists: False",
        "get: doc-id {'some': 'content'}",
        "read own write: {'some': 'content'}",
        "after replace: {'some': 'content', 'transactions': 'are awesome!'}",
        "after remove, exists: False",
        "doc1: {'foo': 'bar'}",
        "rolled back: TransactionFailed, cause: InsufficientBalanceException "
        "- customer does not have enough funds",
        "till after the rollback: {'takings': 0}",
        "get of a missing document: TransactionFailed, cause: DocumentNotFoundException",
        "committed and unstaged",
        "monster after a hit: {'hitpoints': 5, 'experience_when_killed': 50}",
        "monster after a second hit, exists: False",
        "player: {'experience': 130, 'level': 2}",
        "hit failed: DocumentNotFoundException",
        "select: ['Adams Bed and Breakfast', 'Adams Guest House']",
        "repriced after commit: [1]",
        "query reads its own insert: [{'hello': 'world'}]",
        "query reads a key-value insert: [{'greeting': 'hello world'}]",
        "with options: ['world']",
    ],
}


@pytest.mark.parametrize("script", sorted(EXPECTED))
def test_example_prints_what_the_documentation_shows(script):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT / "src"), env.get("PYTHONPATH"))
                                        if p)
    out = subprocess.run([sys.executable, str(ROOT / "examples" / "4x" / script)],
                         capture_output=True, text=True, timeout=180, env=env)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.splitlines() == EXPECTED[script]
