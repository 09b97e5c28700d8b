"""Screenshots of the pattern question and a result page, on a phone and a desktop.

    .venv/bin/python tools/screenshots.py [OUT_DIR]      # default: docs/screenshots

Serves the app on a free loopback port, answers the questions in the system
Chromium (CHROMIUM_PATH, or `chromium` on PATH) as tests/e2e do, and saves
viewport-sized PNGs:

    pattern-phone.png    pattern-desktop.png    (two patterns ticked)
    result-phone.png     result-desktop.png     (the type that fits best, with its drawing)
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import threading
from pathlib import Path

from playwright.sync_api import Page, sync_playwright
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from triage import create_app  # noqa: E402

SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}

# A man of 27 with a round patch that is also scaly (the result: alopecia areata first).
ANSWERS = {
    "age": 27, "sex": "male", "impact": ["not_much"], "onset": "sudden", "duration": "lt_1m",
    "pattern": ["round_patches", "scaly_patch"], "scalp": ["none"], "other_hair": ["exclamation"],
    "events": ["none"], "body": ["none"], "history": ["none"],
}


def answer(page: Page, rulebook, qid: str) -> None:
    question = rulebook.question_by_id[qid]
    value = ANSWERS[qid]
    if question.kind == "number":
        page.get_by_role("textbox").fill(str(value))
    else:
        for v in value if isinstance(value, list) else [value]:
            page.get_by_label(question.label(v), exact=True).check()


def current(page: Page) -> str | None:
    found = re.search(r"/questions/([a-z_]+)", page.url)
    return found.group(1) if found else None


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    app = create_app({"TESTING": True, "SECRET_KEY": "screenshots"})
    rulebook = app.extensions["rulebook"]
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    chromium = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
            for name, size in SIZES.items():
                page = browser.new_page(viewport=size, base_url=base, device_scale_factor=1)
                page.goto("/questions/")
                while current(page) is not None:
                    qid = current(page)
                    answer(page, rulebook, qid)
                    if qid == "pattern":
                        page.locator("fieldset").scroll_into_view_if_needed()
                        page.locator("legend").evaluate("el => el.scrollIntoView()")
                        page.screenshot(path=out / f"pattern-{name}.png")
                    with page.expect_navigation():
                        page.get_by_role("button", name="Continue").click()
                    if "/help-now" in page.url:
                        page.get_by_role("link", name="Continue with the questions").click()
                page.get_by_role("link", name="See my summary").click()
                # the best-fitting type with its drawing, and the heading above it
                page.locator(".suggestion").first.evaluate(
                    "el => window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY - 140)")
                page.screenshot(path=out / f"result-{name}.png")
                page.close()
            browser.close()
    finally:
        server.shutdown()
    for png in sorted(out.glob("*.png")):
        print(f"{png.relative_to(ROOT) if png.is_relative_to(ROOT) else png}: {png.stat().st_size} bytes")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots")
