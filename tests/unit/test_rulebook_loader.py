"""Loading and validating a rules folder: every problem, each with its file and line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from triage.rulebook import RulebookError, default_rules_dir, load_rulebook
from triage.rulebook.models import Question

AA = "types/alopecia_areata.yaml"
PHL = "types/pattern_hair_loss.yaml"
TC = "types/tinea_capitis.yaml"


# --- a valid folder ------------------------------------------------------------------


def test_fixture_rulebook_loads(rulebook):
    assert [q.id for q in rulebook.questions] == ["age", "pattern", "scalp", "fever"]
    assert [t.id for t in rulebook.types] == ["alopecia_areata", "pattern_hair_loss", "tinea_capitis"]
    assert [f.id for f in rulebook.red_flags] == ["kerion", "unwell_child"]
    assert [lv.id for lv in rulebook.levels] == ["emergency", "urgent", "soon", "routine"]
    assert rulebook.unclear_level == "soon"
    assert len(rulebook.cases) == 4
    assert rulebook.case_where["child_kerion"].file == "rules_min/cases/basic.yaml"


def test_yaml_1_2_keeps_yes_and_no_as_text(rulebook):
    assert rulebook.question_by_id["fever"].option_values == ("yes", "no", "not_sure")
    when = rulebook.red_flag_by_id["unwell_child"].when
    assert when.holds({"age": 5, "fever": "yes"})


def test_models_are_frozen(rulebook):
    with pytest.raises(Exception):  # pydantic's ValidationError for frozen instances
        rulebook.questions[0].text = "changed"


def test_version_is_twelve_hex_and_ignores_the_folder_name(rulebook, rules_copy):
    assert len(rulebook.version) == 12 and int(rulebook.version, 16) >= 0
    assert rules_copy.load().version == rulebook.version  # same files, folder renamed


def test_version_changes_when_any_rule_file_changes(rulebook, rules_copy):
    rules_copy.edit(AA, "Look closely at the patches.", "Look very closely at the patches.")
    assert rules_copy.load().version != rulebook.version


def test_dates_stay_text(rules_copy):
    rules_copy.write(
        "reviews.yaml",
        f"reviews:\n  - {{file: {PHL}, sha256: {'ab' * 32}, reviewer: Dr A, role: GP, date: 2026-01-05, "
        "scope: [content], outcome: approved}\n",
    )
    assert rules_copy.load().signoffs[0].date == "2026-01-05"


def test_one_source_is_a_lint_not_an_error(rulebook):
    text = (rulebook.root / TC).read_text()
    line = text[: text.index("sources:")].count("\n") + 1
    assert rulebook.lints == (
        f"rules_min/{TC}:{line}:1: warning: type 'tinea_capitis' has only one source; add at least one more",
    )


def test_default_rules_dir_and_env_override(monkeypatch, rules_min):
    monkeypatch.delenv("TRIAGE_RULES_DIR", raising=False)
    assert default_rules_dir() == Path(__file__).resolve().parents[2] / "rules"
    monkeypatch.setenv("TRIAGE_RULES_DIR", str(rules_min))
    assert default_rules_dir() == rules_min
    assert load_rulebook().version == load_rulebook(rules_min).version


def test_json_schema_can_be_exported():
    schema = Question.model_json_schema()
    assert schema["additionalProperties"] is False
    assert "ask_when" in schema["properties"]


# --- YAML problems ----------------------------------------------------------------------


def test_yaml_syntax_error(rules_copy):
    rules_copy.edit(AA, "other_names: [Patchy alopecia areata]", "other_names: [Patchy alopecia areata")
    line = rules_copy.line(AA, "group: patchy")
    rules_copy.error_at(AA, line, "YAML syntax error")


def test_duplicate_keys_are_all_reported(rules_copy):
    rules_copy.edit(AA, "threshold: 5\n", "threshold: 5\nthreshold: 6\n")
    rules_copy.edit(PHL, "threshold: 4\n", "threshold: 4\nthreshold: 9\n")
    aa_line = rules_copy.line(AA, "threshold: 6")
    rules_copy.error_at(AA, aa_line, "duplicate key 'threshold' (first written on line", col=1)
    rules_copy.error_at(PHL, rules_copy.line(PHL, "threshold: 9"), "duplicate key 'threshold'")


@pytest.mark.parametrize("tag", ["!!python/object/apply:os.system ['true']", "!!str 5", "!custom x"])
def test_explicit_tags_are_rejected(rules_copy, tag):
    rules_copy.edit(AA, "group: patchy", f"group: {tag}")
    line = rules_copy.line(AA, "group: ")
    error = rules_copy.error_at(AA, line, "explicit YAML tag", col=8)
    assert "is not allowed" in error


def test_empty_file(rules_copy):
    rules_copy.write("red_flags.yaml", "# nothing yet\n")
    rules_copy.error_at("red_flags.yaml", 1, "file is empty")


def test_missing_required_file(rules_copy):
    (rules_copy.root / "care_levels.yaml").unlink()
    rules_copy.error_at("care_levels.yaml", 1, "file not found")


def test_not_a_folder(tmp_path):
    with pytest.raises(RulebookError) as caught:
        load_rulebook(tmp_path / "nope")
    assert "not a folder" in str(caught.value)


# --- model problems -----------------------------------------------------------------------


def test_unknown_key_points_at_the_key_with_did_you_mean(rules_copy):
    rules_copy.edit(AA, "because: You said the patches", "becuase: You said the patches")
    line = rules_copy.line(AA, "becuase:")
    error = rules_copy.error_at(AA, line, "unknown key 'becuase' (did you mean 'because'?)", col=5)
    # the same item now lacks 'because': reported at the item's mapping
    item_line = rules_copy.line(AA, "  - when:\n      pattern: round_patches")
    rules_copy.error_at(AA, item_line, "missing key 'because'", col=5)
    assert error.startswith(f"rules/{AA}:{line}:5: ")


def test_missing_key_points_at_the_parent_mapping(rules_copy):
    rules_copy.edit("questions.yaml", "    text: Have you had a fever?\n", "")
    line = rules_copy.line("questions.yaml", "  - id: fever")
    rules_copy.error_at("questions.yaml", line, "missing key 'text'", col=5)


def test_wrong_type(rules_copy):
    rules_copy.edit(PHL, "threshold: 4", "threshold: four")
    rules_copy.error_at(PHL, rules_copy.line(PHL, "threshold: four"), "expected a whole number, got 'four'", col=12)


def test_quoted_number_is_not_coerced(rules_copy):
    rules_copy.edit(PHL, "points: 1\n", 'points: "1"\n')
    rules_copy.error_at(PHL, rules_copy.line(PHL, 'points: "1"'), "expected a whole number, got '1'")


def test_wrong_literal_with_did_you_mean(rules_copy):
    rules_copy.edit("questions.yaml", "kind: several", "kind: sevral")
    line = rules_copy.line("questions.yaml", "kind: sevral")
    rules_copy.error_at("questions.yaml", line, "'sevral' is not allowed (did you mean 'several'?)")


def test_bad_id_and_url(rules_copy):
    rules_copy.edit(AA, "url: https://example.org/aa1", "url: example.org/aa1")
    rules_copy.edit("red_flags.yaml", "id: kerion", "id: Kerion")
    rules_copy.error_at(AA, rules_copy.line(AA, "url: example.org"), "is not a web address")
    rules_copy.error_at("red_flags.yaml", rules_copy.line("red_flags.yaml", "id: Kerion"), "is not a valid id")


def test_model_level_problem_points_at_the_key(rules_copy):
    rules_copy.edit("questions.yaml", "    min: 0\n", "    min: 0\n    options: [{value: a, label: A}]\n")
    line = rules_copy.line("questions.yaml", "options: [{")
    rules_copy.error_at("questions.yaml", line, "a number question has no options")


def test_duplicate_option_value(rules_copy):
    rules_copy.edit("questions.yaml", "      - value: all_over", "      - value: round_patches")
    line = rules_copy.line("questions.yaml", "label: Thinning all over") - 1
    rules_copy.error_at("questions.yaml", line, "duplicate option value 'round_patches'")


def test_zero_points(rules_copy):
    rules_copy.edit(AA, "points: 2\n", "points: 0\n")
    rules_copy.error_at(AA, rules_copy.line(AA, "points: 0"), "points must not be 0")


def test_a_typed_review_block_is_retired(rules_copy):
    # Review status is worked out from reviews.yaml, never typed into a type file.
    rules_copy.write(PHL, rules_copy.text(PHL) + "review:\n  status: reviewed\n  reviewer: Dr Example\n  date: 2026-01-05\n")
    errors = rules_copy.errors()
    assert errors == [
        f"rules/{PHL}:{rules_copy.line(PHL, 'review:')}:1: the 'review:' block is retired: a review is recorded, "
        "bound to the file's content, in reviews.yaml with `triage rules review` (see rules/README.md); delete this block"
    ]
    # An old version of the rules (triage rules diff against a git revision) still loads.
    assert load_rulebook(rules_copy.root, legacy=True).type_by_id["pattern_hair_loss"].threshold == 4


def test_malformed_condition_points_at_the_bad_node(rules_copy):
    rules_copy.edit(TC, "age: {below: 16}", "age: {belw: 16}")
    line = rules_copy.line(TC, "age: {belw")
    col = rules_copy.col(TC, "belw")
    rules_copy.error_at(TC, line, "unknown operator 'belw' in the test on 'age' (did you mean 'below'?)", col=col)


def test_condition_with_two_keys(rules_copy):
    rules_copy.edit(AA, "      pattern: round_patches\n", "      pattern: round_patches\n      age: {below: 3}\n")
    rules_copy.error_at(AA, rules_copy.line(AA, "pattern: round_patches"), "exactly one key, but this one has 2")


# --- cross-file problems ---------------------------------------------------------------------


def test_unknown_question_in_condition(rules_copy):
    rules_copy.edit("red_flags.yaml", "        - fever: yes", "        - fevr: yes")
    line = rules_copy.line("red_flags.yaml", "fevr")
    rules_copy.error_at("red_flags.yaml", line, "unknown question 'fevr' (did you mean 'fever'?)", col=11)


def test_unknown_option_in_condition(rules_copy):
    rules_copy.edit(AA, "pattern: round_patches", "pattern: round_patchs")
    line = rules_copy.line(AA, "round_patchs")
    rules_copy.error_at(
        AA, line, "unknown option 'round_patchs' for question 'pattern' (did you mean 'round_patches'?)", col=16
    )


def test_unknown_option_inside_a_list_points_at_the_item(rules_copy):
    rules_copy.edit(TC, "scalp: {includes: [pus, boggy_swelling]}", "scalp: {includes: [pus, bogy_swelling]}")
    line = rules_copy.line(TC, "bogy_swelling")
    col = rules_copy.col(TC, "bogy_swelling")
    rules_copy.error_at(TC, line, "unknown option 'bogy_swelling'", col=col)


@pytest.mark.parametrize(
    ("old", "new", "fragment"),
    [
        ("scalp: {includes: none}", "scalp: none", "'scalp' is a several-choice question"),
        ("pattern: round_patches", "pattern: {includes: round_patches}", "'pattern' is a one-choice question"),
        ("scalp: {includes: none}", "age: round", "'age' is a number question"),
        ("scalp: {includes: none}", "pattern: {at_least: 3}", "'at_least:' only works on number questions"),
    ],
)
def test_wrong_operator_for_the_question_kind(rules_copy, old, new, fragment):
    rules_copy.edit(AA, old, new)
    rules_copy.error_at(AA, rules_copy.line(AA, new), fragment)


def test_ask_when_may_not_refer_to_itself_or_a_later_question(rules_copy):
    rules_copy.edit("questions.yaml", "      pattern: [round_patches, not_sure]", "      fever: yes")
    rules_copy.edit("questions.yaml", "      scalp: {includes: [pus, boggy_swelling]}", "      fever: no")
    later = rules_copy.line("questions.yaml", "fever: yes")
    itself = rules_copy.line("questions.yaml", "fever: no")
    rules_copy.error_at("questions.yaml", later, "'fever', a later question")
    rules_copy.error_at("questions.yaml", itself, "refers to itself")


def test_duplicate_ids(rules_copy):
    rules_copy.edit("red_flags.yaml", "id: unwell_child", "id: kerion")
    first = rules_copy.line("red_flags.yaml", "id: kerion")
    second = rules_copy.line("red_flags.yaml", "interrupt: true") - 2
    rules_copy.error_at("red_flags.yaml", second, f"duplicate red flag id 'kerion' (first used on line {first})")


def test_duplicate_question_id(rules_copy):
    rules_copy.edit("questions.yaml", "  - id: fever", "  - id: pattern")
    line = rules_copy.line("questions.yaml", "text: Have you had a fever?") - 2
    rules_copy.error_at("questions.yaml", line, "duplicate question id 'pattern'")


def test_type_without_sources(rules_copy):
    text = rules_copy.text(TC)
    start = text.index("sources:")
    rules_copy.write(TC, text[:start] + "sources: []\n")
    rules_copy.error_at(TC, rules_copy.line(TC, "sources: []"), "type 'tinea_capitis' has no sources")


def test_red_flag_without_sources(rules_copy):
    text = rules_copy.text("red_flags.yaml")
    cut = text.index("    sources:")
    end = text.index("  - id: unwell_child")
    rules_copy.write("red_flags.yaml", text[:cut] + "\n" + text[end:])
    rules_copy.error_at("red_flags.yaml", 2, "red flag 'kerion' has no sources")


def test_type_file_name_must_match_id(rules_copy):
    rules_copy.edit(PHL, "id: pattern_hair_loss", "id: pattern_loss")
    rules_copy.error_at(PHL, 1, "rename the file to 'pattern_loss.yaml'", col=5)


@pytest.mark.parametrize(
    ("rel", "old", "new"),
    [
        (AA, "care_level: soon", "care_level: son"),
        ("red_flags.yaml", "level: urgent", "level: urgnt"),
        ("care_levels.yaml", "unclear_level: soon", "unclear_level: sooon"),
    ],
)
def test_unknown_care_level(rules_copy, rel, old, new):
    rules_copy.edit(rel, old, new)
    value = new.split(": ")[1]
    rules_copy.error_at(rel, rules_copy.line(rel, new), f"unknown care level '{value}' (did you mean")


def test_unknown_section(rules_copy):
    rules_copy.edit("questions.yaml", "section: your_scalp", "section: your_scap")
    line = rules_copy.line("questions.yaml", "your_scap")
    rules_copy.error_at("questions.yaml", line, "unknown section 'your_scap' (did you mean 'your_scalp'?)")


CASES = "cases/basic.yaml"


@pytest.mark.parametrize(
    ("old", "new", "needle", "fragment"),
    [
        ("pattern: temples_crown}", "pattern: temple_crown}", "temple_crown}", "'temple_crown' is not an allowed value"),
        ("age: 45", "age: 145", "145", "'age': 145 is out of range"),
        ("scalp: [none]", "scalp: [none, itch]", "[none, itch]", "'none' cannot be combined"),
        ("scalp: [none]", "scalp: none", "none}", "'scalp' takes a list of values"),
        ("{age: 45,", "{agee: 45,", "agee", "unknown question 'agee' (did you mean 'age'?)"),
    ],
)
def test_case_answers_invalid_for_their_questions(rules_copy, old, new, needle, fragment):
    rules_copy.edit(CASES, old, new)
    line = rules_copy.line(CASES, needle)
    rules_copy.error_at(CASES, line, fragment, col=rules_copy.col(CASES, needle))


def test_case_expecting_unknown_ids(rules_copy):
    rules_copy.edit(CASES, "top3: [pattern_hair_loss]", "top3: [pattern_hairloss]")
    rules_copy.edit(CASES, "red_flags: [kerion, unwell_child]", "red_flags: [kerion, unwell]")
    rules_copy.edit(CASES, "care_level: routine", "care_level: whenever")
    rules_copy.error_at(
        CASES,
        rules_copy.line(CASES, "pattern_hairloss"),
        "unknown type 'pattern_hairloss' (did you mean 'pattern_hair_loss'?)",
        col=rules_copy.col(CASES, "pattern_hairloss"),
    )
    rules_copy.error_at(CASES, rules_copy.line(CASES, "unwell]"), "unknown red flag 'unwell'")
    rules_copy.error_at(CASES, rules_copy.line(CASES, "whenever"), "unknown care level 'whenever'")


def test_case_answering_a_question_that_would_not_be_asked_is_a_lint(rules_copy):
    rules_copy.edit(CASES, "answers: {age: 45, pattern: temples_crown}", "answers: {age: 45, pattern: temples_crown, fever: no}")
    rulebook = rules_copy.load()
    line = rules_copy.line(CASES, "fever: no")
    assert any(
        lint.startswith(f"rules/{CASES}:{line}:") and "answers 'fever', which would not be asked" in lint
        for lint in rulebook.lints
    )


def test_duplicate_case_id_across_files(rules_copy):
    rules_copy.write(
        "cases/more.yaml",
        "cases:\n  - id: adult_crown\n    title: Again\n    answers: {age: 45}\n    expect: {care_level: soon}\n",
    )
    rules_copy.error_at("cases/more.yaml", 2, "duplicate case id 'adult_crown' (first used at rules/cases/basic.yaml:")


# --- every problem at once -------------------------------------------------------------------


def test_every_problem_is_reported_at_once_and_sorted(rules_copy):
    rules_copy.edit(AA, "because: You said the skin", "becuase: You said the skin")
    rules_copy.edit(AA, "care_level: soon", "care_level: son")
    rules_copy.edit(PHL, "threshold: 4", "threshold: 0")
    rules_copy.edit("red_flags.yaml", "        - fever: yes", "        - fevr: yes")
    rules_copy.edit("questions.yaml", "    hint: Choose all that apply.", "    hint: Choose all that apply.\n    hnit: x")
    rules_copy.edit(CASES, "age: 45", "age: 145")
    for i in range(12):  # line 9 must sort before line 10
        rules_copy.write(TC, rules_copy.text(TC) + f"note{i}: x\n")
    with pytest.raises(RulebookError) as caught:
        rules_copy.load()
    errors = caught.value.errors
    files = {e.split(":", 1)[0] for e in errors}
    assert files == {f"rules/{f}" for f in (AA, PHL, TC, "red_flags.yaml", "questions.yaml", CASES)}
    assert str(caught.value) == "\n".join(errors)

    def key(line):
        file, ln, col, _ = line.split(":", 3)
        return (file, int(ln), int(col))

    assert [key(e) for e in errors] == sorted(key(e) for e in errors)
    tc_lines = [key(e)[1] for e in errors if e.startswith(f"rules/{TC}")]
    assert len(tc_lines) == 12 and tc_lines == sorted(tc_lines)


def test_a_broken_file_does_not_hide_problems_in_other_files(rules_copy):
    rules_copy.write(AA, "id: [broken\n")
    rules_copy.edit(CASES, "age: 45", "age: 145")
    errors = rules_copy.errors()
    assert any(e.startswith(f"rules/{AA}:") and "YAML syntax error" in e for e in errors)
    assert any(e.startswith(f"rules/{CASES}:") and "out of range" in e for e in errors)
    # the broken type still counts as declared: cases naming it are not flagged
    assert not any("unknown type 'alopecia_areata'" in e for e in errors)


def test_rulebook_error_sorts_lines_numerically():
    error = RulebookError(["r/b.yaml:10:1: x", "r/b.yaml:9:3: y", "r/a.yaml:20:1: z"])
    assert error.errors == ["r/a.yaml:20:1: z", "r/b.yaml:9:3: y", "r/b.yaml:10:1: x"]
    assert str(error) == "r/a.yaml:20:1: z\nr/b.yaml:9:3: y\nr/b.yaml:10:1: x"


def test_yml_extension_is_flagged(rules_copy):
    shutil.copy(rules_copy.root / AA, rules_copy.root / "types" / "extra.yml")
    rules_copy.error_at("types/extra.yml", 1, "must end in .yaml")


def test_option_show_when_may_only_refer_to_earlier_questions(rules_copy):
    rules_copy.edit(
        "questions.yaml",
        "      - value: pus\n        label: Pus-filled spots or crusts\n",
        "      - value: pus\n        label: Pus-filled spots or crusts\n        show_when: {fever: 'yes'}\n",
    )
    line = rules_copy.line("questions.yaml", "show_when: {fever: 'yes'}")
    rules_copy.error_at("questions.yaml", line, "the show_when of option 'pus' of 'scalp' refers to 'fever', a later question")


def test_unasked_must_name_a_question(rules_copy):
    rules_copy.write(PHL, rules_copy.text(PHL) + "unasked:\n  fevr: Asked only after pus.\n")
    rules_copy.error_at("types/pattern_hair_loss.yaml", rules_copy.line("types/pattern_hair_loss.yaml", "fevr:"), "unknown question 'fevr' (did you mean 'fever'?)")


def test_merged_questions_must_point_at_a_several_choice_question(rules_copy):
    rules_copy.edit("questions.yaml", "sections:\n", "merged_questions:\n  old_scalp: fever\n  age: scalp\nsections:\n")
    rules_copy.error_at("questions.yaml", rules_copy.line("questions.yaml", "old_scalp: fever"), "'fever' is not a several-choice question")
    rules_copy.error_at("questions.yaml", rules_copy.line("questions.yaml", "  age: scalp"), "'age' is still a question")


# --- rule files that must not hurt the server (issue 17) --------------------------------

ALIAS_BOMB = "\n".join(
    ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    + [f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]" for i in range(8)]
) + "\n"


@pytest.mark.parametrize(
    ("name", "text", "fragment", "line"),
    [
        ("alias bomb", ALIAS_BOMB, "aliases (*name) are not allowed", 2),
        ("5,000-digit number", "cases:\n  - id: x\n    title: y\n    answers: {age: " + "9" * 5000 + "}\n", "longer than 30 digits", 4),
        ("20,000-deep list", "cases: " + "[" * 20000 + "]" * 20000 + "\n", "nested more than 50 levels deep", 1),
    ],
)
def test_hostile_rule_files_are_refused_quickly_with_one_message(rules_copy, name, text, fragment, line):
    import time

    rules_copy.write("cases/hostile.yaml", text)
    started = time.perf_counter()
    errors = rules_copy.errors()
    took = time.perf_counter() - started
    assert took < 1.0, f"{name} took {took:.2f} s"
    mine = [e for e in errors if e.startswith("rules/cases/hostile.yaml:")]
    assert mine and all(fragment in e for e in mine), errors
    assert mine[0].startswith(f"rules/cases/hostile.yaml:{line}:")
    assert len(ALIAS_BOMB) < 600  # the bomb is small; expanded it would be 10**9 items


def test_a_missing_types_folder_is_one_line(rules_copy):
    import shutil

    shutil.rmtree(rules_copy.root / "types")
    assert rules_copy.errors() == ["rules/types:1:1: the types/ folder is missing"]


def test_a_missing_required_file_is_named_alone(rules_copy):
    (rules_copy.root / "questions.yaml").unlink()
    errors = rules_copy.errors()
    assert len(errors) == 1 and "questions.yaml" in errors[0] and "file not found" in errors[0]
