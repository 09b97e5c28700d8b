"""Care notes, a red flag's own steps and help lines, and the check for evidence the branching hides."""

from __future__ import annotations

import pytest

from triage.rulebook import evaluate
from triage.rulebook.engine import Miss
from triage.rulebook.hidden import hidden_evidence, median_questions
from triage.words import case_failure, hidden_message

CARE_NOTES = """
care_notes:
  - id: itchy_scalp_advice
    when:
      scalp: {includes: itch}
    message: Try not to scratch.
    help_lines: [crisis]
    sources:
      - title: Example source
        url: https://example.org/itch
"""

CRISIS_LINE = """
  - id: samaritans
    name: Samaritans
    country: UK and Ireland
    who: Anyone
    call: "116 123"
    text: {to: "85258", body: SHOUT}
    use: [crisis]
"""


def test_a_care_note_adds_advice_and_never_changes_the_level(rules_copy):
    rules_copy.write("red_flags.yaml", rules_copy.text("red_flags.yaml") + CARE_NOTES)
    rules_copy.write("care_levels.yaml", rules_copy.text("care_levels.yaml") + CRISIS_LINE)
    rulebook = rules_copy.load()
    plain = {"age": 30, "pattern": "round_patches", "scalp": ["none"]}
    itchy = {**plain, "scalp": ["itch"]}
    before, after = evaluate(rulebook, plain), evaluate(rulebook, itchy)
    assert [n.id for n in after.care_notes] == ["itchy_scalp_advice"] and before.care_notes == ()
    assert after.care_level == before.care_level
    # Its help lines are shown on the card; without it, only the level's own lines.
    assert [h.id for h in after.help_lines] == ["samaritans"]
    assert "samaritans" not in [h.id for h in before.help_lines]
    assert after.as_json()["care_notes"] == [{"id": "itchy_scalp_advice", "message": "Try not to scratch."}]


def test_a_flag_that_sets_the_level_brings_its_own_steps(rules_copy):
    rules_copy.edit(
        "red_flags.yaml",
        "    message: A soft swollen lump on the scalp should be seen by a doctor within days.\n",
        "    message: A soft swollen lump on the scalp should be seen by a doctor within days.\n"
        "    what_to_do: [Do not squeeze it., Show it to a doctor.]\n",
    )
    rulebook = rules_copy.load()
    lump = evaluate(rulebook, {"age": 30, "pattern": "round_patches", "scalp": ["boggy_swelling"]})
    assert lump.care_level == "urgent"
    assert lump.what_to_do == ("Do not squeeze it.", "Show it to a doctor.")
    # A higher flag sets the level: its level's own steps are shown, not the lower flag's.
    child = evaluate(rulebook, {"age": 7, "pattern": "round_patches", "scalp": ["boggy_swelling"], "fever": "yes"})
    assert child.care_level == "emergency"
    assert child.what_to_do == rulebook.level("emergency").what_to_do
    assert [f.id for f in child.other_flags] == ["kerion"]


@pytest.mark.parametrize(
    ("old", "new", "fragment"),
    [
        ("    call: \"999\"\n", "", "a help line needs at least one way to reach it"),
        ("    call: \"999\"\n", "    call: nine nine nine\n", "has the wrong form"),
        ("    use: [emergency]\n", "    use: [hospital]\n", "use"),
    ],
)
def test_help_line_problems_are_reported_at_their_line(rules_copy, old, new, fragment):
    rules_copy.edit("care_levels.yaml", old, new)
    errors = "\n".join(rules_copy.errors())
    assert "rules/care_levels.yaml:" in errors and fragment.lower() in errors.lower()


def test_care_note_ids_are_checked(rules_copy):
    rules_copy.write("red_flags.yaml", rules_copy.text("red_flags.yaml") + CARE_NOTES.replace("itchy_scalp_advice", "kerion"))
    line = rules_copy.line("red_flags.yaml", "  - id: kerion\n    when:\n      scalp: {includes: itch}") + 0
    rules_copy.error_at("red_flags.yaml", line, "'kerion' is already a red flag id")


def test_a_case_may_expect_a_care_note_and_fails_when_it_is_missing(rules_copy):
    rules_copy.write("red_flags.yaml", rules_copy.text("red_flags.yaml") + CARE_NOTES)
    rules_copy.edit("cases/basic.yaml", "      not_top3: [tinea_capitis]\n", "      not_top3: [tinea_capitis]\n      care_notes: [itchy_scalp_advice]\n")
    rulebook = rules_copy.load()
    from triage.rulebook import run_cases

    result = next(r for r in run_cases(rulebook) if r.case_id == "adult_round_patch")
    assert not result.passed and Miss("care_note", "itchy_scalp_advice") in result.failures
    assert case_failure(Miss("care_note", "itchy_scalp_advice")) == "expected care note 'itchy_scalp_advice' to be added"
    rules_copy.edit("cases/basic.yaml", "care_notes: [itchy_scalp_advice]", "care_notes: [itchy_scalp_advise]")
    line = rules_copy.line("cases/basic.yaml", "itchy_scalp_advise")
    rules_copy.error_at("cases/basic.yaml", line, "unknown care note 'itchy_scalp_advise'")


def test_evidence_on_a_question_the_branching_skips_is_reported_until_explained(rules_copy):
    # Pattern hair loss reads the fever question, which is asked only after pus or a lump.
    rules_copy.edit(
        "types/pattern_hair_loss.yaml",
        "evidence:\n",
        "evidence:\n  - when: {fever: 'no'}\n    points: 9\n    because: No fever.\n",
    )
    hidden = hidden_evidence(rules_copy.load(), samples=200)
    assert [(h.type_id, h.question_id, h.direction) for h in hidden] == [("pattern_hair_loss", "fever", "lift")]
    assert "unasked" in hidden_message(hidden[0]) and hidden[0].where.file.endswith("pattern_hair_loss.yaml")
    path = rules_copy.root / "types/pattern_hair_loss.yaml"
    path.write_text(path.read_text() + "unasked:\n  fever: Fever is asked only where it changes the care level.\n")
    assert hidden_evidence(rules_copy.load(), samples=200) == ()


def test_the_real_rulebook_leaves_no_hidden_evidence_unexplained(app):
    assert [hidden_message(h) for h in hidden_evidence(app.extensions["rulebook"])] == []


def test_median_questions_counts_each_cases_own_branch(rulebook):
    # rules_min: age and pattern always; scalp after patches or "not sure"; fever after pus or a lump.
    lengths = sorted(len([q for q in rulebook.questions if q.ask_when is None or q.ask_when.holds(c.answers)])
                     for c in rulebook.cases)
    assert median_questions(rulebook) == (lengths[len(lengths) // 2] if len(lengths) % 2 else
                                          (lengths[len(lengths) // 2 - 1] + lengths[len(lengths) // 2]) / 2)
