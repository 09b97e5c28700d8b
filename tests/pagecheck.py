"""A Flask test client that checks every HTML page it fetches.

Modelled on GOV.UK Notify's ``client_request``: each page must parse as HTML5
without errors, have exactly one ``h1``, a ``<title>`` that starts with that
heading (after an optional "Error: "), no duplicate ids, no inline script or
style (the Content-Security-Policy forbids them) and nothing loaded from
another site.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import html5lib
from bs4 import BeautifulSoup
from flask.testing import FlaskClient
from werkzeug.test import TestResponse


def _text(node) -> str:
    return re.sub(r"\s+", " ", node.get_text(" ", strip=True)).strip()


def check_page(html: str) -> BeautifulSoup:
    """Assert the basics every page must meet and return the parsed page."""
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    parser.parse(html)  # raises html5lib.html5parser.ParseError on any parse error
    soup = BeautifulSoup(html, "html5lib")

    h1s = soup.find_all("h1")
    assert len(h1s) == 1, f"expected exactly one h1, found {len(h1s)}"
    heading = _text(h1s[0])
    title = _text(soup.title) if soup.title else ""
    assert title.removeprefix("Error: ").startswith(heading), (
        f"title {title!r} does not start with the h1 {heading!r}"
    )

    ids = [el["id"] for el in soup.find_all(id=True)]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    assert not duplicates, f"duplicate ids: {duplicates}"

    for script in soup.find_all("script"):
        assert script.get("src") and not script.string, "inline script found"
    assert not soup.find_all(style=True), "inline style attribute found"
    assert not soup.find_all("style"), "inline <style> element found"

    for tag, attr in (("script", "src"), ("link", "href"), ("img", "src"), ("iframe", "src")):
        for el in soup.find_all(tag):
            url = el.get(attr, "")
            assert not urlsplit(url).netloc, f"<{tag}> loads from another site: {url}"

    assert soup.find("main"), "no <main> landmark"
    assert soup.find(class_="disclaimer"), "the disclaimer is missing"
    return soup


@dataclass
class Page:
    """A fetched page: the response and its parsed document."""

    response: TestResponse
    soup: BeautifulSoup | None

    @property
    def status(self) -> int:
        return self.response.status_code

    @property
    def h1(self) -> str:
        assert self.soup is not None
        return _text(self.soup.h1)

    @property
    def title(self) -> str:
        assert self.soup is not None
        return _text(self.soup.title)

    @property
    def text(self) -> str:
        assert self.soup is not None
        return _text(self.soup.body)

    @property
    def location(self) -> str | None:
        return self.response.headers.get("Location")

    def select(self, css: str):
        assert self.soup is not None
        return self.soup.select(css)

    def csrf_token(self) -> str:
        field = self.soup.find("input", attrs={"name": "csrf_token"}) if self.soup else None
        assert field is not None, "no csrf_token field on the page"
        return field["value"]


class PageClient:
    """Wraps a FlaskClient; every HTML response is checked with :func:`check_page`."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def _wrap(self, response: TestResponse, expected_status: int | None) -> Page:
        if expected_status is not None:
            assert response.status_code == expected_status, (
                f"expected {expected_status}, got {response.status_code}"
            )
        soup = None
        if response.mimetype == "text/html" and not 300 <= response.status_code < 400:
            soup = check_page(response.get_data(as_text=True))
        return Page(response, soup)

    def get(self, url: str, expected_status: int | None = 200, **kwargs) -> Page:
        return self._wrap(self.client.get(url, **kwargs), expected_status)

    def post(self, url: str, data=None, expected_status: int | None = None, **kwargs) -> Page:
        return self._wrap(self.client.post(url, data=data, **kwargs), expected_status)
