"""Where a person is in the questionnaire, worked out again on every request.

Both blueprints read the journey from here: ``questionnaire`` (the questions,
check answers, result) and ``clinician`` (/result/trace). State lives only in the
encrypted session cookie: ``session["answers"]`` maps a question id to an option
value, a list of option values or a whole number.

The cookie is signed, but what it holds is still treated as untrusted input: it
may come from an older rulebook, another deployment that shares the secret, or a
person with the key and a text editor. Every read goes through ``clean_answers``
(triage/rulebook/flow.py; the specs are built once per app, from the rulebook),
which keeps an answer only when it is exactly what this rulebook's form could
have saved, and costs a few dictionary lookups per question: no messages are
built, nothing is parsed, nothing grows with the size of what the cookie holds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import current_app, redirect, session, url_for
from werkzeug.wrappers import Response

from triage.rulebook import AnswerSpec, Question, Rulebook, Walk, clean_answers, rewalk, walk

RETURN_TO_CHECK = "check"

Answers = Mapping[str, Any]


@dataclass(frozen=True)
class State:
    """Where a person is: their answers (cleaned and pruned), the questions that apply, the next one."""

    answers: dict[str, Any]
    path: tuple[Question, ...]
    upcoming: Question | None
    found: Walk  # the walk this state came from (``answered`` goes on from it)

    @property
    def ids(self) -> list[str]:
        return [q.id for q in self.path]


def rulebook() -> Rulebook:
    """The app's rulebook, loaded once at start-up."""
    found: Rulebook = current_app.extensions["rulebook"]
    return found


def answer_specs() -> Mapping[str, AnswerSpec]:
    """One answer specification per question id, built once at start-up."""
    specs: Mapping[str, AnswerSpec] = current_app.extensions["triage_answer_specs"]
    return specs


def state_for(answers: Answers) -> State:
    """One pass over the questions (``walk``): which apply, the answers to keep, the first gap.

    Answers to questions that no longer apply are dropped.
    """
    return _state(walk(rulebook().questions, answers))


def _state(found: Walk) -> State:
    return State(found.answers, found.path, found.gap, found)


def answered(state: State, question_id: str, value: Any) -> State:
    """``state_for({**state.answers, question_id: value})``, walking again only from that question on
    (``rewalk``; the same answer again changes nothing)."""
    return _state(rewalk(rulebook().questions, state.found, question_id, value))


def current_state() -> State:
    """The state from the session cookie, cleaned: a stale or tampered cookie never breaks a page."""
    return state_for(clean_answers(answer_specs(), session.get("answers")))


def for_child(answers: Answers) -> bool:
    """A parent or carer is answering (``child_wording`` in questions.yaml)."""
    return rulebook().for_child(answers)


def question_text(question: Question, answers: Answers) -> str:
    """The question as asked: the parent's wording when answering for a child."""
    if for_child(answers) and question.text_child:
        return question.text_child
    return question.text


def answer_labels(question: Question, value: Any) -> list[str]:
    """An answer in the words the person chose."""
    if question.kind == "number":
        unit = f" {question.unit}" if question.unit else ""
        return [f"{value}{unit}"]
    labels = {o.value: o.label for o in question.options}
    values = value if isinstance(value, list) else [value]
    return [labels.get(v, str(v)) for v in values]


def question_url(question_id: str, returning: bool = False) -> str:
    """A question's page; ``returning`` comes back to check answers afterwards."""
    if returning:
        values: dict[str, Any] = {"return": RETURN_TO_CHECK}  # `return` is a keyword: passed as a mapping
        return url_for("questionnaire.question", question_id=question_id, **values)
    return url_for("questionnaire.question", question_id=question_id)


def where_next(state: State, returning: bool = False) -> Response:
    """Redirect to the first unanswered question that applies, or to check answers."""
    if state.upcoming is not None:
        return redirect(question_url(state.upcoming.id, returning))
    return redirect(url_for("questionnaire.check_answers"))


def answer_rows(state: State, with_change: bool) -> list[dict[str, Any]]:
    """Each answer that applies, as a row of the summary list (with a Change link when asked)."""
    rows = []
    answers = state.answers
    for q in state.path:
        if q.id not in answers:
            continue
        text = question_text(q, answers)
        rows.append(
            {
                "key": text,
                "value": answer_labels(q, answers[q.id]),
                "change_url": question_url(q.id, returning=True) if with_change else None,
                "change_label": text.rstrip("?").lower() if text else q.id,
                # A question with drawings (the pattern) shows them on the doctor's page.
                "sprite": q.pictures,
                "pictures": [v for v in answers[q.id] if v in q.option_values]
                if q.pictures and isinstance(answers[q.id], list)
                else [],
            }
        )
    return rows
