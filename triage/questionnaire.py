"""The patient's way through: one question per page, check answers, result.

State lives only in the signed session cookie: ``session["answers"]`` maps a
question id to an option value, a list of option values or a whole number.
Everything else (which questions apply, the next one, the back link, the
result) is worked out again on each request from the answers and the
rulebook, by the pure functions in :mod:`triage.rulebook`.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any

from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for

from triage.rulebook import applicable_questions, evaluate, next_question, prune, validate_answers

bp = Blueprint("questionnaire", __name__)

RETURN_TO_CHECK = "check"


# --- state -----------------------------------------------------------------


def _rulebook():
    return current_app.extensions["rulebook"]


def _answers() -> dict[str, Any]:
    """The answers in the session, cleaned: a stale or tampered cookie never breaks a page.

    Anything that is not a valid answer to a question in the current rulebook is
    dropped (so a cookie from an older rulebook, or hand-edited, starts afresh
    where it must), then answers to questions that no longer apply are pruned.
    """
    raw = session.get("answers")
    if not isinstance(raw, dict):
        return {}
    rulebook = _rulebook()
    if validate_answers(rulebook, raw):
        raw = {k: v for k, v in raw.items() if isinstance(k, str) and not validate_answers(rulebook, {k: v})}
    return prune(rulebook, raw)


def _save(answers: dict[str, Any]) -> None:
    session["answers"] = answers


def _fingerprint(answers: dict[str, Any]) -> str:
    blob = json.dumps(answers, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def _for_child(answers: dict[str, Any]) -> bool:
    return answers.get("respondent") == "parent"


def question_text(question: Any, answers: dict[str, Any]) -> str:
    """The question as asked: the parent's wording when answering for a child."""
    if _for_child(answers) and getattr(question, "text_child", None):
        return question.text_child
    return question.text


def answer_labels(question: Any, value: Any) -> list[str]:
    """An answer in the words the person chose."""
    if question.kind == "number":
        unit = f" {question.unit}" if getattr(question, "unit", None) else ""
        return [f"{value}{unit}"]
    labels = {o.value: o.label for o in question.options}
    values = value if isinstance(value, list) else [value]
    return [labels.get(v, str(v)) for v in values]


def _question_url(question_id: str, returning: bool = False) -> str:
    if returning:
        return url_for("questionnaire.question", question_id=question_id, **{"return": RETURN_TO_CHECK})
    return url_for("questionnaire.question", question_id=question_id)


def _where_next(answers: dict[str, Any], returning: bool = False):
    """Redirect to the first unanswered question that applies, or to check answers."""
    upcoming = next_question(_rulebook(), answers)
    if upcoming is not None:
        return redirect(_question_url(upcoming.id, returning))
    return redirect(url_for("questionnaire.check_answers"))


# --- views -----------------------------------------------------------------


@bp.get("/questions/")
def start():
    """Begin, or carry on from the first unanswered question."""
    return _where_next(_answers())


@bp.route("/questions/<question_id>", methods=["GET", "POST"])
def question(question_id: str):
    """One question per page. Jumping ahead by URL goes back to the first gap."""
    rulebook = _rulebook()
    current = rulebook.question_by_id.get(question_id)
    if current is None:
        abort(404)
    answers = _answers()
    returning = request.args.get("return") == RETURN_TO_CHECK

    path = [q.id for q in applicable_questions(rulebook, answers)]
    if question_id not in path:
        return _where_next(answers, returning)
    upcoming = next_question(rulebook, answers)
    if upcoming is not None and path.index(question_id) > path.index(upcoming.id):
        return _where_next(answers, returning)

    form_class = current_app.extensions["triage_forms"][question_id]
    form = form_class(data={"answer": answers.get(question_id)})
    if form.validate_on_submit():
        answers[question_id] = form.answer_value()
        answers = prune(rulebook, answers)
        _save(answers)
        interrupt = _new_interrupt(answers)
        if interrupt is not None:
            return redirect(url_for("questionnaire.help_now", **({"return": RETURN_TO_CHECK} if returning else {})))
        return _where_next(answers, returning)

    # A value that is not one of the options cannot come from this page's form:
    # refuse it with a 4xx (the page is shown again, answers so far are kept).
    status = 200
    if request.method == "POST" and current.kind != "number":
        allowed = set(current.option_values)
        if any(value not in allowed for value in request.form.getlist("answer")):
            status = 400

    index = path.index(question_id)
    if returning:
        back_url = url_for("questionnaire.check_answers")
    elif index == 0:
        back_url = url_for("pages.start")
    else:
        back_url = _question_url(path[index - 1])
    return render_template(
        "questionnaire/question.html",
        form=form,
        question=current,
        heading=question_text(current, answers),
        caption=rulebook.sections.get(current.section, ""),
        back_url=back_url,
        title_prefix="Error: " if form.errors else "",
    ), status


def _new_interrupt(answers: dict[str, Any]):
    """A red flag that must interrupt at once (thoughts of self-harm), not yet shown."""
    shown = set(session.get("help_shown") or [])
    for flag in _rulebook().red_flags:
        if flag.interrupt and flag.id not in shown and flag.when.holds(answers):
            session["help_shown"] = sorted(shown | {flag.id})
            return flag
    return None


@bp.get("/help-now")
def help_now():
    """Help at once, with the choice to carry on."""
    returning = request.args.get("return") == RETURN_TO_CHECK
    continue_url = url_for("questionnaire.check_answers") if returning else url_for("questionnaire.start")
    rulebook = _rulebook()
    return render_template(
        "questionnaire/help_now.html",
        heading="Please get support now",
        level=rulebook.level("emergency"),
        continue_url=continue_url,
    )


@bp.get("/check-answers")
def check_answers():
    """Every answer that applies, each with a Change link."""
    answers = _answers()
    rulebook = _rulebook()
    if next_question(rulebook, answers) is not None:
        return _where_next(answers)
    rows = _answer_rows(answers, with_change=True)
    path = applicable_questions(rulebook, answers)
    return render_template(
        "questionnaire/check_answers.html",
        heading="Check your answers",
        rows=rows,
        back_url=_question_url(path[-1].id),
    )


def _answer_rows(answers: dict[str, Any], with_change: bool) -> list[dict[str, Any]]:
    rows = []
    for q in applicable_questions(_rulebook(), answers):
        if q.id not in answers:
            continue
        text = question_text(q, answers)
        rows.append(
            {
                "key": text,
                "value": answer_labels(q, answers[q.id]),
                "change_url": _question_url(q.id, returning=True) if with_change else None,
                "change_label": text.rstrip("?").lower() if text else q.id,
            }
        )
    return rows


@bp.get("/result")
def result():
    """The care card first, then up to three types to ask a doctor about, with reasons."""
    answers = _answers()
    rulebook = _rulebook()
    if not answers or next_question(rulebook, answers) is not None:
        return _where_next(answers)
    assessment = evaluate(rulebook, answers)

    summary = {
        "types": [s.type_id for s in assessment.suggestions],
        "care": assessment.care_level,
        "answers": _fingerprint(answers),
    }
    changes = _changes(session.get("last_result"), summary)
    session["last_result"] = summary

    return render_template(
        "questionnaire/result.html",
        heading="Your summary",
        assessment=assessment,
        rulebook=rulebook,
        care=rulebook.level(assessment.care_level),
        rows=_answer_rows(answers, with_change=False),
        timeline=_timeline(answers),
        changes=changes,
        for_child=_for_child(answers),
        today=date.today(),
    )


def _changes(before: Any, now: dict[str, Any]) -> dict[str, Any] | None:
    """What changed since the last result this person saw, after they changed answers."""
    if not isinstance(before, dict) or before.get("answers") == now["answers"]:
        return None
    rulebook = _rulebook()
    types = rulebook.type_by_id
    old_types = [t for t in before.get("types") or [] if isinstance(t, str) and t in types]
    added = [types[t].name for t in now["types"] if t not in old_types]
    removed = [types[t].name for t in old_types if t not in now["types"]]
    old_care = before.get("care")
    care_changed = old_care != now["care"] and old_care in rulebook.level_rank
    return {
        "added": added,
        "removed": removed,
        "care_before": rulebook.level(old_care) if care_changed else None,
        "care_now": rulebook.level(now["care"]) if care_changed else None,
    }


def _timeline(answers: dict[str, Any]) -> list[dict[str, str]] | None:
    """The person's own story in order, when they reported something that came before."""
    rulebook = _rulebook()
    events = [v for v in answers.get("events") or [] if v not in ("none", "not_sure")]
    if not events:
        return None
    steps = []
    questions = rulebook.question_by_id
    when = answers.get("event_timing")
    steps.append(
        {
            "when": answer_labels(questions["event_timing"], when)[0] if when else "Before the hair loss",
            "what": ", ".join(answer_labels(questions["events"], events)),
        }
    )
    if "onset" in answers:
        steps.append({"when": "Then", "what": "Hair loss started: " + answer_labels(questions["onset"], answers["onset"])[0]})
    if "duration" in answers:
        steps.append({"when": "Now", "what": "It has been going on: " + answer_labels(questions["duration"], answers["duration"])[0]})
    return steps


@bp.post("/clear")
def clear():
    """Empty the session: nothing the person entered is kept anywhere."""
    session.clear()
    return redirect(url_for("questionnaire.cleared"))


@bp.get("/cleared")
def cleared():
    """Confirmation that the answers are gone."""
    return render_template("questionnaire/cleared.html", heading="Your answers have been cleared")
