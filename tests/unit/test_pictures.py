"""Pictures: every option of a question with ``pictures`` has a drawing in its sprite,
a type's ``picture`` names one of them (or the loader says where it does not), and the
sprite stays small, first-party and what tools/draw_patterns.py draws."""

from __future__ import annotations

import importlib.util
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from triage.rulebook import load_rulebook

ROOT = Path(__file__).resolve().parents[2]
IMG = ROOT / "static" / "img"
SVG = "{http://www.w3.org/2000/svg}"
AA = "types/alopecia_areata.yaml"
QUESTIONS = "questions.yaml"


def symbols(sprite: str) -> dict[str, ET.Element]:
    """The <symbol> elements of static/img/<sprite>.svg, by id."""
    root = ET.parse(IMG / f"{sprite}.svg").getroot()
    return {el.get("id", ""): el for el in root.iter(f"{SVG}symbol")}


@pytest.fixture(scope="module")
def rules():
    return load_rulebook(ROOT / "rules")


def test_every_option_of_a_question_with_pictures_has_a_drawing(rules) -> None:
    with_pictures = [q for q in rules.questions if q.pictures]
    assert [q.id for q in with_pictures] == ["pattern"]
    for question in with_pictures:
        drawn = symbols(question.pictures)
        missing = [value for value in question.option_values if value not in drawn]
        assert not missing, (
            f"static/img/{question.pictures}.svg has no <symbol> for these options of "
            f"'{question.id}': {missing}; draw them in tools/draw_patterns.py"
        )
        for value in question.option_values:
            x, y, width, height = (float(n) for n in drawn[value].get("viewBox", "").split())
            assert width == height > 0, value  # square, like the <svg> that shows it
            assert len(drawn[value]) > 1, f"{value}: only the head, nothing shaded"


def test_every_type_picture_is_drawn(rules) -> None:
    pictured = {t.id: t.picture for t in rules.types if t.picture}
    assert len(pictured) >= 15, pictured
    for type_id, value in pictured.items():
        sprite = rules.pictures_for(value)
        assert sprite is not None, type_id
        assert value in symbols(sprite), type_id


def test_the_sprite_is_small_and_draws_only_with_its_own_lines() -> None:
    path = IMG / "patterns.svg"
    assert path.stat().st_size < 10 * 1024
    root = ET.parse(path).getroot()
    tags = {el.tag.removeprefix(SVG) for el in root.iter()}
    assert tags <= {"svg", "defs", "g", "symbol", "use", "path", "ellipse", "circle"}, tags
    for use in root.iter(f"{SVG}use"):
        assert use.get("href", "").startswith("#"), use.attrib  # nothing from another file or site
    text = path.read_text()
    # Paint servers in a sprite take currentColor from the sprite, not from the page.
    assert "url(" not in text
    colours = {v for el in root.iter() for k, v in el.attrib.items() if k in ("fill", "stroke")}
    assert colours <= {"currentColor", "none"}, colours


def test_the_sprite_is_what_the_drawing_script_writes() -> None:
    spec = importlib.util.spec_from_file_location("draw_patterns", ROOT / "tools" / "draw_patterns.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert (IMG / "patterns.svg").read_text() == module.sprite(), "run: .venv/bin/python tools/draw_patterns.py"


# --- the loader ------------------------------------------------------------------------------

def _with_pictures(rules_copy) -> None:
    rules_copy.edit(QUESTIONS, "    text: Which of these is most like your hair loss?\n",
                    "    text: Which of these is most like your hair loss?\n    pictures: patterns\n")


def test_a_type_picture_is_an_option_of_the_question_with_pictures(rules_copy) -> None:
    _with_pictures(rules_copy)
    rules_copy.edit(AA, "care_level: soon\n", "care_level: soon\npicture: round_patches\n")
    rulebook = rules_copy.load()
    assert rulebook.type_by_id["alopecia_areata"].picture == "round_patches"
    assert rulebook.question_by_id["pattern"].pictures == "patterns"
    assert rulebook.pictures_for("round_patches") == "patterns"
    assert rulebook.pictures_for("itch") is None  # an option of a question without pictures


def test_an_unknown_picture_is_reported_at_its_line(rules_copy) -> None:
    _with_pictures(rules_copy)
    rules_copy.edit(AA, "care_level: soon\n", "care_level: soon\npicture: round_patchs\n")
    line, col = rules_copy.line(AA, "picture:"), rules_copy.col(AA, "round_patchs")
    error = rules_copy.error_at(AA, line, "unknown picture 'round_patchs' (did you mean 'round_patches'?)", col=col)
    assert "use an option value of 'pattern'" in error


def test_a_picture_needs_a_question_with_pictures(rules_copy) -> None:
    rules_copy.edit(AA, "care_level: soon\n", "care_level: soon\npicture: round_patches\n")
    rules_copy.error_at(AA, rules_copy.line(AA, "picture:"), "no question has pictures")


def test_a_number_question_has_no_pictures(rules_copy) -> None:
    rules_copy.edit(QUESTIONS, "kind: number\n", "kind: number\n    pictures: patterns\n")
    rules_copy.error_at(QUESTIONS, rules_copy.line(QUESTIONS, "pictures: patterns"), "a number question has no options to draw")


def test_a_picture_value_must_look_like_an_option_value(rules_copy) -> None:
    _with_pictures(rules_copy)
    rules_copy.edit(AA, "care_level: soon\n", "care_level: soon\npicture: Round Patches\n")
    rules_copy.error_at(AA, rules_copy.line(AA, "picture:"), "is not a valid option value")
