"""A journey client for real servers that can say which Host it wants and which loopback
address it comes from (bench.client.Client, plus ``host`` and ``source``).

``source`` lets a test tell the client's address apart from the server's own
(127.0.0.1 appears in "Listening at: http://127.0.0.1:..."), and lets the
slow-client test spread its connections over many addresses, as real
clients are, so that nginx's per-address connection limit applies to each.
"""

from __future__ import annotations

import http.client
import socket

from bench.client import Client


class HostClient(Client):
    """Keeps the session cookie; sends ``Host: host`` and connects from ``source``."""

    def __init__(self, bases, host: str | None = None, source: str | None = None, timeout: float = 10) -> None:
        super().__init__(bases, timeout=timeout)
        self.host = host
        self.source = source

    def connection(self, host: str, port: int) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(
            host, port, timeout=self.timeout, source_address=(self.source, 0) if self.source else None
        )

    def base_headers(self, netloc: str) -> dict[str, str]:
        return {"Host": self.host or netloc}


def raw_exchange(port: int, data: bytes, source: str | None = None, timeout: float = 10,
                 half_close: bool = True) -> bytes:
    """Send ``data`` as it is to 127.0.0.1:``port`` and return everything the server answers.

    With ``half_close`` the sending side is shut once ``data`` is sent; nginx takes that
    as a client that went away and drops a request it would pass on (send
    ``Connection: close`` and ``half_close=False`` for those)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout,
                                  source_address=(source, 0) if source else None) as sock:
        chunks = []
        try:
            sock.sendall(data)
            if half_close:
                sock.shutdown(socket.SHUT_WR)
        except OSError:  # the server closed (or reset) the connection already: read what it sent
            pass
        while True:
            try:
                chunk = sock.recv(65536)
            except OSError:  # reset, timed out, or not connected any more
                break
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks)
