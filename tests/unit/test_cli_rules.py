"""The rule-file commands through click's CliRunner: output, JSON contract and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from triage.cli_rules import make_cli, register


@pytest.fixture
def run():
    cli = make_cli()
    runner = CliRunner()

    def invoke(*args, env=None):
        return runner.invoke(cli, [str(a) for a in args], env=env, catch_exceptions=False)

    return invoke


def test_register_adds_the_commands_to_a_group():
    group = click.Group("triage")
    register(group)
    assert set(group.commands) == {"rules", "questions", "evaluate"}
    assert set(group.commands["rules"].commands) == {"check", "cases", "export", "review", "diff"}


def test_check_ok(run, rules_min, rulebook):
    result = run("rules", "check", rules_min)
    assert result.exit_code == 0
    assert result.stdout == (
        f"OK: 4 questions, 3 types, 2 red flags, 0 care notes, 4 cases (version {rulebook.version})\n"
        "Questions asked: median 2.5 over the 4 worked cases\n"
        "Clinical review: 0 of 7 rule files reviewed for their current content, 0 changed since review, 7 not reviewed\n"
    )
    assert "warning: type 'tinea_capitis' has only one source" in result.stderr
    # One warning line per rule file not reviewed: a warning, never an error.
    unreviewed = [line for line in result.stderr.splitlines() if "has not been reviewed" in line]
    assert unreviewed == [
        f"rules_min/{file}:1:1: warning: this file has not been reviewed: no clinician has recorded a review of it"
        for file in rulebook.file_hashes
    ]


def test_check_uses_the_default_folder_from_the_environment(run, rules_min):
    result = run("rules", "check", env={"TRIAGE_RULES_DIR": str(rules_min)})
    assert result.exit_code == 0 and result.stdout.startswith("OK: 4 questions")


def test_check_invalid_prints_every_error_and_exits_1(run, rules_copy):
    rules_copy.edit("types/alopecia_areata.yaml", "care_level: soon", "care_level: son")
    rules_copy.edit("red_flags.yaml", "        - fever: yes", "        - fevr: yes")
    result = run("rules", "check", rules_copy.root)
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    aa_line = rules_copy.line("types/alopecia_areata.yaml", "care_level: son")
    flag_line = rules_copy.line("red_flags.yaml", "fevr")
    assert lines[0].startswith(f"rules/red_flags.yaml:{flag_line}:11: unknown question 'fevr'")
    assert lines[1].startswith(f"rules/types/alopecia_areata.yaml:{aa_line}:13: unknown care level 'son'")


def test_check_missing_folder_exits_1(run, tmp_path):
    result = run("rules", "check", tmp_path / "missing")
    assert result.exit_code == 1
    assert "not a folder" in result.stderr


def test_cases_pass(run, rules_min):
    result = run("rules", "cases", rules_min)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["case", "expected", "actual", "result"]
    for case_id in ("adult_round_patch", "child_kerion", "adult_crown", "young_child_thinning"):
        row = next(line for line in lines if line.startswith(case_id + " "))
        assert row.endswith("PASS")
    assert lines[-1] == "4 passed, 0 failed"


def test_cases_failure_exits_1_and_explains(run, rules_copy):
    rules_copy.edit("cases/basic.yaml", "care_level: routine", "care_level: urgent")
    result = run("rules", "cases", rules_copy.root)
    assert result.exit_code == 1
    row = next(line for line in result.stdout.splitlines() if line.startswith("adult_crown "))
    assert row.endswith("FAIL")
    assert "care urgent" in row and "care routine" in row
    line = rules_copy.line("cases/basic.yaml", "id: adult_crown")
    assert f"rules/cases/basic.yaml:{line}:" in result.stdout
    assert "expected care level 'urgent', got 'routine'" in result.stdout
    assert result.stdout.splitlines()[-1] == "3 passed, 1 failed"


def test_cases_with_invalid_rules_exits_1(run, rules_copy):
    rules_copy.edit("questions.yaml", "kind: several", "kind: sevral")
    result = run("rules", "cases", rules_copy.root)
    assert result.exit_code == 1
    assert "rules/questions.yaml:" in result.stderr


def test_questions_json(run, rules_min):
    result = run("questions", "--json", "--rules", rules_min)
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert [q["id"] for q in data] == ["age", "pattern", "scalp", "fever"]
    scalp = data[2]
    assert scalp["kind"] == "several"
    assert scalp["text"] == "What do you notice on your scalp?"
    assert scalp["ask_when"] == {"pattern": ["round_patches", "not_sure"]}
    assert {"value": "none", "label": "None of these", "exclusive": True} in scalp["options"]
    assert data[3]["ask_when"] == {"scalp": {"includes": ["pus", "boggy_swelling"]}}
    assert [o["value"] for o in data[3]["options"]] == ["yes", "no", "not_sure"]
    assert data[0]["ask_when"] is None and data[0]["min"] == 0 and data[0]["max"] == 110


def test_questions_text(run, rules_min):
    result = run("questions", "--rules", rules_min)
    assert result.exit_code == 0
    assert "3. scalp (several): What do you notice on your scalp?" in result.stdout
    assert "asked when: Pattern is one of: \u201cRound or oval smooth bald patches\u201d, \u201cNot sure\u201d" in result.stdout


KERION_CHILD = {"age": 7, "pattern": "round_patches", "scalp": ["boggy_swelling"], "fever": "yes"}


def test_evaluate_json_contract(run, rules_min, rulebook, tmp_path):
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(KERION_CHILD))
    result = run("evaluate", path, "--json", "--rules", rules_min)
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert set(data) == {"suggestions", "unclear", "care_level", "red_flags", "care_notes", "rulebook_version"}
    assert data["unclear"] is False
    assert data["care_level"] == "emergency"
    assert data["rulebook_version"] == rulebook.version
    assert data["red_flags"] == [
        {"id": "kerion", "level": "urgent", "message": rulebook.red_flag_by_id["kerion"].message},
        {"id": "unwell_child", "level": "emergency", "message": rulebook.red_flag_by_id["unwell_child"].message},
    ]
    (top,) = data["suggestions"]
    assert set(top) == {"type", "name", "score", "threshold", "evidence"}
    assert (top["type"], top["name"], top["score"], top["threshold"]) == (
        "tinea_capitis", "Scalp ringworm (tinea capitis)", 7, 5,
    )
    assert [e["points"] for e in top["evidence"]] == [2, 3, 2]
    assert sum(e["points"] for e in top["evidence"]) == top["score"]
    first = top["evidence"][0]
    assert first["because"] == "You said there are patches."
    assert first["file"] == "rules_min/types/tinea_capitis.yaml"
    text = (rules_min / "types/tinea_capitis.yaml").read_text().splitlines()
    assert text[first["line"] - 1].strip() == "pattern: [round_patches, not_sure]"


def test_evaluate_yaml_answers_human_output(run, rules_min, tmp_path):
    path = tmp_path / "answers.yaml"
    path.write_text("age: 30\npattern: round_patches\nscalp: [none]\n")
    result = run("evaluate", path, "--rules", rules_min)
    assert result.exit_code == 0
    out = result.stdout
    assert "Care level: soon - See a doctor within weeks" in out
    assert "1. Alopecia areata (alopecia_areata): score 6, threshold 5" in out
    assert "+4  You said the patches are round and smooth.  [rules_min/types/alopecia_areata.yaml:" in out


def test_evaluate_unclear_human_output(run, rules_min, tmp_path):
    path = tmp_path / "answers.json"
    path.write_text("{}")
    result = run("evaluate", path, "--rules", rules_min)
    assert result.exit_code == 0
    assert "No documented type fits these answers well" in result.stdout


@pytest.mark.parametrize(
    ("content", "suffix", "fragments"),
    [
        ('{"pattern": "round"}', ".json", ["'pattern'", "allowed values: round_patches, all_over"]),
        ('{"scalp": ["none", "itch"]}', ".json", ["'scalp': 'none' cannot be combined"]),
        ('{"age": 300}', ".json", ["'age': 300 is out of range"]),
        ('{"agee": 3}', ".json", ["unknown question 'agee'"]),
        ("{not json", ".json", ["not valid JSON"]),
        ("[1, 2]", ".json", ["expected a mapping of question id to answer"]),
        ("age: [1\n", ".yaml", ["YAML syntax error"]),
    ],
)
def test_evaluate_invalid_answers_exit_2(run, rules_min, tmp_path, content, suffix, fragments):
    path = tmp_path / f"answers{suffix}"
    path.write_text(content)
    result = run("evaluate", path, "--json", "--rules", rules_min)
    assert result.exit_code == 2
    assert result.stdout == ""
    for fragment in fragments:
        assert fragment in result.stderr


def test_evaluate_missing_file_exit_2(run, rules_min, tmp_path):
    result = run("evaluate", tmp_path / "nope.json", "--rules", rules_min)
    assert result.exit_code == 2


def test_evaluate_with_invalid_rules_exit_1(run, rules_copy, tmp_path):
    rules_copy.edit("questions.yaml", "kind: several", "kind: sevral")
    path = tmp_path / "answers.json"
    path.write_text("{}")
    result = run("evaluate", path, "--rules", rules_copy.root)
    assert result.exit_code == 1
    assert "rules/questions.yaml:" in result.stderr


def test_python_dash_m_works(rules_min):
    done = subprocess.run(
        [sys.executable, "-m", "triage.cli_rules", "rules", "check", str(rules_min)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("OK: 4 questions, 3 types, 2 red flags, 0 care notes, 4 cases")


def test_questions_show_which_options_are_offered_only_sometimes(run, rules_copy):
    rules_copy.edit(
        "questions.yaml",
        "      - value: pus\n        label: Pus-filled spots or crusts\n",
        "      - value: pus\n        label: Pus-filled spots or crusts\n        show_when: {not: {age: {below: 12}}}\n",
    )
    data = json.loads(run("questions", "--json", "--rules", rules_copy.root).stdout)
    pus = next(o for o in data[2]["options"] if o["value"] == "pus")
    assert pus["show_when"] == {"not": {"age": {"below": 12}}}
    assert "show_when" not in next(o for o in data[2]["options"] if o["value"] == "itch")
    text = run("questions", "--rules", rules_copy.root).stdout
    assert "pus: Pus-filled spots or crusts (offered when: Age is not below 12)" in text
