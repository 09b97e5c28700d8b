"""The journey as a person sees it: where they are, exclusive answers, the result in print."""

from __future__ import annotations

import io
import re

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from tests.helpers.browser import Person, assert_no_axe_violations
from tests.stories import AFTER_CHILDBIRTH, RECEDING_MAN, SUDDEN_PATCH

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("person", [SUDDEN_PATCH, RECEDING_MAN, AFTER_CHILDBIRTH], ids=["patch", "receding", "childbirth"])
def test_every_question_page_says_where_the_person_is(strict_page: Page, rulebook, person) -> None:
    seen: list[tuple[int, int]] = []

    def progress(page: Page) -> None:
        text = page.locator("#progress").inner_text()
        match = re.fullmatch(r"Question (\d+) of about (\d+)", text)
        assert match, text
        seen.append((int(match.group(1)), int(match.group(2))))

    walker = Person(strict_page, rulebook, person)
    walker.start()
    walker.walk_to_check_answers(on_page=progress)
    assert [n for n, _ in seen] == list(range(1, len(seen) + 1))
    assert seen[-1][1] == len(seen)  # by the last question the count is exact


def test_none_of_these_unticks_the_others_and_the_reverse(strict_page: Page, rulebook) -> None:
    walker = Person(strict_page, rulebook, SUDDEN_PATCH)
    walker.start()
    while walker.current_question() != "impact":
        walker.answer_current()
    low = strict_page.get_by_label("I feel low, worried or anxious about it", exact=True)
    avoiding = strict_page.get_by_label("I avoid going out, seeing people, school or work", exact=True)
    not_much = strict_page.get_by_label("It doesn't affect me much", exact=True)
    low.check()
    avoiding.check()
    not_much.check()
    expect(low).not_to_be_checked()
    expect(avoiding).not_to_be_checked()
    low.check()
    expect(not_much).not_to_be_checked()
    assert_no_axe_violations(strict_page)


def _result(page: Page, rulebook, person) -> Person:
    walker = Person(page, rulebook, person)
    walker.answer_by_http()  # the result is the subject here; the walk is test_journeys.py's
    walker.see_result()
    return walker


def test_the_result_folds_away_on_screen_and_opens_in_print(strict_page: Page, rulebook) -> None:
    _result(strict_page, rulebook, SUDDEN_PATCH)
    more = strict_page.get_by_text("What a doctor may do to check").first
    expect(more).to_be_hidden()
    expect(strict_page.get_by_role("heading", name="For your doctor")).to_be_hidden()
    assert_no_axe_violations(strict_page)
    strict_page.emulate_media(media="print")
    expect(more).to_be_visible()
    expect(strict_page.get_by_role("heading", name="For your doctor")).to_be_visible()
    # Sources print with their address.
    after = strict_page.evaluate(
        "getComputedStyle(document.querySelector('.sources a'), '::after').content"
    )
    assert "http" in after or "attr(href)" in after or after.startswith('" (')


def test_the_printed_result_starts_with_a_page_for_the_doctor(page: Page, rulebook) -> None:
    _result(page, rulebook, SUDDEN_PATCH)
    pdf = PdfReader(io.BytesIO(page.pdf(format="A4")))
    first = pdf.pages[0].extract_text()
    assert "For your doctor" in first
    assert "Date of birth" in first
    assert "Alopecia areata" in first  # the suggested type, with its reasons
    assert "How old is the person with the hair loss?" in " ".join(first.split())
    # The doctor's page fits on one page: the summary itself starts on page 2.
    assert pdf.pages[1].extract_text().lstrip().startswith("Your summary"), pdf.pages[1].extract_text()[:200]
    # The rest follows, with the fold-aways open.
    rest = " ".join(p.extract_text() for p in pdf.pages[1:])
    assert "Your summary" in rest and "What a doctor may do to check" in rest
