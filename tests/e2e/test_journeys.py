"""Journeys of real-looking people through the questionnaire in Chromium.

Each asserts what the result page shows: the types to ask a doctor about and
the care level. The people are described in plain words; the rules decide.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.helpers.browser import Person, assert_no_axe_violations
from tests.stories import AFTER_CHILDBIRTH, CHILD_KERION, RECEDING_MAN, SELF_HARM, SUDDEN_PATCH, WOMAN_ANDROGEN

pytestmark = pytest.mark.browser

@pytest.mark.parametrize(
    ("person", "expected_types", "care"),
    [
        pytest.param(SUDDEN_PATCH, ["Alopecia areata"], "soon", id="sudden-round-patch"),
        pytest.param(RECEDING_MAN, ["Male pattern hair loss"], "routine", id="receding-temples-family"),
        pytest.param(AFTER_CHILDBIRTH, ["Telogen effluvium"], "routine", id="shedding-after-childbirth"),
        pytest.param(CHILD_KERION, ["Tinea capitis"], "urgent", id="child-scaly-patch-pus-fever"),
        pytest.param(WOMAN_ANDROGEN, ["Female pattern hair loss"], "soon", id="crown-thinning-periods-acne"),
    ],
)
def test_journey(strict_page: Page, rulebook, person, expected_types, care) -> None:
    walker = Person(strict_page, rulebook, person)
    walker.start()
    walker.walk_to_check_answers()
    walker.see_result()
    suggested = walker.suggested()
    for name in expected_types:
        assert any(s.startswith(name) for s in suggested[:3]), suggested
    assert walker.care_level() == care
    assert len(walker.asked) <= 17, walker.asked


def test_self_harm_interrupts_at_once_with_help(strict_page: Page, rulebook) -> None:
    walker = Person(strict_page, rulebook, SELF_HARM)
    walker.start()
    while walker.current_question() != "impact":
        walker.answer_current()
    walker.answer_current()
    # Offered help within 5 questions (issue 14): age, sex, then how it affects them.
    assert len(walker.asked) <= 5, walker.asked
    expect(strict_page).to_have_url("/help-now?from=impact")
    expect(strict_page.get_by_role("heading", level=1)).to_have_text("Please get support now")
    # Every line one tap away: calls as tel: links, text lines as sms: links with their word.
    main = strict_page.get_by_role("main")
    expect(main.get_by_role("link", name="Call 116 123")).to_have_attribute("href", "tel:116123")
    expect(main.get_by_role("link", name="Text SHOUT to 85258")).to_have_attribute("href", "sms:85258?&body=SHOUT")
    expect(main.get_by_role("link", name="Text 988")).to_have_attribute("href", "sms:988")
    assert_no_axe_violations(strict_page)
    expect(strict_page.get_by_role("link", name="Back")).to_have_attribute("href", "/questions/impact")
    strict_page.get_by_role("link", name="Continue with the questions").click()
    expect(strict_page).to_have_url("/questions/onset")
    walker.walk_to_check_answers()
    walker.see_result()
    assert walker.care_level() == "emergency"
    expect(strict_page.locator(".care-card")).to_contain_text("988")
