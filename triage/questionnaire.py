"""The patient's way through: one question per page, check answers, result.

State lives only in the encrypted session cookie (see :mod:`triage.journey`).
Everything else (which questions apply, the next one, the back link, the
result) is worked out again on each request from the answers and the
rulebook, by :mod:`triage.journey` and the pure functions in :mod:`triage.rulebook`.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any

from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from markupsafe import escape
from werkzeug.wrappers import Response

from triage import journey
from triage.forms import AnswerForm
from triage.journey import (
    RETURN_TO_CHECK,
    State,
    answer_labels,
    answer_rows,
    answer_specs,
    current_state,
    for_child,
    question_text,
    question_url,
    where_next,
)
from triage.render_cache import (
    ANSWER_SLOTS,
    ANSWER_VALUE,
    AnswerSlots,
    answer_checked,
    csrf_token,
    render_cached,
    render_cached_answer,
)
from triage.rulebook import Assessment, Rulebook, evaluate
from triage.rulebook.models import Option, Question, RedFlag, TimelineRoles

bp = Blueprint("questionnaire", __name__)


def _save(answers: dict[str, Any]) -> None:
    session["answers"] = answers


def _fingerprint(answers: dict[str, Any]) -> str:
    blob = json.dumps(answers, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


# --- views -----------------------------------------------------------------


@bp.get("/questions/")
def start() -> Response:
    """Begin, or carry on from the first unanswered question."""
    return where_next(current_state())


@bp.route("/questions/<question_id>", methods=["GET", "POST"])
def question(question_id: str) -> ResponseReturnValue:
    """One question per page. Jumping ahead by URL goes back to the first gap."""
    current = journey.rulebook().question_by_id.get(question_id)
    if current is None:
        abort(404)
    state = current_state()
    returning = request.args.get("return") == RETURN_TO_CHECK
    path = state.ids
    if question_id not in path or (
        state.upcoming is not None and path.index(question_id) > path.index(state.upcoming.id)
    ):
        return where_next(state, returning)
    page = _QuestionPage(current, state, returning)
    return _show(page) if request.method != "POST" else _take_answer(page)


class _QuestionPage:
    """A question as this person sees it now: the options their earlier answers leave,
    "Question 5 of about 12", where Back goes, and how to draw it."""

    def __init__(self, current: Question, state: State, returning: bool) -> None:
        self.question = current
        self.state = state
        self.returning = returning
        self.options = current.options_for(state.answers)  # show_when looks only at earlier answers
        index = state.ids.index(current.id)
        # Counted from the questions that apply to the answers so far; later answers
        # can add or remove a few, hence "about".
        self.progress = (index + 1, len(state.ids))
        self.previous = None if returning or index == 0 else state.ids[index - 1]

    def cache_key(self) -> tuple[Any, ...]:
        """What the page as first shown depends on (render_cache.py explains), never an answer.

        The page and its variant (the child's wording, where Back goes); which options
        are shown and the progress count vary with earlier answers, so they are part of
        the key, written as positions ("options 0,1,2", "3 of 12") rather than as option
        values or bare numbers, so no key holds an answer.
        """
        on_page = {id(o) for o in self.options}  # by identity: no model comparisons
        shown = "options " + ",".join(str(i) for i, o in enumerate(self.question.options) if id(o) in on_page)
        answers = self.state.answers
        progress = f"{self.progress[0]} of {self.progress[1]}"
        return ("question", self.question.id, for_child(answers), self.returning, self.previous, shown, progress)

    def render(self, form: AnswerForm, slots: AnswerSlots | None = None) -> str:
        if self.returning:
            back_url = url_for("questionnaire.check_answers")
        elif self.previous is None:
            back_url = url_for("pages.start")
        else:
            back_url = question_url(self.previous)
        return render_template(
            "questionnaire/question.html",
            form=form,
            question=self.question,
            options=self.options,
            heading=question_text(self.question, self.state.answers),
            caption=journey.rulebook().sections.get(self.question.section, ""),
            back_url=back_url,
            progress=self.progress,
            disclaimer_short=True,
            answer_slots=slots,
        )

    def form(self, stored: Any) -> AnswerForm:
        """The question's form, with the stored answer (the template renders the options shown)."""
        form_class: type[AnswerForm] = current_app.extensions["triage_forms"][self.question.id]
        return form_class(data={"answer": stored})


def _show(page: _QuestionPage) -> str:
    """The page, from the render cache: as first shown, or with the stored answer put in."""
    stored = page.state.answers.get(page.question.id)
    if stored is None:
        return render_cached(page.cache_key(), lambda: page.render(page.form(None)))
    # Coming back to a question: the answer is ticked or filled in. The page is kept
    # with a slot where each option's " checked" (or the number) goes, and this
    # request's answer is put in the slots, so no answer becomes part of what the
    # server keeps.
    return render_cached_answer(
        (*page.cache_key(), "answer slots"),
        lambda: page.render(page.form(None), ANSWER_SLOTS),
        _answer_fills(page.question.kind, page.options, stored),
        lambda: page.render(page.form(stored)),
    )


def _take_answer(page: _QuestionPage) -> ResponseReturnValue:
    """Check and keep an answer, then go on (or to help at once); else the page again."""
    question_id = page.question.id
    answers = page.state.answers
    csrf_token()  # the form's token field takes this session's token, signed once (render_cache.py)
    form = page.form(answers.get(question_id))
    form.shown = frozenset(o.value for o in page.options)  # the check is against what the page showed
    if form.validate_on_submit():
        value = answer_specs()[question_id].clean(form.answer_value())
        if value is not None:  # always, after the form's own checks; never store less
            state = journey.answered(page.state, question_id, value)  # drops what no longer applies
            _save(state.answers)
            # Answers the change removed, in whole or in part (question ids only,
            # shown once on check answers).
            removed = [qid for qid in answers if qid != question_id and state.answers.get(qid) != answers[qid]]
            if removed:
                session["removed"] = removed
            if _new_interrupt(state.answers) is not None:
                back: dict[str, Any] = {"from": question_id, **({"return": RETURN_TO_CHECK} if page.returning else {})}
                return redirect(url_for("questionnaire.help_now", **back))
            return where_next(state, page.returning)
    # A value that is not one of the options shown cannot come from this page's form:
    # refuse it with a 4xx (the page is shown again, answers so far are kept).
    return page.render(form), 400 if form.refused else 200


def _answer_fills(kind: str, options: tuple[Option, ...], stored: Any) -> dict[str, str]:
    """What goes in a question page's answer slots for the stored answer (forms.html's markup)."""
    if kind == "number":
        return {ANSWER_VALUE: str(escape(stored))}
    chosen = stored if isinstance(stored, list) else [stored]
    return {answer_checked(i): " checked" if o.value in chosen else "" for i, o in enumerate(options)}


def _shown_help() -> set[str]:
    raw = session.get("help_shown")
    return {v for v in raw if isinstance(v, str)} if isinstance(raw, (list, tuple)) else set()


def _new_interrupt(answers: dict[str, Any]) -> RedFlag | None:
    """A red flag that must interrupt at once (thoughts of self-harm), not yet shown."""
    shown = None
    for flag in journey.rulebook().red_flags:
        if flag.interrupt and flag.when.holds(answers):
            shown = _shown_help() if shown is None else shown
            if flag.id not in shown:
                known = set(journey.rulebook().red_flag_by_id)
                session["help_shown"] = sorted((shown & known) | {flag.id})
                return flag
    return None


@bp.get("/help-now")
def help_now() -> str:
    """Help at once, with a Back link and a button that says where it goes."""
    returning = request.args.get("return") == RETURN_TO_CHECK
    rulebook = journey.rulebook()
    state = current_state()
    shown = _shown_help()
    flags = [f for f in rulebook.red_flags if f.interrupt and f.id in shown] or [
        f for f in rulebook.red_flags if f.interrupt
    ]
    done = returning or state.upcoming is None
    # Back goes to the question whose answer brought the person here.
    came_from = request.args.get("from")
    back_url = question_url(came_from, returning) if came_from in state.ids else url_for("questionnaire.start")
    uses = {use for f in flags for use in f.help_lines}
    lines = rulebook.help_lines_for(*uses) if uses else rulebook.crisis_lines
    return render_template(
        "questionnaire/help_now.html",
        flags=flags,
        steps=tuple(dict.fromkeys(step for f in flags for step in f.what_to_do)),
        lines=lines,
        back_url=back_url,
        continue_url=url_for("questionnaire.check_answers") if done else url_for("questionnaire.start"),
        done=done,
    )


@bp.get("/check-answers")
def check_answers() -> ResponseReturnValue:
    """Every answer that applies, each with a Change link."""
    state = current_state()
    if state.upcoming is not None:
        return where_next(state)
    questions = journey.rulebook().question_by_id
    raw = session.pop("removed", None)
    removed = [questions[q] for q in raw if isinstance(q, str) and q in questions] if isinstance(raw, list) else []
    return render_template(
        "questionnaire/check_answers.html",
        rows=answer_rows(state, with_change=True),
        removed=[question_text(q, state.answers) for q in removed],
        back_url=question_url(state.path[-1].id),
    )


@bp.get("/result")
def result() -> ResponseReturnValue:
    """The care card first, then up to three types to ask a doctor about, with reasons."""
    state = current_state()
    answers = state.answers
    rulebook = journey.rulebook()
    if not answers or state.upcoming is not None:
        return where_next(state)
    assessment = evaluate(rulebook, answers)

    summary = {
        "types": [s.type_id for s in assessment.suggestions],
        "care": assessment.care_level,
        "answers": _fingerprint(answers),
    }
    before = session.get("last_result")
    changes = _changes(before, summary)
    if before != summary:  # an unchanged session sends no new cookie
        session["last_result"] = summary

    return render_template(
        "questionnaire/result.html",
        assessment=assessment,
        rulebook=rulebook,
        care=rulebook.level(assessment.care_level),
        rows=answer_rows(state, with_change=False),
        timeline=_timeline(answers),
        changes=changes,
        reassurance=_reassurance(rulebook, assessment),
        disclaimer_short=True,  # the full text follows the summary (result.html)
        for_child=for_child(answers),
        today=date.today(),
    )


def _reassurance(rulebook: Rulebook, assessment: Assessment) -> str | None:
    """The best-fitting type's reassurance, first on the page, when nothing made care more
    urgent than that type itself (no red flag sets the level)."""
    if not assessment.suggestions or assessment.setting_flags:
        return None
    first = assessment.suggestions[0]
    if assessment.care_level != first.care_level:
        return None
    return rulebook.type_by_id[first.type_id].reassurance


def _changes(before: Any, now: dict[str, Any]) -> dict[str, Any] | None:
    """What changed since the last result this person saw, after they changed answers.

    ``before`` comes from the cookie: anything of the wrong shape counts as nothing.
    """
    if not isinstance(before, dict) or before.get("answers") == now["answers"]:
        return None
    rulebook = journey.rulebook()
    types = rulebook.type_by_id
    raw_types = before.get("types")
    old_types = [t for t in raw_types if isinstance(t, str) and t in types] if isinstance(raw_types, list) else []
    added = [types[t].name for t in now["types"] if t not in old_types]
    removed = [types[t].name for t in dict.fromkeys(old_types) if t not in now["types"]]
    raw_care = before.get("care")
    care_changed = isinstance(raw_care, str) and raw_care in rulebook.level_rank and raw_care != now["care"]
    old_care = raw_care if care_changed else None
    return {
        "added": added,
        "removed": removed,
        "care_before": rulebook.level(old_care) if old_care is not None else None,
        "care_now": rulebook.level(now["care"]) if old_care is not None else None,
    }


def _timeline(answers: dict[str, Any]) -> list[dict[str, str]] | None:
    """The person's own story in order, when they reported something that came before.

    Which questions tell it is declared in questions.yaml (``timeline:``); each step
    has a ``kind`` (``window``, ``timed``, ``onset``, ``duration``) that result.html
    puts into words, and the person's own answers in the words they chose.
    """
    rulebook = journey.rulebook()
    roles = rulebook.timeline
    if roles is None:
        return None
    events = [v for v in answers.get(roles.events) or [] if v not in roles.not_events]
    if not events:
        return None
    steps = _event_steps(rulebook, roles, answers, events)
    for kind, qid in (("onset", roles.onset), ("duration", roles.duration)):
        if qid is not None and qid in answers:
            steps.append({"kind": kind, "what": answer_labels(rulebook.question_by_id[qid], answers[qid])[0]})
    return steps


def _event_steps(
    rulebook: Rulebook, roles: TimelineRoles, answers: dict[str, Any], events: list[str]
) -> list[dict[str, str]]:
    """The events in time: those the timing question dates (before the window or in it),
    and the rest, known only to fall in the months the events question asks about."""
    events_question = rulebook.question_by_id[roles.events]
    timing = rulebook.question_by_id[roles.timing] if roles.timing is not None else None
    when = answers.get(roles.timing) if roles.timing is not None else None
    # The gap is asked only about the events that make the timing question apply
    # (a medicine or cancer treatment).
    timed = (
        []
        if timing is None or not when
        else [v for v in events if timing.ask_when is None or timing.ask_when.holds({roles.events: [v]})]
    )
    untimed = [v for v in events if v not in timed]
    steps = [{"kind": "window", "what": ", ".join(answer_labels(events_question, untimed))}] if untimed else []
    if timing is not None and timed:
        step = {
            "kind": "timed",
            "when": answer_labels(timing, when)[0],
            "what": ", ".join(answer_labels(events_question, timed)),
        }
        steps.insert(0 if when == roles.before_window else len(steps), step)
    return steps


@bp.post("/clear")
def clear() -> Response:
    """Empty the session: nothing the person entered is kept anywhere."""
    session.clear()
    return redirect(url_for("questionnaire.cleared"))


@bp.get("/cleared")
def cleared() -> str:
    """Confirmation that the answers are gone."""
    return render_template("questionnaire/cleared.html")
