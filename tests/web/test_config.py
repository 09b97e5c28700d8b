"""Configuration: development defaults, the production secret rules, the session lifetime,
trusted hosts, key rotation, and the contact on the accessibility statement."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

import pytest

from tests.helpers.config import TEST_CONFIG
from tests.pagecheck import PageClient
from triage import create_app
from triage.config import DEV_SECRET_KEY, ConfigError, config_from_env

GOOD_SECRET = "0123456789abcdef0123456789abcdef"  # 32 characters: the shortest accepted


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
    config = config_from_env({"TRIAGE_ENV": "production", "TRIAGE_SECRET_KEY": GOOD_SECRET})
    assert config["SECRET_KEY"] == GOOD_SECRET
    assert config["SESSION_COOKIE_SECURE"] is True


@pytest.mark.parametrize(
    ("secret", "says"),
    [("x", "too short"), (" ", "too short"), ("s3cret", "too short"), (GOOD_SECRET[:-1], "too short"),
     (" " * 40, "too short"), (DEV_SECRET_KEY, "public development secret")],
)
def test_production_refuses_a_weak_secret_in_one_line_that_says_how_to_make_one(secret, says):
    with pytest.raises(ConfigError) as caught:
        config_from_env({"TRIAGE_ENV": "production", "TRIAGE_SECRET_KEY": secret})
    message = str(caught.value)
    assert says in message and "\n" not in message
    assert "python -c 'import secrets; print(secrets.token_hex(32))'" in message


def test_development_accepts_any_secret():
    assert config_from_env({"TRIAGE_SECRET_KEY": "x"})["SECRET_KEY"] == "x"


def test_the_previous_secret_only_decrypts():
    config = config_from_env({"TRIAGE_ENV": "production", "TRIAGE_SECRET_KEY": GOOD_SECRET,
                              "TRIAGE_SECRET_KEY_PREVIOUS": "an-older-and-shorter-key"})
    assert config["SECRET_KEY"] == GOOD_SECRET
    assert config["SECRET_KEY_FALLBACKS"] == ["an-older-and-shorter-key"]
    assert config_from_env({})["SECRET_KEY_FALLBACKS"] == []
    with pytest.raises(ConfigError, match="TRIAGE_SECRET_KEY_PREVIOUS"):
        config_from_env({"TRIAGE_ENV": "production", "TRIAGE_SECRET_KEY": GOOD_SECRET,
                         "TRIAGE_SECRET_KEY_PREVIOUS": DEV_SECRET_KEY})


@pytest.mark.parametrize(("value", "hours"), [(None, 4), ("", 4), ("1", 1), ("0.5", 0.5), ("24", 24), (" 8 ", 8)])
def test_session_hours(value, hours):
    env = {} if value is None else {"TRIAGE_SESSION_HOURS": value}
    config = config_from_env(env)
    assert config["PERMANENT_SESSION_LIFETIME"] == timedelta(hours=hours)
    assert config["SESSION_PERMANENT"] is False


@pytest.mark.parametrize("value", ["0", "-1", "abc", "nan", "inf", "1e9", "4h"])
def test_session_hours_that_cannot_be_used_are_refused(value):
    with pytest.raises(ConfigError, match="TRIAGE_SESSION_HOURS"):
        config_from_env({"TRIAGE_SESSION_HOURS": value})


def test_hosts_default_to_the_loopback_names_in_development_and_production():
    assert config_from_env({})["TRUSTED_HOSTS"] == ["localhost", "127.0.0.1"]
    production = config_from_env({"TRIAGE_ENV": "production", "TRIAGE_SECRET_KEY": GOOD_SECRET})
    assert production["TRUSTED_HOSTS"] == ["localhost", "127.0.0.1"]
    assert production["TRIAGE_HOSTS_SET"] is False


def test_triage_hosts_replaces_the_default():
    config = config_from_env({"TRIAGE_HOSTS": " Example.org, www.example.org,,.example.net "})
    assert config["TRUSTED_HOSTS"] == ["example.org", "www.example.org", ".example.net"]
    assert config["TRIAGE_HOSTS_SET"] is True


@pytest.mark.parametrize("value", ["https://example.org", "example.org:443", "example.org/path", "a b", "."])
def test_triage_hosts_that_are_not_host_names_are_refused(value):
    with pytest.raises(ConfigError, match="TRIAGE_HOSTS"):
        config_from_env({"TRIAGE_HOSTS": value})


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRIAGE_")}
    env.update(extra)
    return env


def _python(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run this Python with ``args`` and only the given TRIAGE_ variables; output captured as text (60 s at most)."""
    return subprocess.run([sys.executable, *args], env=_env(**env), capture_output=True, text=True, timeout=60)


def test_wsgi_refuses_to_start_in_production_without_secret_in_one_line():
    result = _python("-c", "import triage.wsgi", TRIAGE_ENV="production")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("triage: refusing to start:")
    assert "TRIAGE_SECRET_KEY" in lines[0]


def test_cli_refuses_to_start_in_production_without_secret():
    result = _python("-m", "flask", "--app", "triage.cli:_create_app", "routes", TRIAGE_ENV="production")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        line for line in result.stderr.strip().splitlines() if "refusing to start" in line
    ]


def test_wsgi_starts_in_production_with_secret():
    result = _python(
        "-c",
        "import triage.wsgi; print(triage.wsgi.app.name)",
        TRIAGE_ENV="production",
        TRIAGE_SECRET_KEY="x" * 32,
        TRIAGE_HOSTS="example.org",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "triage"
    assert result.stderr.strip() == ""


@pytest.mark.parametrize("secret", ["x", DEV_SECRET_KEY, "y" * 31])
def test_wsgi_refuses_a_weak_secret_in_one_line(secret):
    result = _python("-c", "import triage.wsgi", TRIAGE_ENV="production", TRIAGE_SECRET_KEY=secret)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("triage: refusing to start: TRIAGE_SECRET_KEY"), result.stderr
    assert "secrets.token_hex(32)" in lines[0]


def test_wsgi_warns_in_one_line_when_production_has_no_hosts():
    result = _python("-c", "import triage.wsgi", TRIAGE_ENV="production", TRIAGE_SECRET_KEY=GOOD_SECRET)
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip().splitlines() == [
        "triage: warning: TRIAGE_HOSTS is not set, so only the loopback names (localhost, 127.0.0.1) "
        "are answered; set it to this site's host names"
    ]


# --- the accessibility statement and TRIAGE_CONTACT ------------------------------------


def statement(contact: str | None) -> PageClient:
    app = create_app({**TEST_CONFIG, "TRIAGE_CONTACT": contact or ""})
    return PageClient(app.test_client()).get("/accessibility")


def test_the_accessibility_statement_is_a_checked_page_linked_from_every_footer(client):
    page = client.get("/accessibility")  # one h1, the title starts with it, the disclaimer, ...
    assert page.h1 == "Accessibility statement"
    assert page.title == "Accessibility statement - Hair loss guide"
    text = page.text
    for words in ("WCAG", "2.2", "AA", "axe-core", "Lighthouse", "keyboard", "JavaScript turned off", "320 pixels",
                  "not yet been tested by people who use screen readers"):
        assert words in text, words
    for url in ("/", "/about", "/privacy", "/questions/age", "/no-such-page"):
        response = client.client.get(url)
        assert 'href="/accessibility"' in response.get_data(as_text=True), url


def test_without_a_contact_the_statement_invents_none():
    page = statement(None)
    assert "has not yet given a contact" in page.text and "issue tracker" in page.text
    assert not page.select('main a[href^="mailto:"]') and "@" not in page.select("main")[0].get_text()


@pytest.mark.parametrize(
    ("contact", "href"),
    [("access@example.org", "mailto:access@example.org"),
     ("https://example.org/contact", "https://example.org/contact"),
     ("Call 0100 000 0000", None),
     ("javascript:alert(1)", None),
     ('<script>alert(1)</script>', None)],
)
def test_the_contact_the_deployer_gives_is_shown(contact, href):
    page = statement(contact)
    assert contact in page.text
    links = [a["href"] for a in page.select("main a") if a.get_text(strip=True) == contact]
    assert links == ([href] if href else [])
    assert not page.select("main script")
