"""Configuration: development defaults and the production secret rule."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from triage.config import DEV_SECRET_KEY, ConfigError, config_from_env


def test_development_uses_the_dev_secret():
    config = config_from_env({})
    assert config["SECRET_KEY"] == DEV_SECRET_KEY
    assert config["SESSION_COOKIE_SECURE"] is False
    assert config["SESSION_COOKIE_HTTPONLY"] is True
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_production_without_secret_is_refused():
    with pytest.raises(ConfigError, match="TRIAGE_SECRET_KEY"):
        config_from_env({"TRIAGE_ENV": "production"})


def test_production_with_secret_uses_it_and_secure_cookies():
    config = config_from_env({"TRIAGE_ENV": "production", "TRIAGE_SECRET_KEY": "s3cret"})
    assert config["SECRET_KEY"] == "s3cret"
    assert config["SESSION_COOKIE_SECURE"] is True


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRIAGE_")}
    env.update(extra)
    return env


def test_wsgi_refuses_to_start_in_production_without_secret_in_one_line():
    result = subprocess.run(
        [sys.executable, "-c", "import triage.wsgi"],
        env=_env(TRIAGE_ENV="production"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("triage: refusing to start:")
    assert "TRIAGE_SECRET_KEY" in lines[0]


def test_cli_refuses_to_start_in_production_without_secret():
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "triage.cli:_create_app", "routes"],
        env=_env(TRIAGE_ENV="production"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        line for line in result.stderr.strip().splitlines() if "refusing to start" in line
    ]


def test_wsgi_starts_in_production_with_secret():
    result = subprocess.run(
        [sys.executable, "-c", "import triage.wsgi; print(triage.wsgi.app.name)"],
        env=_env(TRIAGE_ENV="production", TRIAGE_SECRET_KEY="x" * 32),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "triage"
