"""Helpers to walk the questionnaire through the page-checking test client."""

from __future__ import annotations

from typing import Any

from tests.pagecheck import Page, PageClient


def post_answer(client: PageClient, url: str, value: Any, expected_status: int | None = 302) -> Page:
    """Open a question page and submit ``value`` with the page's CSRF token."""
    page = client.get(url)
    return client.post(url, data={"csrf_token": page.csrf_token(), "answer": value}, expected_status=expected_status)


def walk(client: PageClient, answers: dict[str, Any], start: str = "/questions/") -> tuple[str, list[str]]:
    """Answer every question the flow asks, from ``answers``; return (final url, ids asked).

    Fails if the flow asks a question that ``answers`` has no answer for, so a
    test states every answer its person gives.
    """
    url = client.get(start, expected_status=302).location
    asked: list[str] = []
    while url.startswith("/questions/"):
        question_id = url.split("?")[0].rsplit("/", 1)[1]
        assert question_id in answers, f"the flow asked {question_id!r}, which the test did not answer"
        asked.append(question_id)
        url = post_answer(client, url, answers[question_id]).location
        if url.startswith("/help-now"):
            url = "/questions/" + ("?return=check" if "return=check" in url else "")
            url = client.get(url, expected_status=302).location
    return url, asked
