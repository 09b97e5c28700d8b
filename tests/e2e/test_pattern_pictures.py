"""The pattern question's drawings in Chromium: one per option, with and without
JavaScript, at 320 px and in forced colours, with axe finding nothing; two patterns
chosen are kept; the result shows the first suggested type's drawing."""

from __future__ import annotations

import struct
import zlib

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.helpers.browser import Person, assert_no_axe_violations, short_timeouts
from tests.stories import SUDDEN_PATCH

pytestmark = pytest.mark.browser

# A round patch that is also scaly (issue 14): both ticked on the pattern question.
TWO_PATTERNS = {**SUDDEN_PATCH, "pattern": ["round_patches", "scaly_patch"]}


def ink(png: bytes) -> float:
    """The share of pixels that differ clearly from the background (the commonest colour).

    A small PNG reader (8-bit RGB or RGBA, as Chromium writes them), so that the test
    needs no imaging library.
    """
    pos, chunks, width = 8, b"", 0
    height = channels = 0
    while pos < len(png):
        length, kind = struct.unpack(">I4s", png[pos:pos + 8])
        body = png[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and colour in (2, 6), (depth, colour)
            channels = 4 if colour == 6 else 3
        elif kind == b"IDAT":
            chunks += body
        pos += 12 + length
    raw, stride = zlib.decompress(chunks), width * channels
    rows: list[bytearray] = []
    prior = bytearray(stride)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up, corner = prior[i], prior[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 255
            elif kind == 2:
                line[i] = (line[i] + up) & 255
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 255
        rows.append(line)
        prior = line
    grey = [sum(row[x:x + 3]) // 3 for row in rows for x in range(0, stride, channels)]
    background = max(set(grey), key=grey.count)
    return sum(abs(g - background) > 80 for g in grey) / len(grey)


def to_pattern(walker: Person) -> None:
    walker.start()
    while walker.current_question() != "pattern":
        walker.answer_current()


def pictures_shown(page: Page, rulebook) -> dict[str, float]:
    """Every option has its drawing, drawn and of a useful size; returns the ink of each."""
    question = rulebook.question_by_id["pattern"]
    items = page.locator(".choices__item")
    expect(items).to_have_count(len(question.options))
    inks = {}
    for i, option in enumerate(question.options):
        item = items.nth(i)
        expect(item.locator("input")).to_have_attribute("value", option.value)
        # the label, drawing and all, is still found by its words alone
        expect(page.get_by_label(option.label, exact=True)).to_have_count(1)
        picture: Locator = item.locator("svg.picture")
        box = picture.bounding_box()
        assert box is not None and box["width"] >= 40 and box["height"] >= 40, (option.value, box)
        inks[option.value] = ink(picture.screenshot())
        assert inks[option.value] > .03, f"{option.value}: the drawing did not render ({inks[option.value]:.3f})"
    # the shading shows: a scalp all hatched has far more ink than the bare head with a question mark
    assert inks["whole_scalp"] > 1.25 * inks["not_sure"], inks
    return inks


def no_sideways_scroll(page: Page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px"


@pytest.mark.parametrize("width", [1280, 320])
def test_a_picture_per_option(strict_page: Page, rulebook, width: int) -> None:
    page = strict_page
    page.set_viewport_size({"width": width, "height": 900})
    to_pattern(Person(page, rulebook, TWO_PATTERNS))
    pictures_shown(page, rulebook)
    no_sideways_scroll(page)
    first, second = (page.locator(".choices__item").nth(i).bounding_box() for i in (0, 1))
    assert first and second
    if width == 1280:  # cards side by side
        assert first["y"] == second["y"] and second["x"] > first["x"] + first["width"]
    else:  # one list
        assert second["y"] >= first["y"] + first["height"]
    assert_no_axe_violations(page)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_pictures_in_forced_colours(strict_page: Page, rulebook, scheme: str) -> None:
    """Windows high contrast, light and dark: the drawings and their shading take the forced text colour."""
    page = strict_page
    page.emulate_media(forced_colors="active", color_scheme=scheme)
    assert page.evaluate("matchMedia('(forced-colors: active)').matches")
    to_pattern(Person(page, rulebook, TWO_PATTERNS))
    pictures_shown(page, rulebook)
    page.get_by_label(rulebook.question_by_id["pattern"].label("round_patches"), exact=True).check()
    if scheme == "light":
        # Not with the dark palette: axe then pairs the forced black page with the author's text
        # colours (#1b1b1b on #000) and reports every line of text, not what is painted.
        assert_no_axe_violations(page)


def test_pictures_without_javascript(browser: Browser, base_url: str, rulebook) -> None:
    context = browser.new_context(java_script_enabled=False, base_url=base_url,
                                  viewport={"width": 320, "height": 640})
    page = short_timeouts(context.new_page())
    try:
        walker = Person(page, rulebook, TWO_PATTERNS)
        to_pattern(walker)
        pictures_shown(page, rulebook)
        no_sideways_scroll(page)
        walker.answer_current()  # both patterns, sent by the plain form
        assert walker.current_question() not in (None, "pattern")
        page.get_by_role("link", name="Back").click()
        for value in TWO_PATTERNS["pattern"]:
            expect(page.locator(f"input[value={value}]")).to_be_checked()
    finally:
        context.close()


def test_without_javascript_axe_finds_nothing(strict_page: Page, rulebook) -> None:
    """axe needs JavaScript itself, so the page's own script is served empty instead:
    the page is then as a browser without JavaScript builds it."""
    page = strict_page
    page.route("**/static/js/*.js", lambda route: route.fulfill(
        status=200, content_type="text/javascript", body="/* no JavaScript */"))
    to_pattern(Person(page, rulebook, TWO_PATTERNS))
    page.get_by_role("button", name="Continue").click()  # an error, shown without the script's focus
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator(".choices__item svg.picture")).to_have_count(len(rulebook.question_by_id["pattern"].options))
    assert_no_axe_violations(page)


def test_two_patterns_are_kept_and_the_result_shows_the_first_types_picture(strict_page: Page, rulebook) -> None:
    page = strict_page
    walker = Person(page, rulebook, TWO_PATTERNS)
    to_pattern(walker)
    walker.answer_current()
    assert walker.current_question() not in (None, "pattern")  # it leads on
    page.get_by_role("link", name="Back").click()
    for value in TWO_PATTERNS["pattern"]:
        expect(page.locator(f"input[value={value}]")).to_be_checked()
    walker.walk_to_check_answers()
    for value in TWO_PATTERNS["pattern"]:
        expect(page.locator(".summary-list")).to_contain_text(rulebook.question_by_id["pattern"].label(value))
    walker.see_result()
    first_name = walker.suggested()[0]
    first = next(t for t in rulebook.types if first_name == t.name)
    assert first.picture == "round_patches", first.id
    picture = page.locator(".suggestion").first.locator("svg.picture")
    expect(picture).to_have_attribute("aria-hidden", "true")
    expect(picture.locator("use")).to_have_attribute("href", f"/static/img/patterns.svg#{first.picture}")
    box = picture.bounding_box()
    assert box and box["width"] >= 40, box
    assert ink(picture.screenshot()) > .03
    page.emulate_media(media="print")  # and it prints
    assert ink(picture.screenshot()) > .03
