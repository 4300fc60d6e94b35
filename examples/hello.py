"""Hello Couchbase: the first example of the developer guide, for Python 3.

Run it against the local cluster with ``make demo``, or against your own:
``python examples/hello.py --host HOST --port 8091``.
"""

from __future__ import annotations

import argparse

from couchbase import Couchbase
from couchbase.exceptions import CouchbaseError


def main(host: str = "localhost", port: int = 8091) -> None:
    c = Couchbase.connect(bucket="beer-sample", host=host, port=port)

    try:
        beer = c.get("aass_brewery-juleol")
    except CouchbaseError as e:
        print("Couldn't retrieve value for key", e)
        # Rethrow the exception, making the application exit
        raise

    doc = beer.value
    print("{name}, ABV: {abv}".format(name=doc["name"], abv=doc["abv"]))

    doc["comment"] = "Random beer from Norway"

    try:
        result = c.replace("aass_brewery-juleol", doc)
        print(result)
    except CouchbaseError:
        print("Couldn't replace key")
        raise


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="localhost")
    parser.add_argument("--port", type=int, default=8091)
    args = parser.parse_args()
    main(args.host, args.port)
