"""Full-text search, as the SDK 2.x documentation shows it, on the embedded local
cluster (or on your own: ``python examples/fulltext.py couchbase://host/bucket
http://host:8094``, with the bucket's documents already there).

It writes a few hotels, makes a search index over them through the search
service's REST API, then runs the documentation's queries: a term query
with a limit, a conjunction, a phrase, a query string, facets and a sort.
``tests/frontends/test_fulltext.py`` checks what it prints.
"""

from __future__ import annotations

import base64
import json
import sys
import urllib.request

import couchbase.fulltext as FT
from couchbase.bucket import Bucket
from couchbase.mutation_state import MutationState

HOTELS = {
    "hotel_1": {"type": "hotel", "name": "Seaside Home", "city": "Brighton",
                "description": "A home from home by the sea, with a garden", "rooms": 12},
    "hotel_2": {"type": "hotel", "name": "Mountain Lodge", "city": "Aviemore",
                "description": "Feel at home in the mountains; NoSQL-powered booking",
                "rooms": 40},
    "hotel_3": {"type": "hotel", "name": "City Central", "city": "London",
                "description": "Rooms in the centre of town", "rooms": 220},
}
INDEX = {"type": "fulltext-index", "sourceType": "gocbcore",
         "params": {"mapping": {"default_mapping": {"enabled": True, "dynamic": True},
                                "store_dynamic": True}}}


def create_index(search_url: str, bucket: str, name: str, user: str, password: str) -> None:
    """``PUT /api/index/{name}`` on the search service (what the web console does)."""
    body = json.dumps({**INDEX, "sourceName": bucket}).encode()
    request = urllib.request.Request(f"{search_url}/api/index/{name}", data=body, method="PUT")
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    request.add_header("Authorization", f"Basic {token}")
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request) as response:
        print("index created:", json.loads(response.read())["status"])


def main(cb: Bucket) -> None:
    state = MutationState()
    for key, doc in HOTELS.items():
        state.add_results(cb.upsert(key, doc))

    # "Queries can be issued via Bucket.search": a term query, at most 10 hits
    results = cb.search("travel-search", FT.TermQuery("home"), limit=10,
                        consistent_with=state)
    for hit in results:
        print(f"Found {hit['id']} (score {hit['score']:.3f})")
    print(f"Total hits: {results.total_hits}")

    # Compound queries: every sub-query must match
    query = FT.ConjunctionQuery(FT.TermQuery("home"), FT.MatchQuery("nosql"))
    print("conjunction:", [hit["id"] for hit in cb.search("travel-search", query)])

    # A phrase, and the query string syntax
    print("phrase:", [hit["id"] for hit in cb.search(
        "travel-search", FT.MatchPhraseQuery("home from home"))])
    print("query string:", [hit["id"] for hit in cb.search(
        "travel-search", "+description:home -city:brighton")])

    # Stored fields, a sort, and facets (read once the hits were)
    params = FT.Params(fields=["name", "rooms"], sort=FT.SortField("rooms", desc=True))
    params.facets["cities"] = FT.TermFacet("city", limit=3)
    params.facets["size"] = FT.NumericFacet("rooms").add_range("small", max=50) \
                                                    .add_range("large", min=50)
    results = cb.search("travel-search", FT.MatchAllQuery(), params)
    for hit in results:
        print(f"{hit['fields']['name']}: {hit['fields']['rooms']} rooms")
    sizes = {r["name"]: r["count"] for r in results.facets["size"]["numeric_ranges"]}
    print("sizes:", sizes)


def run_locally() -> None:
    from couchbase_mock import MockCluster

    with MockCluster(nodes=2, buckets={"default": {}}) as cluster:
        search_url = f"http://{cluster.host}:{cluster.nodes[0].search_port}"
        create_index(search_url, "default", "travel-search", cluster.username,
                     cluster.password)
        with Bucket(f"{cluster.connstr}/default", username=cluster.username,
                    password=cluster.password) as cb:
            main(cb)


if __name__ == "__main__":
    if len(sys.argv) > 2:
        bucket = Bucket(sys.argv[1])
        create_index(sys.argv[2], bucket.bucket, "travel-search", bucket.bucket, "")
        main(bucket)
    else:
        run_locally()
