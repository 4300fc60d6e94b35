"""Over TLS through the 4.x API, run by the OFFICIAL SDK 4.x and by this package.

Usage: python official_sdk_tls4x.py CONNSTR USERNAME PASSWORD PREFIX CA OTHER_CA VIEWS
(see official_sdk_4x_steps.py for the output). CONNSTR is a ``couchbases://``
string of a local cluster serving TLS only; CA is its CA file, given as the
connection guide does (``PasswordAuthenticator(user, password, cert_path=CA)``);
OTHER_CA is a CA that signed nothing of the cluster's; VIEWS is ``1`` when the
cluster can run views (its JavaScript engine is installed), else ``0``.

Steps: key-value (upsert, get, remove, a missing key), SQL++ (``SELECT 1`` and a
query over the bucket), views (a design document through the view index
manager, then ``bucket.view_query``), and a connection trusting OTHER_CA, which
must fail within its short timeouts (3 s).
"""

import sys
import time
from datetime import timedelta

from official_sdk_4x_steps import Run

from couchbase.auth import PasswordAuthenticator
from couchbase.cluster import Cluster
from couchbase.management.views import DesignDocument, DesignDocumentNamespace, View
from couchbase.options import ClusterOptions, ClusterTimeoutOptions, QueryOptions, ViewOptions

SHORT = ClusterTimeoutOptions(bootstrap_timeout=timedelta(seconds=3),
                              connect_timeout=timedelta(seconds=3),
                              kv_timeout=timedelta(seconds=3),
                              query_timeout=timedelta(seconds=3))


def connect(run, ca):
    cluster = Cluster(run.connstr, ClusterOptions(
        PasswordAuthenticator(run.username, run.password, cert_path=ca),
        timeout_options=SHORT))
    cluster.wait_until_ready(timedelta(seconds=3))
    return cluster


def main():
    run = Run()
    ca, other_ca, views = sys.argv[5:8]
    k = run.key
    cluster = connect(run, ca)
    bucket = cluster.bucket("default")
    coll = bucket.default_collection()

    doc = {"run": run.prefix, "name": "Stout", "abv": 7.2}
    run.step("upsert", lambda: coll.upsert(k("beer"), doc), lambda r: run.cas(r.cas))
    run.step("get", lambda: coll.get(k("beer")), lambda r: [r.content_as[dict], run.cas(r.cas)])
    run.step("remove", lambda: coll.remove(k("beer")), lambda r: run.cas(r.cas) is not None)
    run.step("get removed", lambda: coll.get(k("beer")), lambda r: r.content_as[dict])
    run.step("get missing", lambda: coll.get(k("never")), lambda r: r.content_as[dict])

    run.step("select 1", lambda: cluster.query("SELECT 1 AS one"), lambda r: list(r.rows()))
    coll.upsert(k("q1"), {"run": run.prefix, "n": 1})
    coll.upsert(k("q2"), {"run": run.prefix, "n": 2})
    run.step("query the bucket", lambda: cluster.query(
        "SELECT d.n FROM `default` d USE KEYS $1 ORDER BY d.n",
        QueryOptions(positional_parameters=[[k("q1"), k("q2"), k("none")]])),
        lambda r: list(r.rows()))

    if views == "1":
        view_steps(run, bucket)
    else:
        run.skip("views", "the local cluster's views need its JavaScript engine")
    cluster.close()

    start = time.monotonic()

    def wrong_ca():
        other = connect(run, other_ca)
        try:
            return other.bucket("default").default_collection().get(k("q1"))
        finally:
            other.close()

    run.step("wrong CA", wrong_ca, lambda r: "connected")
    run.emit("wrong CA fails within 6 s", time.monotonic() - start < 6)


def view_steps(run, bucket):
    coll = bucket.default_collection()
    for name, abv in (("Pale Ale", 5.6), ("Stout", 7.2), ("Mild", 3.5)):
        coll.upsert(run.key(name), {"run": run.prefix, "name": name, "abv": abv})
    ddoc = run.prefix.rstrip("-") + "tls"
    manager = bucket.view_indexes()
    mine = f"doc.run === '{run.prefix}' && doc.name"
    manager.upsert_design_document(DesignDocument(ddoc, {"by_name": View(
        f"function (doc, meta) {{ if ({mine}) emit(doc.name, doc.abv); }}"
    )}), DesignDocumentNamespace.PRODUCTION)

    def rows():
        # the first query after the upsert may read the index before it has built
        # (stale=update_after, as a server does): ask until all three are there
        for _ in range(100):
            found = [[row.key, row.value] for row in bucket.view_query(
                ddoc, "by_name", ViewOptions(namespace=DesignDocumentNamespace.PRODUCTION)
            ).rows()]
            if len(found) == 3:
                break
            time.sleep(0.05)
        return found

    run.step("view query", rows)
    manager.drop_design_document(ddoc, DesignDocumentNamespace.PRODUCTION)


if __name__ == "__main__":
    main()
