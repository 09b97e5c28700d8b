"""Nothing a person answers ever reaches a log: not the app's, not gunicorn's.

A whole journey runs (every answer, a refused token, an unknown option, an
oversize form, the result, the trace, help now) and then a request fails on
purpose while the full session is in hand, with the answers in the
exception's own message: the worst case. Everything logged is captured (the
logging records at DEBUG, and the process's stdout and stderr) and searched
for every answer value and label this person gave.

The suite runs with ``-p no:logging``, so this captures with its own handler
rather than pytest's ``caplog``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from flask import session

from bench.client import Client
from bench.client import walk as walk_http
from tests.conftest import TEST_CONFIG
from tests.pagecheck import PageClient
from tests.prod.conftest import PROD_ENV
from tests.web.journey import post_answer, walk
from triage import create_app


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
    assert '"GET /result HTTP/1.1" 200' in output  # the access log was on
    assert "?" not in "".join(line for line in output.splitlines() if '"GET ' in line or '"POST ' in line)
    assert_no_answers(output, answer_words)
