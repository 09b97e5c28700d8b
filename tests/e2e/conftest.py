"""The browser tests' fixtures: a live server, Playwright on the system Chromium
(Playwright cannot download its own here), strict pages and the app's rulebook.

Walking and scanning helpers (``Person``, ``assert_no_axe_violations``) are in
tests/helpers/browser.py.
"""

from __future__ import annotations

import logging
import os
import shutil
import threading

import pytest
from playwright.sync_api import Page
from werkzeug.serving import make_server

from tests.helpers.browser import short_timeouts
from triage.clinician import prepare

# Debian's chromium-headless-shell first: the headless-only build (Playwright's own choice for
# headless runs) takes about a third less time over these tests than the full chromium.
CHROMIUM = (
    os.environ.get("CHROMIUM_PATH")
    or shutil.which("chromium-headless-shell")
    or shutil.which("chromium")
    or "/usr/bin/chromium-headless-shell"
)

# Flags for a closed network: without the background-networking ones Chromium keeps
# trying (and failing) to reach Google's hosts.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Extend pytest-playwright's launch args with the system Chromium; fail, never skip."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(
            f"system Chromium not found at {CHROMIUM!r}: "
            "apt-get install -y chromium-headless-shell (or chromium), or set CHROMIUM_PATH to a Chromium binary",
            pytrace=False,
        )
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


def _closing(app):
    """Each response read whole and its file closed before it is sent.

    werkzeug's development server closes a response (a static file's open handle) only
    after draining the socket, which raises when the browser has already dropped the
    connection (a page left while its favicon loads): the file is then left open, and
    the ResourceWarning fails whichever test the worker runs next.
    """

    def buffered(environ, start_response):
        body = app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            if hasattr(body, "close"):
                body.close()

    return buffered


@pytest.fixture(scope="session")
def live_server(app):
    """Serve the app on a free loopback port in a daemon thread.

    The clinician review is built first, as gunicorn's master does (triage/wsgi.py), so
    the first /rules/ page a test opens does not wait for every worked case to run.
    """
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no access log noise in test output
    prepare(app)
    server = make_server("127.0.0.1", 0, _closing(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def base_url(live_server):
    """pytest-playwright gives every browser context this base URL."""
    return live_server


@pytest.fixture(autouse=True)
def _short_browser_timeouts(request):
    """Every test's ``page`` fails fast (tests/helpers/browser.py: short_timeouts)."""
    if "page" in request.fixturenames:
        short_timeouts(request.getfixturevalue("page"))
    yield


@pytest.fixture()
def strict_page(page: Page):
    """A page that fails the test on any console error or CSP violation."""
    problems: list[str] = []
    def on_console(msg) -> None:
        # A 404 page is the one place a "not found" status is expected.
        if msg.type == "error" and "no-such-page" not in (msg.location or {}).get("url", ""):
            problems.append(msg.text)

    page.on("console", on_console)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    yield page
    assert problems == [], problems


@pytest.fixture(scope="session")
def rulebook(app):
    return app.extensions["rulebook"]
