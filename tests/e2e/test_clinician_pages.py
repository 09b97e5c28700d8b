"""The clinician's pages and the person's own trace in Chromium, each scanned with axe-core."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.helpers.browser import Person, assert_no_axe_violations
from tests.stories import SUDDEN_PATCH

pytestmark = pytest.mark.browser


def test_overview_links_to_every_section(strict_page: Page, rulebook) -> None:
    strict_page.goto("/")
    strict_page.get_by_role("contentinfo").get_by_role("link", name="For clinicians").click()
    expect(strict_page.get_by_role("heading", level=1)).to_have_text("For clinicians: the rulebook")
    expect(strict_page.get_by_text(rulebook.version).first).to_be_visible()
    expect(strict_page.get_by_role("table", name="Type files and their review status").get_by_role("row")).to_have_count(
        len(rulebook.types) + 1
    )
    assert_no_axe_violations(strict_page)


def test_type_page(strict_page: Page, rulebook) -> None:
    hair_type = rulebook.type_by_id["alopecia_areata"]
    strict_page.goto("/rules/")
    types = strict_page.get_by_role("table", name="Type files and their review status")
    types.get_by_role("link", name=hair_type.name, exact=True).click()
    expect(strict_page.get_by_role("heading", level=1)).to_have_text(hair_type.name)
    table = strict_page.get_by_role("table", name=f"Evidence for {hair_type.name}")
    expect(table.locator("tbody tr")).to_have_count(len(hair_type.evidence))
    for source in hair_type.sources:
        expect(strict_page.get_by_role("link", name=source.title, exact=True)).to_have_attribute("href", source.url)
    assert_no_axe_violations(strict_page)


def test_questions_page_with_the_flow_picture(strict_page: Page, rulebook) -> None:
    strict_page.goto("/rules/questions")
    expect(strict_page.get_by_role("heading", level=1)).to_have_text("Questions and when they are asked")
    picture = strict_page.get_by_role("img", name="The question flow")
    expect(picture).to_be_visible()
    assert picture.evaluate("el => el.tagName") == "svg"
    # The picture's region can be reached and scrolled with the keyboard.
    region = strict_page.get_by_role("region", name="The question flow, top to bottom")
    region.focus()
    expect(region).to_be_focused()
    expect(strict_page.locator("svg.flow g.flow-question")).to_have_count(len(rulebook.questions))
    assert_no_axe_violations(strict_page)


def test_red_flags_page(strict_page: Page, rulebook) -> None:
    strict_page.goto("/rules/red-flags")
    expect(strict_page.get_by_role("heading", level=1)).to_have_text("Red flags")
    flags = strict_page.locator("section.rule-item:has(h2)")
    expect(flags).to_have_count(len(rulebook.red_flags))
    # Care notes follow the red flags, each with what the person reads.
    notes = strict_page.locator("section.rule-item:has(h3[id^=note-])")
    expect(notes).to_have_count(len(rulebook.care_notes))
    expect(strict_page.locator("#note-distress")).to_have_text("distress")
    assert_no_axe_violations(strict_page)


def test_cases_page(strict_page: Page, rulebook) -> None:
    case = rulebook.cases[0]
    strict_page.goto("/rules/cases")
    expect(strict_page.get_by_role("heading", level=1)).to_have_text("Worked cases")
    expect(strict_page.locator("table.cases tbody tr")).to_have_count(len(rulebook.cases))
    assert_no_axe_violations(strict_page)
    strict_page.get_by_role("link", name=case.title, exact=True).click()
    expect(strict_page.get_by_role("heading", level=1)).to_have_text(f"Case: {case.title}")


def test_a_case_and_its_trace(strict_page: Page, rulebook) -> None:
    case = rulebook.cases[0]
    strict_page.goto(f"/rules/cases/{case.id}")
    expect(strict_page.get_by_role("heading", level=1)).to_have_text(f"Case: {case.title}")
    assert_no_axe_violations(strict_page)

    strict_page.get_by_role("link", name="See how this case was worked out").click()
    expect(strict_page).to_have_url(f"/rules/cases/{case.id}/trace")
    expect(strict_page.get_by_role("heading", level=1)).to_have_text(f"How this case was worked out: {case.title}")
    expect(strict_page.get_by_role("table", name="Every type's score and threshold").locator("tbody tr")).to_have_count(
        len(rulebook.types)
    )
    assert_no_axe_violations(strict_page)


def test_coverage_page(strict_page: Page, rulebook) -> None:
    strict_page.goto("/rules/coverage")
    expect(strict_page.get_by_role("heading", level=1)).to_have_text("Coverage and warnings")
    matrix = strict_page.get_by_role("table", name="Pieces of evidence per type")
    expect(matrix.locator("tbody tr")).to_have_count(len(rulebook.types))
    assert_no_axe_violations(strict_page)


def test_the_person_sees_how_their_summary_was_worked_out(strict_page: Page, rulebook) -> None:
    walker = Person(strict_page, rulebook, SUDDEN_PATCH)
    walker.answer_by_http()  # the trace is the subject here; the walk is test_journeys.py's
    walker.see_result()
    first = walker.suggested()[0]
    strict_page.get_by_role("link", name="See how this was worked out").click()
    expect(strict_page).to_have_url("/result/trace")
    expect(strict_page.get_by_role("heading", level=1)).to_have_text("How your summary was worked out")
    scores = strict_page.get_by_role("table", name="Every type's score and threshold")
    expect(scores.locator("tbody tr").first.locator("th")).to_have_text(first)
    expect(scores.locator("tbody tr").first.locator("td").last).to_have_text("Yes, 1st")
    assert_no_axe_violations(strict_page)
    strict_page.get_by_role("link", name="Back to your summary").click()
    expect(strict_page.get_by_role("heading", level=1)).to_have_text("Your summary")


def test_changes_page_and_review_status(strict_page: Page, rulebook) -> None:
    strict_page.goto("/rules/")
    strict_page.get_by_role("link", name="Changes since the last release").click()
    expect(strict_page.get_by_role("heading", level=1)).to_have_text("Changes since the last release")
    assert_no_axe_violations(strict_page)
    strict_page.goto("/rules/coverage#review")
    files = strict_page.get_by_role("table", name="Every rule file and its review status")
    expect(files.locator("tbody tr")).to_have_count(len(rulebook.file_hashes))
    strict_page.goto("/rules/types/alopecia_areata")
    expect(strict_page.locator("main .review-status").first).to_contain_text("Not reviewed by a named clinician")
