"""The start page in a real browser: disclaimer visible, no accessibility violations."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]}}
axe = Axe()


def assert_no_axe_violations(page: Page) -> None:
    results = axe.run(page, options=WCAG)
    assert results.violations_count == 0, results.generate_report()


def test_start_page_shows_disclaimer_and_passes_axe(page: Page) -> None:
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hair loss: find out what to ask a doctor about")
    expect(page.get_by_text("This is not a diagnosis or medical advice.")).to_be_visible()
    assert_no_axe_violations(page)


def test_axe_is_really_checking(page: Page) -> None:
    """A canary: a page with a known violation must be reported, or the scans above mean nothing."""
    page.set_content("<html><body><main><h1>x</h1><input type=text></main></body></html>")
    results = axe.run(page, options=WCAG)
    assert results.violations_count > 0
