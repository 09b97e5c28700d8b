"""Nothing a person answers ever reaches a log: not the app's, not gunicorn's.

A whole journey runs (every answer, a refused token, an unknown option, an
oversize form, the result, the trace, help now) and then a request fails on
purpose while the full session is in hand, with the answers in the
exception's own message: the worst case. Everything logged is captured (the
logging records at DEBUG, and the process's stdout and stderr) and searched
for every answer value and label this person gave.

Under gunicorn (the production settings, its access log on, at debug level),
journeys that fire every red flag (the self-harm answer that leads to
/help-now, the respondent question that only people from 12 to 17 are asked,
pregnancy) run from the client address 127.0.0.2, beside requests that gunicorn
itself refuses (a bad request line, a request line or headers too large, a
bad header, each with answers in a query string) and a worker timeout. No
log may then hold an answer, a page whose name reveals an answer, a query
string or the client's address; the access log holds only the time, the
worker, the method, the kind of page, the status and the duration.

The suite runs with ``-p no:logging``, so this captures with its own handler
rather than pytest's ``caplog``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from datetime import timedelta
from types import SimpleNamespace

import pytest
from flask import session

from bench.client import Client
from bench.client import walk as walk_http
from tests.helpers.config import TEST_CONFIG
from tests.helpers.prod import PROD_ENV, SECRET
from tests.pagecheck import PageClient
from tests.prod.clients import HostClient, raw_exchange
from tests.web.journey import post_answer, walk
from triage import create_app
from triage.gunicorn_conf import PrivateLogger, scrub
from triage.rulebook import evaluate
from triage.security import ROUTE_KINDS, route_kind
from triage.session import CookieCipher


@pytest.fixture(scope="module")
def answer_words(app, patch_answers) -> set[str]:
    """Every distinctive value and label the person gives (short, common words such
    as "no" or "none" would match ordinary log text)."""
    rulebook = app.extensions["rulebook"]
    words: set[str] = set()
    for qid, value in patch_answers.items():
        question = rulebook.question_by_id[qid]
        for v in value if isinstance(value, list) else [value]:
            if question.kind != "number":
                words.add(question.label(v))
                words.add(str(v))
    words = {w for w in words if len(w) >= 5 and w.lower() not in {"none", "nothing"}}
    assert {"round_patches", "exclamation", "Suddenly"} <= words  # the check is not empty
    return words


def assert_no_answers(text: str, words: set[str]) -> None:
    found = sorted(w for w in words if w in text)
    assert not found, f"answers in the log: {found}"


class Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
        self.lines: list[str] = []
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        self.lines.append(self.format(record))  # with the traceback, as a log file would have it


@pytest.fixture()
def captured_logs() -> Iterator[Capture]:
    root = logging.getLogger()
    handler = Capture()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)


@pytest.fixture(scope="module")
def failing_app():
    app = create_app({**TEST_CONFIG, "PROPAGATE_EXCEPTIONS": False})

    @app.get("/__test__/boom")
    def boom():
        raise RuntimeError(f"failed while handling {session.get('answers')!r}")

    return app


def test_no_answer_in_the_app_logs_across_a_journey_and_a_server_error(
    failing_app, patch_answers, answer_words, captured_logs, capfd
):
    client = PageClient(failing_app.test_client())
    client.post("/questions/age", data={"answer": "30"}, expected_status=400)  # no token
    url, _ = walk(client, patch_answers)
    post_answer(client, "/questions/pattern?return=check", "round_patches_martian", expected_status=400)
    token = client.get("/questions/onset").csrf_token()
    client.post("/questions/onset", data={"csrf_token": token, "answer": "sudden" * 5000}, expected_status=413)
    client.get(url)
    client.get("/result")
    client.get("/result/trace")
    client.get("/help-now")
    page = client.get("/__test__/boom", expected_status=500)
    assert "round_patches" not in page.response.get_data(as_text=True)

    logged = "\n".join(captured_logs.lines)
    out, err = capfd.readouterr()
    # The failure was logged, with its path and type but not its message.
    assert "Exception on /__test__/boom [GET]: RuntimeError" in logged + err
    assert "message withheld" in logged + err
    assert_no_answers(logged, answer_words)
    assert_no_answers(out + err, answer_words)
    for record in captured_logs.records:
        assert_no_answers(str(record.args), answer_words)


def test_no_answer_in_gunicorn_output_across_a_journey_and_a_server_error(
    app, gunicorn_factory, patch_answers, answer_words
):
    """gunicorn with the production settings, its access log on, serving the journey."""
    server = gunicorn_factory(
        name="logs", app="tests.prod.failing_wsgi:app", workers=1,
        env={**PROD_ENV, "TRIAGE_ACCESS_LOG": "-"},
    )
    client = Client(server.url)
    assert client.post("/questions/age", {"answer": "30"}).status == 400  # no token
    final, _ = walk_http(client, app.extensions["rulebook"], patch_answers)
    assert final == "/check-answers"
    token = client.get("/questions/pattern?return=check").csrf_token()
    assert client.post("/questions/pattern?return=check&also=round_patches", {"csrf_token": token, "answer": "x"}).status == 400
    assert client.post("/questions/onset", {"csrf_token": token, "answer": "sudden" * 5000}).status == 413
    assert client.get("/result").status == 200
    assert client.get("/result/trace").status == 200
    assert client.get("/__test__/boom").status == 500
    server.stop()

    output = server.log()
    assert "Exception on /__test__/boom [GET]: RuntimeError" in output
    assert re.search(r"> GET result 200 \d+ms$", output, re.M)  # the access log was on
    assert "?" not in "".join(line for line in output.splitlines() if " GET " in line or " POST " in line)
    assert_no_answers(output, answer_words)


# --- gunicorn: every red flag, refused requests, a worker timeout, from 127.0.0.2 --------

CLIENT_ADDRESS = "127.0.0.2"  # not 127.0.0.1, which is also the server's own address in its log
ACCESS_LINE = re.compile(r"^\[[^\]]+\] <\d+> (GET|POST|HEAD|OTHER) ([a-z-]+) (\d{3}) \d+ms$")
ADULT_CRISIS = {"age": "34", "sex": "female", "impact": ["self_harm_thoughts"],
                "body": ["pregnant", "tired", "irregular_periods"], "events": ["new_medicine"]}
CHILD = {"age": "14", "respondent": "parent", "sex": "male", "pattern": ["scaly_patch"], "impact": ["hard_to_cope"]}
# Pages whose name says something about the answers, and whose name must never be logged.
REVEALING = ("help-now", "help_now", "/help", "life_stage", "respondent", "self_harm", "/questions/", "/result/trace")


def red_flag_journeys(rulebook) -> list[dict]:
    """Worked cases that, between them, fire every red flag (and the two journeys above)."""
    journeys, fired = [ADULT_CRISIS, CHILD], set()
    for case in rulebook.cases:
        flags = {f.id for f in evaluate(rulebook, case.answers).red_flags}
        if flags - fired:
            journeys.append({k: list(v) if isinstance(v, tuple) else v for k, v in case.answers.items()})
            fired |= flags
    assert fired == set(rulebook.red_flag_by_id), set(rulebook.red_flag_by_id) - fired
    return journeys


REFUSED_BY_GUNICORN = {
    "bad request line": b"GET /questions/life_stage?answer=pregnant&impact=self_harm_thoughts HTTP/1.1 x\r\n"
                        b"Host: 127.0.0.1\r\n\r\n",
    "request line too long": b"GET /help-now?" + b"answer=pregnant&" * 600 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
    "header too large": b"GET /help-now?answer=pregnant HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Answer: "
                        + b"pregnant" * 1100 + b"\r\n\r\n",
    "too many headers": b"GET /help-now?answer=pregnant HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        + b"".join(b"X-%d: self_harm_thoughts\r\n" % i for i in range(4300)) + b"\r\n",
    "bad header": b"GET /help-now?answer=pregnant HTTP/1.1\r\nHost: 127.0.0.1\r\nLife stage pregnant: 1\r\n\r\n",
    "bad method": b"PREGNANT /help-now?impact=self_harm_thoughts HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
    "cut short": b"GET /help-now?impact=self_harm_thoughts HTTP/1.1\r\nHost: 127.0",
}


def journey_words(rulebook, journeys: list[dict]) -> set[str]:
    """Distinctive answer values and labels of ``journeys`` (short common words would match
    ordinary log text)."""
    words: set[str] = set()
    for answers in journeys:
        for qid, value in answers.items():
            question = rulebook.question_by_id.get(qid)
            if question is None or question.kind == "number":
                continue
            for v in value if isinstance(value, list) else [value]:
                words |= {str(v), question.label(v)}
    return {w for w in words if len(w) >= 6 and w.lower() not in {"nothing", "not_sure", "not sure"}}


def test_gunicorn_logs_hold_no_answer_revealing_page_query_or_client_address(app, gunicorn_factory, tmp_path):
    rulebook = app.extensions["rulebook"]
    journeys = red_flag_journeys(rulebook)
    access_log = tmp_path / "access.log"
    server = gunicorn_factory(
        name="private-logs", app="tests.prod.failing_wsgi:app", workers=1, access_log=access_log,
        env={**PROD_ENV, "GUNICORN_CMD_ARGS": "--timeout 5 --log-level debug"},
    )
    cipher = CookieCipher([SECRET])
    fired: set[str] = set()
    help_now_served = 0
    asked_anywhere: set[str] = set()
    for answers in journeys:
        client = HostClient(server.url, source=CLIENT_ADDRESS)
        final, asked = walk_http(client, rulebook, answers, strict=False)
        assert final == "/check-answers", (final, asked)
        asked_anywhere.update(asked)
        assert client.get("/check-answers").status == 200
        if "self_harm_thoughts" in answers.get("impact", []):  # the walk went past it; a browser follows it
            assert client.get("/help-now").status == 200
            help_now_served += 1
        assert client.get("/result").status == 200
        assert client.get("/result/trace").status == 200
        assert client.get("/static/css/main.css").status == 200
        fired |= {f.id for f in evaluate(rulebook, cipher.loads(client.cookie)["answers"]).red_flags}
        assert client.get(f"/__test__/boom?answer={answers.get('sex', 'x')}").status == 500
        assert client.post("/clear", {"csrf_token": client.get("/result").csrf_token()}).status == 302
        assert client.get("/cleared").status == 200
    assert fired == set(rulebook.red_flag_by_id)  # what the server saw fired every red flag
    assert help_now_served >= 1
    assert "respondent" in asked_anywhere  # a page whose being served says the person is 12 to 17
    assert HostClient(server.url, source=CLIENT_ADDRESS).get("/no-such-page?answer=pregnant").status == 404

    for name, data in REFUSED_BY_GUNICORN.items():
        answer = raw_exchange(server.port, data, source=CLIENT_ADDRESS)
        assert name == "cut short" or answer.split(b" ", 2)[1] in (b"400", b"405", b"414", b"431"), (name, answer[:80])
    # A worker timeout in the middle of a request with answers in its query string.
    late = raw_exchange(server.port, b"GET /__test__/sleep?impact=self_harm_thoughts&life_stage=pregnant HTTP/1.1\r\n"
                        b"Host: 127.0.0.1\r\n\r\n", source=CLIENT_ADDRESS, timeout=20)
    assert late == b"" or late.startswith(b"HTTP/1.1 500"), late[:80]  # gunicorn's own 500, or nothing
    assert HostClient(server.url, source=CLIENT_ADDRESS).get("/").status == 200  # a new worker took over
    server.stop()

    error_log = server.log()
    access = access_log.read_text()
    # The logs did record these events (so the searches below are not of empty files).
    assert error_log.count("Invalid request refused (client address and request withheld)") >= 5, error_log
    assert "WORKER TIMEOUT" in error_log
    assert "Error handling request GET (path withheld)" in error_log
    assert "Exception on /__test__/boom [GET]: RuntimeError" in error_log
    assert "[DEBUG]" in error_log  # at debug level, the chattiest there is

    words = journey_words(rulebook, journeys)
    assert {"pregnant", "self_harm_thoughts", "scaly_patch"} <= words
    for name, text in (("error log", error_log), ("access log", access)):
        assert CLIENT_ADDRESS not in text, name
        assert_no_answers(text, words)
        found = [w for w in REVEALING if w in text]
        assert not found, f"{name} names a revealing page: {found}"
        for qid in rulebook.question_by_id:
            assert f"/{qid}" not in text and f"{qid}=" not in text, (name, qid)
        assert not re.search(r"\?\w+=", text), name

    # The access log: only time, worker, method, the kind of page, status and duration.
    lines = access.splitlines()
    assert len(lines) > 100
    kinds = []
    for line in lines:
        match = ACCESS_LINE.match(line)
        assert match, line
        kinds.append(match.group(2))
    assert set(kinds) <= set(ROUTE_KINDS.values()) | {"rules", "none", "other", "-"}
    assert {"question", "check-answers", "result", "clear", "static", "none", "other"} <= set(kinds)
    assert re.search(r"> OTHER none 405 ", access)  # the made-up method, not written as sent


def test_a_revealing_page_is_logged_under_a_neutral_kind():
    assert route_kind("questionnaire.help_now") == route_kind("questionnaire.question") == "question"
    assert route_kind("clinician.result_trace") == "result"
    assert route_kind("clinician.type_page_added_later") == "rules"
    assert route_kind("questionnaire.a_page_added_later") == "other"  # never its own name
    assert route_kind(None) == "none"
    assert "help" not in " ".join(ROUTE_KINDS.values())


def test_no_access_log_format_can_bring_back_the_path_or_the_address():
    """Even a deployer's own --access-logformat with %(h)s, %(r)s, %(U)s or %(q)s gets "-"."""
    from datetime import datetime

    logger = PrivateLogger(SimpleNamespace(
        loglevel="info", errorlog="-", accesslog=None, syslog=False, logconfig=None, logconfig_dict={},
        logconfig_json=None, capture_output=False, disable_redirect_access_to_syslog=False, user=0, group=0,
    ))
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": "/help-now?x=1", "PATH_INFO": "/help-now", "QUERY_STRING": "x=1",
               "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "203.0.113.9", "HTTP_REFERER": "/questions/impact",
               "HTTP_USER_AGENT": "agent", "triage.route": "question"}
    response = SimpleNamespace(status="200 OK", headers=[("Location", "/help-now")], sent=1234)
    request = SimpleNamespace(headers=[("COOKIE", "triage_session=secret"), ("HOST", "example.org")])
    atoms = logger.atoms(response, request, environ, timedelta(milliseconds=12))
    assert atoms["{triage.route}e"] == "question" and atoms["m"] == "GET" and atoms["s"] == "200"
    for name in ("h", "r", "U", "q", "f", "a", "b", "B", "{cookie}i", "{location}o", "{remote_addr}e", "{path_info}e"):
        assert name not in atoms
    wrapped = logger.atoms_wrapper_class(atoms)
    line = "%(h)s %(r)s %(U)s %(q)s %(f)s %(B)s %({cookie}i)s %({triage.route}e)s %(s)s" % wrapped
    assert line == "- - - - - - - question 200"
    assert datetime  # the time atom is there
    assert "t" in atoms


@pytest.mark.parametrize(
    ("message", "kept", "gone"),
    [
        ("Invalid request from ip=203.0.113.9: Invalid HTTP request line: 'GET /help-now?a=b HTTP/1.1 x'",
         "Invalid HTTP request line", ["203.0.113.9", "help-now", "a=b"]),
        ("Invalid request from ip=2001:db8::7: Invalid HTTP Header: 'Life stage pregnant'",
         "Invalid HTTP Header", ["2001:db8", "pregnant"]),
        ("Error handling request GET /questions/life_stage?answer=pregnant", "Error handling request GET",
         ["life_stage", "pregnant"]),
        ("Error handling request /help-now", "Error handling request", ["help-now"]),
        ("Proxy request from '198.51.100.4' not allowed", "Proxy request from", ["198.51.100.4"]),
        ("Ignored premature client disconnection. No more data after: b'GET /help-now HTTP/1.1'",
         "Ignored premature client disconnection", ["help-now"]),
        ("Listening at: http://127.0.0.1:8000 (4242)", "Listening at: http://127.0.0.1:8000 (4242)", []),
        ("Booting worker with pid: 4243", "Booting worker with pid: 4243", []),
        ("GET /questions/life_stage", "GET (path withheld)", ["life_stage"]),
    ],
)
def test_the_error_log_scrubber(message, kept, gone):
    cleaned = scrub(message)
    assert kept in cleaned
    for text in gone:
        assert text not in cleaned, (text, cleaned)
