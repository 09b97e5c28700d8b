"""The information pages and error pages, through the page-checking client."""

from __future__ import annotations

import pytest
from flask import abort, request

from tests.helpers.config import TEST_CONFIG
from tests.pagecheck import PageClient
from triage import create_app

DISCLAIMER = "This is not a diagnosis or medical advice."


@pytest.mark.parametrize(
    ("url", "heading"),
    [
        ("/", "Hair loss: find out what to ask a doctor about"),
        ("/about", "About this tool"),
        ("/privacy", "Privacy"),
        ("/rules/", "For clinicians: the rulebook"),
    ],
)
def test_information_pages(client, url, heading):
    page = client.get(url)
    assert page.h1 == heading
    assert page.title == f"{heading} - Hair loss guide"
    assert DISCLAIMER in page.text


def test_layout_has_skip_link_landmarks_and_footer_links(client):
    page = client.get("/about")
    skip = page.select("a.skip-link")[0]
    assert skip["href"] == "#main-content"
    assert page.select("main#main-content")
    assert page.select("header") and page.select("footer")
    footer_links = {a.get_text(strip=True): a["href"] for a in page.select("footer nav a")}
    assert footer_links == {"About": "/about", "Privacy": "/privacy", "Accessibility": "/accessibility",
                            "For clinicians": "/rules/"}
    stylesheets = [link["href"] for link in page.select("link[rel=stylesheet]")]
    assert all(href.startswith("/static/") for href in stylesheets)


def test_start_page_explains_limits_privacy_and_emergencies(client):
    page = client.get("/")
    text = page.text
    assert "not a diagnosis" in text
    assert "Nothing you enter is stored or logged on our server" in text
    assert "encrypted cookie" in text
    assert "If you need help now" in text
    assert "Start now" in text
    # How long it takes, from the worked cases (median questions, about 20 seconds each).
    from triage.rulebook.hidden import median_questions

    median = round(median_questions(client.client.application.extensions["rulebook"]))
    assert f"about {median} short questions, which takes about {max(1, round(median / 3))} minutes" in text
    # The help box: emergency numbers and crisis lines, each one tap away.
    links = {a["href"] for a in page.select(".callout--warning a[href]")}
    assert {"tel:999", "tel:112", "tel:911", "tel:116123", "sms:85258?&body=SHOUT"} <= links


def test_every_page_shows_crisis_lines_in_the_footer_and_the_disclaimer(client):
    for url in ("/", "/about", "/privacy", "/questions/age"):
        page = client.get(url)
        footer = {a["href"] for a in page.select(".site-footer a[href]")}
        assert {"tel:116123", "sms:85258?&body=SHOUT", "tel:08001111", "tel:988"} <= footer, url
        assert page.select("aside.disclaimer a[href='tel:999']"), url
    # Question pages carry the one-line disclaimer with a link to the full text; others the full text.
    question = client.get("/questions/age")
    assert question.select("aside.disclaimer--short a[href='/about#disclaimer']")
    assert not client.get("/").select("aside.disclaimer--short")
    assert "Only a doctor or nurse who examines you" in client.get("/").text
    assert client.get("/about").select("#disclaimer")


def test_stylesheet_is_served(raw_client):
    with raw_client.get("/static/css/main.css") as response:
        assert response.status_code == 200
        assert response.mimetype == "text/css"


def test_unknown_page_is_a_friendly_404(client):
    page = client.get("/no-such-page", expected_status=404)
    assert page.h1 == "Page not found"
    assert DISCLAIMER in page.text
    assert "Go to the start page" in page.text


def test_wrong_method_is_a_friendly_4xx(client):
    page = client.post("/about", expected_status=405)
    assert page.h1 == "Sorry, there is a problem with that request"


@pytest.fixture(scope="module")
def failing_app():
    """An app with routes that fail on purpose, to see the 400 and 500 pages (built once: no test changes it)."""
    app = create_app({**TEST_CONFIG, "PROPAGATE_EXCEPTIONS": False})

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    @app.get("/bad")
    def bad():
        abort(400)

    @app.post("/form")
    def form():
        return dict(request.form)

    return app


def test_bad_request_page(failing_app):
    page = PageClient(failing_app.test_client()).get("/bad", expected_status=400)
    assert page.h1 == "Sorry, there is a problem with that request"
    assert "answers you already gave are still kept" in page.text


def test_server_error_page_hides_internals(failing_app):
    page = PageClient(failing_app.test_client()).get("/boom", expected_status=500)
    assert page.h1 == "Sorry, there is a problem with the service"
    assert "secret internals" not in page.response.get_data(as_text=True)


def test_oversize_request_is_a_friendly_413(failing_app):
    client = PageClient(failing_app.test_client())
    page = client.post("/form", data={"x": "a" * 40_000}, expected_status=413)
    assert page.h1 == "What you sent was too large"
