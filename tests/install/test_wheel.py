"""Install anywhere: build the wheel, install it in a fresh venv, serve every page kind from it.

The wheel is built (``pip wheel --no-deps``) from a copy of this checkout's files, so
nothing is written into the repository, and installed with ``--no-deps`` into a new
venv. The app's dependencies come from the environment running the tests, through a
``.pth`` line added after the wheel is installed: no network, and pip never sees the
editable install of the repository. Only the build backend (setuptools, from
``[build-system]``) comes from the package index pip is configured with (its cache
after the first run).

Everything then runs from a temporary folder outside the repository, with ``PATH``
holding only the venv's ``bin`` (so no ``git``) and no ``TRIAGE_*`` setting: the Flask
test client walks every page kind, with an audit hook that records any program the app
starts; gunicorn and ``triage run`` serve over HTTP; ``triage rules check`` passes.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from triage.paths import SHIPPED
from triage.rulebook import load_rulebook
from triage.rulebook.stamp import STAMP_FILE

pytestmark = pytest.mark.wheel

REPO = Path(__file__).resolve().parents[2]
SOURCES = ("pyproject.toml", "setup.py", "README.md", "LICENSE", "triage", "templates", "static", "rules")
# The copy's rule files are dated this day; it has no .git, so the build stamps it.
RULES_DAY = date(2024, 1, 2)
PRODUCT = "Hair loss guide"

DRIVER = r'''
import hashlib, json, re, sys

started = []
PROGRAMS = ("subprocess.Popen", "os.system", "os.posix_spawn", "os.exec", "os.spawn", "os.fork", "os.forkpty")

def audit(event, args):
    if event in PROGRAMS:
        started.append(f"{event}: {args[:2]!r}"[:300])

sys.addaudithook(audit)

import triage
from triage import create_app

app = create_app()
rulebook = app.extensions["rulebook"]
facts = {
    "triage": triage.__file__,
    "templates": app.template_folder,
    "static": app.static_folder,
    "rules": str(rulebook.root),
    "env": app.config["TRIAGE_ENV"],
    "version": rulebook.version,
    "updated": rulebook.updated.isoformat() if rulebook.updated else None,
    "started_at_load": list(started),
}
client = app.test_client()
pages = []

def fetch(url, method="GET", data=None):
    response = client.open(url, method=method, data=data)
    body = response.get_data()
    title = re.search(rb"<title>(.*?)</title>", body, re.S)
    pages.append({
        "url": url, "method": method, "status": response.status_code, "type": response.mimetype,
        "location": response.headers.get("Location"), "sha256": hashlib.sha256(body).hexdigest(),
        "title": title[1].decode().strip() if title else None,
    })
    return response, body

def csrf_token(body):
    tag = re.search(rb'<input[^>]*name="csrf_token"[^>]*>', body)
    return re.search(rb'value="([^"]*)"', tag[0])[1].decode()

def answer_for(question, answers):
    if question.id in answers:
        value = answers[question.id]
        return [str(v) for v in value] if isinstance(value, (list, tuple)) else str(value)
    if question.kind == "number":
        return "30"
    first = question.options[0].value
    return [first] if question.kind == "several" else first

fetch("/")
case = rulebook.cases[0]
answers = dict(case.answers)
response, _ = fetch("/questions/")
url = response.headers["Location"]
for _ in range(100):
    if not url.startswith("/questions/"):
        break
    question = rulebook.question_by_id[url.split("?")[0].rsplit("/", 1)[1]]
    _, body = fetch(url)
    response, _ = fetch(url, "POST", {"csrf_token": csrf_token(body), "answer": answer_for(question, answers)})
    url = response.headers.get("Location", "")
    if url.startswith("/help-now"):
        fetch(url)
        response, _ = fetch("/questions/" + ("?return=check" if "return=check" in url else ""))
        url = response.headers["Location"]
fetch("/check-answers")
_, result = fetch("/result")
fetch("/result/trace")
for url in ("/about", "/privacy", "/accessibility", "/rules/", f"/rules/types/{rulebook.types[0].id}",
            "/rules/questions", "/rules/red-flags", "/rules/cases", f"/rules/cases/{case.id}",
            f"/rules/cases/{case.id}/trace", "/rules/coverage",
            "/static/css/main.css", "/static/css/print.css", "/static/js/enhance.js",
            "/static/img/patterns.svg", "/static/favicon.svg", "/no-such-page", "/static/no-such-file.css"):
    fetch(url)
fetch("/clear", "POST", {"csrf_token": csrf_token(result)})
fetch("/cleared")
facts["started_serving"] = started[len(facts["started_at_load"]):]
print(json.dumps({"facts": facts, "pages": pages}))
'''


@dataclass
class Installed:
    source: Path  # the copy of the checkout the wheel was built from
    wheel: Path
    venv: Path
    site: Path  # the venv's site-packages
    elsewhere: Path  # an empty folder outside the repository, where everything runs
    env: dict[str, str]

    @property
    def bin(self) -> Path:
        return self.venv / "bin"

    def run(self, *args: str, timeout: float = 120, **kwargs) -> subprocess.CompletedProcess:
        return subprocess.run(
            list(args), cwd=self.elsewhere, env=self.env, capture_output=True, text=True, timeout=timeout, **kwargs
        )


def _run(*args: str, timeout: float = 300, **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run(list(args), capture_output=True, text=True, timeout=timeout, **kwargs)
    assert done.returncode == 0, f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done


def _copy_sources(target: Path) -> None:
    target.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", STAMP_FILE)
    for name in SOURCES:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=ignore)
        else:
            shutil.copy2(source, target / name)
    noon = datetime(RULES_DAY.year, RULES_DAY.month, RULES_DAY.day, 12, tzinfo=timezone.utc).timestamp()
    for path in (target / "rules").rglob("*.yaml"):
        os.utime(path, (noon, noon))


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Installed:
    work = tmp_path_factory.mktemp("wheel")
    assert not work.resolve().is_relative_to(REPO)
    source = work / "source"
    _copy_sources(source)
    dist = work / "dist"
    _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", str(dist), str(source))
    (wheel,) = dist.glob("triage-*.whl")

    venv = work / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", str(venv))
    python = venv / "bin" / "python"
    _run(sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", "--quiet", str(wheel))
    site = Path(_run(str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").stdout.strip())
    # The dependencies: this environment's packages, after the wheel is installed. A plain
    # path line, so the .pth files there (the repository's editable install) are not run.
    ours = sysconfig.get_paths()
    lines = dict.fromkeys([ours["purelib"], ours["platlib"]])
    (site / "zz_test_dependencies.pth").write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")

    elsewhere = work / "elsewhere"
    elsewhere.mkdir()
    env = {"PATH": str(venv / "bin"), "HOME": str(work), "LANG": "C.UTF-8", "TMPDIR": str(work)}
    assert shutil.which("git", path=env["PATH"]) is None
    return Installed(source, wheel, venv, site, elsewhere, env)


def _source_files(installed: Installed, name: str) -> set[str]:
    top = installed.source / name
    return {
        p.relative_to(top).as_posix()
        for p in top.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and not p.name.startswith(".")
    }


def test_the_wheel_holds_the_templates_static_files_and_rules(installed):
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    for name in SHIPPED:
        shipped = {n.removeprefix(f"triage/{name}/") for n in names if n.startswith(f"triage/{name}/")}
        missing = _source_files(installed, name) - shipped
        assert not missing, f"missing from the wheel: {sorted(missing)}"
    assert f"triage/rules/{STAMP_FILE}" in names
    stamp = json.loads(zipfile.ZipFile(installed.wheel).read(f"triage/rules/{STAMP_FILE}"))
    assert stamp["updated"] == RULES_DAY.isoformat()


def test_the_installed_app_serves_every_page_kind_and_runs_no_program(installed):
    script = installed.elsewhere.parent / "driver.py"
    script.write_text(DRIVER, encoding="utf-8")
    done = installed.run(str(installed.bin / "python"), "-I", str(script))
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    facts, pages = report["facts"], report["pages"]

    # The installed copy, never the repository.
    package = installed.site / "triage"
    assert Path(facts["triage"]) == package / "__init__.py"
    assert Path(facts["templates"]) == package / "templates"
    assert Path(facts["static"]) == package / "static"
    assert Path(facts["rules"]) == package / "rules"
    assert facts["env"] == "development"
    assert facts["version"] == load_rulebook(installed.source / "rules").version  # the content hash
    # The build stamp's day: the installed files carry the time they were installed.
    assert facts["updated"] == RULES_DAY.isoformat()
    written = datetime.fromtimestamp((package / "rules" / "questions.yaml").stat().st_mtime, tz=timezone.utc)
    assert written.date() != RULES_DAY
    # No program (git or any other) while loading the rules or serving these pages.
    assert facts["started_at_load"] == []
    assert facts["started_serving"] == []

    by_url = {}
    for page in pages:
        by_url.setdefault((page["method"], page["url"].split("?")[0]), page)
        if page["method"] == "POST" or page["url"].split("?")[0] == "/questions/":
            assert page["status"] == 302, page
        elif page["url"] in ("/no-such-page", "/static/no-such-file.css"):
            assert page["status"] == 404, page
            assert page["type"] == "text/html" and PRODUCT in (page["title"] or ""), page
        else:
            assert page["status"] == 200, page
            if page["type"] == "text/html":
                assert PRODUCT in (page["title"] or ""), page
    questions = [p for p in pages if p["method"] == "GET" and p["url"].startswith("/questions/") and p["url"] != "/questions/"]
    assert questions, "no question page was shown"
    for url in ("/", "/check-answers", "/result", "/result/trace", "/about", "/privacy", "/accessibility",
                "/rules/", "/rules/coverage", "/cleared"):
        assert by_url[("GET", url)]["status"] == 200, url
    assert any(url.startswith("/rules/types/") for _, url in by_url)
    for name, kind in (("css/main.css", "text/css"), ("img/patterns.svg", "image/svg+xml")):
        page = by_url[("GET", f"/static/{name}")]
        assert page["type"] == kind
        assert page["sha256"] == hashlib.sha256((installed.source / "static" / name).read_bytes()).hexdigest()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback only
            return response.status, response.headers.get_content_type(), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get_content_type(), exc.read()


def _serve(installed: Installed, args: list[str], port: int, env: dict[str, str] | None = None) -> dict[str, tuple[int, str, bytes]]:
    """Start a server from the temporary folder, fetch a few pages over HTTP, stop it."""
    log = installed.elsewhere.parent / f"server-{port}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            args, cwd=installed.elsewhere, env={**installed.env, **(env or {})}, stdout=out, stderr=subprocess.STDOUT
        )
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while True:
                assert process.poll() is None, f"{args[0]} stopped:\n{log.read_text(errors='replace')}"
                try:
                    if _get(f"{base}/")[0] == 200:
                        break
                except OSError:
                    pass
                assert time.monotonic() < deadline, f"{args[0]} did not answer:\n{log.read_text(errors='replace')}"
                time.sleep(0.2)
            return {path: _get(base + path) for path in ("/", "/rules/", "/static/css/main.css", "/static/img/patterns.svg", "/no-such-page")}
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def _check_served(installed: Installed, served: dict[str, tuple[int, str, bytes]]) -> None:
    assert served["/"][0] == 200 and PRODUCT.encode() in served["/"][2]
    assert served["/rules/"][0] == 200
    assert served["/static/css/main.css"][:2] == (200, "text/css")
    assert served["/static/css/main.css"][2] == (installed.source / "static" / "css" / "main.css").read_bytes()
    assert served["/static/img/patterns.svg"][:2] == (200, "image/svg+xml")
    assert served["/no-such-page"][:2] == (404, "text/html") and PRODUCT.encode() in served["/no-such-page"][2]


def test_gunicorn_serves_the_installed_app_from_another_folder(installed):
    port = _free_port()
    production = {"TRIAGE_ENV": "production", "TRIAGE_SECRET_KEY": "wheel-test-secret-0123456789abcdef", "TRIAGE_HTTPS": "0"}
    args = [str(installed.bin / "python"), "-I", "-m", "gunicorn", "-c", "python:triage.gunicorn_conf",
            "--no-control-socket", "--workers", "1", "--bind", f"127.0.0.1:{port}", "triage.wsgi:app"]
    _check_served(installed, _serve(installed, args, port, production))


def test_triage_run_and_rules_check_work_from_another_folder(installed):
    check = installed.run(str(installed.bin / "triage"), "rules", "check")
    assert check.returncode == 0, check.stdout + check.stderr
    port = _free_port()
    _check_served(installed, _serve(installed, [str(installed.bin / "triage"), "run", "--port", str(port)], port))
