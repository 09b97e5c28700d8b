"""Slow clients cannot take the site offline behind the shipped nginx config.

For 16 seconds, 40 slow connections are held against nginx (deploy/nginx.conf,
only ports and paths changed) in front of gunicorn with the production
settings and 2 sync workers: 20 that send their request header one line a
second and never finish it, and 20 that send a whole header and then their
body one byte every two seconds. They come from ten loopback addresses (as
real clients come from many), and whenever nginx cuts one off, it comes
straight back: nginx's client_header_timeout is 10 s, so every slow header is
cut off and comes back at least once in the window. Meanwhile ordinary
requests are sent one after another from 127.0.0.1: every one of them must be
answered, pages with 200 and answers with 302.

A control runs at the same time: four of the same slow-header connections
against a second gunicorn that faces them directly, as `make serve` would on a
public address. It is offline for as long as they hold it: no request to it
is answered in the first 15 seconds (its workers' own timeout, 30 s, is far off).
That is what nginx prevents.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from dataclasses import dataclass

import pytest

from bench.servers import http_get
from tests.helpers.prod import PROD_ENV
from tests.prod.clients import HostClient
from tests.prod.nginx import SITE_NAME, ShippedNginx

pytestmark = pytest.mark.scaleout

HOLD = 16  # seconds the slow connections are held: past nginx's 10 s header timeout, with room to come back
SOURCES = [f"127.0.0.{n}" for n in range(10, 20)]  # ten client addresses
PER_SOURCE = 2  # slow-header and slow-body connections from each
CONTROL_PROBE_WINDOW = 15  # well before gunicorn's worker timeout (30 s) frees the control's workers


@dataclass
class Held:
    """What one slow connection did over the window."""

    kind: str
    connections: int = 0
    cut_off: int = 0  # times the server closed it (then it came back)
    answered: int = 0  # times the server sent anything at all


def hold_slowly(kind: str, port: int, host: bytes, source: str, stop: threading.Event, record: Held) -> None:
    """Keep one slow connection open until ``stop``; reconnect whenever it is closed."""
    while not stop.is_set():
        try:
            sock = socket.create_connection(("127.0.0.1", port), timeout=5, source_address=(source, 0))
        except OSError:
            stop.wait(0.5)
            continue
        record.connections += 1
        try:
            if kind == "header":
                sock.sendall(b"GET / HTTP/1.1\r\nHost: " + host + b"\r\n")
            else:
                sock.sendall(b"POST /questions/age HTTP/1.1\r\nHost: " + host
                             + b"\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 10000\r\n\r\n")
            sent = 0
            while not stop.wait(1.0 if kind == "header" else 2.0):
                sock.sendall(b"X-Slow-%d: a\r\n" % sent if kind == "header" else b"a")
                sent += 1
                sock.setblocking(False)
                try:
                    if sock.recv(4096):
                        record.answered += 1
                    raise ConnectionResetError  # an answer, or the end of the connection
                except BlockingIOError:
                    pass  # nothing from the server: still held
                finally:
                    sock.setblocking(True)
        except OSError:
            record.cut_off += 1
        finally:
            sock.close()


def test_slow_clients_behind_nginx_leave_every_normal_request_answered(gunicorn_factory, nginx, tmp_path):
    backend = gunicorn_factory(name="slow-backend", workers=2, env=PROD_ENV, access_log=tmp_path / "access.log")
    control = gunicorn_factory(name="slow-control", workers=2, env=PROD_ENV)
    with ShippedNginx(tmp_path / "nginx", [backend.port]) as proxy:
        stop = threading.Event()
        records: list[Held] = []
        threads = []
        for source in SOURCES:
            for kind in ("header", "body"):
                for _ in range(PER_SOURCE):
                    record = Held(kind)
                    records.append(record)
                    threads.append(threading.Thread(
                        target=hold_slowly, args=(kind, proxy.http_port, SITE_NAME.encode(), source, stop, record),
                        daemon=True))
        # The control's slow connections are let go only once its last probe is over,
        # so that no probe can be answered by a worker they have just freed.
        control_stop = threading.Event()
        control_records = [Held("header") for _ in range(4)]
        threads += [threading.Thread(target=hold_slowly, args=("header", control.port, b"127.0.0.1",
                                                                 f"127.0.0.{30 + i}", control_stop, record), daemon=True)
                    for i, record in enumerate(control_records)]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        time.sleep(1)  # every slow connection is open before the first normal request

        control_answers: list[int] = []

        def probe_control() -> None:
            while time.monotonic() - started < CONTROL_PROBE_WINDOW:
                control_answers.append(http_get(control.port, "/", timeout=3, host="127.0.0.1"))
                control_stop.wait(1)

        prober = threading.Thread(target=probe_control, daemon=True)
        prober.start()

        pages = ["/", "/questions/age", "/about", "/privacy", "/accessibility", "/static/css/main.css"]
        page_statuses: list[tuple[str, int]] = []
        answer_statuses: list[int] = []
        try:
            while time.monotonic() - started < HOLD:
                for path in pages:
                    page_statuses.append((path, http_get(proxy.http_port, path, timeout=10, host=SITE_NAME)))
                # A person answering a question: a complete POST passes through as usual.
                person = HostClient(proxy.url, host=SITE_NAME)
                page = person.get("/questions/age")
                page_statuses.append(("/questions/age", page.status))
                if page.status == 200:
                    answer_statuses.append(person.post("/questions/age", {"csrf_token": page.csrf_token(),
                                                                          "answer": "30"}).status)
                time.sleep(0.1)
        finally:
            stop.set()
            prober.join(timeout=10)
            control_stop.set()
            for thread in threads:
                thread.join(timeout=10)
        nginx_log = proxy.log()

    unanswered = [(path, status) for path, status in page_statuses if status != 200]
    assert not unanswered, f"{len(unanswered)} of {len(page_statuses)} normal requests not answered 200: {unanswered[:10]}"
    assert len(page_statuses) >= 50  # normal requests really were sent all through the window
    assert answer_statuses and set(answer_statuses) == {302}

    # The slow connections were there all along: all 40 opened, and nginx cut off the
    # slow headers (client_header_timeout) and they came back, again and again.
    headers = [r for r in records if r.kind == "header"]
    bodies = [r for r in records if r.kind == "body"]
    assert len(headers) == len(bodies) == len(SOURCES) * PER_SOURCE == 20
    assert all(r.connections >= 1 for r in records)
    assert all(r.cut_off >= 1 and r.connections >= 2 for r in headers), headers
    assert sum(r.answered for r in records) == 0  # nginx never answered them, just closed them

    # gunicorn saw none of them: the only answers posted were the normal ones.
    backend.stop()
    access = (tmp_path / "access.log").read_text()
    assert len(re.findall(r" POST question ", access)) == len(answer_statuses)

    # The control: gunicorn facing the same kind of client directly was offline.
    assert len(control_answers) >= 3
    assert control_answers.count(200) == 0, control_answers
    assert "client:" not in nginx_log
