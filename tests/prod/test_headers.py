"""Security headers on every page kind; HTTPS, HSTS and the session cookie's flags."""

from __future__ import annotations

import pytest

from tests.helpers.config import TEST_CONFIG
from tests.helpers.headers import assert_security_headers
from tests.pagecheck import PageClient
from tests.web.journey import post_answer, walk
from triage import create_app


@pytest.fixture(scope="module")
def every_page_kind(app, patch_answers):
    """One response of each page kind a person (or a clinician, or a bad request) can see."""
    client = PageClient(app.test_client())
    seen = {}

    def keep(kind, page):
        seen[kind] = page.response
        return page

    keep("start", client.get("/"))
    keep("about", client.get("/about"))
    keep("privacy", client.get("/privacy"))
    keep("accessibility", client.get("/accessibility"))
    keep("rules (clinician)", client.get("/rules/"))
    keep("redirect", client.get("/questions/", expected_status=302))
    keep("question", client.get("/questions/age"))
    keep("question with an error", client.post("/questions/age", data={"csrf_token": client.get("/questions/age").csrf_token()}, expected_status=200))
    post_answer(client, "/questions/age", "30")
    keep("unknown option (400)", post_answer(client, "/questions/sex", "martian", expected_status=400))
    keep("CSRF error", client.post("/questions/sex", data={"answer": "male"}, expected_status=400))
    keep("not found (404)", client.get("/no-such-page", expected_status=404))
    keep("wrong method (405)", client.post("/about", expected_status=405))
    keep("too large (413)", client.post("/questions/sex", data={"answer": "x" * 40_000}, expected_status=413))
    url, _ = walk(client, patch_answers)
    keep("check answers", client.get(url))
    keep("result", client.get("/result"))
    keep("result trace", client.get("/result/trace"))
    keep("help now", client.get("/help-now"))
    token = client.get("/result").csrf_token()
    client.post("/clear", data={"csrf_token": token}, expected_status=302)
    keep("cleared", client.get("/cleared"))
    return seen


KINDS = [
    "start", "about", "privacy", "accessibility", "rules (clinician)", "redirect", "question", "question with an error",
    "unknown option (400)", "CSRF error", "not found (404)", "wrong method (405)", "too large (413)",
    "check answers", "result", "result trace", "help now", "cleared",
]


@pytest.mark.parametrize("kind", KINDS)
def test_every_page_kind_has_the_security_headers_and_no_store(every_page_kind, kind):
    assert_security_headers(every_page_kind[kind])


def test_static_files_get_the_headers_but_may_be_cached(raw_client):
    with raw_client.get("/static/css/main.css") as response:
        assert response.status_code == 200
        assert_security_headers(response, no_store=False)
        assert "no-store" not in response.headers.get("Cache-Control", "")


def test_session_cookie_is_httponly_and_samesite_lax_but_not_secure_over_http(client):
    response = post_answer(client, "/questions/age", "30").response
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("triage_session=")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie
    assert "Expires" not in cookie and "Max-Age" not in cookie  # ends with the browser session


# --- TRIAGE_HTTPS on (the production default) -----------------------------------------


@pytest.fixture(scope="module")
def https_app():
    return create_app({**TEST_CONFIG, "TRIAGE_HTTPS": True, "SESSION_COOKIE_SECURE": True})


def test_https_redirects_plain_http(https_app):
    client = https_app.test_client()
    response = client.get("/about?x=1")
    assert response.status_code == 301
    assert response.headers["Location"] == "https://localhost/about?x=1"
    assert_security_headers(response, hsts=False)
    response = client.post("/questions/age", data={"answer": "30"})
    assert response.status_code == 308  # keeps the method and the body


@pytest.mark.parametrize("how", ["https scheme", "X-Forwarded-Proto"])
def test_https_requests_get_hsts_and_a_secure_cookie(https_app, how):
    client = https_app.test_client()
    kwargs = {"base_url": "https://localhost"} if how == "https scheme" else {"headers": {"X-Forwarded-Proto": "https"}}
    page = client.get("/questions/age", **kwargs)
    assert page.status_code == 200
    assert_security_headers(page, hsts=True)
    assert "includeSubDomains" not in page.headers["Strict-Transport-Security"]
    cookie = page.headers["Set-Cookie"]  # the CSRF token starts the session
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


@pytest.mark.parametrize("how", ["https scheme", "X-Forwarded-Proto"])
def test_answers_post_over_https_without_a_referer(https_app, how):
    # Every page says Referrer-Policy: no-referrer, so a browser's form post over HTTPS
    # carries no Referer; it must still be accepted (the CSRF token is what counts).
    client = PageClient(https_app.test_client())
    kwargs = {"base_url": "https://localhost"} if how == "https scheme" else {"headers": {"X-Forwarded-Proto": "https"}}
    token = client.get("/questions/age", **kwargs).csrf_token()
    page = client.post("/questions/age", data={"csrf_token": token, "answer": "34"}, expected_status=302, **kwargs)
    assert page.response.location.endswith("/questions/sex")
    client.post("/questions/sex", data={"answer": "male"}, expected_status=400, **kwargs)  # still no token, no post


@pytest.mark.parametrize(
    ("value", "redirected"),
    [("https, https", False), ("https,http", False), ("HTTPS", False), ("http, https", True), ("", True)],
)
def test_a_chain_of_proxies_is_read_by_its_first_forwarded_proto(https_app, value, redirected):
    # Proxies that append give "https, https"; reading the whole value as one would
    # redirect to https for ever behind them.
    response = https_app.test_client().get("/about", headers={"X-Forwarded-Proto": value})
    assert (response.status_code == 301) is redirected
    assert ("Strict-Transport-Security" in response.headers) is not redirected


def test_no_https_redirect_or_hsts_in_development_and_tests(raw_client):
    response = raw_client.get("/about", base_url="https://localhost")
    assert response.status_code == 200
    assert "Strict-Transport-Security" not in response.headers
