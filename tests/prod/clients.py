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
from collections.abc import Mapping
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlencode, urlsplit

from bench.client import COOKIE, Client, Response


class HostClient(Client):
    """Keeps the session cookie; sends ``Host: host`` and connects from ``source``."""

    def __init__(self, bases, host: str | None = None, source: str | None = None, timeout: float = 10) -> None:
        super().__init__(bases, timeout=timeout)
        self.host = host
        self.source = source

    def request(self, method: str, path: str, data: Mapping[str, Any] | None = None) -> Response:
        base = self.bases[self.sent % len(self.bases)]
        self.sent += 1
        netloc = urlsplit(base).netloc
        host, _, port = netloc.partition(":")
        conn = http.client.HTTPConnection(
            host, int(port or 80), timeout=self.timeout, source_address=(self.source, 0) if self.source else None
        )
        headers = {"Host": self.host or netloc}
        body = None
        if self.cookie:
            headers["Cookie"] = f"{COOKIE}={self.cookie}"
        if data is not None:
            body = urlencode(data, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            raw = conn.getresponse()
            text = raw.read().decode("utf-8", "replace")
            response_headers = {k.lower(): v for k, v in raw.getheaders()}
            for value in raw.headers.get_all("Set-Cookie") or []:
                jar = SimpleCookie()
                jar.load(value)
                if COOKIE in jar:
                    self.cookie = jar[COOKIE].value or None
        finally:
            conn.close()
        self.log.append((base, method, path, raw.status))
        return Response(raw.status, response_headers, text, base)


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
