"""The question flow: which questions apply, what to ask next, pruning, answer checks.

All functions are pure: they take the rulebook and the answers
(``{question_id: value}``) and return new values.
"""

from __future__ import annotations

import math
from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from .conditions import is_answered, show_value, suggest

if TYPE_CHECKING:
    from .models import Question, Rulebook

Answers = Mapping[str, Any]


class Walk(NamedTuple):
    """What one pass over the questions finds (``walk``)."""

    path: tuple[Question, ...]  # the questions that apply, in order
    answers: dict[str, Any]  # the answers kept: to questions that apply, options shown, never empty

    @property
    def gap(self) -> Question | None:
        """The first question that applies and has no answer kept; None when every one has."""
        return next((q for q in self.path if q.id not in self.answers), None)


def walk(questions: Iterable[Question], answers: Answers) -> Walk:
    """One pass over the questions: those that apply, in order, the answers kept, the first gap.

    A question applies when it has no ``ask_when`` or its ``ask_when`` holds
    for the answers kept so far (answers to earlier questions that apply), so
    an answer left over from a branch no longer taken is ignored. An answer
    keeps only the options shown for those earlier answers (``show_when``);
    an answer left with nothing, or given as nothing (None, an empty list), is
    dropped. Unknown question ids are dropped too. One pass is enough: whether
    a question applies depends only on answers to earlier questions that
    apply, which the pass keeps.
    """
    return _walk_on(questions, answers, [], {})


def rewalk(questions: Iterable[Question], before: Walk, question_id: str, value: Any) -> Walk:
    """``walk(questions, {**before.answers, question_id: value})``, without walking twice.

    ``before`` is a walk of the same questions. Whether a question applies, and
    the part of its answer kept, depend only on the answers to earlier questions,
    so everything before ``question_id`` stays as ``before`` found it and the
    pass starts again at ``question_id``. The same answer again changes nothing.
    """
    if question_id in before.answers and before.answers[question_id] == value:
        return before
    answers = {**before.answers, question_id: value}
    at = next((i for i, q in enumerate(before.path) if q.id == question_id), None)
    if not at:  # the first question, or one that did not apply: the whole pass
        return walk(questions, answers)
    applicable = list(before.path[:at])
    kept = {q.id: before.answers[q.id] for q in applicable if q.id in before.answers}
    questions = tuple(questions)
    start = next(i for i, q in enumerate(questions) if q.id == question_id)
    return _walk_on(questions[start:], answers, applicable, kept)


def _walk_on(questions: Iterable[Question], answers: Answers, applicable: list[Question], kept: dict[str, Any]) -> Walk:
    """The pass of ``walk`` over ``questions``, after the earlier ones gave ``applicable`` and ``kept``."""
    for question in questions:
        if question.ask_when is None or question.ask_when.holds(kept):
            applicable.append(question)
            if question.id in answers:
                value = _shown_part(question, answers[question.id], kept)
                if is_answered(value):
                    kept[question.id] = value
    return Walk(tuple(applicable), kept)


def _shown_part(question: Question, value: Any, earlier: Answers) -> Any:
    """The part of an answer that the options shown for ``earlier`` allow (None: nothing)."""
    if not question.has_show_when:
        return value
    shown = {o.value for o in question.options_for(earlier)}
    if isinstance(value, (list, tuple)):
        part = [v for v in value if v in shown]
        return (part if len(part) < len(value) else value) or None
    return value if value in shown else None


def validate_answers(rulebook: Rulebook, answers: Answers) -> list[str]:
    """Problems with the answers, one plain sentence each (empty when all is well).

    Checks: unknown question, value not among the options (listing the allowed
    values), wrong type, number out of range, an exclusive option ("None",
    "Not sure") combined with others. ``None`` means "not answered".
    """
    return [message for _, message in answer_problems(rulebook.question_by_id, answers)]


def answer_problems(questions: Mapping[str, Question], answers: Answers) -> list[tuple[str, str]]:
    """Like ``validate_answers`` but as (question id, message) pairs.

    The checks are each question's ``AnswerSpec.problems``; this puts their codes
    into the words of the rule-file checks and ``triage evaluate`` (for people who
    write answer files). A number that is not whole is accepted here: the rules
    read numbers, and only the forms save whole ones.
    """
    problems = []
    for qid, value in answers.items():
        question = questions.get(qid)
        if question is None:
            problems.append((qid, f"unknown question '{qid}'{suggest(qid, questions)}"))
            continue
        if value is None:
            continue
        for found in AnswerSpec.for_question(question).problems(value):
            if found.code != "not_whole":
                problems.append((qid, _problem_words(question, found)))
    return problems


def _allowed(question: Question) -> str:
    return ", ".join(question.option_values)


def _number_text(value: Any) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _allowed_number(question: Question) -> str:
    low, high = question.min, question.max
    if low is not None and high is not None:
        return f"a number from {_number_text(low)} to {_number_text(high)}"
    if low is not None:
        return f"a number of at least {_number_text(low)}"
    if high is not None:
        return f"a number of at most {_number_text(high)}"
    return "a number"


def _problem_words(question: Question, found: AnswerProblem) -> str:
    """One problem with an answer in the words of the rule-file checks."""
    qid, value = question.id, found.value
    if found.code == "not_one":
        return f"'{qid}' takes one of: {_allowed(question)}; got {show_value(value)}"
    if found.code == "not_list":
        return f"'{qid}' takes a list of values from: {_allowed(question)}; got {show_value(value)}"
    if found.code == "empty":
        return f"'{qid}': choose at least one of: {_allowed(question)}"
    if found.code == "unknown_option":
        return (
            f"'{qid}': {show_value(value)} is not an allowed value{suggest(value, question.option_values)}; "
            f"allowed values: {_allowed(question)}"
        )
    if found.code == "repeated":
        return f"'{qid}': '{value}' is listed twice"
    if found.code == "exclusive":
        return f"'{qid}': '{value}' cannot be combined with other answers"
    if found.code == "not_number":
        return f"'{qid}' takes {_allowed_number(question)}; got {show_value(value)}"
    if found.code == "out_of_range":
        return f"'{qid}': {_number_text(value)} is out of range; allowed: {_allowed_number(question)}"
    raise ValueError(f"no words for the answer problem {found.code!r}")  # pragma: no cover


# --- one answer specification per question ----------------------------------------------
#
# ``AnswerSpec.problems`` is the one definition of a valid answer: the rule-file
# checks and ``triage evaluate`` (``answer_problems``, above), the web forms'
# validators (triage/forms.py) and the session-cookie cleaner (``clean``) all read
# it, and each puts its codes into its own words (or none). ``clean`` is what the
# web app runs on every request: a list longer than the question has options is
# refused before it is looked at, so nothing grows with the size of what a cookie
# holds, and no words are built.


@dataclass(frozen=True)
class AnswerProblem:
    """One thing wrong with an answer: a code and the value it is about (no words).

    Codes: ``not_one`` (a one-choice answer that is not a single value),
    ``not_list``, ``empty`` (a several-choice answer that is not a list, or an
    empty one), ``unknown_option`` (a value that is not an option), ``repeated``,
    ``exclusive`` (an exclusive option, "None" or "Not sure", with others; the
    value is that option), ``not_number``, ``not_whole``, ``out_of_range``.
    """

    code: str
    value: Any = None


@dataclass(frozen=True)
class AnswerSpec:
    """What a valid answer to one question looks like."""

    kind: str
    values: Mapping[str, str]  # option value -> the rulebook's own string
    exclusive: frozenset[str]
    low: float | None
    high: float | None

    @classmethod
    def for_question(cls, question: Question) -> AnswerSpec:
        return cls(
            kind=question.kind,
            values={o.value: o.value for o in question.options},
            exclusive=frozenset(o.value for o in question.options if o.exclusive),
            low=question.min,
            high=question.max,
        )

    def problems(self, value: Any, shown: Container[str] | None = None) -> list[AnswerProblem]:
        """Everything wrong with ``value`` as an answer to this question (empty: a valid answer).

        ``shown``: the option values a page showed (``Question.options_for``); any
        other option is then ``unknown_option`` too. None: every option.
        """
        if self.kind == "one":
            return self._one_problems(value, shown)
        if self.kind == "several":
            return self._several_problems(value, shown)
        return self._number_problems(value)

    def _one_problems(self, value: Any, shown: Container[str] | None) -> list[AnswerProblem]:
        if not isinstance(value, str):
            return [AnswerProblem("not_one", value)]
        known = value in self.values and (shown is None or value in shown)
        return [] if known else [AnswerProblem("unknown_option", value)]

    def _several_problems(self, value: Any, shown: Container[str] | None) -> list[AnswerProblem]:
        if not isinstance(value, (list, tuple)):
            return [AnswerProblem("not_list", value)]
        if not value:
            return [AnswerProblem("empty")]
        problems = []
        seen: set[str] = set()
        for item in value:
            if not isinstance(item, str) or item not in self.values or (shown is not None and item not in shown):
                problems.append(AnswerProblem("unknown_option", item))
            elif item in seen:
                problems.append(AnswerProblem("repeated", item))
            else:
                seen.add(item)
        if len(value) > 1:
            problems += [AnswerProblem("exclusive", v) for v in self.values if v in self.exclusive and v in seen]
        return problems

    def _number_problems(self, value: Any) -> list[AnswerProblem]:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            return [AnswerProblem("not_number", value)]
        if (self.low is not None and value < self.low) or (self.high is not None and value > self.high):
            return [AnswerProblem("out_of_range", value)]
        if isinstance(value, float) and not value.is_integer():
            return [AnswerProblem("not_whole", value)]
        return []

    def clean(self, value: Any) -> Any:
        """The answer as this app stores it, or None when it is not a valid answer.

        Valid is ``problems`` finding nothing, except that an option given twice
        counts once (the forms may send it twice); whole numbers are kept as ints,
        and option values as the rulebook's own strings.
        """
        if self.kind == "several" and isinstance(value, (list, tuple)) and len(value) > len(self.values):
            return None  # more than the options, even counting each twice: refused unread
        if any(p.code != "repeated" for p in self.problems(value)):
            return None
        if self.kind == "one":
            return self.values[value]
        if self.kind == "several":
            return list(dict.fromkeys(self.values[item] for item in value))
        return int(value)


def answer_specs(questions: Iterable[Question]) -> dict[str, AnswerSpec]:
    """One ``AnswerSpec`` per question id, in question order (build once, reuse)."""
    return {q.id: AnswerSpec.for_question(q) for q in questions}


def clean_answers(specs: Mapping[str, AnswerSpec], raw: Any) -> dict[str, Any]:
    """The valid answers in ``raw``, whatever ``raw`` is; everything else is dropped."""
    if not isinstance(raw, dict):
        return {}
    answers = {}
    for qid, spec in specs.items():  # bounded by the rulebook, not by the cookie
        if qid in raw:
            value = spec.clean(raw[qid])
            if value is not None:
                answers[qid] = value
    return answers


def upgrade_answers(rulebook: Rulebook, answers: Answers) -> dict[str, Any]:
    """Answers as this rulebook reads them: older answer files keep working.

    Answers to merged questions move where they now belong (``merged_questions``),
    and one option given as a plain value for a several-choice question becomes a
    list of one.

    Lists are joined; the target's exclusive answers ("none", "not sure") are
    dropped when other answers remain, and an exclusive answer of the old
    question is dropped too. Anything that is not a list is left for the
    validator to report.
    """
    upgraded = dict(answers)
    # A single option given for a several-choice question (as answer files written
    # when that question took one answer, such as `pattern`) is a list of one.
    for qid, value in answers.items():
        question = rulebook.question_by_id.get(qid)
        if (
            question is not None
            and question.kind == "several"
            and isinstance(value, str)
            and value in question.option_values
        ):
            upgraded[qid] = [value]
    for old, new in rulebook.merged_questions.items():
        if old not in upgraded or new not in rulebook.question_by_id:
            continue
        moved, target = upgraded.pop(old), rulebook.question_by_id[new]
        current = upgraded.get(new)
        if not isinstance(moved, (list, tuple)) or (current is not None and not isinstance(current, (list, tuple))):
            upgraded[old] = moved
            continue
        exclusive = {o.value for o in target.options if o.exclusive}
        joined = list(dict.fromkeys([*(current or []), *moved]))
        plain = [v for v in joined if v not in exclusive]
        if plain:
            upgraded[new] = plain
        elif current:
            upgraded[new] = list(current)
        elif joined:
            upgraded[new] = joined[:1]
    return upgraded
