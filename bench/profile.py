"""Where a request's time goes: ``python -m bench.profile [--requests N] [--cprofile PAGE]``.

The pages of ``make bench`` (same cookies, same question, same POST body as
wrk sends), served in process by calling the WSGI app directly, N times each,
beside the bare Flask route. Prints each page's µs per request (the fastest of
5 batches), its ratio to
the bare route (in-process ratios track the wrk ones, minus gunicorn's own
fixed cost per request), and the µs per request spent in each named step
(CPU time inside the step, nested steps included in their parent).
``--cprofile PAGE`` adds cProfile's top functions for one page.
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import io
import os
import pstats
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlencode

from bench.run import APP_ENV, _journey_answers, client_value

Timings = dict[str, float]


def _environ(app: Any, path: str, cookie: str | None, method: str = "GET", body: str = "") -> Callable[[], dict]:
    from werkzeug.test import EnvironBuilder

    headers = {"Cookie": f"triage_session={cookie}"} if cookie else {}
    builder = EnvironBuilder(
        path=path, method=method, headers=headers, data=body or None, base_url="http://127.0.0.1:8000/",
        content_type="application/x-www-form-urlencoded" if body else None,
    )
    base = builder.get_environ()
    raw = body.encode()

    def make() -> dict:
        env = dict(base)
        env["wsgi.input"] = io.BytesIO(raw)
        return env

    return make


def _run(app: Any, make: Callable[[], dict], n: int) -> float:
    status: list[str] = []

    def start_response(s: str, _headers: Any, _exc: Any = None) -> None:
        status.append(s)

    # The fastest of 5 batches: other work on the machine only ever adds time.
    clock = time.process_time  # CPU time: the machine is shared, and waiting for a CPU is not the page's cost
    batch = max(1, n // 5)
    best = float("inf")
    for _ in range(5):
        start = clock()
        for _ in range(batch):
            for _chunk in app(make(), start_response):
                pass
        best = min(best, (clock() - start) / batch)
    if not status[-1].startswith(("200", "302")):
        raise SystemExit(f"unexpected status {status[-1]}")
    return best * 1e6


def _instrument(targets: Iterable[tuple[Any, str, str]], timings: Timings) -> list[tuple[Any, str, Any]]:
    """Wrap ``owner.attr`` so that its wall time adds up in ``timings[label]``; return what to restore."""
    saved = []
    for owner, attr, label in targets:
        if not hasattr(owner, attr):  # a step this version of the app does not have
            continue
        original = getattr(owner, attr)
        saved.append((owner, attr, original))

        def wrapper(*args: Any, __original: Any = original, __label: str = label, **kwargs: Any) -> Any:
            start = time.process_time()
            try:
                return __original(*args, **kwargs)
            finally:
                timings[__label] += time.process_time() - start

        functools.update_wrapper(wrapper, original)
        setattr(owner, attr, wrapper)
    return saved


def _targets() -> list[tuple[Any, str, str]]:
    import flask
    import jinja2

    import triage
    from triage import journey, questionnaire, render_cache, session

    return [
        (session.SafeSessionInterface, "open_session", "session: open (decrypt + JSON)"),
        (session.SafeSessionInterface, "save_session", "session: save (JSON + encrypt + Set-Cookie)"),
        (type(triage.csrf), "protect", "CSRF: check the POSTed token"),
        (render_cache, "csrf_token", "CSRF: this request's token"),
        (journey, "clean_answers", "clean_answers"),
        (journey, "walk", "walk"),
        (journey, "rewalk", "rewalk (POST: from the answered question on)"),
        (questionnaire, "_form", "form construction (_form)"),
        (questionnaire, "evaluate", "evaluate"),
        (questionnaire, "render_template", "render_template (Jinja)"),
        (questionnaire, "render_cached", "render_cached"),
        (questionnaire, "render_cached_answer", "render_cached_answer (answered question)"),
        (questionnaire, "answer_rows", "result: answer_rows"),
        (questionnaire, "_fingerprint", "result: _fingerprint"),
        (jinja2.Template, "render", "  of which Template.render"),
        (flask.Flask, "process_response", "after_request (headers + save_session)"),
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--cprofile", help="a page label (start, first, answered, post, result)")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args(argv)
    os.environ.update(APP_ENV)

    from bench.bare import app as bare
    from triage import create_app

    app = create_app()
    rulebook = app.extensions["rulebook"]
    answers = _journey_answers(rulebook)
    qid = "pattern" if "pattern" in rulebook.question_by_id else rulebook.questions[1].id
    question = f"/questions/{qid}"

    # The journey, through the test client, as bench.run walks it over HTTP.
    from bench.client import Response, answer_for

    def journey(stop_at: str | None) -> tuple[Any, str]:
        client = app.test_client()
        location = client.get("/questions/").headers["Location"]
        while location.startswith("/questions/"):
            here = location.split("?")[0].rsplit("/", 1)[1]
            if here == stop_at:
                break
            page = client.get(location)
            token = Response(page.status_code, {}, page.get_data(as_text=True), "").csrf_token()
            value = answer_for(rulebook.question_by_id[here], answers)
            location = client.post(location, data={"csrf_token": token, "answer": value}).headers["Location"]
            if location.startswith("/help-now"):
                location = client.get("/questions/").headers["Location"]
        cookie = client.get_cookie("triage_session")
        return client, cookie.value if cookie else ""

    client, full = journey(None)
    client.get("/result")
    full = client.get_cookie("triage_session").value
    _, first = journey(qid)
    page = client.get(question)
    token = Response(page.status_code, {}, page.get_data(as_text=True), "").csrf_token()
    body = urlencode({"csrf_token": token, "answer": client_value(rulebook, qid, answers)}, doseq=True)

    pages: dict[str, tuple[Any, Callable[[], dict]]] = {
        "bare": (bare, _environ(bare, "/", None)),
        "start": (app, _environ(app, "/", None)),
        "first": (app, _environ(app, question, first)),
        "answered": (app, _environ(app, question, full)),
        "post": (app, _environ(app, question, full, "POST", body)),
        "result": (app, _environ(app, "/result", full)),
    }
    for wsgi, make in pages.values():  # warm up: templates, render cache, token memo
        _run(wsgi, make, 50)

    n = args.requests
    plain = {label: _run(wsgi, make, n) for label, (wsgi, make) in pages.items()}
    print(f"Per request, in process, {n} requests each (load average {' '.join(f'{x:.2f}' for x in os.getloadavg())})")
    print(f"   {'page':10} {'µs':>8} {'ratio to bare':>14}")
    for label, us in plain.items():
        print(f"   {label:10} {us:8.0f} {plain['bare'] / us:14.2f}")

    labels = [label for label in pages if label != "bare"]
    table: dict[str, Timings] = {}
    for label in labels:
        wsgi, make = pages[label]
        for _ in range(3):  # the smallest of 3 runs, step by step
            timings: Timings = defaultdict(float)
            saved = _instrument(_targets(), timings)
            try:
                for _ in range(n):
                    for _chunk in wsgi(make(), lambda *_a: None):
                        pass
            finally:
                for owner, attr, original in reversed(saved):
                    setattr(owner, attr, original)
            run = {k: v / n * 1e6 for k, v in timings.items()}
            best = table.setdefault(label, run)
            for k, v in run.items():
                best[k] = min(best.get(k, v), v)
    steps = [t[2] for t in _targets()]
    print("\nµs per request inside each step (CPU time, the least of 3 runs; inner steps count in their parent too)")
    print(f"   {'step':46}" + "".join(f"{label:>10}" for label in labels))
    for step in steps:
        if any(table[label].get(step) for label in labels):
            print(f"   {step:46}" + "".join(f"{table[label].get(step, 0):10.0f}" for label in labels))
    print(f"   {'whole request (uninstrumented)':46}" + "".join(f"{plain[label]:10.0f}" for label in labels))

    if args.cprofile:
        wsgi, make = pages[args.cprofile]
        profiler = cProfile.Profile()
        profiler.enable()
        _run(wsgi, make, n)
        profiler.disable()
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("cumulative").print_stats(args.top)
        stats.sort_stats("tottime").print_stats(args.top)
        print(out.getvalue())


if __name__ == "__main__":
    sys.exit(main())
