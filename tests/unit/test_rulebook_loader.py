"""Loading and validating a rules folder: every problem, each with its file and line."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers.rules import RulesCopy
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


# --- one broken thing, each problem reported at its place ------------------------------------
#
# Each row changes a copy of the fixture rules (tests/fixtures/rules_min) and names the
# error(s) it must cause: the file, the line (a number, or the line of some text in the
# changed file, plus an offset), the words, and where given the column.

Change = Callable[[RulesCopy], object]
CASES = "cases/basic.yaml"
Q = "questions.yaml"
RF = "red_flags.yaml"


def edit(rel: str, old: str, new: str) -> Change:
    return lambda rules: rules.edit(rel, old, new)


def write(rel: str, text: str) -> Change:
    return lambda rules: rules.write(rel, text)


def append(rel: str, text: str) -> Change:
    return lambda rules: rules.write(rel, rules.text(rel) + text)


def cut(rel: str, start: str, end: str | None, instead: str) -> Change:
    """Replace the text from ``start`` up to ``end`` (or the end of the file) with ``instead``."""

    def change(rules: RulesCopy) -> None:
        text = rules.text(rel)
        rules.write(rel, text[: text.index(start)] + instead + (text[text.index(end):] if end else ""))

    return change


def delete(rel: str) -> Change:
    return lambda rules: (rules.root / rel).unlink()


def copy(rel: str, to: str) -> Change:
    return lambda rules: shutil.copy(rules.root / rel, rules.root / to)


@dataclass(frozen=True)
class At:
    """One error that must be reported: ``rules/<rel>:<line>[:<col>]: ...<fragment>...``.

    ``line`` is a number or the text on that line (``offset`` lines further on); ``col`` a
    number or the text whose column it is; ``fragment`` may be worked out from the changed
    files; ``also`` are more words the same error must hold.
    """

    rel: str
    line: int | str
    fragment: str | Callable[[RulesCopy], str]
    col: int | str | None = None
    offset: int = 0
    also: tuple[str, ...] = ()


def row(id: str, changes: Change | list[Change], *errors: At):  # noqa: A002 - pytest's own word
    return pytest.param(changes if isinstance(changes, list) else [changes], errors, id=id)


TAGS = {"python-object": "!!python/object/apply:os.system ['true']", "str": "!!str 5", "custom": "!custom x"}
WRONG_OPERATORS = [  # (old, new, fragment); the id is the question's kind
    ("scalp: {includes: none}", "scalp: none", "'scalp' is a several-choice question"),
    ("pattern: round_patches", "pattern: {includes: round_patches}", "'pattern' is a one-choice question"),
    ("scalp: {includes: none}", "age: round", "'age' is a number question"),
    ("scalp: {includes: none}", "pattern: {at_least: 3}", "'at_least:' only works on number questions"),
]
UNKNOWN_CARE_LEVELS = [
    (AA, "care_level: soon", "care_level: son"),
    (RF, "level: urgent", "level: urgnt"),
    ("care_levels.yaml", "unclear_level: soon", "unclear_level: sooon"),
]
CASE_ANSWERS = [
    ("pattern: temples_crown}", "pattern: temple_crown}", "temple_crown}", "'temple_crown' is not an allowed value"),
    ("age: 45", "age: 145", "145", "'age': 145 is out of range"),
    ("scalp: [none]", "scalp: [none, itch]", "[none, itch]", "'none' cannot be combined"),
    ("scalp: [none]", "scalp: none", "none}", "'scalp' takes a list of values"),
    ("{age: 45,", "{agee: 45,", "agee", "unknown question 'agee' (did you mean 'age'?)"),
]

BROKEN = [
    # YAML problems
    row("yaml-syntax-error",
        edit(AA, "other_names: [Patchy alopecia areata]", "other_names: [Patchy alopecia areata"),
        At(AA, "group: patchy", "YAML syntax error")),
    row("duplicate-keys-are-all-reported",
        [edit(AA, "threshold: 5\n", "threshold: 5\nthreshold: 6\n"), edit(PHL, "threshold: 4\n", "threshold: 4\nthreshold: 9\n")],
        At(AA, "threshold: 6", "duplicate key 'threshold' (first written on line", col=1),
        At(PHL, "threshold: 9", "duplicate key 'threshold'")),
    *[row(f"explicit-tag-rejected-{name}", edit(AA, "group: patchy", f"group: {tag}"),
          At(AA, "group: ", "explicit YAML tag", col=8, also=("is not allowed",)))
      for name, tag in TAGS.items()],
    row("empty-file", write(RF, "# nothing yet\n"), At(RF, 1, "file is empty")),
    row("missing-required-file", delete("care_levels.yaml"), At("care_levels.yaml", 1, "file not found")),
    # model problems
    row("unknown-key-at-the-key-with-did-you-mean",
        edit(AA, "because: You said the patches", "becuase: You said the patches"),
        At(AA, "becuase:", "unknown key 'becuase' (did you mean 'because'?)", col=5),
        # the same item now lacks 'because': reported at the item's mapping
        At(AA, "  - when:\n      pattern: round_patches", "missing key 'because'", col=5)),
    row("missing-key-at-the-parent-mapping",
        edit(Q, "    text: Have you had a fever?\n", ""),
        At(Q, "  - id: fever", "missing key 'text'", col=5)),
    row("wrong-type", edit(PHL, "threshold: 4", "threshold: four"),
        At(PHL, "threshold: four", "expected a whole number, got 'four'", col=12)),
    row("quoted-number-is-not-coerced", edit(PHL, "points: 1\n", 'points: "1"\n'),
        At(PHL, 'points: "1"', "expected a whole number, got '1'")),
    row("wrong-literal-with-did-you-mean", edit(Q, "kind: several", "kind: sevral"),
        At(Q, "kind: sevral", "'sevral' is not allowed (did you mean 'several'?)")),
    row("bad-id-and-url",
        [edit(AA, "url: https://example.org/aa1", "url: example.org/aa1"), edit(RF, "id: kerion", "id: Kerion")],
        At(AA, "url: example.org", "is not a web address"),
        At(RF, "id: Kerion", "is not a valid id")),
    row("model-level-problem-at-the-key",
        edit(Q, "    min: 0\n", "    min: 0\n    options: [{value: a, label: A}]\n"),
        At(Q, "options: [{", "a number question has no options")),
    row("duplicate-option-value", edit(Q, "      - value: all_over", "      - value: round_patches"),
        At(Q, "label: Thinning all over", "duplicate option value 'round_patches'", offset=-1)),
    row("zero-points", edit(AA, "points: 2\n", "points: 0\n"), At(AA, "points: 0", "points must not be 0")),
    row("malformed-condition-at-the-bad-node", edit(TC, "age: {below: 16}", "age: {belw: 16}"),
        At(TC, "age: {belw", "unknown operator 'belw' in the test on 'age' (did you mean 'below'?)", col="belw")),
    row("condition-with-two-keys",
        edit(AA, "      pattern: round_patches\n", "      pattern: round_patches\n      age: {below: 3}\n"),
        At(AA, "pattern: round_patches", "exactly one key, but this one has 2")),
    # cross-file problems
    row("unknown-question-in-condition", edit(RF, "        - fever: yes", "        - fevr: yes"),
        At(RF, "fevr", "unknown question 'fevr' (did you mean 'fever'?)", col=11)),
    row("unknown-option-in-condition", edit(AA, "pattern: round_patches", "pattern: round_patchs"),
        At(AA, "round_patchs", "unknown option 'round_patchs' for question 'pattern' (did you mean 'round_patches'?)",
           col=16)),
    row("unknown-option-inside-a-list-at-the-item",
        edit(TC, "scalp: {includes: [pus, boggy_swelling]}", "scalp: {includes: [pus, bogy_swelling]}"),
        At(TC, "bogy_swelling", "unknown option 'bogy_swelling'", col="bogy_swelling")),
    *[row(f"wrong-operator-for-the-question-kind-{kind}", edit(AA, old, new), At(AA, new, fragment))
      for kind, (old, new, fragment) in zip(["several", "one", "number", "at-least"], WRONG_OPERATORS, strict=True)],
    row("ask-when-may-not-refer-to-itself-or-a-later-question",
        [edit(Q, "      pattern: [round_patches, not_sure]", "      fever: yes"),
         edit(Q, "      scalp: {includes: [pus, boggy_swelling]}", "      fever: no")],
        At(Q, "fever: yes", "'fever', a later question"),
        At(Q, "fever: no", "refers to itself")),
    row("duplicate-red-flag-ids", edit(RF, "id: unwell_child", "id: kerion"),
        At(RF, "interrupt: true", lambda rules: f"duplicate red flag id 'kerion' (first used on line {rules.line(RF, 'id: kerion')})",
           offset=-2)),
    row("duplicate-question-id", edit(Q, "  - id: fever", "  - id: pattern"),
        At(Q, "text: Have you had a fever?", "duplicate question id 'pattern'", offset=-2)),
    row("type-without-sources", cut(TC, "sources:", None, "sources: []\n"),
        At(TC, "sources: []", "type 'tinea_capitis' has no sources")),
    row("red-flag-without-sources", cut(RF, "    sources:", "  - id: unwell_child", "\n"),
        At(RF, 2, "red flag 'kerion' has no sources")),
    row("type-file-name-must-match-id", edit(PHL, "id: pattern_hair_loss", "id: pattern_loss"),
        At(PHL, 1, "rename the file to 'pattern_loss.yaml'", col=5)),
    *[row(f"unknown-care-level-{where}", edit(rel, old, new),
          At(rel, new, f"unknown care level '{new.split(': ')[1]}' (did you mean"))
      for where, (rel, old, new) in zip(["type", "red-flag", "unclear-level"], UNKNOWN_CARE_LEVELS, strict=True)],
    row("unknown-section", edit(Q, "section: your_scalp", "section: your_scap"),
        At(Q, "your_scap", "unknown section 'your_scap' (did you mean 'your_scalp'?)")),
    *[row(f"case-answers-invalid-{what}", edit(CASES, old, new), At(CASES, needle, fragment, col=needle))
      for what, (old, new, needle, fragment)
      in zip(["not-allowed", "out-of-range", "none-combined", "not-a-list", "unknown-question"], CASE_ANSWERS, strict=True)],
    row("case-expecting-unknown-ids",
        [edit(CASES, "top3: [pattern_hair_loss]", "top3: [pattern_hairloss]"),
         edit(CASES, "red_flags: [kerion, unwell_child]", "red_flags: [kerion, unwell]"),
         edit(CASES, "care_level: routine", "care_level: whenever")],
        At(CASES, "pattern_hairloss", "unknown type 'pattern_hairloss' (did you mean 'pattern_hair_loss'?)",
           col="pattern_hairloss"),
        At(CASES, "unwell]", "unknown red flag 'unwell'"),
        At(CASES, "whenever", "unknown care level 'whenever'")),
    row("duplicate-case-id-across-files",
        write("cases/more.yaml",
              "cases:\n  - id: adult_crown\n    title: Again\n    answers: {age: 45}\n    expect: {care_level: soon}\n"),
        At("cases/more.yaml", 2, "duplicate case id 'adult_crown' (first used at rules/cases/basic.yaml:")),
    row("yml-extension-is-flagged", copy(AA, "types/extra.yml"), At("types/extra.yml", 1, "must end in .yaml")),
    row("option-show-when-may-only-refer-to-earlier-questions",
        edit(Q, "      - value: pus\n        label: Pus-filled spots or crusts\n",
             "      - value: pus\n        label: Pus-filled spots or crusts\n        show_when: {fever: 'yes'}\n"),
        At(Q, "show_when: {fever: 'yes'}", "the show_when of option 'pus' of 'scalp' refers to 'fever', a later question")),
    row("unasked-must-name-a-question", append(PHL, "unasked:\n  fevr: Asked only after pus.\n"),
        At(PHL, "fevr:", "unknown question 'fevr' (did you mean 'fever'?)")),
    row("merged-questions-must-point-at-a-several-choice-question",
        edit(Q, "sections:\n", "merged_questions:\n  old_scalp: fever\n  age: scalp\nsections:\n"),
        At(Q, "old_scalp: fever", "'fever' is not a several-choice question"),
        At(Q, "  age: scalp", "'age' is still a question")),
]


@pytest.mark.parametrize(("changes", "errors"), BROKEN)
def test_a_broken_rule_is_reported_at_its_place(rules_copy, changes, errors):
    for change in changes:
        change(rules_copy)
    for at in errors:
        line = at.line if isinstance(at.line, int) else rules_copy.line(at.rel, at.line) + at.offset
        col = rules_copy.col(at.rel, at.col) if isinstance(at.col, str) else at.col
        fragment = at.fragment if isinstance(at.fragment, str) else at.fragment(rules_copy)
        error = rules_copy.error_at(at.rel, line, fragment, col=col)
        for words in at.also:
            assert words in error, error


# --- more than one message, or a different kind of check ----------------------------------


def test_not_a_folder(tmp_path):
    with pytest.raises(RulebookError) as caught:
        load_rulebook(tmp_path / "nope")
    assert "not a folder" in str(caught.value)


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


def test_case_answering_a_question_that_would_not_be_asked_is_a_lint(rules_copy):
    rules_copy.edit(CASES, "answers: {age: 45, pattern: temples_crown}", "answers: {age: 45, pattern: temples_crown, fever: no}")
    rulebook = rules_copy.load()
    line = rules_copy.line(CASES, "fever: no")
    assert any(
        lint.startswith(f"rules/{CASES}:{line}:") and "answers 'fever', which would not be asked" in lint
        for lint in rulebook.lints
    )


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
    shutil.rmtree(rules_copy.root / "types")
    assert rules_copy.errors() == ["rules/types:1:1: the types/ folder is missing"]


def test_a_missing_required_file_is_named_alone(rules_copy):
    (rules_copy.root / "questions.yaml").unlink()
    errors = rules_copy.errors()
    assert len(errors) == 1 and "questions.yaml" in errors[0] and "file not found" in errors[0]
