"""``couchbase-mock``: run a mock cluster as its own process.

When every port is listening it prints one JSON line to stdout::

    {"connstr": "couchbase://127.0.0.1:<kv1>,...", "mgmt": "http://127.0.0.1:<port>",
     "username": "Administrator", "password": "password", "buckets": ["default"]}

and serves until SIGINT or SIGTERM, then exits 0.

With ``--tls`` every service also listens on a TLS port (``kvSSL``, ``mgmtSSL``...
in the config) and the line adds ``"ca"`` (the cluster CA's PEM file, for
``cert_path``) and ``"tls_connstr"`` (``couchbases://...``); ``--tls-only``
closes the plain ports (``connstr`` is then the ``couchbases://`` one).

Data is kept in memory only unless ``--data-dir DIR`` is given; then it is
written to a crash-safe store in DIR and restored by the next start on DIR.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import signal
import sys
from typing import NoReturn, Optional, Sequence

from couchbase import __version__

from .alternate import check_address, set_external
from .bucket import COUCHBASE, MEMCACHED
from .cluster import Cluster
from .disk import DiskError
from .persistence import open_data_dir
from .progress import progress_for
from .samples import SAMPLES, install_missing
from .server import check_port_base, start_servers, stop_servers
from .tls import ServerTLS

log = logging.getLogger("couchbase_mock")


class _Parser(argparse.ArgumentParser):
    """Reports a bad argument in one line on stderr (exit status 2), without
    the usage block: ``couchbase-mock: error: ...``."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = _Parser(
        prog="couchbase-mock",
        description="Run a local Couchbase-compatible mock cluster. Data is kept in "
        "memory only, and lost when it exits, unless --data-dir is given. Test "
        "controls (failover, hiccup, ...) answer at GET /mock/<command> on the "
        "management port."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "-v", "--verbose", action="count", default=0,
        help="log the cluster's events to stderr: -v ports, buckets, samples (INFO); "
        "-vv also every connection (DEBUG)",
    )
    parser.add_argument("--nodes", type=int, default=4, help="number of nodes (default 4)")
    parser.add_argument(
        "--replicas", type=int, default=1, help="replicas per couchbase bucket (default 1)"
    )
    parser.add_argument(
        "--bucket", action="append", default=[], metavar="NAME[:PASSWORD]",
        help="a couchbase bucket, optionally with a bucket password; repeatable "
        "(default: one bucket named 'default')",
    )
    parser.add_argument(
        "--memcached-bucket", action="append", default=[], metavar="NAME[:PASSWORD]",
        help="a memcached bucket; repeatable",
    )
    parser.add_argument(
        "--sample", action="append", default=[], choices=sorted(SAMPLES), metavar="NAME",
        help="install a sample bucket before serving (beer-sample, travel-sample, "
        "gamesim-sample); repeatable. Without --bucket, no 'default' bucket is made",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument(
        "--alternate-hostname", default=None, metavar="HOST",
        help="advertise HOST as every node's 'external' alternate address "
        "(same ports), for clients using network=external",
    )
    parser.add_argument(
        "--external", action="append", default=[], metavar="NODE=HOST[,SERVICE=PORT...]",
        help="advertise HOST (and mapped ports, by nodesExt service name: kv, mgmt, "
        "capi, n1ql, fts...) as node NODE's 'external' alternate address; repeatable",
    )
    parser.add_argument(
        "--port-base", type=int, default=None,
        help="fixed ports: node i listens on BASE+2i (management) and BASE+2i+1 (KV); "
        "default: ephemeral ports",
    )
    parser.add_argument(
        "--standard-ports", action="store_true",
        help="the first node on Couchbase Server's ports (8091 management, 8092 views, "
        "8093 query, 8094 search, 8095 analytics, 11210 KV); the others per --port-base "
        "or ephemeral",
    )
    parser.add_argument(
        "--data-dir", default=None, metavar="DIR",
        help="keep buckets, collections and documents in DIR (crash-safe; a restart "
        "on DIR restores them); default: memory only, everything is lost on exit",
    )
    parser.add_argument(
        "--tls", action="store_true",
        help="also serve every service over TLS, with a CA and node certificate made at "
        "start (needs trustme: pip install 'couchbase-pure[mock-tls]'); the ready line "
        "names the CA file",
    )
    parser.add_argument(
        "--tls-cert-dir", default=None, metavar="DIR",
        help="serve TLS with the certificates in DIR: ca.pem, chain.pem, pkey.key "
        "(implies --tls)",
    )
    parser.add_argument("--tls-only", action="store_true",
                        help="serve TLS ports only (no plain ones)")
    parser.add_argument(
        "--client-cert-auth", default="disable", metavar="STATE",
        choices=("disable", "enable", "hybrid", "mandatory"),
        help="client-certificate authentication on the TLS ports, as the server's "
        "/settings/clientCertAuth: disable (default), enable, hybrid or mandatory; the "
        "user is the certificate's subject CN (change with POST /settings/clientCertAuth)")
    args = parser.parse_args(argv)
    if args.tls_only and not (args.tls or args.tls_cert_dir):
        parser.error("--tls-only needs --tls or --tls-cert-dir")
    if args.client_cert_auth != "disable" and not (args.tls or args.tls_cert_dir):
        parser.error("--client-cert-auth needs --tls or --tls-cert-dir")
    try:
        args.external = [_external(text, args.nodes) for text in args.external]
    except ValueError as exc:
        parser.error(f"--external: {exc}")
    if args.nodes < 1:
        parser.error("--nodes must be at least 1")
    if not 0 <= args.replicas <= 3:
        parser.error("--replicas must be between 0 and 3")
    return args


def _external(text: str, nodes: int) -> tuple[int, str, dict[str, int]]:
    """``NODE=HOST[,SERVICE=PORT...]`` as (node, host, ports); ValueError if malformed."""
    head, _, rest = text.partition(",")
    node_text, _, hostname = head.partition("=")
    if not node_text.isdigit() or not int(node_text) < nodes or not hostname:
        raise ValueError(f"{text!r}: expected NODE=HOST with NODE in 0-{nodes - 1}")
    ports: dict[str, int] = {}
    for item in filter(None, rest.split(",")):
        name, _, port = item.partition("=")
        if not port.isdigit():
            raise ValueError(f"{item!r}: expected SERVICE=PORT")
        ports[name] = int(port)
    hostname, ports = check_address(hostname, ports)
    return int(node_text), hostname, ports


def build_cluster(args: argparse.Namespace) -> Cluster:
    """The cluster the arguments describe; with ``--data-dir``, the one the
    directory holds (the bucket arguments only seed a new directory)."""
    cluster = Cluster(args.nodes, args.host, alternate_hostname=args.alternate_hostname)
    for node, hostname, ports in args.external:
        set_external(cluster, node, hostname, ports)
    specs = [(s, COUCHBASE) for s in args.bucket]
    specs += [(s, MEMCACHED) for s in args.memcached_bucket]
    if not specs and not args.sample:
        specs = [("default", COUCHBASE)]

    def seed(cluster: Cluster) -> None:
        for spec, bucket_type in specs:
            name, _, password = spec.partition(":")
            cluster.create_bucket(name, bucket_type, args.replicas, password or None)

    if args.data_dir is None:
        seed(cluster)
    else:
        open_data_dir(cluster, args.data_dir, seed)
    return cluster


def ready_line(cluster: Cluster) -> str:
    hosts = ",".join(f"{cluster.host}:{n.kv_port}" for n in cluster.nodes)
    line = {
        "connstr": f"couchbase://{hosts}",
        "mgmt": f"http://{cluster.host}:{cluster.nodes[0].mgmt_port}",
        "username": cluster.username,
        "password": cluster.password,
        "buckets": list(cluster.buckets),
    }
    if cluster.tls is not None:  # --tls: the CA file and the TLS ports
        tls_hosts = ",".join(f"{cluster.host}:{n.ports['kvSSL']}" for n in cluster.nodes)
        line["tls_connstr"] = f"couchbases://{tls_hosts}"
        line["ca"] = cluster.tls.ca_path
        if "kv" not in cluster.nodes[0].ports:  # --tls-only
            line["connstr"] = line["tls_connstr"]
            line["mgmt"] = f"https://{cluster.host}:{cluster.nodes[0].ports['mgmtSSL']}"
    return json.dumps(line)


async def serve(cluster: Cluster, port_base: Optional[int], samples: Sequence[str] = (),
                replicas: int = 1, standard_ports: bool = False, tls_only: bool = False
                ) -> None:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    servers = await start_servers(cluster, port_base, standard_ports=standard_ports,
                                  tls=cluster.tls, tls_only=tls_only)
    try:
        for node in cluster.nodes:
            log.info("node %d listening on %s: %s", node.index, cluster.host,
                     ", ".join(f"{name} {port}" for name, port in node.ports.items()))
        await install_missing(cluster, samples, replicas,  # a data directory may hold them
                              lambda name: progress_for(f"loading {name}").update)
        if samples:
            log.info("sample buckets ready: %s", ", ".join(samples))
        sys.stdout.write(ready_line(cluster) + "\n")
        sys.stdout.flush()
        await stop.wait()
    finally:
        await stop_servers(servers)
        flusher = cluster.detach_flusher()
        if flusher is not None:  # what was acknowledged goes to disk first
            flusher.close()


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    if args.verbose:  # otherwise nothing is configured: only warnings reach stderr
        logging.basicConfig(stream=sys.stderr, format="%(asctime)s %(name)s %(levelname)s "
                            "%(message)s", level=logging.DEBUG if args.verbose > 1
                            else logging.INFO)
    cluster: Optional[Cluster] = None
    try:
        check_port_base(args.port_base, args.nodes)
        cluster = build_cluster(args)
        cluster.tls = ServerTLS.from_options(
            args.tls, args.tls_cert_dir, filter(None, [
                args.host, args.alternate_hostname, *(host for _, host, _ in args.external)]))
        if cluster.tls is not None:
            cluster.tls.write_ca(args.data_dir)
            cluster.tls.client_auth.update(args.client_cert_auth)
        asyncio.run(serve(cluster, args.port_base, args.sample, args.replicas,
                          args.standard_ports, args.tls_only))
    except (OSError, ValueError, OverflowError, DiskError, RuntimeError) as exc:
        print(f"couchbase-mock: error: {exc}", file=sys.stderr)  # one line, no traceback
        return 1
    finally:
        if cluster is not None and cluster.tls is not None:  # a temporary CA file
            cluster.tls.remove_ca()
    return 0


if __name__ == "__main__":
    sys.exit(main())
