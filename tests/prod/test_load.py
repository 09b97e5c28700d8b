"""A bounded load test: gunicorn with the production settings, wrk on loopback, zero errors.

2 sync workers (the default of ``make serve``); wrk sends a person's whole
journey mix over and over on 16 connections for 8 seconds: the start page,
a question page, an answer (a real CSRF token and session cookie, the same
answer each time), check answers, the result, and the stylesheet. Every
request must succeed (no socket errors, nothing but 2xx and 3xx), and every
request kind is checked once first for its exact status, so a redirect cannot
pass for a page. p50 and p99 are printed at the end of the test run.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from bench.client import Client, walk
from bench.servers import Request, run_wrk
from tests.helpers.prod import LOAD_FIGURES

pytestmark = pytest.mark.load

SECONDS = 8  # long enough for both workers to serve thousands of requests; make bench measures speed
CONNECTIONS = 16


def test_load_on_two_workers_has_no_errors(app, gunicorn_factory, patch_answers, wrk, tmp_path, request):
    server = gunicorn_factory(name="load", workers=2)
    client = Client(server.url)
    final, _ = walk(client, app.extensions["rulebook"], patch_answers)
    assert final == "/check-answers"
    client.get("/result")
    cookie = {"Cookie": f"triage_session={client.cookie}"}
    token = client.get("/questions/pattern").csrf_token()
    body = urlencode({"csrf_token": token, "answer": patch_answers["pattern"]}, doseq=True)  # one answer or several
    journey = [
        Request("/"),
        Request("/questions/pattern", headers=cookie),
        Request("/questions/pattern", "POST", {**cookie, "Content-Type": "application/x-www-form-urlencoded"}, body, expect=302),
        Request("/check-answers", headers=cookie),
        Request("/result", headers=cookie),
        Request("/static/css/main.css"),
    ]
    run_wrk(server.url, journey, seconds=1, connections=CONNECTIONS, workdir=tmp_path)  # warm both workers
    result = run_wrk(server.url, journey, seconds=SECONDS, connections=CONNECTIONS, workdir=tmp_path)

    figures = (
        f"{result.requests} requests in {result.seconds:.1f} s ({result.rps:.0f}/s), "
        f"{CONNECTIONS} connections, the journey mix: p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms, "
        f"errors {result.errors}"
    )
    request.node.user_properties.append((LOAD_FIGURES, figures))  # printed at the end of the run
    print(figures)
    assert result.errors == 0, result.output
    assert result.requests >= 100 * SECONDS, result.output  # far below what 2 cores do; catches a stall
    assert client.get("/").status == 200
    server.stop()
    log = server.log()
    assert "Traceback" not in log and "[ERROR]" not in log and "WORKER TIMEOUT" not in log, log
