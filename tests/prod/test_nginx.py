"""The shipped nginx config (deploy/nginx.conf) in front of gunicorn, on loopback.

Only this site's name is answered (any other Host, or none, gets no answer at
all); nginx's own error pages (a body too large, a request line or header
too long, a broken request, too many connections from one address, gunicorn
down) carry the app's security headers; the app's own pages pass through
with theirs, once; HTTPS reaches the app as HTTPS and plain HTTP is
redirected to a trusted name; nothing is logged about requests.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import time
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest

from bench.client import Client, Response, walk
from tests.helpers.prod import PROD_ENV
from tests.prod.clients import raw_exchange
from tests.prod.nginx import SITE_NAME, ShippedNginx

pytestmark = pytest.mark.scaleout

SECURITY_HEADERS = {
    "content-security-policy": "default-src 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'; "
                               "form-action 'self'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cache-control": "no-store",
}


@pytest.fixture(scope="module")
def backend(gunicorn_factory):
    """One gunicorn with the production settings (plain HTTP allowed: TRIAGE_HTTPS=0)."""
    return gunicorn_factory(name="behind-nginx", workers=2, env=PROD_ENV)


@pytest.fixture(scope="module")
def proxy(backend, nginx, tmp_path_factory) -> Iterator[ShippedNginx]:
    with ShippedNginx(tmp_path_factory.mktemp("nginx"), [backend.port]) as server:
        yield server


class SiteHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to 127.0.0.1 with the site's name in SNI, as a browser would send it
    (the throwaway certificate is not checked)."""

    def __init__(self, port: int) -> None:
        super().__init__("127.0.0.1", port, timeout=10)

    def connect(self) -> None:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        sock = socket.create_connection((self.host, self.port), self.timeout)
        self.sock = context.wrap_socket(sock, server_hostname=SITE_NAME)


def exchange(port: int, method: str = "GET", path: str = "/", headers: dict | None = None, body: bytes | None = None,
             tls: bool = False) -> tuple[int, dict[str, list[str]], str]:
    """(status, headers by lower-case name with every value, body) of one request."""
    if tls:
        conn = SiteHTTPSConnection(port)
    else:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(method, path, body=body, headers={"Host": SITE_NAME, **(headers or {})})
        response = conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        values: dict[str, list[str]] = {}
        for name, value in response.getheaders():
            values.setdefault(name.lower(), []).append(value)
        return response.status, values, text
    finally:
        conn.close()


def assert_headers_once(headers: dict[str, list[str]]) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert headers.get(name) == [value], (name, headers.get(name))
    permissions = headers.get("permissions-policy", [])
    assert len(permissions) == 1 and "camera=()" in permissions[0] and "interest-cohort=()" in permissions[0]


def test_the_app_is_served_with_its_own_headers_once(proxy):
    for port, tls in ((proxy.http_port, False), (proxy.https_port, True)):
        status, headers, body = exchange(port, path="/about", tls=tls)
        assert status == 200 and "About this tool" in body
        assert_headers_once(headers)
        assert headers["server"] == ["nginx"]  # no version


@pytest.mark.parametrize(
    ("tls", "sent", "scheme"),
    [(True, {}, "https"), (False, {}, "http"),
     (False, {"X-Forwarded-Proto": "https", "X-Forwarded-Ssl": "on", "Forwarded": "proto=https"}, "http")],
)
def test_the_app_learns_the_scheme_from_nginx_alone(proxy, tls, sent, scheme):
    """Redirects are built from the site's name and the scheme nginx saw, whatever the client claims."""
    status, headers, _ = exchange(proxy.https_port if tls else proxy.http_port, path="/rules", headers=sent, tls=tls)
    assert status == 308
    assert headers["location"] == [f"{scheme}://{SITE_NAME}/rules/"]


class TLSClient(Client):
    """bench.client.Client over TLS to nginx, with the site's name (SNI and Host)."""

    def __init__(self, port: int) -> None:
        super().__init__(f"https://127.0.0.1:{port}")
        self.port = port

    def request(self, method: str, path: str, data=None) -> Response:
        headers = {"Cookie": f"triage_session={self.cookie}"} if self.cookie else {}
        body = None
        if data is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            body = urlencode(data, doseq=True).encode()
        status, values, text = exchange(self.port, method, path, headers=headers, body=body, tls=True)
        for value in values.get("set-cookie", []):
            if value.startswith("triage_session="):
                self.cookie = value.split(";", 1)[0].split("=", 1)[1] or None
        self.log.append((self.bases[0], method, path, status))
        return Response(status, {k: v[0] for k, v in values.items()}, text, self.bases[0])


def test_a_whole_journey_over_https(proxy, app, patch_answers):
    """Through TLS with the site's name: every answer posts, the result shows."""
    client = TLSClient(proxy.https_port)
    final, asked = walk(client, app.extensions["rulebook"], patch_answers)
    assert final == "/check-answers" and len(asked) >= 10
    result = client.get("/result")
    assert result.status == 200 and "Alopecia areata" in result.body
    assert all(status < 400 for *_, status in client.log)


@pytest.mark.parametrize("host", ["evil.example", "127.0.0.1", "localhost", f"{SITE_NAME}.evil.example"])
def test_any_other_name_gets_no_answer_at_all(proxy, host):
    request = f"GET /rules HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode()
    assert raw_exchange(proxy.http_port, request) == b""


def test_a_request_without_a_host_gets_no_answer(proxy):
    assert raw_exchange(proxy.http_port, b"GET / HTTP/1.0\r\n\r\n") == b""


def test_tls_for_another_name_is_refused_in_the_handshake(proxy):
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with socket.create_connection(("127.0.0.1", proxy.https_port), timeout=5) as sock:
        with pytest.raises(ssl.SSLError):
            context.wrap_socket(sock, server_hostname="evil.example")


@pytest.mark.parametrize(
    ("name", "request_bytes", "status"),
    [
        ("body too large", b"POST /questions/age HTTP/1.1\r\nHost: " + SITE_NAME.encode()
         + b"\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 40000\r\n\r\n" + b"a" * 40000, 413),
        ("request line too long", b"GET /?" + b"a" * 4100 + b" HTTP/1.1\r\nHost: " + SITE_NAME.encode() + b"\r\n\r\n",
         414),
        ("header too large", b"GET / HTTP/1.1\r\nHost: " + SITE_NAME.encode() + b"\r\nX-Big: " + b"a" * 4100
         + b"\r\n\r\n", 400),
        ("too many header lines", b"GET / HTTP/1.1\r\nHost: " + SITE_NAME.encode() + b"\r\n"
         + b"".join(b"X-%04d: %s\r\n" % (i, b"a" * 3000) for i in range(6)) + b"\r\n", 400),
        ("broken request line", b"GARBAGE\r\n\r\n", 400),
        ("empty host", b"GET / HTTP/1.1\r\nHost: \r\n\r\n", 400),
        ("broken header", b"GET / HTTP/1.1\r\nHost: " + SITE_NAME.encode() + b"\r\nBroken header line\r\n\r\n", 400),
        ("bad chunked body", b"POST /questions/age HTTP/1.1\r\nHost: " + SITE_NAME.encode()
         + b"\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400),
    ],
)
def test_nginx_error_pages_carry_the_security_headers(proxy, name, request_bytes, status):
    answer = raw_exchange(proxy.http_port, request_bytes).decode("latin-1")
    head, _, body = answer.partition("\r\n\r\n")
    lines = head.split("\r\n")
    assert lines[0].startswith(f"HTTP/1.1 {status} "), (name, lines[0])
    headers: dict[str, list[str]] = {}
    for line in lines[1:]:
        key, _, value = line.partition(":")
        headers.setdefault(key.lower(), []).append(value.strip())
    assert_headers_once(headers)
    assert "Sorry, there is a problem" in body  # deploy/errors/nginx-error.html, not nginx's own page
    assert "nginx/" not in answer


@pytest.mark.parametrize(
    ("name", "request_bytes"),
    [
        ("longest request line", b"GET /questions/age?" + b"a" * 4050 + b" HTTP/1.1\r\n"),
        ("longest header line", b"GET /questions/age HTTP/1.1\r\nX-Big: " + b"a" * 4080 + b"\r\n"),
        # nginx itself refuses about 1000 header lines and more (400, its page, the headers).
        ("many header lines", b"GET /questions/age HTTP/1.1\r\n" + b"".join(b"X-%d: a\r\n" % i for i in range(900))),
    ],
)
def test_whatever_nginx_passes_on_gunicorn_accepts(proxy, name, request_bytes):
    """gunicorn's own 400/414/431 have no security headers: its limits sit above nginx's, so
    a request that nginx lets through reaches the app (here: the page, with its headers)."""
    request_bytes += b"Host: " + SITE_NAME.encode() + b"\r\nConnection: close\r\n\r\n"
    answer = raw_exchange(proxy.http_port, request_bytes, half_close=False).decode("latin-1")
    assert answer.startswith("HTTP/1.1 200 "), (name, answer[:200])
    assert "Content-Security-Policy: default-src 'self'" in answer
    assert "Server: gunicorn" not in answer


def test_gunicorn_down_is_a_502_page_with_the_headers(nginx, tmp_path):
    with socket.socket() as unused:  # a port nothing listens on
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    with ShippedNginx(tmp_path / "nginx", [port]) as down:
        status, headers, body = exchange(down.http_port, path="/questions/age")
    assert status == 502
    assert_headers_once(headers)
    assert "Sorry, there is a problem" in body


def test_connections_over_the_limit_from_one_address_get_a_429_with_the_headers(proxy):
    """limit_conn: 20 requests in progress per client address. Bodies not yet sent from
    127.0.0.99 count; the 21st and later get 429 at once; another address is served as usual."""
    held = []
    head = (b"POST /questions/age HTTP/1.1\r\nHost: " + SITE_NAME.encode()
            + b"\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\n")
    refused = []
    try:
        for _ in range(30):
            sock = socket.create_connection(("127.0.0.1", proxy.http_port), timeout=5, source_address=("127.0.0.99", 0))
            sock.sendall(head)
            held.append(sock)
            time.sleep(0.02)  # let nginx read this header before the next connection
        time.sleep(1)  # every answer nginx gives comes at once; what is still held gets none
        for sock in held:
            sock.setblocking(False)
            try:
                data = sock.recv(65536)
            except BlockingIOError:
                continue  # still waiting for its body: within the limit
            if data.startswith(b"HTTP/1.1 429 "):
                refused.append(data.decode("latin-1"))
        status, _, _ = exchange(proxy.http_port, path="/about")
        assert status == 200  # another address (127.0.0.1) is answered meanwhile
    finally:
        for sock in held:
            sock.close()
    assert len(refused) == 10, len(refused)
    assert all("Content-Security-Policy: default-src 'self'" in text for text in refused)


def test_nothing_is_logged_about_requests(proxy):
    exchange(proxy.http_port, path="/questions/life_stage?answer=pregnant")
    raw_exchange(proxy.http_port, b"GARBAGE /help-now?x=1\r\n\r\n")
    assert not list(proxy.workdir.glob("*access*"))
    log = proxy.log()
    for text in ("life_stage", "help-now", "pregnant", "127.0.0.1", "client:"):
        assert text not in log, (text, log)
