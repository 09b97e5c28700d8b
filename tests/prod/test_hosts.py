"""Trusted hosts: the app answers only to the names in TRIAGE_HOSTS (Flask's TRUSTED_HOSTS).

Any other Host gets the friendly 400 page with every security header, and
nothing the app builds (the trailing-slash redirect, the HTTPS redirect, the
links on the error page) ever carries the name that was sent.
"""

from __future__ import annotations

import http.client

import pytest

from tests.helpers.config import TEST_CONFIG
from tests.helpers.headers import assert_security_headers
from tests.pagecheck import PageClient
from triage import create_app
from triage.config import LOOPBACK_HOSTS

EVIL = "evil.example"


@pytest.fixture(scope="module")
def site_app():
    """A deployment for example.org and every subdomain of example.net, over HTTPS."""
    return create_app({**TEST_CONFIG, "TRUSTED_HOSTS": ["example.org", ".example.net"], "TRIAGE_HTTPS": True})


def test_development_answers_to_the_loopback_names_only(app):
    assert app.config["TRUSTED_HOSTS"] == list(LOOPBACK_HOSTS) == ["localhost", "127.0.0.1"]


@pytest.mark.parametrize("path", ["/", "/rules", "/questions/", "/questions/age", "/no-such-page", "/static/css/main.css"])
def test_a_foreign_host_gets_the_friendly_400_with_the_headers(app, path):
    client = PageClient(app.test_client())
    page = client.get(path, headers={"Host": EVIL}, expected_status=400)
    assert page.h1 == "Sorry, there is a problem with that request"
    assert "Location" not in page.response.headers and "Set-Cookie" not in page.response.headers
    assert EVIL not in page.response.get_data(as_text=True)
    assert_security_headers(page.response)


def test_a_foreign_host_cannot_post_an_answer(app):
    client = PageClient(app.test_client())
    token = client.get("/questions/age").csrf_token()
    page = client.post("/questions/age", data={"csrf_token": token, "answer": "30"}, headers={"Host": EVIL},
                       expected_status=400)
    assert page.h1 == "Sorry, there is a problem with that request"
    with client.client.session_transaction() as sess:
        assert "answers" not in sess


@pytest.mark.parametrize("host", ["", "localhost.evil.example", "evil.example:80", "localhost@evil.example",
                                  "local host", "127.0.0.1.evil.example", "[::1]", "LOCALHOST\x00"])
def test_odd_host_headers_are_refused(app, host):
    response = app.test_client().get("/rules", headers={"Host": host})
    assert response.status_code == 400
    assert "Location" not in response.headers


@pytest.mark.parametrize("host", ["localhost", "localhost:5000", "127.0.0.1", "127.0.0.1:8000"])
def test_the_trailing_slash_redirect_uses_the_trusted_name(app, host):
    response = app.test_client().get("/rules", headers={"Host": host})
    assert response.status_code == 308
    assert response.headers["Location"] == f"http://{host.lower()}/rules/"


def test_a_forwarded_host_header_is_never_used(app):
    response = app.test_client().get("/rules", headers={"Host": "localhost", "X-Forwarded-Host": EVIL})
    assert response.headers["Location"] == "http://localhost/rules/"


@pytest.mark.parametrize("host", ["example.org", "www.example.net", "a.b.example.net", "example.net"])
def test_configured_names_and_subdomains_are_answered(site_app, host):
    response = site_app.test_client().get("/about", headers={"Host": host})
    assert response.status_code == 301  # the HTTPS redirect...
    assert response.headers["Location"] == f"https://{host}/about"  # ...to the name asked for, which is trusted
    assert site_app.test_client().get("/about", headers={"Host": host, "X-Forwarded-Proto": "https"}).status_code == 200


@pytest.mark.parametrize("host", [EVIL, "localhost", "example.org.evil.example", "notexample.org"])
def test_the_https_redirect_is_never_built_from_a_foreign_name(site_app, host):
    response = site_app.test_client().get("/rules", headers={"Host": host})
    assert response.status_code == 400
    assert "Location" not in response.headers
    assert_security_headers(response)


def test_a_foreign_host_is_refused_by_gunicorn_in_production(gunicorn_factory):
    """The production settings under gunicorn: a foreign Host is a 400 with the headers."""
    server = gunicorn_factory(name="hosts", workers=1)
    for host, status in ((EVIL, 400), ("127.0.0.1", 308), ("triage.example.org", 308)):
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        try:
            conn.request("GET", "/rules", headers={"Host": host})
            response = conn.getresponse()
            body = response.read().decode()
        finally:
            conn.close()
        assert response.status == status, (host, response.status)
        if status == 400:
            assert "Sorry, there is a problem with that request" in body and EVIL not in body
            assert response.getheader("Location") is None
            assert response.getheader("Content-Security-Policy", "").startswith("default-src 'self'")
        else:
            assert response.getheader("Location") == f"http://{host}/rules/"
