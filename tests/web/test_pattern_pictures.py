"""The pattern question's drawings and the result's, through the page-checking test client:
decorative markup that keeps the GOV.UK checkbox contract and the label text, and a page
that stays under 30 KB with its pictures."""

from __future__ import annotations

import re

from tests.stories import PATCH
from tests.web.journey import post_answer, walk

SPRITE = "/static/img/patterns.svg"
MAX_PAGE_BYTES = 30 * 1024


def _to_pattern(client) -> str:
    """Answer up to the pattern question; return its URL."""
    url = client.get("/questions/", expected_status=302).location
    while not url.startswith("/questions/pattern"):
        qid = url.split("?")[0].rsplit("/", 1)[1]
        url = post_answer(client, url, PATCH[qid]).location
    return url


def _size(client, url: str) -> int:
    with client.client.get(url) as response:  # a static file: close it
        assert response.status_code == 200, url
        return len(response.data)


def _text(node) -> str:
    return re.sub(r"\s+", " ", node.get_text(" ", strip=True)).strip()


def test_each_option_shows_its_drawing_hidden_from_screen_readers(client, app) -> None:
    question = app.extensions["rulebook"].question_by_id["pattern"]
    page = client.get(_to_pattern(client))
    assert page.select("fieldset legend h1")
    fieldset = page.select("fieldset")[0]
    assert "answer-hint" in fieldset["aria-describedby"].split()
    items = page.select(".choices--pictures .choices__item")
    assert [i.select_one("input")["value"] for i in items] == list(question.option_values)
    assert items[0].select_one("input")["id"] == "answer"  # the error summary's link target
    for item, option in zip(items, question.options, strict=True):
        label = item.select_one("label")
        assert label["for"] == item.select_one("input")["id"]
        assert _text(label) == option.label  # the drawing adds no text: the label stays the name
        svgs = item.select("svg")
        assert len(svgs) == 1 and svgs[0].parent is label
        svg = svgs[0]
        assert svg["aria-hidden"] == "true" and svg["focusable"] == "false"
        assert "picture" in svg["class"]
        assert not svg.select("title, desc, text")
        assert [u["href"] for u in svg.select("use")] == [f"{SPRITE}#{option.value}"]


def test_the_error_state_keeps_the_drawings_and_the_contract(client) -> None:
    url = _to_pattern(client)
    page = client.get(url)
    page = client.post(url, data={"csrf_token": page.csrf_token()}, expected_status=200)
    assert page.select(".error-summary a")[0]["href"] == "#answer"
    described = page.select("fieldset")[0]["aria-describedby"].split()
    assert described == ["answer-hint", "answer-error"]
    assert len(page.select(".choices__label svg.picture")) == len(page.select(".choices__input"))


def test_questions_without_pictures_show_none(client) -> None:
    url = client.get("/questions/", expected_status=302).location
    assert not client.get(url).select("svg")
    url = post_answer(client, url, PATCH["age"]).location
    page = client.get(url)
    assert page.select(".choices__item") and not page.select(".choices svg, .choices--pictures")


def test_the_result_shows_the_drawing_of_each_suggested_type(client, app) -> None:
    rulebook = app.extensions["rulebook"]
    url, _ = walk(client, PATCH)
    page = client.get("/result")
    sections = page.select(".suggestion")
    assert sections
    first = sections[0]
    assert _text(first.select_one("h3")).endswith("Alopecia areata")
    svg = first.select_one("svg.picture")
    assert svg["aria-hidden"] == "true"
    assert svg.select_one("use")["href"] == f"{SPRITE}#round_patches"
    for section in sections:
        type_id = section["aria-labelledby"].removeprefix("type-")
        picture = rulebook.type_by_id[type_id].picture
        uses = [u["href"] for u in section.select("svg.picture use")]
        assert uses == ([f"{SPRITE}#{picture}"] if picture else []), type_id


def test_the_pattern_question_with_its_pictures_stays_under_30_kb(client) -> None:
    """HTML + the CSS and JS it loads for the screen + the sprite, uncompressed.

    The print stylesheet (``media="print"``) is not needed to show the page; its size is
    in the message for the record.
    """
    page = client.get(_to_pattern(client))
    sizes = {"HTML": len(page.response.data)}
    print_css = 0
    for link in page.select("link[rel~=stylesheet]"):
        size = _size(client, link["href"])
        if link.get("media") == "print":
            print_css = size
        else:
            sizes[link["href"]] = size
    for script in page.select("script[src]"):
        sizes[script["src"]] = _size(client, script["src"])
    sprites = {u["href"].split("#")[0] for u in page.select("svg use")}
    assert sprites == {SPRITE}
    for sprite in sprites:
        sizes[sprite] = _size(client, sprite)
    total = sum(sizes.values())
    assert total <= MAX_PAGE_BYTES, f"{total} bytes: {sizes} (and print.css {print_css})"
