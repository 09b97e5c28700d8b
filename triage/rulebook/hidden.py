"""Evidence that the branching can hide: a coverage check for clinicians.

A type's evidence may look at a question that is asked only after some
answers (``ask_when``). For a person whose answers give that type points, the
branching may skip the question, and the evidence on it can then never count:
the type is then suggested, or not, without a finding the rules meant to weigh.

``hidden_evidence(rulebook)`` looks for such people among many made-up
answer sets (the worked cases, plus answer sets drawn at random, with a fixed
seed, by walking the questions in order and answering only what the flow asks)
and reports each (type, question) pair where a skipped question's evidence
could have changed whether the type reaches its threshold: evidence with
positive points that could have lifted it to the threshold, or negative points
that could have taken it below. A type file explains a pair it accepts with
``unasked:`` (question id: why it is fine), and then the pair is not reported.

Pure and deterministic: no Flask, no I/O.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .flow import walk

if TYPE_CHECKING:
    from .conditions import Where
    from .models import Evidence, HairType, Question, Rulebook

SAMPLES = 800
SEED = 13
AGES = (4, 9, 14, 17, 24, 35, 47, 58, 70)


@dataclass(frozen=True)
class HiddenRead:
    """A question that a type's evidence reads but the branching can skip (in words: ``hidden``
    in templates/macros/lint_words.txt, through ``triage.words.hidden_message``)."""

    type_id: str
    question_id: str
    direction: str  # "lift": could have made it suggested; "drop": could have ruled it out
    where: Where  # the first evidence item on that question
    example: Mapping[str, Any]  # an answer set where it happens


def _answer(question: Question, rng: random.Random) -> Any:
    if question.kind == "number":
        return rng.choice(AGES)
    if question.kind == "one":
        return rng.choice(question.options).value
    plain = [o.value for o in question.options if not o.exclusive]
    exclusive = [o.value for o in question.options if o.exclusive]
    if exclusive and rng.random() < 0.35:
        return [rng.choice(exclusive)]
    return rng.sample(plain, k=min(len(plain), rng.choice((1, 1, 2, 3))))


def _people(rulebook: Rulebook, samples: int) -> Iterator[dict[str, Any]]:
    """The worked cases' answers, then answer sets drawn along the flow."""
    for case in rulebook.cases:
        yield walk(rulebook.questions, case.answers)[1]
    rng = random.Random(SEED)
    for _ in range(samples):
        answers: dict[str, Any] = {}
        for question in rulebook.questions:
            if question.ask_when is None or question.ask_when.holds(answers):
                options = question.options_for(answers)
                if question.kind != "number" and not options:
                    continue
                value = _answer(question.model_copy(update={"options": options}), rng)
                answers[question.id] = value
        yield answers


def _could_hold(item: Any, question: Question, answers: Mapping[str, Any]) -> bool:
    """Whether the evidence would hold for some answer to the skipped question (the rest kept)."""
    if question.kind == "number":
        candidates: list[Any] = list(AGES)
    elif question.kind == "one":
        candidates = [o.value for o in question.options]
    else:
        candidates = [[o.value] for o in question.options]
    return any(item.when.holds({**answers, question.id: value}) for value in candidates)


def hidden_evidence(rulebook: Rulebook, samples: int = SAMPLES) -> tuple[HiddenRead, ...]:
    """Every unexplained (type, question) pair of evidence the branching can hide, in file order."""
    reads = {t.id: [(item, {m.question for m in item.when.matches()}) for item in t.evidence] for t in rulebook.types}
    found: dict[tuple[str, str], HiddenRead] = {}
    for answers in _people(rulebook, samples):
        asked = {q.id for q in walk(rulebook.questions, answers)[0]}
        for hair_type in rulebook.types:
            _hidden_for_type(rulebook, hair_type, reads[hair_type.id], answers, asked, found)
    order = {t.id: i for i, t in enumerate(rulebook.types)}
    qorder = {q.id: i for i, q in enumerate(rulebook.questions)}
    return tuple(sorted(found.values(), key=lambda h: (order[h.type_id], qorder.get(h.question_id, 0))))


def _hidden_for_type(
    rulebook: Rulebook,
    hair_type: HairType,
    reads: list[tuple[Evidence, set[str]]],
    answers: dict[str, Any],
    asked: set[str],
    found: dict[tuple[str, str], HiddenRead],
) -> None:
    """Add to ``found`` the evidence of one type that a question this person was not asked
    could have turned (lifted over the threshold, or dropped below it)."""
    fired = [item for item, _ in reads if item.when.holds(answers)]
    if not any(item.points > 0 for item in fired):
        return  # the type gets no points from these answers
    score = sum(item.points for item in fired)
    for item, questions in reads:
        if item.when.holds(answers):
            continue
        direction = _direction(item.points, score, hair_type.threshold)
        if direction is None:
            continue
        for qid in sorted(questions - asked):
            if qid in hair_type.unasked or (hair_type.id, qid) in found:
                continue
            if _could_hold(item, rulebook.question_by_id[qid], answers):
                found[(hair_type.id, qid)] = HiddenRead(hair_type.id, qid, direction, item.when.where, answers)


def _direction(points: int, score: int, threshold: int) -> str | None:
    """``lift`` when these points would take the score over the threshold, ``drop`` when they
    would take it under, None when they would not change whether the type is shown."""
    reached = score >= threshold
    if points > 0 and not reached and score + points >= threshold:
        return "lift"
    if points < 0 and reached and score + points < threshold:
        return "drop"
    return None


def median_questions(rulebook: Rulebook) -> float | None:
    """The median number of questions asked over the worked cases (each case's own branch)."""
    asked = rulebook.questions_asked  # the loader's count, when it had one for the case
    counts = sorted(
        asked[case.id] if case.id in asked else len(walk(rulebook.questions, case.answers)[0])
        for case in rulebook.cases
    )
    if not counts:
        return None
    mid = len(counts) // 2
    return float(counts[mid]) if len(counts) % 2 else (counts[mid - 1] + counts[mid]) / 2
