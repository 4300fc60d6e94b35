"""The SDK 2.x data structures (maps, lists, sets, queues) on the embedded local cluster
(or on your own: ``python examples/datastructures.py couchbase://host/bucket``).

Each is an ordinary JSON document changed with sub-document operations;
``tests/test_examples_subdoc.py`` checks what this prints.
"""

from __future__ import annotations

import sys

from couchbase.bucket import Bucket
from couchbase.exceptions import QueueEmpty


def main(cb: Bucket) -> None:
    for key in ("a_map", "a_list", "a_set", "a_queue"):
        cb.remove(key, quiet=True)

    # A map is a JSON object
    cb.map_add("a_map", "some_key", "some_value", create=True)
    cb.map_add("a_map", "other_key", 42)
    print("map_get:", cb.map_get("a_map", "some_key").value)
    print("map:", cb.get("a_map").value, "size", cb.map_size("a_map"))
    cb.map_remove("a_map", "other_key")
    try:
        cb.map_get("a_map", "other_key")
    except IndexError:
        print("removed key: IndexError")

    # A list is a JSON array
    cb.list_append("a_list", "hello", create=True)
    cb.list_append("a_list", "world")
    cb.list_set("a_list", 1, "good")
    cb.list_prepend("a_list", "well")
    print("list:", cb.get("a_list").value, "last", cb.list_get("a_list", -1).value)

    # A set is an array without duplicates
    cb.set_add("a_set", "dog", create=True)
    cb.set_add("a_set", "cat")
    print("add a duplicate:", cb.set_add("a_set", "dog"))
    print("contains cat:", cb.set_contains("a_set", "cat"), "size", cb.set_size("a_set"))
    cb.set_remove("a_set", "cat")
    print("set:", cb.get("a_set").value)

    # A queue pops what was pushed first
    cb.queue_push("a_queue", "job9999", create=True)
    cb.queue_push("a_queue", "job10000")
    print("popped:", cb.queue_pop("a_queue").value, "then", cb.queue_pop("a_queue").value)
    try:
        cb.queue_pop("a_queue")
    except QueueEmpty:
        print("empty queue: QueueEmpty")


def run_locally() -> None:
    from couchbase_mock import MockCluster

    with MockCluster(nodes=2, buckets={"default": {}}) as cluster:
        with Bucket(f"{cluster.connstr}/default", username="Administrator",
                    password="password") as cb:
            main(cb)


if __name__ == "__main__":
    if len(sys.argv) > 1:
        main(Bucket(sys.argv[1]))
    else:
        run_locally()
