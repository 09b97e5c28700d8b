"""Each condition form: parsing, evaluation (including unanswered questions) and plain words."""

from __future__ import annotations

import pytest

from triage.rulebook.conditions import (
    All,
    AnyOf,
    ConditionError,
    Match,
    Not,
    Where,
    parse_condition,
)
from triage.words import describe


def holds(data, answers) -> bool:
    return parse_condition(data).holds(answers)


def test_equality_on_one_choice():
    cond = parse_condition({"pattern": "round_patches"})
    assert cond == Match("pattern", "equals", ("round_patches",))
    assert cond.holds({"pattern": "round_patches"})
    assert not cond.holds({"pattern": "all_over"})
    assert not cond.holds({})


def test_any_of_list():
    cond = {"pattern": ["round_patches", "not_sure"]}
    assert parse_condition(cond).op == "one_of"
    assert holds(cond, {"pattern": "not_sure"})
    assert not holds(cond, {"pattern": "all_over"})
    assert not holds(cond, {})


@pytest.mark.parametrize("arg", ["pus", ["pus", "boggy_swelling"]])
def test_includes_one_or_any(arg):
    cond = {"scalp": {"includes": arg}}
    assert holds(cond, {"scalp": ["itch", "pus"]})
    assert not holds(cond, {"scalp": ["itch"]})
    assert not holds(cond, {})


def test_includes_never_matches_substrings_of_a_plain_string():
    # A one-choice string answer must not be searched like a list.
    assert not holds({"scalp": {"includes": "pus"}}, {"scalp": "pustule"})


def test_includes_all():
    cond = {"scalp": {"includes_all": ["itch", "pus"]}}
    assert holds(cond, {"scalp": ["pus", "itch", "redness"]})
    assert not holds(cond, {"scalp": ["pus"]})


def test_at_least_and_below_are_inclusive_and_exclusive():
    assert holds({"age": {"at_least": 40}}, {"age": 40})
    assert not holds({"age": {"at_least": 40}}, {"age": 39.5})
    assert holds({"age": {"below": 12}}, {"age": 11})
    assert not holds({"age": {"below": 12}}, {"age": 12})
    assert not holds({"age": {"below": 12}}, {"age": "11"})  # text is not a number
    assert not holds({"age": {"below": 12}}, {"age": True})


def test_answered_true_and_false():
    assert holds({"scalp": {"answered": True}}, {"scalp": ["itch"]})
    assert not holds({"scalp": {"answered": True}}, {})
    assert holds({"scalp": {"answered": False}}, {})
    assert holds({"scalp": {"answered": False}}, {"scalp": None})
    assert holds({"scalp": {"answered": False}}, {"scalp": []})
    assert not holds({"scalp": {"answered": False}}, {"scalp": ["none"]})


def test_all_any_not():
    cond = {"all": [{"pattern": "round_patches"}, {"not": {"age": {"below": 12}}}]}
    parsed = parse_condition(cond)
    assert isinstance(parsed, All) and isinstance(parsed.items[1], Not)
    assert holds(cond, {"pattern": "round_patches", "age": 30})
    assert not holds(cond, {"pattern": "round_patches", "age": 8})
    either = {"any": [{"pattern": "all_over"}, {"age": {"below": 12}}]}
    assert isinstance(parse_condition(either), AnyOf)
    assert holds(either, {"age": 3})
    assert not holds(either, {"pattern": "round_patches", "age": 30})


def test_not_of_a_test_on_an_unanswered_question_is_true():
    assert holds({"not": {"sex": "male"}}, {})
    assert holds({"not": {"age": {"at_least": 40}}}, {})


def test_no_eval_strings_are_just_values():
    assert not holds({"pattern": "__import__('os')"}, {"pattern": "round_patches"})


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ("onset", "must be a mapping with one key"),
        ({}, "exactly one key"),
        ({"onset": "sudden", "age": 3}, "exactly one key, but this one has 2"),
        ({"all": []}, "'all:' needs a list of one or more conditions"),
        ({"any": "x"}, "'any:' needs a list"),
        ({"scalp": {"incldes": "pus"}}, "unknown operator 'incldes' in the test on 'scalp' (did you mean 'includes'?)"),
        ({"scalp": {"includes": "pus", "below": 2}}, "exactly one operator"),
        ({"age": {"below": "12"}}, "'below:' needs a number"),
        ({"age": {"at_least": True}}, "'at_least:' needs a number"),
        ({"age": {"answered": "yes"}}, "'answered:' needs true or false"),
        ({"pattern": []}, "needs an option value or a list"),
        ({"pattern": None}, "has no value"),
        ({"pattern": True}, "needs an option value"),
        ({"scalp": {"includes": [{"a": 1}]}}, "list items must be option values"),
    ],
)
def test_malformed_conditions(data, fragment):
    with pytest.raises(ConditionError) as caught:
        parse_condition(data, Where("rules/x.yaml", 3, 5))
    assert fragment in str(caught.value)
    assert caught.value.where == Where("rules/x.yaml", 3, 5)


@pytest.fixture
def questions(rulebook):
    return rulebook.question_by_id


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"pattern": "round_patches"}, "Pattern is \u201cRound or oval smooth bald patches\u201d"),
        (
            {"pattern": ["round_patches", "all_over"]},
            "Pattern is one of: \u201cRound or oval smooth bald patches\u201d, \u201cThinning all over the scalp\u201d",
        ),
        ({"age": {"below": 12}}, "Age is below 12"),
        ({"age": {"at_least": 40}}, "Age is at least 40"),
        ({"scalp": {"includes": "pus"}}, "Scalp includes \u201cPus-filled spots or crusts\u201d"),
        ({"scalp": {"includes": ["itch", "pus"]}}, "Scalp includes any of: \u201cItch\u201d, \u201cPus-filled spots or crusts\u201d"),
        ({"scalp": {"includes_all": ["itch", "pus"]}}, "Scalp includes all of: \u201cItch\u201d, \u201cPus-filled spots or crusts\u201d"),
        ({"scalp": {"answered": False}}, "Scalp has no answer"),
        ({"not": {"fever": "yes"}}, "Fever is not \u201cYes\u201d"),
        ({"not": {"scalp": {"includes": "pus"}}}, "Scalp does not include \u201cPus-filled spots or crusts\u201d"),
        (
            {"all": [{"age": {"below": 12}}, {"any": [{"fever": "yes"}, {"scalp": {"includes": "pus"}}]}]},
            "Age is below 12 and (Fever is \u201cYes\u201d or Scalp includes \u201cPus-filled spots or crusts\u201d)",
        ),
        ({"not": {"all": [{"fever": "yes"}, {"age": {"below": 1}}]}}, "not (Fever is \u201cYes\u201d and Age is below 1)"),
    ],
)
def test_describe(questions, data, words):
    assert describe(parse_condition(data), questions) == words


def test_conditions_from_files_carry_file_line_and_raw_yaml(rulebook):
    ask_when = rulebook.question_by_id["scalp"].ask_when
    assert ask_when.raw == {"pattern": ["round_patches", "not_sure"]}
    assert ask_when.where.file == "rules_min/questions.yaml"
    text = (rulebook.root / "questions.yaml").read_text()
    lines = text.splitlines()
    assert lines[ask_when.where.line - 1].strip() == "pattern: [round_patches, not_sure]"
    assert ask_when.where.col == lines[ask_when.where.line - 1].index("pattern") + 1


def test_describe_quotes_labels_so_commas_inside_them_read_clearly(rules_copy):
    rules_copy.edit("questions.yaml", "label: Thinning all over the scalp", 'label: "Thinning, all over"')
    rulebook = rules_copy.load()
    cond = parse_condition({"pattern": ["round_patches", "all_over"]})
    assert describe(cond, rulebook.question_by_id) == (
        "Pattern is one of: \u201cRound or oval smooth bald patches\u201d, \u201cThinning, all over\u201d"
    )
