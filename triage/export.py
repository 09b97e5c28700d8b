"""The whole rulebook as one printable document: ``triage rules export``.

``export_html`` renders ``templates/clinician/export.html`` with the same
macros as the /rules pages (conditions in plain words from the same
``explain`` tree), as one self-contained file: its small stylesheet is
embedded, and nothing is loaded from anywhere. ``export_markdown`` writes the
same content as Markdown, the conditions as nested bullet lists.

``export_for_review`` writes a reviewer's pack (``triage rules export
--for-review FILE...``): just the rule files named, with the worked cases
that touch them, their coverage warnings, their review status and a sign-off
box each, for a clinician who prefers paper.

No Flask here: the templates are rendered with a plain Jinja environment.
"""

from __future__ import annotations

from datetime import date

from jinja2 import Environment, FileSystemLoader, select_autoescape

from triage.paths import templates_folder
from triage.rulebook import Rulebook
from triage.rulebook.diagram import flow_svg
from triage.rulebook.models import Question
from triage.rulebook.review import RulebookReview, build_review, case_answers

FORMATS = ("html", "markdown")

_KIND_WORDS = {"one": "One choice", "several": "Several choices", "number": "A number"}


def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(templates_folder())),
        autoescape=select_autoescape(["html"]),
        keep_trailing_newline=True,
    )


def export(rulebook: Rulebook, fmt: str = "html", review: RulebookReview | None = None) -> str:
    """The rulebook as one document in ``fmt`` (``html`` or ``markdown``)."""
    review = review if review is not None else build_review(rulebook)
    if fmt == "html":
        return export_html(rulebook, review)
    if fmt == "markdown":
        return export_markdown(rulebook, review)
    raise ValueError(f"unknown format {fmt!r}; use one of: {', '.join(FORMATS)}")


def export_html(rulebook: Rulebook, review: RulebookReview) -> str:
    """One self-contained HTML document."""
    from markupsafe import Markup

    template = _environment().get_template("clinician/export.html")
    return template.render(
        rulebook=rulebook,
        review=review,
        flow=Markup(flow_svg(rulebook, id_prefix="export-flow")),
        today=date.today(),
    )


def export_for_review(rulebook: Rulebook, files: list[str], review: RulebookReview | None = None) -> str:
    """A printable reviewer's pack of ``files`` (paths inside the rules folder), as one HTML document."""
    from markupsafe import Markup

    review = review if review is not None else build_review(rulebook)
    unknown = [file for file in files if file not in rulebook.file_hashes]
    if unknown:
        raise ValueError(f"not rule files of this rulebook: {', '.join(unknown)}")
    files = list(dict.fromkeys(files))
    cases_in = {
        file: [case.id for case in rulebook.cases if rulebook.case_where[case.id].file.split("/", 1)[-1] == file]
        for file in files
        if file.startswith("cases/")
    }
    answers_of = {
        case.id: case_answers(rulebook, case)
        for case in rulebook.cases
        if any(case.id in ids for ids in cases_in.values())
    }
    template = _environment().get_template("clinician/review_pack.html")
    return template.render(
        rulebook=rulebook,
        review=review,
        files=files,
        cases_in=cases_in,
        answers_of=answers_of,
        flow=Markup(flow_svg(rulebook, id_prefix="pack-flow")) if "questions.yaml" in files else "",
        today=date.today(),
    )


# --- Markdown ---------------------------------------------------------------------------


def _cell(text: object) -> str:
    """Text safe inside a Markdown table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def _level(rulebook: Rulebook, level_id: str) -> str:
    level = rulebook.level(level_id)
    return f"{level.label} ({level.id}: {level.timeframe})"


def _kind(question: Question) -> str:
    words = _KIND_WORDS[question.kind]
    if question.kind == "number":
        if question.min is not None and question.max is not None:
            words += f" from {question.min} to {question.max}"
        if question.unit:
            words += f" ({question.unit})"
    return words




def export_markdown(rulebook: Rulebook, review: RulebookReview) -> str:
    """The same document as Markdown."""
    out: list[str] = []
    add = out.append
    add("# The hair-loss rulebook")
    add("")
    add(
        "Educational information, not a diagnosis. Every rule below is read by the Hair loss guide "
        "to suggest which documented types of hair loss a person could ask a doctor about, and how soon."
    )
    add("")
    add(f"- Version: `{rulebook.version}`")
    if rulebook.updated:
        add(f"- Rule files last changed: {rulebook.updated.isoformat()}")
    add(f"- Exported: {date.today().isoformat()}")
    add(
        f"- Counts: {len(rulebook.questions)} questions, {len(rulebook.types)} types, "
        f"{len(rulebook.red_flags)} red flags, {len(rulebook.levels)} care levels, {len(review.results)} worked cases"
    )
    add(f"- Worked cases: {review.passed} of {len(review.results)} pass")
    add(f"- Clinical review: {review.status_summary}")
    add("")

    add("## Care levels")
    add("")
    add("Most urgent first.")
    add("")
    add("| Level | What the person reads | How soon | Meaning |")
    add("|---|---|---|---|")
    for level in rulebook.levels:
        add(f"| `{level.id}` | {_cell(level.label)} | {_cell(level.timeframe)} | {_cell(level.meaning)} |")
    add("")

    add("## Types of hair loss")
    add("")
    for t in rulebook.types:
        add(f"### {t.name}")
        add("")
        add(f"File `types/{t.id}.yaml`. {review.type_status(t.id).words}.")
        add("")
        add(t.summary)
        add("")
        if t.other_names:
            add("Other names: " + "; ".join(t.other_names) + ".")
            add("")
        add(f"- Threshold: {t.threshold} points")
        add(f"- Base care level: {_level(rulebook, t.care_level)}")
        add("")
        add("#### Evidence")
        add("")
        for row in review.evidence[t.id]:
            cases = len(row.case_ids)
            add(
                f"{row.index + 1}. **{row.points:+d}** "
                f"(line {row.where.line}, counts in {cases} case{'' if cases == 1 else 's'})"
            )
            add(f"   - Reason shown: {row.because}")
            when = row.plain.lines(indent="  ", bullet="- ")
            add("   - When: " + when[0].removeprefix("- "))
            out.extend("   " + "  " + line for line in when[1:])
        add("")
        if t.doctor_may:
            add("#### What a doctor may check")
            add("")
            out.extend(f"- {item}" for item in t.doctor_may)
            add("")
        if t.treatments:
            add("#### Treatments a doctor may discuss")
            add("")
            out.extend(f"- {item}" for item in t.treatments)
            add("")
        add("#### Sources")
        add("")
        out.extend(f"- [{src.title}]({src.url})" for src in t.sources)
        add("")
        reaches = review.reaches[t.id]
        add(f"Worked cases that reach it: {', '.join(r.case_id for r in reaches) if reaches else 'none'}.")
        add("")

    add("## Questions")
    add("")
    add(f"Review of `questions.yaml`: {review.status_of('questions.yaml').words}.")
    add("")
    for number, q in enumerate(rulebook.questions, 1):
        add(f"### {number}. {q.text}")
        add("")
        add(f"- Id: `{q.id}`")
        add(f"- Kind: {_kind(q)}")
        if q.text_child:
            add(f"- Asked of a parent: {q.text_child}")
        plain = review.ask_when[q.id]
        if plain is None:
            add("- When it is asked: always")
        else:
            lines = plain.lines(indent="  ", bullet="- ")
            add("- When it is asked: only when " + lines[0].removeprefix("- "))
            out.extend("  " + line for line in lines[1:])
        add("")
        if q.options:
            add("| Value | Label | On its own |")
            add("|---|---|---|")
            for o in q.options:
                add(f"| `{o.value}` | {_cell(o.label)} | {'yes' if o.exclusive else ''} |")
            add("")

    add("## Red flags")
    add("")
    add(f"Review of `red_flags.yaml`: {review.status_of('red_flags.yaml').words}.")
    add("")
    for flag in rulebook.red_flags:
        add(f"### {flag.id}")
        add("")
        add(f"- Care level: {_level(rulebook, flag.level)}")
        if flag.interrupt:
            add("- Interrupts the questions: help is shown at once")
        lines = review.red_flag_plain[flag.id].lines(indent="  ", bullet="- ")
        add("- When it fires: " + lines[0].removeprefix("- "))
        out.extend("  " + line for line in lines[1:])
        fired = review.flag_cases[flag.id]
        add(f"- Fires in: {', '.join(fired) if fired else 'no worked case'}")
        add("")
        add(f"> {flag.message}")
        add("")
        out.extend(f"- [{src.title}]({src.url})" for src in flag.sources)
        add("")

    add("## Worked cases")
    add("")
    add("| Case | Expected | The rules give now | Result |")
    add("|---|---|---|---|")
    for r in review.results:
        add(
            f"| `{r.case_id}`: {_cell(r.title)} | {_cell(r.expected)} | {_cell(r.actual)} "
            f"| {'PASS' if r.passed else 'FAIL'} |"
        )
    add("")

    add("## Clinical review")
    add("")
    add(
        "Worked out from `reviews.yaml` and the content of each file: "
        "a review stops counting as soon as the file changes."
    )
    add("")
    add("| Rule file | What it holds | Review status | SHA-256 (first 16) |")
    add("|---|---|---|---|")
    for status in review.statuses:
        add(f"| `{status.file}` | {_cell(status.title)} | {_cell(status.words)} | `{status.sha256[:16]}` |")
    add("")

    add("## Warnings")
    add("")
    groups = review.lints_by_kind()
    if not groups and not rulebook.lints:
        add("None.")
        add("")
    for _, heading, lints in groups:
        add(f"### {heading} ({len(lints)})")
        add("")
        out.extend(f"- {lint.message}" for lint in lints)
        add("")
    if rulebook.lints:
        add(f"### Warnings from `triage rules check` ({len(rulebook.lints)})")
        add("")
        out.extend(f"- `{line}`" for line in rulebook.lints)
        add("")
    return "\n".join(out).rstrip() + "\n"
