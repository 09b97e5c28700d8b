"""The clinician review (pure Python): plain-words trees, coverage, lints, the flow picture, the rules' date."""

from __future__ import annotations

import os
import subprocess
import xml.etree.ElementTree as ET
from datetime import date, datetime, timezone

import pytest

from triage import words as w
from triage.rulebook import evaluate
from triage.rulebook.conditions import parse_condition
from triage.rulebook.plain import explain
from triage.rulebook.review import build_review

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def review(rulebook):
    return build_review(rulebook)


# --- plain words as a tree --------------------------------------------------------------------


def words(tree):
    """A Plain tree in words (templates/macros/words.txt) as nested tuples, for comparing."""
    if tree.is_test:
        return w.sentence(tree)
    lead = w.lines(tree)[0].removeprefix("- ")
    return (lead, [words(item) for item in tree.items])


def flow_svg(rulebook, id_prefix="flow"):
    """The flow picture as the pages draw it: templates/clinician/_flow.html fed by triage.words.flow."""
    template = w.environment().from_string(
        '{% from "clinician/_flow.html" import flow_svg %}{{ flow_svg(flow, prefix, ask_when) }}'
    )
    ask_when = {q.id: explain(q.ask_when, rulebook.question_by_id) for q in rulebook.questions if q.ask_when}
    return template.render(flow=w.flow(rulebook), prefix=id_prefix, ask_when=ask_when)


def brief(condition, questions):
    return w.brief(explain(condition, questions))


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"pattern": "round_patches"}, "Pattern is \u201cRound or oval smooth bald patches\u201d"),
        ({"not": {"pattern": "all_over"}}, "Pattern is not \u201cThinning all over the scalp\u201d"),
        ({"not": {"not": {"age": {"below": 12}}}}, "Age is below 12"),
        ({"all": [{"age": {"at_least": 18}}]}, "Age is at least 18"),
        (
            {"all": [{"age": {"at_least": 18}}, {"any": [{"scalp": {"includes": "itch"}}, {"scalp": {"answered": False}}]}]},
            ("All of these:", ["Age is at least 18", ("At least one of these:", ["Scalp includes \u201cItch\u201d", "Scalp has no answer"])]),
        ),
        (
            {"not": {"any": [{"pattern": "all_over"}, {"scalp": {"includes_all": ["itch", "pus"]}}]}},
            ("None of these:", ["Pattern is \u201cThinning all over the scalp\u201d", "Scalp includes all of: \u201cItch\u201d, \u201cPus-filled spots or crusts\u201d"]),
        ),
        (
            {"not": {"all": [{"pattern": "all_over"}, {"age": {"below": 12}}]}},
            ("Not all of these:", ["Pattern is \u201cThinning all over the scalp\u201d", "Age is below 12"]),
        ),
        ({"not": {"any": [{"age": {"below": 12}}]}}, "Age is not below 12"),
    ],
)
def test_explain(rulebook, data, expected):
    assert words(explain(parse_condition(data), rulebook.question_by_id)) == expected


def test_plain_lines_nest(rulebook):
    tree = explain(parse_condition({"any": [{"age": {"below": 12}}, {"all": [{"pattern": "all_over"}, {"fever": "yes"}]}]}), rulebook.question_by_id)
    assert w.lines(tree) == [
        "- At least one of these:",
        "  - Age is below 12",
        "  - All of these:",
        "    - Pattern is \u201cThinning all over the scalp\u201d",
        "    - Fever is \u201cYes\u201d",
    ]


# --- coverage and lints on the fixture rulebook ---------------------------------------------------


def test_cases_reach_types_and_fire_red_flags(review):
    reaches = {tid: [(r.case_id, r.rank, r.expected) for r in rs] for tid, rs in review.reaches.items()}
    assert reaches["alopecia_areata"] == [("adult_round_patch", 1, True)]
    assert reaches["tinea_capitis"] == [("child_kerion", 1, True)]
    assert reaches["pattern_hair_loss"] == [("adult_crown", 1, True)]
    assert review.flag_cases == {"kerion": ("child_kerion",), "unwell_child": ("child_kerion",)}
    assert review.passed == 4 and review.failed == 0


def test_matrix_and_question_use(review):
    assert dict(review.matrix["tinea_capitis"]) == {"age": 1, "pattern": 1, "scalp": 3, "fever": 0}
    assert dict(review.matrix["pattern_hair_loss"]) == {"age": 2, "pattern": 1, "scalp": 0, "fever": 0}
    assert review.matrix_questions == ("age", "pattern", "scalp")  # no evidence looks at 'fever'
    use = review.question_use["fever"]
    assert use.types == () and use.red_flags == ("unwell_child",) and use.case_ids == ("child_kerion",)
    assert review.question_use["pattern"].questions == ("scalp",)  # pattern gates scalp
    assert len(review.question_use["age"].case_ids) == 4


def test_evidence_rows_know_the_cases_they_count_in(review):
    rows = review.evidence["alopecia_areata"]
    assert [row.case_ids for row in rows] == [("adult_round_patch", "child_kerion"), ("adult_round_patch",), ("child_kerion",)]
    assert rows[0].questions == ("pattern",)


def test_a_trace_explains_each_evidence_that_held_and_each_flag_without_the_review(review):
    from triage.rulebook.review import trace_plain

    rulebook = review.rulebook
    case = next(c for c in rulebook.cases if c.id == "child_kerion")
    assessment = evaluate(rulebook, case.answers)
    plain = trace_plain(rulebook, assessment)
    held = [(s.type_id, hit.where) for s in assessment.all_scores for hit in s.evidence]
    assert held and set(plain.evidence) == set(held)
    rows = {(type_id, row.where): row.plain for type_id, rows in review.evidence.items() for row in rows}
    assert all(plain.evidence[key] == rows[key] for key in held)  # the same words as the type pages
    assert set(plain.red_flags) == {f.id for f in assessment.red_flags} and plain.red_flags
    assert all(plain.red_flags[f] == review.red_flag_plain[f] for f in plain.red_flags)


def test_fixture_lints(review):
    # The fixture has no reviews.yaml: every rule file is unreviewed.
    assert [(lint.kind, lint.subject) for lint in review.lints] == [
        ("few_sources", ("type", "tinea_capitis")),
        ("unreviewed", ("file", "care_levels.yaml")),
        ("unreviewed", ("file", "cases/basic.yaml")),
        ("unreviewed", ("file", "questions.yaml")),
        ("unreviewed", ("file", "red_flags.yaml")),
        ("unreviewed", ("type", "alopecia_areata")),
        ("unreviewed", ("type", "pattern_hair_loss")),
        ("unreviewed", ("type", "tinea_capitis")),
    ]
    assert w.lint_line(review.lints[0]) == "rules_min/types/tinea_capitis.yaml:1: warning: type 'tinea_capitis' has 1 source; add at least 2"
    assert w.lint_line(review.lints[-1]) == (
        "rules_min/types/tinea_capitis.yaml:1: warning: types/tinea_capitis.yaml has not been reviewed: "
        "no clinician has recorded a review of it"
    )
    assert [kind for kind, _ in review.lints_by_kind()] == ["few_sources", "unreviewed"]
    headings = w.environment().get_template("macros/lint_headings.txt").module
    assert [str(headings.heading(kind, review.min_sources)) for kind, _ in review.lints_by_kind()] == [
        "Types with fewer than 2 sources",
        "Rule files not reviewed (or changed since review)",
    ]
    assert review.lints_about("type", "tinea_capitis") == (review.lints[0], review.lints[-1])
    assert review.newest_review is None
    assert review.status_counts == {"not_reviewed": 7, "changed": 0, "reviewed": 0}


def test_lints_on_seeded_problems(rules_copy):
    rules_copy.edit("cases/basic.yaml", "  - id: adult_crown", "  - id: adult_crown_gone\n    title: x\n    answers: {age: 45}\n    expect: {care_level: soon}\n\n  - id: adult_crown_was")
    rules_copy.edit("cases/basic.yaml", "      top3: [pattern_hair_loss]\n", "")
    # Now no case answers pattern temples_crown and nothing expects pattern_hair_loss.
    rules_copy.edit("cases/basic.yaml", "answers: {age: 45, pattern: temples_crown}", "answers: {age: 45}")
    review = build_review(rules_copy.load())
    kinds = {(lint.kind, lint.subject[1]) for lint in review.lints}
    assert ("type_unreached", "pattern_hair_loss") in kinds
    assert ("case_failing", "adult_crown_was") in kinds  # it expected routine care
    failing = next(lint for lint in review.lints if lint.kind == "case_failing")
    assert "expected care level 'routine', got 'soon'" in w.lint_message(failing)


def test_evidence_that_holds_in_no_case_points_at_its_line(rules_copy):
    rules_copy.edit(
        "types/pattern_hair_loss.yaml",
        "sources:",
        "  - when: {pattern: not_sure}\n    points: 1\n    because: You were not sure.\nsources:",
    )
    review = build_review(rules_copy.load())
    unfired = [lint for lint in review.lints if lint.kind == "evidence_unfired"]
    assert len(unfired) == 1
    assert w.lint_message(unfired[0]) == "evidence 4 of 'pattern_hair_loss' (+1) holds in no case, so no case tests it"
    assert unfired[0].where.line == rules_copy.line("types/pattern_hair_loss.yaml", "pattern: not_sure")


# --- the flow picture ---------------------------------------------------------------------------------


def test_flow_svg_is_well_formed_accessible_and_one_box_per_question(rulebook):
    svg = ET.fromstring(flow_svg(rulebook))
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "flow-title flow-desc"
    assert svg.find(f"{SVG}title").get("id") == "flow-title"
    desc = svg.find(f"{SVG}desc")
    assert desc.get("id") == "flow-desc"
    assert "4. fever, a side branch, asked only if Scalp includes any of:" in desc.text
    boxes = svg.findall(f"{SVG}g")
    assert len(boxes) == len(rulebook.questions)
    gated = [b for b in boxes if "flow-question--gated" in b.get("class")]
    assert len(gated) == 2
    lines = ["".join(t.itertext()) for t in gated[0].iter(f"{SVG}text")]
    assert lines == [
        "3. What do you notice on your scalp?",
        "scalp \u00b7 several choices",
        "Only if Pattern is one of 2 answers: \u201cRound or oval smooth bald",  # wrapped onto two lines
        "patches\u201d, \u201cNot sure\u201d",
    ]
    assert not any(el.get("style") for el in svg.iter())
    assert svg.find(f"{SVG}defs/{SVG}marker").get("id") == "flow-arrow"


def test_flow_svg_escapes_text_and_shortens_long_lines(rules_copy):
    rules_copy.edit(
        "questions.yaml",
        "text: Which of these is most like your hair loss?",
        "text: Is it <b>bald</b> & patchy, or thinning all over, or receding at the temples, or something else entirely?",
    )
    rulebook = rules_copy.load()
    markup = flow_svg(rulebook, id_prefix="x")
    svg = ET.fromstring(markup)  # would fail on an unescaped < or &
    assert "<b>" not in markup and "&lt;b&gt;bald&lt;/b&gt; &amp; patchy" in markup
    first = ["".join(t.itertext()) for t in svg.iter(f"{SVG}text") if "".join(t.itertext()).startswith("2. ")][0]
    assert first.endswith("\u2026") and len(first) < 80
    assert svg.get("aria-labelledby") == "x-title x-desc"


def test_brief_counts_answers_first(rulebook):
    questions = rulebook.question_by_id
    assert brief(parse_condition({"pattern": ["round_patches", "all_over"]}), questions) == (
        "Pattern is one of 2 answers: \u201cRound or oval smooth bald patches\u201d, \u201cThinning all over the scalp\u201d"
    )
    assert brief(parse_condition({"not": {"scalp": {"includes": "itch"}}}), questions) == "Scalp does not include \u201cItch\u201d"
    assert brief(parse_condition({"all": [{"age": {"below": 12}}, {"fever": "yes"}]}), questions) == (
        "Age is below 12 and Fever is \u201cYes\u201d"
    )


# --- the rules' date ----------------------------------------------------------------------------------


def test_updated_is_the_newest_rule_file_date(rules_copy):
    old = datetime(2025, 3, 1, 12, tzinfo=timezone.utc).timestamp()
    new = datetime(2026, 2, 14, 23, 30, tzinfo=timezone.utc).timestamp()
    for path in rules_copy.root.rglob("*.yaml"):
        os.utime(path, (old, old))
    os.utime(rules_copy.root / "types" / "tinea_capitis.yaml", (new, new))
    assert rules_copy.load().updated == date(2026, 2, 14)


def _git(root, *args, when="2025-06-30T10:00:00+00:00"):
    env = {**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when,
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}
    subprocess.run(["git", "-c", "safe.directory=*", "-C", str(root), *args], check=True, env=env,
                   capture_output=True)


def test_updated_runs_no_git_even_in_a_clean_git_checkout(rules_copy, monkeypatch):
    # The last commit's date is stamped into a wheel when it is built (setup.py,
    # tests/unit/test_install.py); loading the rules never runs git or any other program.
    _git(rules_copy.root, "init", "-q")
    _git(rules_copy.root, "add", ".")
    _git(rules_copy.root, "commit", "-q", "-m", "rules")
    old = datetime(2025, 3, 1, 12, tzinfo=timezone.utc).timestamp()
    for path in rules_copy.root.rglob("*.yaml"):
        os.utime(path, (old, old))

    def refuse(*args, **kwargs):
        raise AssertionError(f"loading the rules started a program: {args}")

    monkeypatch.setattr(subprocess, "Popen", refuse)
    monkeypatch.setattr(os, "posix_spawn", refuse)
    monkeypatch.setattr(os, "system", refuse)
    assert rules_copy.load().updated == date(2025, 3, 1)
