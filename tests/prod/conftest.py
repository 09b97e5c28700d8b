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
from tests.helpers.prod import PROD_ENV
from tests.stories import PATCH


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

