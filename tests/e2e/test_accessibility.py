"""Every page kind in Chromium: axe-core finds nothing, at desktop and 320 px widths;
keyboard alone, JavaScript off and print all work; nothing comes from another site;
each page stays small."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.helpers.browser import Person, assert_no_axe_violations, short_timeouts
from tests.stories import SUDDEN_PATCH, WOMAN_ANDROGEN

pytestmark = pytest.mark.browser

MAX_PAGE_BYTES = 30 * 1024


def _answer_up_to(walker: Person, stop_at: str) -> None:
    while walker.current_question() != stop_at:
        walker.answer_current()


def _scanner(page: Page, width: int, seen: list[str]):
    page.set_viewport_size({"width": width, "height": 900})

    def scan(kind: str) -> None:
        seen.append(kind)
        assert_no_axe_violations(page)
        # 320 px: no horizontal scrolling (WCAG 1.4.10 reflow)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{kind}: page scrolls sideways by {overflow}px at {width}px"

    return scan


# Every page kind, at desktop and 320 px widths: the information pages here, the journey's
# pages below (two tests, so the parallel run can deal them to different workers).
@pytest.mark.parametrize("width", [1280, 320])
def test_every_information_page_passes_axe(strict_page: Page, width: int) -> None:
    seen: list[str] = []
    scan = _scanner(strict_page, width, seen)
    for path in ("/", "/about", "/privacy", "/accessibility", "/rules/", "/no-such-page"):
        strict_page.goto(path)
        scan(path)
    assert len(seen) == 6


@pytest.mark.parametrize("width", [1280, 320])
def test_every_journey_page_kind_passes_axe(strict_page: Page, rulebook, width: int) -> None:
    page = strict_page
    seen: list[str] = []
    scan = _scanner(page, width, seen)
    walker = Person(page, rulebook, WOMAN_ANDROGEN)
    walker.start()
    scan("number question")
    page.get_by_role("textbox").fill("two hundred")
    page.get_by_role("button", name="Continue").click()
    scan("number error state")
    walker.answer_current()
    scan("one-choice question")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".error-summary")).to_be_visible()
    scan("error state")
    walker.answer_current()
    _answer_up_to(walker, "impact")
    scan("several-choice question")
    walker.walk_to_check_answers()
    scan("check answers")
    walker.see_result()
    scan("result")
    page.get_by_role("button", name="Clear my answers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your answers have been cleared")
    scan("cleared")
    assert len(seen) == 8


def test_keyboard_only_journey(strict_page: Page, rulebook) -> None:
    page = strict_page
    page.goto("/")
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    walker = Person(page, rulebook, SUDDEN_PATCH, keyboard=True)
    page.get_by_role("link", name="Start now").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url("/questions/age")
    walker.walk_to_check_answers()
    page.get_by_role("link", name="See my summary").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your summary")
    assert "Alopecia areata" in " ".join(walker.suggested())


def test_focus_is_visible(strict_page: Page) -> None:
    page = strict_page
    page.goto("/questions/sex")  # with no answers yet, the first question opens instead
    expect(page).to_have_url("/questions/age")  # the first question's page, already loaded
    page.get_by_label("How old is the person with the hair loss?").fill("14")
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url("/questions/respondent")
    page.get_by_label("I am asking about my own hair", exact=False).first.focus()
    page.keyboard.press("Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    shadow = page.evaluate("getComputedStyle(document.activeElement).boxShadow")
    assert outline != "none" or shadow != "none"


def test_journey_with_javascript_off(browser: Browser, base_url: str, rulebook) -> None:
    context = browser.new_context(java_script_enabled=False, base_url=base_url)
    page = short_timeouts(context.new_page())
    try:
        walker = Person(page, rulebook, WOMAN_ANDROGEN)
        walker.start()
        walker.walk_to_check_answers()
        walker.see_result()
        assert any(s.startswith("Female pattern hair loss") for s in walker.suggested()[:3])
        assert walker.care_level() == "soon"
        # the print button needs JavaScript, so it stays hidden; the text instructions remain
        expect(page.get_by_role("button", name="Print or save this summary")).to_be_hidden()
        expect(page.get_by_text("use your browser\u2019s Print menu")).to_be_visible()
    finally:
        context.close()


def test_narrow_screen_journey(strict_page: Page, rulebook) -> None:
    page = strict_page
    page.set_viewport_size({"width": 320, "height": 640})
    walker = Person(page, rulebook, SUDDEN_PATCH)
    walker.start()
    walker.walk_to_check_answers()
    walker.see_result()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert "Alopecia areata" in " ".join(walker.suggested())


def test_print_view_is_a_clean_summary(strict_page: Page, rulebook) -> None:
    page = strict_page
    walker = Person(page, rulebook, SUDDEN_PATCH)
    walker.answer_by_http()  # the print view is the subject here; the walk is test_journeys.py's
    walker.see_result()
    page.emulate_media(media="print")
    expect(page.locator(".print-only").first).to_be_visible()
    expect(page.locator(".print-only").first).to_contain_text("rules version")
    expect(page.locator(".care-card")).to_be_visible()
    expect(page.locator(".suggestion").first).to_be_visible()
    expect(page.locator(".summary-list")).to_be_visible()
    expect(page.locator("footer nav")).to_be_hidden()
    expect(page.locator(".back-link")).to_be_hidden()
    expect(page.get_by_role("button", name="Clear my answers")).to_be_hidden()
    pdf = page.pdf()
    assert pdf.startswith(b"%PDF")


def test_no_request_leaves_the_site_and_pages_stay_small(strict_page: Page, rulebook, base_url: str) -> None:
    page = strict_page
    origin = urlsplit(base_url).netloc
    foreign: list[str] = []
    sizes: dict[str, int] = {}

    def on_response(response) -> None:
        host = urlsplit(response.url).netloc
        if host != origin:
            foreign.append(response.url)
            return
        path = urlsplit(response.url).path
        if response.request.resource_type in ("document", "stylesheet", "script"):
            try:
                sizes[path] = len(response.body())
            except Exception:  # a redirect has no body
                pass

    page.on("response", on_response)
    page.on("request", lambda request: foreign.append(request.url) if urlsplit(request.url).netloc != origin else None)
    walker = Person(page, rulebook, SUDDEN_PATCH)
    walker.start()
    walker.walk_to_check_answers()
    walker.see_result()
    assert foreign == []
    assets = sum(size for path, size in sizes.items() if path.startswith("/static/"))
    for path, size in sizes.items():
        if not path.startswith("/static/"):
            assert size + assets <= MAX_PAGE_BYTES, f"{path}: {size} bytes of HTML + {assets} of CSS/JS"
