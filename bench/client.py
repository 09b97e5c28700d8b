"""A small HTTP client for real servers: one session cookie, no redirects followed.

It can rotate between several base URLs, one request each, which is how the
scale-out test proves that any process can serve any step of a journey.
"""

from __future__ import annotations

import http.client
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlencode, urlsplit

COOKIE = "triage_session"
_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: str
    base: str

    @property
    def location(self) -> str:
        return self.headers.get("location", "")

    def csrf_token(self) -> str:
        match = _TOKEN.search(self.body)
        if not match:
            raise AssertionError(f"no csrf_token on the page (status {self.status})")
        return match.group(1) or match.group(2)


class Client:
    """Sends each request to the next of ``bases`` in turn; keeps the session cookie."""

    def __init__(self, bases: str | Sequence[str], timeout: float = 10) -> None:
        self.bases = [bases] if isinstance(bases, str) else list(bases)
        self.timeout = timeout
        self.cookie: str | None = None
        self.sent = 0
        self.log: list[tuple[str, str, str, int]] = []  # (base, method, path, status)

    def connection(self, host: str, port: int) -> http.client.HTTPConnection:
        """The connection for one request (a subclass may choose the address it comes from)."""
        return http.client.HTTPConnection(host, port, timeout=self.timeout)

    def base_headers(self, netloc: str) -> dict[str, str]:
        """Headers sent before the cookie and form ones: none here (http.client sends Host itself)."""
        return {}

    def request(self, method: str, path: str, data: Mapping[str, Any] | None = None) -> Response:
        base = self.bases[self.sent % len(self.bases)]
        self.sent += 1
        netloc = urlsplit(base).netloc
        host, _, port = netloc.partition(":")
        conn = self.connection(host, int(port or 80))
        headers = self.base_headers(netloc)
        body = None
        if self.cookie:
            headers["Cookie"] = f"{COOKIE}={self.cookie}"
        if data is not None:
            body = urlencode(data, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            raw = conn.getresponse()
            text = raw.read().decode("utf-8", "replace")
            response_headers = {k.lower(): v for k, v in raw.getheaders()}
            for value in raw.headers.get_all("Set-Cookie") or []:
                jar = SimpleCookie()
                jar.load(value)
                if COOKIE in jar:
                    self.cookie = jar[COOKIE].value or None
        finally:
            conn.close()
        self.log.append((base, method, path, raw.status))
        return Response(raw.status, response_headers, text, base)

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post(self, path: str, data: Mapping[str, Any]) -> Response:
        return self.request("POST", path, data)


def answer_for(question: Any, answers: Mapping[str, Any]) -> Any:
    """The answer in ``answers``, else a plain default (first option; 30 for a number)."""
    if question.id in answers:
        value = answers[question.id]
        return list(value) if isinstance(value, (list, tuple)) else value
    if question.kind == "number":
        return 30 if question.min is None or question.min <= 30 <= (question.max or 30) else question.min
    first = question.options[0].value
    return [first] if question.kind == "several" else first


def walk(
    client: Client, rulebook: Any, answers: Mapping[str, Any], strict: bool = True, stop_at: str | None = None
) -> tuple[str, list[str]]:
    """Answer every question the server asks; return (the final location, the ids asked).

    With ``strict`` every question asked must have an answer in ``answers``. With
    ``stop_at`` (a question id) the walk stops when that question is next, unanswered.
    """
    location = client.get("/questions/").location
    asked: list[str] = []
    for _ in range(100):
        if not location.startswith("/questions/"):
            return location, asked
        qid = location.split("?")[0].rsplit("/", 1)[1]
        if qid == stop_at:
            return location, asked
        question = rulebook.question_by_id[qid]
        if strict and qid not in answers:
            raise AssertionError(f"the server asked {qid!r}, which has no answer here")
        asked.append(qid)
        page = client.get(location)
        if page.status != 200:
            raise AssertionError(f"GET {location}: {page.status}")
        value = answer_for(question, answers)
        posted = client.post(location, {"csrf_token": page.csrf_token(), "answer": value})
        if posted.status != 302:
            raise AssertionError(f"POST {location}: {posted.status}")
        location = posted.location
        if location.startswith("/help-now"):
            location = client.get("/questions/" + ("?return=check" if "return=check" in location else "")).location
    raise AssertionError("the journey did not end")
