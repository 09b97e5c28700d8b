"""The start page in a real browser: disclaimer visible, no accessibility violations."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.helpers.browser import assert_no_axe_violations, axe_scan

pytestmark = pytest.mark.browser


def test_start_page_shows_disclaimer_and_passes_axe(page: Page) -> None:
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hair loss: find out what to ask a doctor about")
    expect(page.get_by_text("This is not a diagnosis or medical advice.")).to_be_visible()
    assert_no_axe_violations(page)


def test_axe_is_really_checking(page: Page) -> None:
    """A canary: a page with a known violation must be reported, or the scans above mean nothing."""
    page.set_content("<html><body><main><h1>x</h1><input type=text></main></body></html>")
    results = axe_scan(page)
    assert results.violations_count > 0
