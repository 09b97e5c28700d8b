"""The clinician's way through: the loaded rulebook as a readable document under /rules.

Also /result/trace: the same trace page for the person's own answers.

Every page is made from ``app.extensions["rulebook"]`` (what actually runs)
and ``app.extensions["rulebook_review"]``: the worked cases' results, coverage,
lint warnings and each rule file's review status, worked out once when this
blueprint is registered (the rulebook is frozen, so they never go stale),
never per request. /rules/changes compares the running rules with the last
tagged release: worked out (with git) the first time the page is asked for,
then kept for the life of the process.
"""

from __future__ import annotations

import threading
from typing import Any

from flask import Blueprint, Flask, abort, current_app, render_template
from flask.typing import ResponseReturnValue

from triage import journey
from triage.changes import ReleaseComparison, compare_with_last_release
from triage.rulebook import Assessment, CaseResult, Rulebook, evaluate
from triage.rulebook.models import Case
from triage.rulebook.review import RulebookReview, answers_in_words, build_review, case_answers, trace_plain
from triage.words import flow

# No url_prefix: the rulebook pages are under /rules, and /result/trace (the
# person's own trace, beside /result) is here too because it renders the same page.
bp = Blueprint("clinician", __name__)

REVIEW_KEY = "rulebook_review"
FLOW_KEY = "rulebook_flow"
CHANGES_KEY = "rulebook_changes"
_changes_lock = threading.Lock()


def prepare(app: Flask) -> RulebookReview:
    """Build (once) the review and the flow picture of the app's rulebook.

    Not at start-up: the first patient page does not need it, and a CLI command
    never does. gunicorn's master builds it before forking (triage/wsgi.py), so
    workers share it; elsewhere the first /rules/ request builds it."""
    review = app.extensions.get(REVIEW_KEY)
    if review is None or review.rulebook is not app.extensions["rulebook"]:
        rulebook = app.extensions["rulebook"]
        review = build_review(rulebook)
        app.extensions[REVIEW_KEY] = review
        app.extensions[FLOW_KEY] = flow(rulebook)
    return review


def _rulebook() -> Rulebook:
    return current_app.extensions["rulebook"]


def _review() -> RulebookReview:
    return prepare(current_app)


def _render(template: str, **context: Any) -> str:
    review = _review()
    return render_template(template, rulebook=review.rulebook, review=review, **context)


@bp.get("/rules/")
def index() -> str:
    """Overview: version, date, counts, review status of each type file, warnings, sections."""
    return _render("clinician/index.html")


@bp.get("/rules/types/<type_id>")
def hair_type(type_id: str) -> str:
    """One type: summary, evidence in plain words with points and reasons, sources, cases."""
    found = _rulebook().type_by_id.get(type_id)
    if found is None:
        abort(404)
    return _render("clinician/type.html", t=found)


@bp.get("/rules/questions")
def questions() -> str:
    """Every question with its options and when it is asked, and a picture of the branching."""
    return _render("clinician/questions.html", flow=current_app.extensions[FLOW_KEY])


@bp.get("/rules/red-flags")
def red_flags() -> str:
    """Every red flag: condition in plain words, care level, message, sources, cases."""
    return _render("clinician/red_flags.html")


@bp.get("/rules/cases")
def cases() -> str:
    """Every worked case: expected, what the rules give now, pass or fail."""
    return _render("clinician/cases.html")


def _case_or_404(case_id: str) -> tuple[RulebookReview, Case, CaseResult]:
    """The review, the worked case with this id and its result; 404 when there is none."""
    review = _review()
    result = review.result_by_id.get(case_id)
    if result is None:
        abort(404)
    return review, next(c for c in review.rulebook.cases if c.id == case_id), result


@bp.get("/rules/cases/<case_id>")
def case(case_id: str) -> str:
    """One worked case: its answers in words, expected and actual, pass or fail."""
    review, found, result = _case_or_404(case_id)
    return _render(
        "clinician/case.html",
        case=found,
        result=result,
        answers=case_answers(review.rulebook, found),
    )


@bp.get("/rules/cases/<case_id>/trace")
def case_trace(case_id: str) -> str:
    """How the rules worked out one case: every rule that fired, scores, thresholds, care level."""
    review, found, result = _case_or_404(case_id)
    return render_trace(
        result.assessment,
        case=found,
        result=result,
        answers=case_answers(review.rulebook, found),
    )


@bp.get("/rules/coverage")
def coverage() -> str:
    """Which questions each type's evidence uses, which cases reach what, and the warnings."""
    return _render("clinician/coverage.html")


def release_comparison(app: Flask) -> ReleaseComparison:
    """The running rules against the last tagged release, worked out once per process."""
    found = app.extensions.get(CHANGES_KEY)
    if found is None or found[0] is not app.extensions["rulebook"]:
        with _changes_lock:
            found = app.extensions.get(CHANGES_KEY)
            rulebook = app.extensions["rulebook"]
            if found is None or found[0] is not rulebook:
                found = (rulebook, compare_with_last_release(rulebook))
                app.extensions[CHANGES_KEY] = found
    return found[1]


@bp.get("/rules/changes")
def changes() -> str:
    """What the running rules change from the last tagged release, in plain words; says so when there is none."""
    comparison = release_comparison(current_app)
    return _render("clinician/changes.html", comparison=comparison, diff=comparison.diff)


@bp.get("/result/trace")
def result_trace() -> ResponseReturnValue:
    """How the person's own summary was worked out, from the answers in their session.

    Only reads the session (nothing is stored or logged); like /result, it goes
    to the first unanswered question while the answers are incomplete.
    """
    state = journey.current_state()
    answers = state.answers
    rulebook = _rulebook()
    if not answers or state.upcoming is not None:
        return journey.where_next(state)
    return render_trace(
        evaluate(rulebook, answers),
        person=True,
        for_child=journey.for_child(answers),
        answers=answers_in_words(rulebook, answers),
    )


# --- traces -------------------------------------------------------------------------------


def render_trace(assessment: Assessment, **context: Any) -> str:
    """The trace page for an assessment: ``context`` adds ``case``/``result`` or ``person``.

    Not the clinician review: a person's trace shows their own answers' working only,
    and must not wait for every worked case to run (``trace_plain``).
    """
    rulebook = _rulebook()
    shown = {s.type_id: i for i, s in enumerate(assessment.suggestions, 1)}
    order = {t.id: i for i, t in enumerate(rulebook.types)}
    scores = sorted(
        assessment.all_scores,
        key=lambda s: (s.type_id not in shown, shown.get(s.type_id, 0), -s.score, order[s.type_id]),
    )
    return render_template(
        "clinician/trace.html",
        rulebook=rulebook,
        assessment=assessment,
        scores=scores,
        shown=shown,
        plain=trace_plain(rulebook, assessment),
        **context,
    )
