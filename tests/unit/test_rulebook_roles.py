"""Roles declared in the rule files: the timeline's questions (questions.yaml ``timeline:``)
and the help-line uses the pages show outside a result (care_levels.yaml ``help_roles:``).

Each bad role is reported at its file:line:col, naming the bad id, with "did you mean".
"""

from __future__ import annotations

import pytest

from triage.rulebook.models import HelpRoles, TimelineRoles

Q = "questions.yaml"
C = "care_levels.yaml"

# A timeline over the fixture's own questions (not clinical content).
TIMELINE = """timeline:
  events: scalp
  not_events: [none, not_sure]
  timing: fever
  before_window: yes
  onset: pattern
"""


def with_timeline(rules_copy, timeline: str = TIMELINE) -> None:
    rules_copy.edit(Q, "sections:\n", timeline + "\nsections:\n")


# --- valid roles ---------------------------------------------------------------------


def test_the_fixture_declares_its_help_roles(rulebook):
    assert rulebook.help_roles == HelpRoles(emergency="emergency", crisis="emergency")
    assert [h.id for h in rulebook.emergency_lines] == ["emergency_services"]
    assert [h.id for h in rulebook.crisis_lines] == ["emergency_services"]
    assert rulebook.timeline is None  # the fixture has no questions about what came before


def test_a_declared_timeline_is_on_the_rulebook(rules_copy):
    with_timeline(rules_copy)
    timeline = rules_copy.load().timeline
    assert timeline == TimelineRoles(
        events="scalp", not_events=("none", "not_sure"), timing="fever", before_window="yes", onset="pattern"
    )
    assert timeline.duration is None


def test_without_help_roles_no_lines_are_named(rules_copy):
    rules_copy.edit(C, "help_roles:\n  emergency: emergency\n  crisis: emergency\n", "")
    rulebook = rules_copy.load()
    assert rulebook.help_roles is None
    assert rulebook.emergency_lines == () and rulebook.crisis_lines == ()


def test_the_real_rules_declare_every_role(real_rulebook):
    assert real_rulebook.help_roles == HelpRoles(emergency="emergency", crisis="crisis")
    timeline = real_rulebook.timeline
    assert timeline is not None
    assert (timeline.events, timeline.timing, timeline.before_window) == ("events", "event_timing", "gt_6m")
    assert (timeline.onset, timeline.duration, timeline.not_events) == ("onset", "duration", ("none", "not_sure"))


@pytest.fixture(scope="module")
def real_rulebook():
    from triage.rulebook import load_rulebook

    return load_rulebook()


# --- bad timeline roles ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "needle", "fragment"),
    [
        (
            "  events: scalp\n",
            "  events: scalpp\n",
            "scalpp",
            "unknown question 'scalpp' (did you mean 'scalp'?) for the timeline's 'events'",
        ),
        (
            "  timing: fever\n",
            "  timing: fevr\n",
            "fevr",
            "unknown question 'fevr' (did you mean 'fever'?) for the timeline's 'timing'",
        ),
        (
            "  onset: pattern\n",
            "  onset: patern\n",
            "patern",
            "unknown question 'patern' (did you mean 'pattern'?) for the timeline's 'onset'",
        ),
        (
            "  onset: pattern\n",
            "  onset: pattern\n  duration: pattren\n",
            "pattren",
            "unknown question 'pattren' (did you mean 'pattern'?) for the timeline's 'duration'",
        ),
        (
            "  not_events: [none, not_sure]\n",
            "  not_events: [none, not_suer]\n",
            "not_suer",
            "unknown option 'not_suer' for question 'scalp' (did you mean 'not_sure'?)",
        ),
        (
            "  before_window: yes\n",
            "  before_window: yess\n",
            "yess",
            "unknown option 'yess' for question 'fever' (did you mean 'yes'?)",
        ),
    ],
)
def test_an_unknown_id_in_the_timeline_is_reported_at_its_place(rules_copy, old, new, needle, fragment):
    with_timeline(rules_copy, TIMELINE.replace(old, new))
    line, col = rules_copy.line(Q, needle), rules_copy.col(Q, needle)
    assert rules_copy.error_at(Q, line, fragment, col=col)


@pytest.mark.parametrize(
    ("old", "new", "needle", "fragment"),
    [
        (
            "  events: scalp\n",
            "  events: pattern\n",
            "pattern",
            "the timeline's 'events' must be a several-choice question; 'pattern' is not",
        ),
        (
            "  timing: fever\n",
            "  timing: scalp\n",
            "scalp\n  before",
            "the timeline's 'timing' must be a one-choice question; 'scalp' is not",
        ),
        (
            "  onset: pattern\n",
            "  onset: age\n",
            "age",
            "the timeline's 'onset' must be a one-choice question; 'age' is not",
        ),
    ],
)
def test_a_timeline_question_of_the_wrong_kind_is_reported(rules_copy, old, new, needle, fragment):
    timeline = TIMELINE.replace(old, new)
    if "timing: scalp" in timeline:  # the timing answer must then be one of scalp's own
        timeline = timeline.replace("before_window: yes", "before_window: itch")
    with_timeline(rules_copy, timeline)
    text = rules_copy.text(Q)
    start = text.index("timeline:")
    at = text.index(needle, start)
    line = text[:at].count("\n") + 1
    col = at - (text.rfind("\n", 0, at) + 1) + 1
    assert rules_copy.error_at(Q, line, fragment, col=col)


def test_a_timing_answer_needs_a_timing_question(rules_copy):
    with_timeline(rules_copy, TIMELINE.replace("  timing: fever\n", ""))
    line = rules_copy.line(Q, "before_window: yes")
    assert rules_copy.error_at(Q, line, "'before_window' is an answer of the timing question: add 'timing:'")


def test_an_unknown_timeline_role_is_refused(rules_copy):
    with_timeline(rules_copy, TIMELINE + "  start: pattern\n")
    line = rules_copy.line(Q, "  start: pattern")
    assert rules_copy.error_at(Q, line, "unknown key 'start'", col=3)


# --- bad help roles -------------------------------------------------------------------------


def test_an_unknown_help_use_in_a_role_is_reported_with_a_suggestion(rules_copy):
    rules_copy.edit(C, "  crisis: emergency\n", "  crisis: crisiss\n")
    line, col = rules_copy.line(C, "crisiss"), rules_copy.col(C, "crisiss")
    error = rules_copy.error_at(C, line, "'crisiss' is not allowed (did you mean 'crisis'?)", col=col)
    assert "use one of: emergency, crisis, urgent" in error


def test_a_help_role_whose_use_no_line_has_is_reported(rules_copy):
    rules_copy.edit(C, "  crisis: emergency\n", "  crisis: crisis\n")
    line, col = rules_copy.line(C, "  crisis: crisis"), rules_copy.col(C, "crisis\n")
    assert rules_copy.error_at(
        C, line, "no help line has the use 'crisis', so the crisis help role would show none", col=col
    )


def test_a_help_role_is_required_once_help_roles_is_written(rules_copy):
    rules_copy.edit(C, "  crisis: emergency\n", "")
    line = rules_copy.line(C, "help_roles:") + 1  # at the mapping's first key
    assert rules_copy.error_at(C, line, "missing key 'crisis'", col=3)


# --- answer roles (questions.yaml ``answer_roles:``) -------------------------------------


def test_the_not_sure_answer_is_declared_and_found_in_each_one_choice_question(rules_copy):
    from triage.rulebook.models import AnswerRoles

    assert rules_copy.load().not_sure_option(rules_copy.load().question_by_id["pattern"]) is None  # not declared
    rules_copy.edit(Q, "sections:\n", "answer_roles:\n  not_sure: not_sure\n\nsections:\n")
    rulebook = rules_copy.load()
    assert rulebook.answer_roles == AnswerRoles(not_sure="not_sure")
    pattern, scalp, age = (rulebook.question_by_id[q] for q in ("pattern", "scalp", "age"))
    assert rulebook.not_sure_option(pattern).label == "Not sure"
    assert rulebook.not_sure_option(scalp) is None  # several-choice questions name their exclusive answers
    assert rulebook.not_sure_option(age) is None


def test_the_real_rules_name_their_not_sure_answer(real_rulebook):
    assert real_rulebook.answer_roles is not None and real_rulebook.answer_roles.not_sure == "not_sure"
    ones = [q for q in real_rulebook.questions if q.kind == "one"]
    assert sum(real_rulebook.not_sure_option(q) is not None for q in ones) >= 5


def test_a_not_sure_answer_no_one_choice_question_offers_is_reported(rules_copy):
    rules_copy.edit(Q, "sections:\n", "answer_roles:\n  not_sure: not_suer\n\nsections:\n")
    line, col = rules_copy.line(Q, "not_suer"), rules_copy.col(Q, "not_suer")
    assert rules_copy.error_at(
        Q, line, "no one-choice question has the answer 'not_suer' (did you mean 'not_sure'?)", col=col
    )


def test_an_unknown_answer_role_is_refused(rules_copy):
    rules_copy.edit(Q, "sections:\n", "answer_roles:\n  none: none\n\nsections:\n")
    line = rules_copy.line(Q, "  none: none")
    assert rules_copy.error_at(Q, line, "unknown key 'none'", col=3)
