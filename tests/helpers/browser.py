"""Browser helpers: walk the questionnaire as a person would, and scan pages with axe-core."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import APIResponse, FormData, Page, expect

WCAG = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
    # Every rule still runs on every node and every violation is reported in full; only the
    # passes, incomplete and inapplicable results (which no test reads) are cut to one node
    # each, which spares axe the unique selectors of thousands of nodes on the rule pages.
    "resultTypes": ["violations"],
}
_axe = Axe()


def short_timeouts(page: Page) -> Page:
    """Fail fast: a missing element should not wait 30 seconds. A page load may take longer
    than 5 s on a busy machine (the suite runs in parallel), which is no sign of a fault, so
    navigations get 15 s."""
    page.set_default_timeout(5000)
    page.set_default_navigation_timeout(15000)
    return page


def axe_scan(page: Page) -> Any:
    """axe-core's results for the page as it is now (the WCAG 2.2 AA and best-practice rules).

    A scan right after a click would otherwise race the navigation it started, and judge a
    page whose stylesheet has not been applied yet: wait for the page's load event first.
    """
    page.wait_for_load_state("load")
    return _axe.run(page, options=WCAG)


def assert_no_axe_violations(page: Page) -> None:
    results = axe_scan(page)
    assert results.violations_count == 0, results.generate_report()


class _PageParts(HTMLParser):
    """What answering by HTTP needs from a page: its links by their words, and the
    inputs of its form (a question page has one)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.links: dict[str, str] = {}
        self.inputs: list[dict[str, str | None]] = []
        self.forms = 0
        self._in_form = False
        self._href: str | None = None
        self._words: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "form":
            self.forms += 1
            self._in_form = True
        elif tag == "input" and self._in_form:
            self.inputs.append(dict(attrs))
        elif tag == "a":
            self._href, self._words = dict(attrs).get("href"), []

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._words.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_form = False
        elif tag == "a" and self._href is not None:
            self.links[" ".join("".join(self._words).split())] = self._href
            self._href = None

    def hidden_fields(self) -> list[tuple[str, str]]:
        """The form's hidden fields (the CSRF token), as it sends them."""
        return [(i.get("name") or "", i.get("value") or "") for i in self.inputs if i.get("type") == "hidden"]

    def answer_field(self) -> tuple[str, str | None, list[str]]:
        """The form's one answer field: its name, its type (text, radio or checkbox) and
        the values it offers."""
        fields = [i for i in self.inputs if i.get("type") != "hidden"]
        names = {i.get("name") for i in fields}
        assert self.forms == 1 and len(names) == 1, f"not one form with one answer: {self.forms} forms, fields {names}"
        return fields[0].get("name") or "", fields[0].get("type"), [i.get("value") or "" for i in fields]

    def link(self, words: str) -> str:
        assert words in self.links, f"no link {words!r} on the page; its links: {sorted(self.links)}"
        return self.links[words]


class Person:
    """Answers questions in the browser by their visible labels, like a person (or, for
    tests of the result alone, by HTTP: ``answer_by_http``)."""

    def __init__(self, page: Page, rulebook: Any, answers: dict[str, Any], keyboard: bool = False) -> None:
        self.page = page
        self.rulebook = rulebook
        self.answers = answers
        self.keyboard = keyboard
        self.asked: list[str] = []

    def current_question(self) -> str | None:
        match = re.search(r"/questions/([a-z_]+)", self.page.url)
        return match.group(1) if match else None

    def answer_current(self, on_page=None) -> None:
        qid = self.current_question()
        assert qid is not None, f"not on a question page: {self.page.url}"
        assert qid in self.answers, f"the flow asked {qid!r}, which this person has no answer for"
        self.asked.append(qid)
        if on_page:
            on_page(self.page)
        question = self.rulebook.question_by_id[qid]
        value = self.answers[qid]
        if question.kind == "number":
            field = self.page.get_by_role("textbox")
            field.fill(str(value))
        else:
            values = value if isinstance(value, list) else [value]
            for v in values:
                label = question.label(v)
                control = self.page.get_by_label(label, exact=True)
                if self.keyboard:
                    control.focus()
                    self.page.keyboard.press("Space")
                else:
                    control.check()
        with self.page.expect_navigation():
            if self.keyboard:
                self.page.get_by_role("button", name="Continue").focus()
                self.page.keyboard.press("Enter")
            else:
                self.page.get_by_role("button", name="Continue").click()

    def walk_to_check_answers(self, on_page=None) -> None:
        while self.current_question() is not None:
            self.answer_current(on_page)
            if "/help-now" in self.page.url:
                self.page.get_by_role("link", name="Continue with the questions").click()
        expect(self.page.get_by_role("heading", level=1)).to_have_text("Check your answers")

    def answer_by_http(self, limit: int = 40) -> None:
        """Answer by HTTP, not in the browser, up to check answers, which the browser then loads.

        Only for tests whose subject is the result (or its trace, or its print), not the
        walk: the walk in the browser is what test_journeys.py and others test. The answers
        go through the real flow with the browser's own cookies (``page.request``), as the
        server leads: the start page's "Start now"; each question the server asks, answered
        with its form as read from the page (the CSRF token, the story's answer as the form
        sends it); help now's "Continue with the questions", as the walk does; until check
        answers. The questions asked are in ``asked``, as after a walk.
        """
        http = self.page.request
        url = _PageParts(self._ok(http.get("/"))).link("Start now")
        for _ in range(limit):
            response = http.get(url)  # and its redirects, to the page the server leads to
            html = self._ok(response)
            path = urlsplit(response.url).path
            if path == "/check-answers":
                break
            if path == "/help-now":
                url = _PageParts(html).link("Continue with the questions")
                continue
            match = re.fullmatch(r"/questions/([a-z_]+)", path)
            assert match, f"not on a question page: {response.url}"
            qid = match.group(1)
            assert qid in self.answers, f"the flow asked {qid!r}, which this person has no answer for"
            self.asked.append(qid)
            sent = http.post(response.url, form=self._form(qid, _PageParts(html)), max_redirects=0)
            assert sent.status in (302, 303), (
                f"answering {qid!r} with {self.answers[qid]!r} gave {sent.status}, not a redirect to what comes next"
            )
            url = sent.headers["location"]
        else:
            raise AssertionError(f"no check-answers page after {limit} pages; asked {self.asked}")
        self.page.goto("/check-answers")
        expect(self.page.get_by_role("heading", level=1)).to_have_text("Check your answers")

    @staticmethod
    def _ok(response: APIResponse) -> str:
        assert response.status == 200, f"{response.url}: {response.status}"
        return response.text()

    def _form(self, qid: str, page: _PageParts) -> FormData:
        """What the question's form sends with this person's answer: its hidden fields (the
        CSRF token), then the answer, a several-choice answer as one field per value ticked."""
        hidden = page.hidden_fields()
        assert "csrf_token" in dict(hidden), f"{qid}: no CSRF token in the form"
        name, kind, offered = page.answer_field()
        value = self.answers[qid]
        if kind == "text":
            sent = [str(value)]
        else:
            chosen = value if isinstance(value, list) else [value]
            assert kind == "checkbox" or len(chosen) == 1, f"{qid}: one answer only, not {chosen}"
            missing = [v for v in chosen if v not in offered]
            assert not missing, f"{qid}: the page offers {offered}, not {missing}"
            sent = [v for v in offered if v in chosen]  # in the page's order, as a browser sends ticked boxes
        form = FormData()
        for field, v in [*hidden, *((name, v) for v in sent)]:
            form.append(field, v)
        return form

    def start(self) -> None:
        self.page.goto("/")
        self.page.get_by_role("link", name="Start now").click()

    def see_result(self) -> None:
        self.page.get_by_role("link", name="See my summary").click()
        expect(self.page.get_by_role("heading", level=1)).to_have_text("Your summary")

    def suggested(self) -> list[str]:
        return [re.sub(r"^\d+\.\s*", "", h) for h in self.page.locator(".suggestion h3").all_inner_texts()]

    def care_level(self) -> str:
        classes = self.page.locator(".care-card").get_attribute("class") or ""
        match = re.search(r"care-card--(\w+)", classes)
        assert match, classes
        return match.group(1)
