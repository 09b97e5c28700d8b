"""Browser helpers: walk the questionnaire as a person would, and scan pages with axe-core."""

from __future__ import annotations

import re
from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

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


class Person:
    """Answers questions in the browser by their visible labels, like a person."""

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
