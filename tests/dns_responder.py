"""A DNS responder on 127.0.0.1 for DNS SRV tests (tests/, shared by the client and
front-end tests): answers SRV queries from a table, NXDOMAIN otherwise, may
stay silent or answer late."""

from __future__ import annotations

import socket
import threading
import time

import dns.message
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset


class Responder:
    """Answers SRV queries over UDP from ``records`` (name -> [(prio, weight, port,
    target)]); other names get NXDOMAIN; ``silent`` drops every query; ``delay``
    seconds pass before each answer."""

    def __init__(self) -> None:
        self.records: dict[str, list[tuple[int, int, int, str]]] = {}
        self.silent = False
        self.delay = 0.0
        self.queries: list[str] = []
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                data, peer = self.sock.recvfrom(4096)
            except OSError:
                continue
            query = dns.message.from_wire(data)
            name = query.question[0].name.to_text(omit_final_dot=True)
            self.queries.append(name)
            if self.silent:
                continue
            reply = dns.message.make_response(query)
            found = self.records.get(name)
            if found is None:
                reply.set_rcode(dns.rcode.NXDOMAIN)
            else:
                texts = [f"{p} {w} {port} {target}." for p, w, port, target in found]
                reply.answer.append(dns.rrset.from_text(
                    query.question[0].name, 60, dns.rdataclass.IN, dns.rdatatype.SRV, *texts))
            if self.delay:
                time.sleep(self.delay)
            self.sock.sendto(reply.to_wire(), peer)

    def options(self, timeout: float = 1.0) -> str:
        """The connection-string options that send the lookup here."""
        return f"dns_nameserver=127.0.0.1&dns_port={self.port}&dns_srv_timeout={timeout}"

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.sock.close()


def closed_port() -> int:
    """A local port nothing listens on (a node that is down)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port
