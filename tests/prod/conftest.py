"""Fixtures for the production tests: session cookies, answer sets, real servers.

The tests that start real processes (gunicorn, nginx, wrk) bind 127.0.0.1
only, bound every wait, and stop every process in a finalizer. They need the
Debian packages nginx and wrk: ``make test`` installs them when missing (as
root with apt-get); anywhere else the tests fail with a message that says so,
like the browser tests, rather than skip.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from bench.servers import Gunicorn, nginx_binary, wrk_binary
from tests.web.test_questionnaire import PATCH
from triage.session import CookieCipher

SECRET = "prod-test-secret-0123456789abcdef"
# The name the shipped nginx config (deploy/nginx.conf) answers to, and loopback for
# the tests that talk to gunicorn directly.
SITE_NAME = "triage.example.org"
PROD_ENV = {
    "TRIAGE_ENV": "production",
    "TRIAGE_SECRET_KEY": SECRET,
    "TRIAGE_HTTPS": "0",
    "TRIAGE_HOSTS": f"{SITE_NAME},127.0.0.1,localhost",
}

__all__ = ["PATCH", "PROD_ENV", "SECRET", "SITE_NAME", "signed_cookie"]


def signed_cookie(app, data: Any, secret: str | None = None, issued_at: int | None = None) -> str:
    """``data`` as an (encrypted) session cookie for ``app``, or for a deployment with another ``secret``."""
    cipher = app.session_interface.get_signing_serializer(app) if secret is None else CookieCipher([secret])
    return cipher.dumps(data, issued_at=issued_at)


def require(binary: str | None, package: str) -> str:
    if binary is None:
        pytest.fail(
            f"{package} not found: apt-get install {package} (make test installs it when run as root)",
            pytrace=False,
        )
    return binary


@pytest.fixture(scope="module")
def patch_answers() -> dict[str, Any]:
    return dict(PATCH)


@pytest.fixture(scope="module")
def gunicorn_factory(tmp_path_factory) -> Iterator:
    """Start gunicorn instances (production settings, loopback); all are stopped at the end."""
    started: list[Gunicorn] = []

    def start(**kwargs: Any) -> Gunicorn:
        kwargs.setdefault("env", PROD_ENV)
        server = Gunicorn(tmp_path_factory.mktemp("gunicorn"), **kwargs)
        started.append(server)
        return server.start()

    yield start
    for server in started:
        server.stop()


@pytest.fixture(scope="session")
def nginx() -> str:
    return require(nginx_binary(), "nginx")


@pytest.fixture(scope="session")
def wrk() -> str:
    return require(wrk_binary(), "wrk")


# The load test's figures, printed at the end of the run (the lead copies them into the issue).
LOAD_FIGURES = pytest.StashKey[list]()


def pytest_configure(config) -> None:
    config.stash[LOAD_FIGURES] = []


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    lines = config.stash.get(LOAD_FIGURES, [])
    if lines:
        terminalreporter.section("load test (gunicorn, 2 workers, loopback)")
        for line in lines:
            terminalreporter.write_line(line)
