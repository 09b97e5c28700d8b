"""The engine: scores, evidence traces, ranking and ties, thresholds, unclear, care levels, cases."""

from __future__ import annotations

import ast
import hashlib
import shutil
from pathlib import Path

import pytest

import triage.rulebook
from triage.rulebook import default_rules_dir, evaluate, load_rulebook
from triage.rulebook.engine import CareReason, Miss, check_case, rank, run_cases, score_types
from triage.words import case_actual, case_expected, case_failure

TYPE_TEMPLATE = """\
id: {id}
name: Type {id}
summary: A test type.
threshold: {threshold}
care_level: {level}
evidence:
  - when: {{pattern: round_patches}}
    points: {points}
    because: Round patches.
  - when: {{age: {{below: 1}}}}
    points: -20
    because: Babies.
sources:
  - {{title: A, url: "https://example.org/a"}}
  - {{title: B, url: "https://example.org/b"}}
"""


@pytest.fixture
def ranked(rules_copy):
    """Five types that all score on round patches, built to test ranking and care levels.

    t_a 5/3 urgent, t_b 5/1 urgent, t_c 5/3 emergency, t_d 6/2 routine, t_e 5/10 emergency.
    """
    for path in (rules_copy.root / "types").glob("*.yaml"):
        path.unlink()
    shutil.rmtree(rules_copy.root / "cases")
    specs = [("t_a", 3, 5, "urgent"), ("t_b", 1, 5, "urgent"), ("t_c", 3, 5, "emergency"),
             ("t_d", 2, 6, "routine"), ("t_e", 10, 5, "emergency")]
    for type_id, threshold, points, level in specs:
        rules_copy.write(
            f"types/{type_id}.yaml",
            TYPE_TEMPLATE.format(id=type_id, threshold=threshold, points=points, level=level),
        )
    return rules_copy.load()


def test_ranking_by_score_then_margin_then_file_order(ranked):
    a = evaluate(ranked, {"pattern": "round_patches", "age": 30})
    # t_d has the top score; t_b, t_a and t_c tie on 5: t_b is furthest above its
    # threshold, t_a and t_c tie on that too, so file order decides.
    assert [s.type_id for s in a.suggestions] == ["t_d", "t_b", "t_a"]
    assert [(s.type_id, s.score, s.reached) for s in a.all_scores] == [
        ("t_a", 5, True), ("t_b", 5, True), ("t_c", 5, True), ("t_d", 6, True), ("t_e", 5, False),
    ]
    assert [s.type_id for s in rank(a.all_scores)] == ["t_d", "t_b", "t_a", "t_c"]
    assert not a.unclear


def test_every_types_score_is_made_only_when_a_trace_reads_it(ranked):
    answers = {"pattern": "round_patches", "age": 30}
    a = evaluate(ranked, answers)
    # A person's result reads the suggestions only: the scores of the rest wait.
    assert "all_scores" not in vars(a)
    assert [(s.type_id, s.score) for s in a.scores.reached()] == [
        ("t_a", 5), ("t_b", 5), ("t_c", 5), ("t_d", 6),
    ]
    assert a.all_scores == score_types(ranked, answers)
    assert a.all_scores is a.all_scores  # made once
    # A type none of whose evidence fired scores 0 with no evidence; the babies' evidence
    # (-20) fires for age 0 and is kept with its points.
    baby = evaluate(ranked, {"pattern": "round_patches", "age": 0})
    assert [(s.score, [h.points for h in s.evidence]) for s in baby.all_scores][0] == (-15, [5, -20])
    assert evaluate(ranked, {"age": 30}).all_scores[0].evidence == ()


def test_care_level_comes_only_from_returned_suggestions(ranked):
    a = evaluate(ranked, {"pattern": "round_patches", "age": 30})
    # t_c (emergency) is fourth and t_e (emergency) is below its threshold: neither counts.
    assert a.care_level == "urgent"
    assert a.care_reasons == (CareReason("type", "t_b", "urgent"), CareReason("type", "t_a", "urgent"))


def test_unclear_when_nothing_reaches_its_threshold(ranked):
    a = evaluate(ranked, {"pattern": "round_patches", "age": 0})
    assert a.unclear and a.suggestions == ()
    assert [s.score for s in a.all_scores] == [-15, -15, -15, -14, -15]
    assert a.care_level == "soon"
    assert a.care_reasons == (CareReason("unclear", None, "soon"),)


def test_evidence_trace_has_points_reasons_and_file_lines(rulebook):
    a = evaluate(rulebook, {"age": 30, "pattern": "round_patches", "scalp": ["none"]})
    top = a.suggestions[0]
    assert (top.type_id, top.name, top.score, top.threshold) == ("alopecia_areata", "Alopecia areata", 6, 5)
    text = (rulebook.root / "types/alopecia_areata.yaml").read_text().splitlines()
    assert [(h.points, h.because) for h in top.evidence] == [
        (4, "You said the patches are round and smooth."),
        (2, "You said the skin in the patches looks normal."),
    ]
    assert [text[h.where.line - 1].strip() for h in top.evidence] == [
        "pattern: round_patches",
        "scalp: {includes: none}",
    ]
    assert {h.where.file for h in top.evidence} == {"rules_min/types/alopecia_areata.yaml"}
    assert top.against == ()


def test_negative_evidence_is_reported_against(rulebook):
    a = evaluate(rulebook, {"age": 30, "pattern": "round_patches", "scalp": ["itch"]})
    aa = next(s for s in a.all_scores if s.type_id == "alopecia_areata")
    assert aa.score == 1 and not aa.reached
    assert [h.points for h in aa.supporting] == [4]
    assert [(h.points, h.because) for h in aa.against] == [(-3, "Pus or swelling points to something else.")]


def test_score_equal_to_threshold_is_enough(rulebook):
    a = evaluate(rulebook, {"age": 30, "pattern": "round_patches", "scalp": ["pus"]})
    assert [(s.type_id, s.score) for s in a.suggestions] == [("tinea_capitis", 5)]


def test_red_flags_raise_the_care_level(rulebook):
    a = evaluate(rulebook, {"age": 30, "pattern": "round_patches", "scalp": ["pus", "boggy_swelling"]})
    assert [s.type_id for s in a.suggestions] == ["tinea_capitis"]  # base level: soon
    assert [(f.id, f.level, f.interrupt) for f in a.red_flags] == [("kerion", "urgent", False)]
    assert a.care_level == "urgent"
    assert a.care_reasons == (CareReason("red_flag", "kerion", "urgent"),)
    assert not a.interrupt


def test_interrupting_red_flag(rulebook):
    a = evaluate(rulebook, {"age": 7, "pattern": "all_over", "fever": "yes"})
    assert a.unclear
    assert [f.id for f in a.red_flags] == ["unwell_child"]
    assert a.interrupt
    assert a.care_level == "emergency"
    assert a.care_reasons == (CareReason("red_flag", "unwell_child", "emergency"),)


def test_base_level_of_a_suggestion(rulebook):
    a = evaluate(rulebook, {"age": 45, "pattern": "temples_crown"})
    assert a.care_level == "routine"
    assert a.care_reasons == (CareReason("type", "pattern_hair_loss", "routine"),)


def test_care_contributions_keep_every_level_in_order(rulebook):
    # Child with kerion and fever: two red flags and one type contribute; the most urgent sets the level.
    a = evaluate(rulebook, {"age": 7, "pattern": "round_patches", "scalp": ["boggy_swelling", "pus"], "fever": "yes"})
    assert a.care_contributions == (
        CareReason("red_flag", "kerion", "urgent"),
        CareReason("red_flag", "unwell_child", "emergency"),
        CareReason("type", "tinea_capitis", "soon"),
    )
    assert a.care_level == "emergency"
    assert a.care_reasons == (CareReason("red_flag", "unwell_child", "emergency"),)
    unclear = evaluate(rulebook, {"age": 5, "pattern": "all_over"})
    assert unclear.care_contributions == (CareReason("unclear", None, rulebook.unclear_level),)


def test_care_contributions_are_what_evaluate_sets_the_care_level_from():
    """For every worked case in the real rules: the contributions are the fired red flags,
    the suggestions and (when unclear) the unclear level, in that order, and the care level
    is the most urgent of them."""
    real = load_rulebook(default_rules_dir())
    rank_of = real.level_rank
    for case in real.cases:
        a = evaluate(real, case.answers)
        expected = [CareReason("red_flag", f.id, f.level) for f in a.red_flags]
        expected += [CareReason("type", s.type_id, s.care_level) for s in a.suggestions]
        expected += [CareReason("unclear", None, real.unclear_level)] if a.unclear else []
        assert a.care_contributions == tuple(expected), case.id
        most_urgent = min(a.care_contributions, key=lambda c: rank_of[c.level])
        assert most_urgent.level == a.care_level, case.id
        assert a.care_reasons == tuple(c for c in a.care_contributions if c.level == a.care_level), case.id
        assert all(rank_of[c.level] > rank_of[a.care_level] for c in a.care_contributions if c not in a.care_reasons)


def test_no_answers(rulebook):
    a = evaluate(rulebook, {})
    assert a.unclear and a.red_flags == () and a.care_level == "soon"
    assert a.rulebook_version == rulebook.version


def test_odd_answers_do_not_crash_and_do_not_match(rulebook):
    a = evaluate(rulebook, {"scalp": "boggy_swelling", "age": "7", "pattern": ["round_patches"], "zzz": 1})
    assert a.red_flags == ()
    assert all(s.score <= 0 for s in a.all_scores if s.type_id != "tinea_capitis")


def test_evaluate_does_not_change_the_answers(rulebook):
    answers = {"age": 7, "pattern": "round_patches", "scalp": ["boggy_swelling"]}
    before = {k: (list(v) if isinstance(v, list) else v) for k, v in answers.items()}
    evaluate(rulebook, answers)
    assert answers == before


def test_json_contract(rulebook):
    a = evaluate(rulebook, {"age": 7, "pattern": "round_patches", "scalp": ["boggy_swelling"], "fever": "yes"})
    data = a.as_json()
    assert set(data) == {"suggestions", "unclear", "care_level", "red_flags", "care_notes", "rulebook_version"}
    assert data["suggestions"][0]["type"] == "tinea_capitis"
    assert set(data["suggestions"][0]) == {"type", "name", "score", "threshold", "evidence"}
    assert {"points", "because", "line"} <= set(data["suggestions"][0]["evidence"][0])
    assert [set(f) for f in data["red_flags"]] == [{"id", "level", "message"}] * 2
    assert data["care_level"] == "emergency" and data["unclear"] is False


def test_evaluate_never_rereads_or_rehashes(rules_copy, monkeypatch):
    rulebook = rules_copy.load()
    answers = {"age": 30, "pattern": "round_patches", "scalp": ["none"]}
    expected = evaluate(rulebook, answers)
    shutil.rmtree(rules_copy.root)

    def forbidden(*args, **kwargs):
        raise AssertionError("evaluate must not read or hash rule files")

    monkeypatch.setattr("triage.rulebook.loader.read_yaml", forbidden)
    monkeypatch.setattr(hashlib, "sha256", forbidden)
    monkeypatch.setattr(Path, "read_bytes", forbidden)
    assert evaluate(rulebook, answers) == expected
    assert expected.rulebook_version == rulebook.version


def test_engine_modules_do_not_import_flask():
    package = Path(triage.rulebook.__file__).parent
    for module in package.glob("*.py"):
        tree = ast.parse(module.read_text())
        names = [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names]
        names += [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
        assert not [n for n in names if n.split(".")[0] == "flask"], module.name


# --- worked cases ----------------------------------------------------------------------------


def test_fixture_cases_pass(rulebook):
    results = run_cases(rulebook)
    assert [r.case_id for r in results] == ["adult_round_patch", "child_kerion", "adult_crown", "young_child_thinning"]
    assert all(r.passed for r in results), [r.failures for r in results]


def test_failing_case_explains_each_failure(rulebook):
    case = next(c for c in rulebook.cases if c.id == "adult_round_patch")
    wrong = case.model_copy(
        update={
            "expect": case.expect.model_copy(
                update={
                    "top3": ("tinea_capitis",),
                    "first": "pattern_hair_loss",
                    "not_top3": ("alopecia_areata",),
                    "unclear": True,
                    "care_level": "urgent",
                    "red_flags": ("kerion",),
                }
            )
        }
    )
    result = check_case(rulebook, wrong)
    assert not result.passed
    assert result.failures == (
        Miss("in_top3", "tinea_capitis", ("alopecia_areata",)),
        Miss("first", "pattern_hair_loss", "alopecia_areata"),
        Miss("not_top3", "alopecia_areata"),
        Miss("unclear", True, False),
        Miss("care_level", "urgent", "soon"),
        Miss("red_flag", "kerion"),
    )
    assert [case_failure(miss) for miss in result.failures] == [
        "expected 'tinea_capitis' in the first three, got: alopecia_areata",
        "expected 'pattern_hair_loss' first, got: alopecia_areata",
        "expected 'alopecia_areata' not in the first three",
        "expected unclear: true, got: false",
        "expected care level 'urgent', got 'soon'",
        "expected red flag 'kerion' to fire",
    ]
    assert case_expected(result.expect) == (
        "first pattern_hair_loss; top3 tinea_capitis; not alopecia_areata; unclear; care urgent; flags kerion"
    )
    assert case_actual(result.assessment) == "alopecia_areata; care soon"


def test_case_loading_keeps_lists_usable_as_answers(rules_min):
    rulebook = load_rulebook(rules_min)
    case = next(c for c in rulebook.cases if c.id == "child_kerion")
    assert set(case.answers["scalp"]) == {"boggy_swelling", "pus"}
    assert case.answers["fever"] == "yes"
