"""Command-line tools for the rule files.

    triage rules check [DIR]     validate a rules folder (exit 1 with file:line errors)
    triage rules cases [DIR]     run the worked cases (exit 1 on any failure)
    triage rules export [--format html|markdown] [--output FILE] [DIR]
                                 the whole rulebook as one printable document
    triage rules review FILE --by NAME --role ROLE --outcome OUTCOME [...] [--rules DIR]
                                 record a clinician's review of a rule file's current content
    triage rules diff OLD [NEW] [--format text|markdown|html] [--output FILE] [--rules DIR]
                                 what NEW changes from OLD, clinically (folders or git revisions)
    triage questions [--json] [--rules DIR]
    triage evaluate FILE [--json] [--rules DIR]   (exit 2 when the answers are invalid)

``register(group)`` adds these to the ``triage`` command group. While that
group is being built, ``python -m triage.cli_rules ...`` runs them standalone.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Literal, overload

import click

from .rulebook import (
    Assessment,
    Rulebook,
    RulebookError,
    default_rules_dir,
    evaluate,
    load_rulebook,
    run_cases,
    upgrade_answers,
    validate_answers,
)
from .rulebook.conditions import suggest
from .rulebook.hidden import hidden_evidence, median_questions
from .rulebook.loader import REVIEWS_FILE
from .rulebook.models import REVIEW_OUTCOMES, REVIEW_SCOPES, Question
from .rulebook.signoff import append_signoff, file_statuses, hash_matches, new_record
from .rulebook.source import YMap, read_yaml

RULES_DIR = click.Path(file_okay=False, path_type=Path)
# --output of the commands that write a document (export, diff); click makes a new Option each time it is applied.
OUTPUT_OPTION = click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    default=None,
    help="Write to this file instead of the terminal.",
)


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
    from . import words  # Jinja, for the warnings' and the status words

    for lint in rulebook.lints:
        click.echo(lint, err=True)
    for hidden in hidden_evidence(rulebook):
        click.echo(f"{hidden.where}: warning: {words.hidden_message(hidden)}", err=True)
    # Review status: a warning for each file not reviewed for its current content (never an error).
    statuses = file_statuses(rulebook)
    folder = rulebook.root.resolve().name
    for status in statuses:
        message = words.file_warning(status, name_file=False)
        if message:
            click.echo(f"{folder}/{status.file}:1:1: warning: {message}", err=True)
    click.echo(
        f"OK: {len(rulebook.questions)} questions, {len(rulebook.types)} types, "
        f"{len(rulebook.red_flags)} red flags, {len(rulebook.care_notes)} care notes, "
        f"{len(rulebook.cases)} cases (version {rulebook.version})"
    )
    median = median_questions(rulebook)
    if median is not None:
        click.echo(f"Questions asked: median {median:g} over the {len(rulebook.cases)} worked cases")
    click.echo(f"Clinical review: {words.review_summary(statuses)}")


def _table(rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=False)).rstrip() for row in rows)


@rules_group.command("cases")
@click.argument("rules_dir", required=False, type=RULES_DIR)
def cases_command(rules_dir: Path | None) -> None:
    """Run every worked case; exit 1 if any fails."""
    rulebook = _load(rules_dir)
    results = run_cases(rulebook)
    if not results:
        click.echo("No cases found (add some under cases/).")
        return
    from . import words  # Jinja, for the case words

    rows = [("case", "expected", "actual", "result")]
    rows += [
        (r.case_id, words.case_expected(r.expect), words.case_actual(r.assessment), "PASS" if r.passed else "FAIL")
        for r in results
    ]
    click.echo(_table(rows))
    failed = [r for r in results if not r.passed]
    for result in failed:
        where = rulebook.case_where.get(result.case_id)
        for failure in result.failures:
            click.echo(f"{where}: {result.case_id}: {words.case_failure(failure)}")
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
@OUTPUT_OPTION
@click.option(
    "--for-review",
    "for_review",
    is_flag=True,
    help="A reviewer's pack of just the rule FILEs given (HTML, with a sign-off box for each).",
)
@click.option("--rules", "rules_opt", type=RULES_DIR, default=None, help="The rules folder (with --for-review).")
@click.argument("paths", nargs=-1, metavar="[DIR] | --for-review FILE...")
def export_command(
    fmt: str, output: Path | None, for_review: bool, rules_opt: Path | None, paths: tuple[str, ...]
) -> None:
    """Write the whole rulebook as one printable document (types, questions, red flags, cases, warnings).

    With --for-review FILE..., write a reviewer's pack instead: just those rule
    files (types/<id>.yaml or a type id, red_flags.yaml, questions.yaml,
    care_levels.yaml, cases/<name>.yaml), with the worked cases that touch
    them, their coverage warnings, their review status and a sign-off box for
    each (name, role, registration, date, outcome, signature), to print.
    """
    from .export import export, export_for_review

    if for_review:
        if not paths:
            raise click.UsageError(
                "--for-review needs the rule files to put in the pack, e.g. types/alopecia_areata.yaml"
            )
        if fmt != "html":
            raise click.UsageError(
                "the reviewer's pack is an HTML document (print it from a browser); leave out --format"
            )
        rulebook = _load(rules_opt)
        files = []
        for given in paths:
            inner = rule_file(rulebook, given)
            if inner is None:
                raise _unknown_file(rulebook, given)
            files.append(inner)
        document = export_for_review(rulebook, files)
        what = f"reviewer's pack of {', '.join(dict.fromkeys(files))}"
    else:
        if len(paths) > 1 or (paths and rules_opt is not None):
            raise click.UsageError("give one rules folder (or --for-review and the rule files for a reviewer's pack)")
        rulebook = _load(Path(paths[0]) if paths else rules_opt)
        document = export(rulebook, fmt)
        what = fmt
    if output is None:
        click.echo(document, nl=False)
        return
    output.write_text(document, encoding="utf-8")
    click.echo(f"Wrote {output} ({what}, rulebook version {rulebook.version})", err=True)


# --- rules review ------------------------------------------------------------------------------


def rule_file(rulebook: Rulebook, given: str) -> str | None:
    """The path inside the rules folder of the rule file ``given`` names, or None.

    ``given`` may be a path to the file (``rules/types/x.yaml``), its path inside
    the rules folder (``types/x.yaml``) or a type id (``x``).
    """
    hashes = rulebook.file_hashes
    path = Path(given)
    if path.exists():
        try:
            inner = path.resolve().relative_to(rulebook.root.resolve()).as_posix()
        except ValueError:
            inner = None
        if inner in hashes:
            return inner
    inner = given.replace("\\", "/").removeprefix("./")
    for candidate in (inner, f"types/{inner}.yaml"):
        if candidate in hashes:
            return candidate
    return None


def _unknown_file(rulebook: Rulebook, given: str) -> click.BadParameter:
    known = list(rulebook.file_hashes)
    return click.BadParameter(
        f"'{given}' is not a rule file in {rulebook.root}{suggest(given, known)}; "
        f"rule files: {', '.join(known)}",
        param_hint="FILE",
    )


def _review_date(text: str | None) -> date:
    if text is None:
        return date.today()
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(f"'{text}' is not a date written as YYYY-MM-DD", param_hint="--date") from None
    if day > date.today() + timedelta(days=1):
        raise click.BadParameter(f"{text} is in the future", param_hint="--date")
    return day


@overload
def _words(text: str | None, option: str, *, required: Literal[True]) -> str: ...
@overload
def _words(text: str | None, option: str, *, required: bool) -> str | None: ...
def _words(text: str | None, option: str, *, required: bool) -> str | None:
    cleaned = " ".join((text or "").split())
    if required and not cleaned:
        raise click.BadParameter("must not be empty", param_hint=option)
    return cleaned or None


@rules_group.command("review")
@click.argument("file", metavar="FILE")
@click.option("--by", "reviewer", required=True, help="The reviewer's name, as they give it.")
@click.option("--role", required=True, help='Their role, e.g. "Consultant dermatologist" or "General practitioner".')
@click.option("--outcome", required=True, type=click.Choice(REVIEW_OUTCOMES), help="What they concluded.")
@click.option("--registration", default=None, help='Their registration, as they give it, e.g. "GMC 1234567".')
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    type=click.Choice(REVIEW_SCOPES),
    help="What they reviewed; repeat for more than one. Default: content, sources and care_levels.",
)
@click.option("--note", default=None, help="Their notes, if any.")
@click.option("--date", "when", default=None, metavar="YYYY-MM-DD", help="The day of the review. Default: today.")
@click.option(
    "--sha256",
    "expected",
    default=None,
    metavar="HEX",
    help="Refuse unless the file still has this content: the hash on a signed reviewer's pack.",
)
@click.option("--rules", "rules_dir", type=RULES_DIR, default=None, help="The rules folder.")
def review_command(
    file: str,
    reviewer: str,
    role: str,
    outcome: str,
    registration: str | None,
    scopes: tuple[str, ...],
    note: str | None,
    when: str | None,
    expected: str | None,
    rules_dir: Path | None,
) -> None:
    """Record that a clinician reviewed FILE as it is now (appends to reviews.yaml).

    FILE is a rule file: types/<id>.yaml (or just the type id), questions.yaml,
    red_flags.yaml, care_levels.yaml or cases/<name>.yaml. The record is bound
    to the file's current content; once the file changes, its status is
    "changed since" until it is reviewed again. Run this only for a review that
    really happened, as (or for) the person who did it.
    """
    rulebook = _load(rules_dir)
    inner = rule_file(rulebook, file)
    if inner is None:
        raise _unknown_file(rulebook, file)
    current = rulebook.file_hashes[inner]
    if expected is not None:
        wanted = expected.strip().lower()
        if not hash_matches(wanted, current):
            click.echo(
                f"Error: {inner} has changed since the pack was made: its content is now sha256 {current[:16]}..., "
                f"not {wanted[:16]}... Print a new reviewer's pack (triage rules export --for-review {inner}) "
                "and have the new content reviewed.",
                err=True,
            )
            click.get_current_context().exit(1)
    record = new_record(
        file=inner,
        sha256=current,
        reviewer=_words(reviewer, "--by", required=True),
        role=_words(role, "--role", required=True),
        registration=_words(registration, "--registration", required=False),
        outcome=outcome,
        scope=tuple(dict.fromkeys(scopes)) or REVIEW_SCOPES,
        day=_review_date(when),
        notes=_words(note, "--note", required=False),
    )
    root = rulebook.root
    path = root / REVIEWS_FILE
    before = path.read_bytes() if path.is_file() else None
    append_signoff(root, record)
    try:
        reloaded = load_rulebook(root)
    except RulebookError as exc:  # never leave a reviews.yaml that does not validate
        if before is None:
            path.unlink()
        else:
            path.write_bytes(before)
        click.echo(f"Error: the record could not be added; {path} is unchanged:", err=True)
        for line in exc.errors:
            click.echo(f"  {line}", err=True)
        click.get_current_context().exit(1)
    status = next(s for s in file_statuses(reloaded) if s.file == inner)
    signed = status.latest
    assert signed is not None and signed.current
    from . import words  # Jinja, for the status words

    click.echo(f"Recorded in {path}: a review of {inner} ({words.file_title(status)})")
    click.echo(f"  reviewer: {words.reviewer(signed)}")
    click.echo(f"  date:     {signed.record.date}")
    click.echo(f"  scope:    {words.review_scope(signed)}")
    click.echo(f"  outcome:  {words.review_outcome(signed)}")
    if signed.record.notes:
        click.echo(f"  notes:    {signed.record.notes}")
    click.echo(f"  content:  sha256 {current}")
    click.echo(f"Status now: {words.review_status(status)}.")
    click.echo("Any later change to the file makes its status \"changed since\" until it is reviewed again.")


# --- rules diff ------------------------------------------------------------------------------


@rules_group.command("diff")
@click.argument("old", metavar="OLD")
@click.argument("new", metavar="[NEW]", required=False)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown", "html"]),
    default="text",
    show_default=True,
    help="Plain text, Markdown, or one self-contained HTML page.",
)
@OUTPUT_OPTION
@click.option(
    "--rules",
    "rules_dir",
    type=RULES_DIR,
    default=None,
    help="The rules folder whose git repository holds the revisions, and the default NEW.",
)
def diff_command(old: str, new: str | None, fmt: str, output: Path | None, rules_dir: Path | None) -> None:
    """What NEW changes from OLD, in plain words for a clinician.

    OLD and NEW are each a rules folder or a git revision (a tag such as v1.0,
    a branch or a commit), whose rules folder is read from git. NEW defaults
    to the rules folder itself, as it is now. Lists types, red flags, care
    notes, questions and options added or removed; evidence added, removed or
    changed (points, condition, reason); thresholds and care levels changed;
    text the person reads, with the old and new words; sources; and the worked
    cases whose first three types or care level move.
    """
    from .changes import SideError, compare, render

    folder = rules_dir if rules_dir is not None else default_rules_dir()
    try:
        diff = compare(old, new if new is not None else str(folder), folder)
    except SideError as exc:
        click.echo(f"Error: {exc.message}", err=True)
        for line in exc.errors:
            click.echo(f"  {line}", err=True)
        click.get_current_context().exit(1)
    document = render(diff, fmt)
    if output is None:
        click.echo(document, nl=False)
        return
    output.write_text(document, encoding="utf-8")
    click.echo(f"Wrote {output} ({fmt}: {len(diff.moves)} worked cases move)", err=True)


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
    from . import words  # Jinja: only this command needs it

    rulebook = _load(rules_dir)
    if as_json:
        click.echo(json.dumps([question_data(q) for q in rulebook.questions], indent=2, ensure_ascii=False))
        return
    for number, q in enumerate(rulebook.questions, 1):
        click.echo(f"{number}. {q.id} ({q.kind}): {q.text}")
        for option in q.options:
            extra = " (on its own)" if option.exclusive else ""
            if option.show_when is not None:
                extra += f" (offered when: {words.describe(option.show_when, rulebook.question_by_id)})"
            click.echo(f"     {option.value}: {option.label}{extra}")
        if q.kind == "number":
            click.echo(f"     a number from {q.min} to {q.max}" + (f" {q.unit}" if q.unit else ""))
        if q.ask_when is not None:
            click.echo(f"     asked when: {words.describe(q.ask_when, rulebook.question_by_id)}")


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
