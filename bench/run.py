"""``make bench``: figures, no verdicts.

1. Rule evaluation: ``evaluate(rulebook, answers)`` over the answers of every
   worked case in rules/cases, many times each: median and p99 in µs.
2. Requests per second through gunicorn with the production settings
   (triage/gunicorn_conf.py, 2 sync workers, access log off) for the start
   page, a question page (GET as first seen, which is served from the render
   cache; GET with the answer already ticked, which is rendered afresh; and
   POST re-sending the same answer with a real CSRF token and session cookie)
   and the result page (complete session
   cookie), beside a bare Flask route (bench/bare.py) served the same way in
   the same run, and each one's ratio to it. wrk runs on the same 2 cores as
   gunicorn, so the absolute numbers are floors; the ratios are the point.
3. Bytes per page kind: the HTML plus the CSS and JS it loads, and how many
   of its requests go to another site.
4. Start-up: ``create_app()`` (loading and validating the rulebook), a fresh
   interpreter importing ``triage.wsgi``, ``triage evaluate FILE --json`` on one
   worked case (a whole process), and gunicorn's time to its first 200.
5. Issue 16's table: every figure above that has a goal, with the goal and
   whether this run met it, and the load average at the start and the end.
   A missed goal is reported, never an error: the exit status stays 0.

Loopback only; each wrk run is a few seconds. Options: ``--seconds N`` per
wrk run (default 5), ``--connections N`` (default 16), ``--rounds N`` (default
3: the pages are measured in turn, N times, and the median is shown, so that
other work on the machine skews them alike), ``--skip-http``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from bs4 import BeautifulSoup

from bench.client import Client, walk
from bench.servers import PROJECT_ROOT, Gunicorn, Request, WrkResult, clean_env, run_wrk

SECRET = "bench-secret-not-for-production-0123456789"  # 32+ characters, as production requires
APP_ENV = {"TRIAGE_ENV": "production", "TRIAGE_SECRET_KEY": SECRET, "TRIAGE_HTTPS": "0"}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def heading(text: str) -> None:
    print(f"\n== {text}")


@dataclass(frozen=True)
class Figure:
    """One line of issue 16's table: a measured value (None: not measured) and its goal."""

    name: str
    value: float | None
    unit: str  # "µs", "ratio" or "s"
    goal: float
    at_most: bool  # the goal is a ceiling (times) rather than a floor (ratios)

    @property
    def met(self) -> bool | None:
        if self.value is None:
            return None
        return self.value <= self.goal if self.at_most else self.value >= self.goal

    def shown(self, number: float | None) -> str:
        if number is None:
            return "-"
        if self.unit == "µs":
            return f"{number:.0f} µs"
        if self.unit == "s":
            return f"{number:.2f} s"
        return f"{number:.2f}"


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def print_table(figures: list[Figure], load_before: str) -> None:
    heading(f"5. Issue 16: figures and goals (load average {load_before} at the start, {load_average()} now)")
    print(f"   {'figure':58} {'value':>10} {'goal':>12}   verdict")
    for f in figures:
        mark = {True: "met", False: "NOT MET", None: "not measured"}[f.met]
        goal = ("<= " if f.at_most else ">= ") + f.shown(f.goal)
        print(f"   {f.name:58} {f.shown(f.value):>10} {goal:>12}   {mark}")


# --- 1. rule evaluation -------------------------------------------------------------


def bench_rules(repeat: int = 50) -> list[Figure]:
    from triage.rulebook import evaluate, load_rulebook

    rulebook = load_rulebook()
    answer_sets = [case.answers for case in rulebook.cases]
    heading(f"1. Rule evaluation: evaluate() over the {len(answer_sets)} worked cases, {repeat} times each")
    print(f"   rulebook: {len(rulebook.questions)} questions, {len(rulebook.types)} types, "
          f"{len(rulebook.red_flags)} red flags, {sum(len(t.evidence) for t in rulebook.types)} evidence rules")
    order = [answers for answers in answer_sets for _ in range(repeat)]
    random.Random(1).shuffle(order)
    for answers in answer_sets:  # warm up
        evaluate(rulebook, answers)
    samples = []
    clock = time.perf_counter_ns
    for answers in order:
        start = clock()
        evaluate(rulebook, answers)
        samples.append((clock() - start) / 1000)
    print(f"   median {statistics.median(samples):8.1f} µs")
    print(f"   p99    {percentile(samples, 99):8.1f} µs")
    print(f"   mean   {statistics.fmean(samples):8.1f} µs   ({len(samples)} evaluations)")
    return [
        Figure("rule evaluation, median over the worked cases", statistics.median(samples), "µs", 100, True),
        Figure("rule evaluation, p99 over the worked cases", percentile(samples, 99), "µs", 500, True),
    ]


# --- 2. requests per second ---------------------------------------------------------------


def _journey_answers(rulebook) -> dict:
    """The answers of a worked case whose first suggestion is alopecia areata, else the first case."""
    for case in rulebook.cases:
        if case.expect.first == "alopecia_areata":
            return dict(case.answers)
    return dict(rulebook.cases[0].answers)


# Issue 16's goals for the pages, as ratios to the bare Flask route: (figure, goal).
PAGE_GOALS = {
    "start": ("start page GET, ratio to a bare Flask route", 0.9),
    "first seen": ("question GET, first seen (ratio)", 0.6),
    "answered": ("question GET, already answered (ratio)", 0.6),
    "post": ("question POST (ratio)", 0.6),
    "result": ("result GET (ratio)", 0.5),
}


def bench_http(workdir: Path, seconds: float, connections: int, rounds: int) -> list[Figure]:
    from triage.rulebook import load_rulebook

    rulebook = load_rulebook()
    heading(
        f"2. Requests per second: gunicorn, 2 sync workers each, wrk -t2 -c{connections} -d{seconds:g}s, "
        f"loopback; {rounds} interleaved rounds, median shown"
    )
    runs: dict[str, list[WrkResult]] = {}
    with (
        Gunicorn(workdir, name="bare", app="bench.bare:app", workers=2) as bare,
        Gunicorn(workdir, name="triage", workers=2, env=APP_ENV) as server,
    ):
        answers = _journey_answers(rulebook)
        client = Client(server.url)
        final, _asked = walk(client, rulebook, answers, strict=False)
        if final != "/check-answers":
            raise SystemExit(f"the journey ended at {final}, not /check-answers")
        client.get("/result")  # the result is remembered once; later views of it change nothing
        cookie = {"Cookie": f"triage_session={client.cookie}"}
        qid = "pattern" if "pattern" in rulebook.question_by_id else rulebook.questions[1].id
        question = f"/questions/{qid}"
        # The same question as first seen: every earlier answer given, this one not yet.
        first_visit = Client(server.url)
        stopped, _ = walk(first_visit, rulebook, answers, strict=False, stop_at=qid)
        if stopped != question:
            raise SystemExit(f"the journey did not reach {question}")
        first_cookie = {"Cookie": f"triage_session={first_visit.cookie}"}
        page = client.get(question)
        body = urlencode({"csrf_token": page.csrf_token(), "answer": client_value(rulebook, qid, answers)}, doseq=True)
        post_headers = {**cookie, "Content-Type": "application/x-www-form-urlencoded"}
        cases = {
            "bare Flask route": (bare.url, [Request("/")]),
            "start page GET /": (server.url, [Request("/")]),
            f"question GET {question}, first seen": (server.url, [Request(question, headers=first_cookie)]),
            f"question GET {question}, answered": (server.url, [Request(question, headers=cookie)]),
            f"question POST {question}": (server.url, [Request(question, "POST", post_headers, body, expect=302)]),
            "result GET /result": (server.url, [Request("/result", headers=cookie)]),
        }
        goal_of = dict(zip(list(cases)[1:], PAGE_GOALS.values(), strict=True))
        # Warm every worker (templates compile on first use) before measuring.
        for url, reqs in cases.values():
            run_wrk(url, reqs, seconds=1, connections=connections, workdir=workdir)
        for _ in range(rounds):
            for label, (url, reqs) in cases.items():
                runs.setdefault(label, []).append(
                    run_wrk(url, reqs, seconds=seconds, connections=connections, workdir=workdir)
                )

    def median_of(label: str, attr: str) -> float:
        return statistics.median(getattr(r, attr) for r in runs[label])

    base = median_of("bare Flask route", "rps")
    print(f"   {'':44} {'req/s':>8} {'ratio':>6} {'p50 ms':>7} {'p99 ms':>7} {'errors':>6}   req/s per round")
    for label, results in runs.items():
        rps = median_of(label, "rps")
        print(
            f"   {label:44} {rps:8.0f} {rps / base:6.2f} {median_of(label, 'p50_ms'):7.1f} "
            f"{median_of(label, 'p99_ms'):7.1f} {sum(r.errors for r in results):6d}   "
            + " ".join(f"{r.rps:.0f}" for r in results)
        )
    return [
        Figure(name, median_of(label, "rps") / base, "ratio", goal, False) for label, (name, goal) in goal_of.items()
    ]


def client_value(rulebook, qid: str, answers: dict) -> list[str]:
    from bench.client import answer_for

    value = answer_for(rulebook.question_by_id[qid], answers)
    return [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)]


# --- 3. bytes per page kind -------------------------------------------------------------

LOADING = (("link", "href"), ("script", "src"), ("img", "src"), ("iframe", "src"), ("source", "src"),
           ("video", "src"), ("audio", "src"), ("embed", "src"), ("object", "data"))


def bench_bytes() -> None:
    from triage import create_app

    app = create_app({"SECRET_KEY": SECRET, "TRIAGE_ENV": "production"})
    rulebook = app.extensions["rulebook"]
    heading("3. Bytes per page kind (HTML + the CSS and JS it loads, uncompressed) and requests to other sites")
    client = app.test_client()
    kinds: dict[str, str] = {"start": "/", "about": "/about", "privacy": "/privacy", "rules": "/rules/",
                             "not found (404)": "/no-such-page"}
    pages: dict[str, bytes] = {k: client.get(url).data for k, url in kinds.items()}

    answers = _journey_answers(rulebook)
    from bench.client import answer_for

    location = client.get("/questions/").headers["Location"]
    seen_kinds: set[str] = set()
    while location.startswith("/questions/"):
        qid = location.split("?")[0].rsplit("/", 1)[1]
        question = rulebook.question_by_id[qid]
        response = client.get(location)
        kind = f"question ({question.kind})"
        if kind not in seen_kinds:
            seen_kinds.add(kind)
            pages[kind] = response.data
        token = BeautifulSoup(response.data, "html.parser").find("input", attrs={"name": "csrf_token"})["value"]
        response = client.post(location, data={"csrf_token": token, "answer": answer_for(question, answers)})
        location = response.headers["Location"]
        if location.startswith("/help-now"):
            pages["help now"] = client.get(location).data
            location = client.get("/questions/").headers["Location"]
    pages["check answers"] = client.get("/check-answers").data
    pages["result"] = client.get("/result").data
    pages.setdefault("help now", client.get("/help-now").data)

    assets: dict[str, int] = {}
    print(f"   {'page':20} {'HTML':>7} {'CSS':>7} {'JS':>6} {'total':>7} {'other sites':>11}")
    for kind, html in pages.items():
        soup = BeautifulSoup(html, "html.parser")
        css = js = external = 0
        for tag, attr in LOADING:
            for el in soup.find_all(tag):
                url = el.get(attr)
                if not url or (
                    tag == "link" and not set(el.get("rel") or []) & {"stylesheet", "icon", "preload", "modulepreload"}
                ):
                    continue
                if urlsplit(url).netloc:
                    external += 1
                    continue
                if url not in assets:
                    with client.get(url) as asset:
                        assets[url] = len(asset.data)
                if tag == "link" and "stylesheet" in (el.get("rel") or []):
                    css += assets[url]
                elif tag == "script":
                    js += assets[url]
        total = len(html) + css + js
        print(f"   {kind:20} {len(html):7d} {css:7d} {js:6d} {total:7d} {external:11d}")


# --- 4. start-up -------------------------------------------------------------------------


def bench_startup(workdir: Path) -> list[Figure]:
    from triage import create_app

    heading("4. Start-up")
    config = {"SECRET_KEY": SECRET}
    start = time.perf_counter()
    create_app(config)
    first = time.perf_counter() - start
    times = []
    for _ in range(5):
        start = time.perf_counter()
        create_app(config)
        times.append(time.perf_counter() - start)
    print(f"   create_app() incl. loading and validating the rulebook: first {first * 1000:.0f} ms, "
          f"then median {statistics.median(times) * 1000:.0f} ms (5 runs)")
    walls = []
    for _ in range(3):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import triage.wsgi"], cwd=PROJECT_ROOT, env=clean_env(APP_ENV),
                       check=True, timeout=60)
        walls.append(time.perf_counter() - start)
    print(
        "   fresh interpreter, import triage.wsgi (imports + create_app): "
        f"median {statistics.median(walls) * 1000:.0f} ms (3 runs)"
    )
    cli = bench_cli(workdir)
    firsts, readies = [], []
    for i in range(3):
        with Gunicorn(workdir, name=f"startup{i}", workers=2, env=APP_ENV) as server:
            firsts.append(server.first_200_after)
            readies.append(server.ready_after)
    print(
        "   gunicorn (2 workers, preload) from spawn to the first 200: "
        f"median {statistics.median(firsts) * 1000:.0f} ms; "
        f"to both workers booted: {statistics.median(readies) * 1000:.0f} ms (3 runs)"
    )
    return [
        Figure("create_app() incl. loading and checking the rulebook", statistics.median(times), "s", 0.4, True),
        Figure("triage evaluate FILE --json (one case, whole process)", cli, "s", 0.6, True),
    ]


def bench_cli(workdir: Path, runs: int = 5) -> float:
    """``triage evaluate FILE --json`` on the first worked case, as a whole process: the median wall time."""
    from triage.rulebook import load_rulebook

    case = load_rulebook().cases[0]
    answers_file = workdir / "answers.json"
    answers_file.write_text(json.dumps(dict(case.answers)))
    # The console script's own code, run by this interpreter (so this tree's triage is the one imported).
    command = [sys.executable, "-c", "import sys; from triage.cli import main; sys.argv[0] = 'triage'; main()",
               "evaluate", str(answers_file), "--json"]
    walls = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, cwd=PROJECT_ROOT, env=clean_env(), check=True, timeout=60, stdout=subprocess.DEVNULL)
        walls.append(time.perf_counter() - start)
    print(f"   triage evaluate FILE --json (case {case.id}), whole process: "
          f"median {statistics.median(walls) * 1000:.0f} ms ({runs} runs)")
    return statistics.median(walls)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--skip-http", action="store_true")
    args = parser.parse_args(argv)
    load_before = load_average()
    print(f"Hair loss guide benchmark (Python {sys.version.split()[0]}; load average {load_before})")
    with tempfile.TemporaryDirectory(prefix="triage-bench-") as tmp:
        workdir = Path(tmp)
        figures = bench_rules()
        if args.skip_http:
            figures += [Figure(name, None, "ratio", goal, False) for name, goal in PAGE_GOALS.values()]
        else:
            figures += bench_http(workdir, args.seconds, args.connections, args.rounds)
        bench_bytes()
        figures += bench_startup(workdir)
    print_table(figures, load_before)


if __name__ == "__main__":
    main()
