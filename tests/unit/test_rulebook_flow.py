"""The question flow (``walk``): applicable questions, the next question, pruning; answer checks."""

from __future__ import annotations

import pytest

from triage.rulebook import validate_answers, walk


def ids(questions):
    return [q.id for q in questions]


# The three things one pass of ``walk`` gives.
def applicable_questions(rulebook, answers):
    return walk(rulebook.questions, answers).path


def next_question(rulebook, answers):
    return walk(rulebook.questions, answers).gap


def prune(rulebook, answers):
    return walk(rulebook.questions, answers).answers


def test_applicable_questions_follow_ask_when(rulebook):
    assert ids(applicable_questions(rulebook, {})) == ["age", "pattern"]
    assert ids(applicable_questions(rulebook, {"pattern": "all_over"})) == ["age", "pattern"]
    assert ids(applicable_questions(rulebook, {"pattern": "not_sure"})) == ["age", "pattern", "scalp"]
    assert ids(applicable_questions(rulebook, {"pattern": "round_patches", "scalp": ["pus"]})) == [
        "age", "pattern", "scalp", "fever",
    ]


def test_ask_when_only_sees_answers_to_earlier_applicable_questions(rulebook):
    # A left-over answer to scalp (no longer asked) must not open fever.
    answers = {"pattern": "all_over", "scalp": ["pus"], "fever": "yes"}
    assert ids(applicable_questions(rulebook, answers)) == ["age", "pattern"]


def test_next_question(rulebook):
    assert next_question(rulebook, {}).id == "age"
    assert next_question(rulebook, {"age": 30}).id == "pattern"
    assert next_question(rulebook, {"age": 30, "pattern": "round_patches"}).id == "scalp"
    assert next_question(rulebook, {"age": 30, "pattern": "round_patches", "scalp": []}).id == "scalp"
    assert next_question(rulebook, {"age": 30, "pattern": "round_patches", "scalp": ["none"]}) is None
    assert next_question(rulebook, {"age": 30, "pattern": "round_patches", "scalp": ["pus"]}).id == "fever"
    assert next_question(rulebook, {"age": 30, "pattern": "all_over"}) is None


def test_next_question_goes_back_to_a_skipped_earlier_question(rulebook):
    assert next_question(rulebook, {"pattern": "all_over"}).id == "age"


def test_prune_cascades_to_a_fixpoint(rulebook):
    answers = {"age": 30, "pattern": "round_patches", "scalp": ["pus"], "fever": "yes"}
    assert prune(rulebook, answers) == answers
    changed = {**answers, "pattern": "all_over"}  # scalp goes, and with it fever
    assert prune(rulebook, changed) == {"age": 30, "pattern": "all_over"}
    changed = {**answers, "scalp": ["none"]}  # fever goes
    assert prune(rulebook, changed) == {"age": 30, "pattern": "round_patches", "scalp": ["none"]}


def test_prune_drops_unknown_questions_and_does_not_mutate(rulebook):
    answers = {"age": 30, "bogus": 1}
    assert prune(rulebook, answers) == {"age": 30}
    assert answers == {"age": 30, "bogus": 1}


def test_valid_answers(rulebook):
    assert validate_answers(rulebook, {}) == []
    assert validate_answers(rulebook, {"age": 30, "pattern": "round_patches", "scalp": ["itch", "pus"]}) == []
    assert validate_answers(rulebook, {"age": 0.5, "scalp": ("none",), "fever": None}) == []


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"agee": 3}, "unknown question 'agee' (did you mean 'age'?)"),
        (
            {"pattern": "round"},
            "'pattern': 'round' is not an allowed value; allowed values: round_patches, all_over, temples_crown, not_sure",
        ),
        ({"pattern": ["round_patches"]}, "'pattern' takes one of: round_patches, all_over, temples_crown, not_sure; got a list"),
        ({"scalp": "pus"}, "'scalp' takes a list of values from: itch, pus, boggy_swelling, none, not_sure; got 'pus'"),
        ({"scalp": []}, "'scalp': choose at least one of: itch, pus, boggy_swelling, none, not_sure"),
        ({"scalp": ["pus", "puss"]}, "'scalp': 'puss' is not an allowed value (did you mean 'pus'?); allowed values:"),
        ({"scalp": ["pus", "pus"]}, "'scalp': 'pus' is listed twice"),
        ({"scalp": ["none", "itch"]}, "'scalp': 'none' cannot be combined with other answers"),
        ({"scalp": ["none", "not_sure"]}, "'scalp': 'none' cannot be combined with other answers"),
        ({"age": 111}, "'age': 111 is out of range; allowed: a number from 0 to 110"),
        ({"age": -1}, "'age': -1 is out of range"),
        ({"age": "30"}, "'age' takes a number from 0 to 110; got '30'"),
        ({"age": True}, "'age' takes a number from 0 to 110; got True"),
        ({"age": float("nan")}, "'age' takes a number from 0 to 110"),
        ({"fever": False}, "'fever' takes one of: yes, no, not_sure; got False"),
    ],
)
def test_invalid_answers(rulebook, answers, message):
    problems = validate_answers(rulebook, answers)
    assert any(p.startswith(message) for p in problems), problems


def test_every_problem_is_listed(rulebook):
    problems = validate_answers(rulebook, {"agee": 1, "age": 200, "scalp": ["none", "itch"]})
    assert len(problems) == 3


def test_an_option_shown_only_for_some_earlier_answers_is_dropped_when_they_change(rules_copy):
    rules_copy.edit(
        "questions.yaml",
        "      - value: pus\n        label: Pus-filled spots or crusts\n",
        "      - value: pus\n        label: Pus-filled spots or crusts\n        show_when: {not: {age: {below: 12}}}\n",
    )
    rulebook = rules_copy.load()
    scalp = rulebook.question_by_id["scalp"]
    # Known once, when the rules load: which questions' options depend on earlier answers.
    assert scalp.has_show_when
    assert not any(q.has_show_when for q in rulebook.questions if q.id != "scalp")
    assert rulebook.question_by_id["pattern"].options_for({"age": 8}) is rulebook.question_by_id["pattern"].options
    assert "pus" in [o.value for o in scalp.options_for({"age": 30})]
    assert "pus" in [o.value for o in scalp.options_for({})]  # not known to be ruled out
    assert "pus" not in [o.value for o in scalp.options_for({"age": 8})]
    adult = {"age": 30, "pattern": "round_patches", "scalp": ["itch", "pus"], "fever": "yes"}
    assert prune(rulebook, adult) == adult
    # Now a child: pus was never offered, so it goes, and fever (asked after pus) goes with it.
    assert prune(rulebook, {**adult, "age": 8}) == {"age": 8, "pattern": "round_patches", "scalp": ["itch"]}
    # An answer left with nothing shown is no answer at all.
    assert prune(rulebook, {"age": 8, "pattern": "round_patches", "scalp": ["pus"]}) == {"age": 8, "pattern": "round_patches"}


def test_answers_to_a_merged_question_are_read_as_the_new_ones(rules_copy):
    from triage.rulebook import upgrade_answers

    rules_copy.edit("questions.yaml", "sections:\n", "merged_questions:\n  old_scalp: scalp\nsections:\n")
    rulebook = rules_copy.load()
    up = upgrade_answers(rulebook, {"age": 30, "scalp": ["itch"], "old_scalp": ["pus", "none"]})
    assert up == {"age": 30, "scalp": ["itch", "pus"]}
    assert upgrade_answers(rulebook, {"scalp": ["none"], "old_scalp": ["pus"]}) == {"scalp": ["pus"]}
    assert upgrade_answers(rulebook, {"old_scalp": ["none"]}) == {"scalp": ["none"]}
    assert upgrade_answers(rulebook, {"scalp": ["itch"], "old_scalp": ["not_sure"]}) == {"scalp": ["itch"]}
    # Not a list: left in place for the validator to report.
    assert upgrade_answers(rulebook, {"old_scalp": "pus"}) == {"old_scalp": "pus"}


def test_one_value_for_a_several_choice_question_is_read_as_a_list(rulebook):
    from triage.rulebook import upgrade_answers

    assert upgrade_answers(rulebook, {"scalp": "itch"}) == {"scalp": ["itch"]}
    assert upgrade_answers(rulebook, {"scalp": "martian"}) == {"scalp": "martian"}  # left for the validator
    assert upgrade_answers(rulebook, {"pattern": "all_over"}) == {"pattern": "all_over"}  # one-choice here


def test_one_answer_spec_gives_codes_and_the_cleaner_follows_them(rulebook):
    from triage.rulebook.flow import AnswerProblem, AnswerSpec

    age, pattern, scalp = (AnswerSpec.for_question(rulebook.question_by_id[q]) for q in ("age", "pattern", "scalp"))
    assert age.problems(30) == [] and age.clean(30.0) == 30
    assert age.problems(200) == [AnswerProblem("out_of_range", 200)] and age.clean(200) is None
    assert age.problems(0.5) == [AnswerProblem("not_whole", 0.5)] and age.clean(0.5) is None
    assert age.problems(True) == [AnswerProblem("not_number", True)] and age.clean(True) is None
    assert pattern.problems(["all_over"]) == [AnswerProblem("not_one", ["all_over"])]
    assert pattern.problems("all_ovr") == [AnswerProblem("unknown_option", "all_ovr")]
    assert pattern.clean("all_over") == "all_over"
    assert scalp.problems([]) == [AnswerProblem("empty")] and scalp.clean([]) is None
    assert scalp.problems("itch") == [AnswerProblem("not_list", "itch")]
    assert scalp.problems(["itch", "none", "not_sure"]) == [
        AnswerProblem("exclusive", "none"),
        AnswerProblem("exclusive", "not_sure"),
    ]
    assert scalp.clean(["itch", "none"]) is None
    # An option sent twice counts once for the cleaner; the answer-file check names it.
    assert scalp.problems(["itch", "itch"]) == [AnswerProblem("repeated", "itch")]
    assert scalp.clean(["itch", "itch"]) == ["itch"]
    assert scalp.clean(["itch"] * 6) is None  # more than the options: refused unread
    # Restricted to the options a page showed (``show_when`` hides some): the others are unknown there.
    assert scalp.problems(["itch", "pus"], shown={"itch", "none"}) == [AnswerProblem("unknown_option", "pus")]
    assert scalp.problems(["itch"], shown={"itch", "martian"}) == []
    assert scalp.problems(["martian"], shown={"itch", "martian"}) == [AnswerProblem("unknown_option", "martian")]
    assert pattern.problems("all_over", shown=("all_over",)) == []
    assert pattern.problems("not_sure", shown=("all_over",)) == [AnswerProblem("unknown_option", "not_sure")]
