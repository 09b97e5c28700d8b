"""Fixtures every kind of test may use: the app and a page-checking test client.

The live server, the base URL and Playwright's system-Chromium settings are the
browser tests' own (tests/e2e/conftest.py): pytest-base-url's session-wide
``_verify_url`` asks for ``base_url``, so a ``base_url`` defined here would start a
live server for every test run, unit tests included.
"""

from __future__ import annotations

import os
import sys

import pytest

from tests.helpers.config import TEST_CONFIG
from tests.helpers.prod import LOAD_FIGURES
from tests.pagecheck import PageClient
from triage import create_app


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


# With REQUIRE_BROWSER_TESTS=1 (set by `make test`) a run in which no browser test
# passed is a failure, even when everything else is green. Under pytest-xdist the
# controller sees every worker's reports, so it counts and decides; a worker, which
# sees only its own share of the tests, does neither.
_browser_tests_passed = 0
# The load test's figures (tests/prod/test_load.py), printed at the end of the run (the
# lead copies them into the issue). They come with its report, so this works under xdist.
_load_figures: list[str] = []


def pytest_collection_modifyitems(config, items):
    """How pytest-xdist deals the tests out (``--dist loadgroup``, Makefile): each module
    outside tests/e2e is one group, run on one worker, so its module-scoped servers start
    once; the browser tests share nothing but per-worker session fixtures (the live server,
    the browser), so they go out one by one and no worker is left finishing a long module
    alone while the other waits."""
    e2e = config.rootpath / "tests" / "e2e"
    for item in items:
        if e2e not in item.path.parents:
            item.add_marker(pytest.mark.xdist_group(item.module.__name__))


def _is_xdist_worker(config) -> bool:
    return hasattr(config, "workerinput")


def pytest_runtest_logreport(report):
    global _browser_tests_passed
    if report.when == "call" and report.passed and "browser" in report.keywords:
        _browser_tests_passed += 1
    if report.when == "call":
        _load_figures.extend(value for name, value in report.user_properties if name == LOAD_FIGURES)


def pytest_sessionfinish(session, exitstatus):
    if _is_xdist_worker(session.config):
        return
    if os.environ.get("REQUIRE_BROWSER_TESTS") == "1" and _browser_tests_passed == 0:
        print("\nREQUIRE_BROWSER_TESTS=1 but no browser test passed", file=sys.stderr)
        if session.exitstatus == 0:
            session.exitstatus = 1


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if _load_figures:
        terminalreporter.section("load test (gunicorn, 2 workers, loopback)")
        for line in _load_figures:
            terminalreporter.write_line(line)
