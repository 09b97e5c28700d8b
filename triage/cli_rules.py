"""Command-line tools for the rule files.

    triage rules check [DIR]     validate a rules folder (exit 1 with file:line errors)
    triage rules cases [DIR]     run the worked cases (exit 1 on any failure)
    triage rules export [--format html|markdown] [--output FILE] [DIR]
                                 the whole rulebook as one printable document
    triage questions [--json] [--rules DIR]
    triage evaluate FILE [--json] [--rules DIR]   (exit 2 when the answers are invalid)

``register(group)`` adds these to the ``triage`` command group. While that
group is being built, ``python -m triage.cli_rules ...`` runs them standalone.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from .rulebook import (
    Assessment,
    Rulebook,
    RulebookError,
    evaluate,
    load_rulebook,
    run_cases,
    upgrade_answers,
    validate_answers,
)
from .rulebook.hidden import hidden_evidence, median_questions
from .rulebook.models import Question
from .rulebook.source import YMap, read_yaml

RULES_DIR = click.Path(file_okay=False, path_type=Path)


def _load(rules_dir: Path | None) -> Rulebook:
    """Load the rules or print every error on stderr and exit 1."""
    try:
        return load_rulebook(rules_dir)
    except RulebookError as exc:
        for line in exc.errors:
            click.echo(line, err=True)
        click.get_current_context().exit(1)
        raise  # unreachable: exit() raises


def _fail_answers(path: Path, messages: list[str]) -> None:
    """Print why the answers file is invalid and exit 2."""
    click.echo(f"Error: the answers in {path} are not valid:", err=True)
    for message in messages:
        click.echo(f"  {message}", err=True)
    click.get_current_context().exit(2)


def _read_answers(path: Path) -> dict[str, Any]:
    """Answers keyed by question id, from a JSON or YAML file (exit 2 when unreadable)."""
    raw = path.read_bytes()
    data: Any = None
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(raw.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            _fail_answers(path, [f"not valid JSON: {exc}"])
    else:
        data, problems = read_yaml(raw, str(path))
        if problems:
            _fail_answers(path, [str(p) for p in problems])
    if not isinstance(data, dict):
        _fail_answers(path, ["expected a mapping of question id to answer, such as {\"age\": 30}"])
    return dict(data) if isinstance(data, YMap) else data


# --- rules check / rules cases ------------------------------------------------------------


@click.group("rules")
def rules_group() -> None:
    """Check the rule files and run the worked cases."""


@rules_group.command("check")
@click.argument("rules_dir", required=False, type=RULES_DIR)
def check_command(rules_dir: Path | None) -> None:
    """Validate a rules folder; print every problem as file:line:col."""
    rulebook = _load(rules_dir)
    for lint in rulebook.lints:
        click.echo(lint, err=True)
    for hidden in hidden_evidence(rulebook):
        click.echo(f"{hidden.where}: warning: {hidden.message}", err=True)
    click.echo(
        f"OK: {len(rulebook.questions)} questions, {len(rulebook.types)} types, "
        f"{len(rulebook.red_flags)} red flags, {len(rulebook.care_notes)} care notes, "
        f"{len(rulebook.cases)} cases (version {rulebook.version})"
    )
    median = median_questions(rulebook)
    if median is not None:
        click.echo(f"Questions asked: median {median:g} over the {len(rulebook.cases)} worked cases")


def _table(rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows)


@rules_group.command("cases")
@click.argument("rules_dir", required=False, type=RULES_DIR)
def cases_command(rules_dir: Path | None) -> None:
    """Run every worked case; exit 1 if any fails."""
    rulebook = _load(rules_dir)
    results = run_cases(rulebook)
    if not results:
        click.echo("No cases found (add some under cases/).")
        return
    rows = [("case", "expected", "actual", "result")]
    rows += [(r.case_id, r.expected, r.actual, "PASS" if r.passed else "FAIL") for r in results]
    click.echo(_table(rows))
    failed = [r for r in results if not r.passed]
    for result in failed:
        where = rulebook.case_where.get(result.case_id)
        for failure in result.failures:
            click.echo(f"{where}: {result.case_id}: {failure}")
    click.echo(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    if failed:
        click.get_current_context().exit(1)


@rules_group.command("export")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["html", "markdown"]),
    default="html",
    show_default=True,
    help="HTML (one self-contained page) or Markdown.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    default=None,
    help="Write to this file instead of the terminal.",
)
@click.argument("rules_dir", required=False, type=RULES_DIR)
def export_command(fmt: str, output: Path | None, rules_dir: Path | None) -> None:
    """Write the whole rulebook as one printable document (types, questions, red flags, cases, warnings)."""
    from .export import export

    rulebook = _load(rules_dir)
    document = export(rulebook, fmt)
    if output is None:
        click.echo(document, nl=False)
        return
    output.write_text(document, encoding="utf-8")
    click.echo(f"Wrote {output} ({fmt}, rulebook version {rulebook.version})", err=True)


# --- questions ------------------------------------------------------------------------------


def question_data(question: Question) -> dict[str, Any]:
    """A question as plain data; ``ask_when`` and ``show_when`` exactly as written in the YAML."""

    def option(o: Any) -> dict[str, Any]:
        data = {"value": o.value, "label": o.label, "exclusive": o.exclusive}
        if o.hint:
            data["hint"] = o.hint
        if o.show_when is not None:
            data["show_when"] = o.show_when.raw
        return data

    data: dict[str, Any] = {
        "id": question.id,
        "kind": question.kind,
        "section": question.section,
        "text": question.text,
        "hint": question.hint,
        "options": [option(o) for o in question.options],
        "ask_when": question.ask_when.raw if question.ask_when is not None else None,
    }
    if question.kind == "number":
        data.update(min=question.min, max=question.max, unit=question.unit)
    return data


@click.command("questions")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--rules", "rules_dir", type=RULES_DIR, default=None, help="The rules folder.")
def questions_command(as_json: bool, rules_dir: Path | None) -> None:
    """Print every question: id, kind, options and when it is asked."""
    rulebook = _load(rules_dir)
    if as_json:
        click.echo(json.dumps([question_data(q) for q in rulebook.questions], indent=2, ensure_ascii=False))
        return
    for number, q in enumerate(rulebook.questions, 1):
        click.echo(f"{number}. {q.id} ({q.kind}): {q.text}")
        for option in q.options:
            extra = " (on its own)" if option.exclusive else ""
            if option.show_when is not None:
                extra += f" (offered when: {rulebook.describe(option.show_when)})"
            click.echo(f"     {option.value}: {option.label}{extra}")
        if q.kind == "number":
            click.echo(f"     a number from {q.min} to {q.max}" + (f" {q.unit}" if q.unit else ""))
        if q.ask_when is not None:
            click.echo(f"     asked when: {rulebook.describe(q.ask_when)}")


# --- evaluate --------------------------------------------------------------------------------


def render_text(rulebook: Rulebook, assessment: Assessment) -> str:
    """The assessment in plain words, for the terminal."""
    level = rulebook.level(assessment.care_level)
    lines = [f"Care level: {level.id} - {level.label} ({level.timeframe})"]
    for reason in assessment.care_reasons:
        what = {"red_flag": "red flag", "type": "suggested type", "unclear": "no type fits well"}[reason.source]
        lines.append(f"  set by {what}" + (f" '{reason.id}'" if reason.id else ""))
    if assessment.red_flags:
        lines.append("Red flags:")
        lines += [f"  ! {flag.id} ({flag.level}): {flag.message}" for flag in assessment.red_flags]
    if assessment.unclear:
        lines.append("No documented type fits these answers well (none reached its threshold): see a doctor.")
    else:
        lines.append("Types to ask a doctor about:")
        for number, s in enumerate(assessment.suggestions, 1):
            lines.append(f"  {number}. {s.name} ({s.type_id}): score {s.score}, threshold {s.threshold}")
            lines += [f"       {hit.points:+d}  {hit.because}  [{hit.where.file_line}]" for hit in s.evidence]
    lines.append(f"Rulebook version: {assessment.rulebook_version}")
    return "\n".join(lines)


@click.command("evaluate")
@click.argument("answers_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--rules", "rules_dir", type=RULES_DIR, default=None, help="The rules folder.")
def evaluate_command(answers_file: Path, as_json: bool, rules_dir: Path | None) -> None:
    """Assess the answers in FILE (JSON or YAML, keyed by question id)."""
    rulebook = _load(rules_dir)
    answers = upgrade_answers(rulebook, _read_answers(answers_file))  # old answer files still work
    problems = validate_answers(rulebook, answers)
    if problems:
        _fail_answers(answers_file, problems)
    assessment = evaluate(rulebook, answers)
    if as_json:
        click.echo(json.dumps(assessment.as_json(), indent=2, ensure_ascii=False))
    else:
        click.echo(render_text(rulebook, assessment))


# --- wiring ------------------------------------------------------------------------------------


def register(group: click.Group) -> None:
    """Add ``rules`` (check, cases), ``questions`` and ``evaluate`` to a click group."""
    group.add_command(rules_group)
    group.add_command(questions_command)
    group.add_command(evaluate_command)


def make_cli() -> click.Group:
    """A standalone ``triage`` group holding only these commands."""

    @click.group("triage")
    def cli() -> None:
        """Hair-loss triage: rule-file tools."""

    register(cli)
    return cli


if __name__ == "__main__":
    make_cli()()
