"""Compiled conditions and the rule index give exactly what the rules' plain semantics give.

The reference below reads a condition tree the way rules/README.md describes it, one test at
a time; the engine instead runs each condition as a compiled function (conditions.py) and
tests only the rules some answer can fire (index.py). Over the real rulebook, for any
answers (valid ones, and odd data such as a cookie might hold), both must agree.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from triage.rulebook import evaluate, load_rulebook
from triage.rulebook.conditions import All, AnyOf, Match, Not
from triage.rulebook.engine import score_types
from triage.rulebook.index import ConditionIndex, answer_pairs, triggers

RULEBOOK = load_rulebook()


def answered(value) -> bool:
    return value is not None and not (isinstance(value, (str, list, tuple, set, frozenset)) and len(value) == 0)


def number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def reference(condition, answers) -> bool:
    """rules/README.md's semantics, read straight off the tree."""
    if isinstance(condition, All):
        return all(reference(item, answers) for item in condition.items)
    if isinstance(condition, AnyOf):
        return any(reference(item, answers) for item in condition.items)
    if isinstance(condition, Not):
        return not reference(condition.item, answers)
    assert isinstance(condition, Match)
    answer = answers.get(condition.question)
    if condition.op == "answered":
        return answered(answer) == condition.values[0]
    if not answered(answer):
        return False
    if condition.op in ("equals", "one_of"):
        return isinstance(answer, str) and answer in condition.values
    choices = isinstance(answer, (list, tuple, set, frozenset))
    if condition.op == "includes":
        return choices and any(v in answer for v in condition.values)
    if condition.op == "includes_all":
        return choices and all(v in answer for v in condition.values)
    if condition.op == "at_least":
        return number(answer) and answer >= condition.values[0]
    return number(answer) and answer < condition.values[0]


def valid_answer(question):
    if question.kind == "number":
        return st.integers(int(question.min), int(question.max))
    if question.kind == "one":
        return st.sampled_from(question.option_values)
    return st.lists(st.sampled_from(question.option_values), min_size=1, max_size=4, unique=True)


def odd_answer(question):
    """Anything a tampered or stale cookie could hold for this question."""
    values = st.sampled_from(question.option_values) if question.option_values else st.text(max_size=3)
    return st.one_of(
        st.none(),
        st.booleans(),
        st.floats(allow_nan=True),
        st.integers(-5, 200),
        values,
        st.lists(values, max_size=3),
        st.lists(st.lists(values, max_size=2), max_size=2),  # unhashable items
        st.tuples(values),
        st.just(""),
        st.just([]),
    )


def answers_from(make):
    return st.fixed_dictionaries({}, optional={q.id: make(q) for q in RULEBOOK.questions})


ALL_CONDITIONS = [
    *(item.when for t in RULEBOOK.types for item in t.evidence),
    *(flag.when for flag in RULEBOOK.red_flags),
    *(note.when for note in RULEBOOK.care_notes),
    *(q.ask_when for q in RULEBOOK.questions if q.ask_when is not None),
]


def brute_scores(answers):
    return [
        [item.points for item in t.evidence if reference(item.when, answers)] for t in RULEBOOK.types
    ]


def check_agrees(answers):
    for condition in ALL_CONDITIONS:
        assert condition.holds(answers) == reference(condition, answers), condition.raw
    scores = score_types(RULEBOOK, answers)
    assert [[hit.points for hit in s.evidence] for s in scores] == brute_scores(answers)
    assessment = evaluate(RULEBOOK, answers)
    assert [f.id for f in assessment.red_flags] == [f.id for f in RULEBOOK.red_flags if reference(f.when, answers)]
    assert [n.id for n in assessment.care_notes] == [
        n.id for n in RULEBOOK.care_notes if reference(n.when, answers)
    ]


@settings(max_examples=300, deadline=None)
@given(answers_from(valid_answer))
def test_compiled_and_indexed_rules_agree_with_the_reference_on_valid_answers(answers):
    check_agrees(answers)


@settings(max_examples=300, deadline=None)
@given(answers_from(odd_answer))
def test_compiled_and_indexed_rules_agree_with_the_reference_on_any_data(answers):
    check_agrees(answers)


def test_every_worked_case_agrees():
    for case in RULEBOOK.cases:
        check_agrees(case.answers)


def test_triggers_are_necessary_and_the_index_skips_most_evidence():
    evidence = [item.when for t in RULEBOOK.types for item in t.evidence]
    index = ConditionIndex(evidence)
    skipped = []
    for case in RULEBOOK.cases:
        pairs = answer_pairs(case.answers)
        candidates = index.candidates(pairs)
        for position, condition in enumerate(evidence):
            if reference(condition, case.answers):
                assert position in candidates, condition.raw  # nothing that holds is ever skipped
        skipped.append(1 - len(candidates) / len(evidence))
    # The point of the index: a person's answers touch a small part of the evidence.
    assert sorted(skipped)[len(skipped) // 2] > 0.5


def test_triggers_of_each_form():
    def of(data):
        from triage.rulebook.conditions import parse_condition

        return triggers(parse_condition(data))

    assert of({"pattern": "all_over"}) == {("pattern", "all_over")}
    assert of({"scalp": {"includes": ["itch", "pus"]}}) == {("scalp", "itch"), ("scalp", "pus")}
    assert of({"all": [{"age": {"below": 12}}, {"fever": "yes"}]}) == {("fever", "yes")}
    assert of({"any": [{"fever": "yes"}, {"pattern": ["a", "b"]}]}) == {("fever", "yes"), ("pattern", "a"), ("pattern", "b")}
    assert of({"any": [{"fever": "yes"}, {"age": {"at_least": 3}}]}) is None  # a number test needs no value
    assert of({"not": {"fever": "yes"}}) is None
    assert of({"scalp": {"answered": False}}) is None
    assert of({"scalp": {"includes_all": ["itch", "pus"]}}) == {("scalp", "itch"), ("scalp", "pus")}
