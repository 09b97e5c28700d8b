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

from triage.rulebook import Rulebook
from triage.rulebook.review import RulebookReview, build_review, case_answers
from triage.words import environment, flow

FORMATS = ("html", "markdown")

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
    template = environment().get_template("clinician/export.html")
    return template.render(
        rulebook=rulebook,
        review=review,
        flow=flow(rulebook),
        today=date.today(),
    )


def export_for_review(rulebook: Rulebook, files: list[str], review: RulebookReview | None = None) -> str:
    """A printable reviewer's pack of ``files`` (paths inside the rules folder), as one HTML document."""
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
    template = environment().get_template("clinician/review_pack.html")
    return template.render(
        rulebook=rulebook,
        review=review,
        files=files,
        cases_in=cases_in,
        answers_of=answers_of,
        flow=flow(rulebook) if "questions.yaml" in files else None,
        today=date.today(),
    )


def export_markdown(rulebook: Rulebook, review: RulebookReview) -> str:
    """The same document as Markdown (templates/clinician/export.md)."""
    template = environment(text=True).get_template("clinician/export.md")
    return template.render(rulebook=rulebook, review=review, today=date.today()).rstrip() + "\n"
