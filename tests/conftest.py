"""Shared fixtures: the app, a page-checking test client, a live server and
Playwright pointed at the system Chromium (Playwright cannot download its own here)."""

from __future__ import annotations

import logging
import os
import shutil
import sys
import threading

import pytest
from werkzeug.serving import make_server

from tests.pagecheck import PageClient
from triage import create_app

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"

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

TEST_CONFIG = {"TESTING": True, "SECRET_KEY": "test-secret"}


@pytest.fixture(scope="session")
def app():
    return create_app(TEST_CONFIG)


@pytest.fixture()
def client(app) -> PageClient:
    """The default client checks every page it fetches (one h1, title, ids, no inline script)."""
    return PageClient(app.test_client())


@pytest.fixture()
def raw_client(app):
    """A plain Flask test client, for responses that are not pages."""
    return app.test_client()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Extend pytest-playwright's launch args with the system Chromium; fail, never skip."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(
            f"system Chromium not found at {CHROMIUM!r}: "
            "apt-get install -y chromium, or set CHROMIUM_PATH to a Chromium binary",
            pytrace=False,
        )
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def live_server(app):
    """Serve the app on a free loopback port in a daemon thread."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no access log noise in test output
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def base_url(live_server):
    """pytest-playwright gives every browser context this base URL."""
    return live_server


# With REQUIRE_BROWSER_TESTS=1 (set by `make test`) a run in which no browser test
# passed is a failure, even when everything else is green.
_browser_tests_passed = 0


def pytest_runtest_logreport(report):
    global _browser_tests_passed
    if report.when == "call" and report.passed and "browser" in report.keywords:
        _browser_tests_passed += 1


def pytest_sessionfinish(session, exitstatus):
    if os.environ.get("REQUIRE_BROWSER_TESTS") == "1" and _browser_tests_passed == 0:
        print("\nREQUIRE_BROWSER_TESTS=1 but no browser test passed", file=sys.stderr)
        if session.exitstatus == 0:
            session.exitstatus = 1


@pytest.fixture(autouse=True)
def _short_browser_timeouts(request):
    """Fail fast in browser tests: a missing element should not wait 30 seconds."""
    if "page" in request.fixturenames:
        page = request.getfixturevalue("page")
        page.set_default_timeout(5000)
    yield
