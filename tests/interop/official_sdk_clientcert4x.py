"""Client-certificate authentication through the 4.x API, run by the OFFICIAL SDK 4.x
and by this package.

Usage: python official_sdk_clientcert4x.py CONNSTR USERNAME PASSWORD PREFIX CA CERT KEY
(see official_sdk_4x_steps.py for the output). CONNSTR is a ``couchbases://`` string
of a local cluster serving TLS only that requires client certificates
(``client_cert_auth="mandatory"``); CERT/KEY a certificate the cluster CA issued to
USERNAME; PASSWORD is never sent.

Steps: ``CertificateAuthenticator(cert_path=CERT, key_path=KEY, trust_store_path=CA)``
does upsert, get and ``SELECT 1``; then a password-only connection (no client
certificate) must fail, within its short timeouts (3 s).
"""

import sys
import time
from datetime import timedelta

from official_sdk_4x_steps import Run

from couchbase.auth import CertificateAuthenticator, PasswordAuthenticator
from couchbase.cluster import Cluster
from couchbase.options import ClusterOptions, ClusterTimeoutOptions

SHORT = ClusterTimeoutOptions(bootstrap_timeout=timedelta(seconds=3),
                              connect_timeout=timedelta(seconds=3),
                              kv_timeout=timedelta(seconds=3),
                              query_timeout=timedelta(seconds=3))


def connect(run, authenticator):
    cluster = Cluster(run.connstr, ClusterOptions(authenticator, timeout_options=SHORT))
    cluster.wait_until_ready(timedelta(seconds=3))
    return cluster


def main():
    run = Run()
    ca, cert, key = sys.argv[5:8]
    k = run.key
    cluster = connect(run, CertificateAuthenticator(cert_path=cert, key_path=key,
                                                    trust_store_path=ca))
    coll = cluster.bucket("default").default_collection()
    doc = {"run": run.prefix, "by": "certificate"}
    run.step("upsert", lambda: coll.upsert(k("cert"), doc), lambda r: run.cas(r.cas))
    run.step("get", lambda: coll.get(k("cert")), lambda r: [r.content_as[dict], run.cas(r.cas)])
    run.step("select 1", lambda: cluster.query("SELECT 1 AS one"), lambda r: list(r.rows()))
    cluster.close()

    start = time.monotonic()

    def password_only():
        other = connect(run, PasswordAuthenticator(run.username, run.password, cert_path=ca))
        try:
            return other.bucket("default").default_collection().get(k("cert"))
        finally:
            other.close()

    run.step("password only", password_only, lambda r: "connected")
    run.emit("password only fails within 6 s", time.monotonic() - start < 6)


if __name__ == "__main__":
    main()
