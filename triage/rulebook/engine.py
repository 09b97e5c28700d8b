"""The rule engine: ``evaluate(rulebook, answers) -> Assessment``, and the worked cases.

Pure and deterministic; knows nothing of Flask. Semantics (rules/README.md):

- a type's score is the sum of the points of its evidence whose ``when`` holds;
- types at or above their threshold are suggested, ranked by score, then by
  how far above the threshold, then by file order; at most three are returned;
- ``unclear`` when no type reaches its threshold;
- the care level is the most urgent of: the fired red flags, the base level of
  each returned suggestion, and ``unclear_level`` when unclear.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from .conditions import Where
from .index import Pair, answer_pairs

if TYPE_CHECKING:
    from .models import Case, Expect, Rulebook

MAX_SUGGESTIONS = 3
T = TypeVar("T")


@dataclass(frozen=True)
class EvidenceHit:
    """One piece of evidence that fired: its points, reason and place."""

    points: int
    because: str
    where: Where

    def as_json(self) -> dict[str, Any]:
        return {"points": self.points, "because": self.because, "file": self.where.file, "line": self.where.line}


@dataclass(frozen=True)
class TypeScore:
    """A type's score for these answers, with the evidence that fired (file order)."""

    type_id: str
    name: str
    score: int
    threshold: int
    care_level: str
    evidence: tuple[EvidenceHit, ...]

    @property
    def reached(self) -> bool:
        """The score is at or above the threshold."""
        return self.score >= self.threshold

    @property
    def supporting(self) -> tuple[EvidenceHit, ...]:
        """Fired evidence with positive points."""
        return tuple(hit for hit in self.evidence if hit.points > 0)

    @property
    def against(self) -> tuple[EvidenceHit, ...]:
        """Fired evidence with negative points (findings that argue against the type)."""
        return tuple(hit for hit in self.evidence if hit.points < 0)

    def as_json(self) -> dict[str, Any]:
        return {
            "type": self.type_id,
            "name": self.name,
            "score": self.score,
            "threshold": self.threshold,
            "evidence": [hit.as_json() for hit in self.evidence],
        }


@dataclass(frozen=True)
class FiredRedFlag:
    """A red flag whose condition holds."""

    id: str
    level: str
    message: str
    interrupt: bool
    where: Where

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "level": self.level, "message": self.message}


@dataclass(frozen=True)
class FiredCareNote:
    """A care note whose condition holds: advice for the care card, never a change of level."""

    id: str
    message: str
    where: Where

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "message": self.message}


@dataclass(frozen=True)
class CareReason:
    """One contribution to the care level: a red flag that fired (with its level), a
    suggested type (with its base care level), or, when no type reached its threshold,
    the unclear default (``unclear_level``; ``id`` is None). Care notes never change
    the level, so they are not contributions."""

    source: Literal["red_flag", "type", "unclear"]
    id: str | None
    level: str


@dataclass(frozen=True)
class Assessment:
    """The result of ``evaluate``.

    ``suggestions``: at most three reached types, ranked. ``scores``: the
    evidence that fired for every type, made into ``all_scores`` (every type in
    file order, for traces) when first read. ``care_contributions``: every
    contribution to the care level, in the order ``evaluate`` considers them
    (the fired red flags, the suggestions, then the unclear default); the care
    level is the most urgent of their levels. ``care_reasons``: the
    contributions at the final care level (the ones that set it).
    """

    suggestions: tuple[TypeScore, ...]
    scores: Tally = field(repr=False)
    unclear: bool
    care_level: str
    care_contributions: tuple[CareReason, ...]
    red_flags: tuple[FiredRedFlag, ...]
    rulebook_version: str
    care_notes: tuple[FiredCareNote, ...] = ()
    what_to_do: tuple[str, ...] = ()
    help_lines: tuple[Any, ...] = ()
    doctor_questions: tuple[str, ...] = ()

    @cached_property
    def all_scores(self) -> tuple[TypeScore, ...]:
        """Every type's score, in file order (for traces)."""
        return self.scores.all_scores()

    @property
    def care_reasons(self) -> tuple[CareReason, ...]:
        """The contributions at the final care level (the ones that set it)."""
        return tuple(reason for reason in self.care_contributions if reason.level == self.care_level)

    @property
    def setting_flags(self) -> tuple[FiredRedFlag, ...]:
        """The fired red flags at the final care level (the ones that set it)."""
        return tuple(flag for flag in self.red_flags if flag.level == self.care_level)

    @property
    def other_flags(self) -> tuple[FiredRedFlag, ...]:
        """Fired red flags of a lower level: things to tell the doctor, not deadlines."""
        return tuple(flag for flag in self.red_flags if flag.level != self.care_level)

    @property
    def interrupt(self) -> bool:
        """A fired red flag asks the flow to show help at once."""
        return any(flag.interrupt for flag in self.red_flags)

    def as_json(self) -> dict[str, Any]:
        """The JSON contract of ``triage evaluate --json``."""
        return {
            "suggestions": [s.as_json() for s in self.suggestions],
            "unclear": self.unclear,
            "care_level": self.care_level,
            "red_flags": [flag.as_json() for flag in self.red_flags],
            "care_notes": [note.as_json() for note in self.care_notes],
            "rulebook_version": self.rulebook_version,
        }


@dataclass(frozen=True)
class Tally:
    """The evidence that fired for some answers, per type: ``fired`` holds, for each type with
    any, its position in the rulebook, its score and its hits (file order). Enough to rank the
    types; a type's ``TypeScore`` is made only when asked for, since a person's result needs
    the suggestions only and a trace every type."""

    fired: tuple[tuple[int, int, tuple[EvidenceHit, ...]], ...]
    quiet: tuple[TypeScore, ...] = field(compare=False, repr=False)

    def reached(self) -> tuple[TypeScore, ...]:
        """The types at or above their threshold, in file order (thresholds are above zero,
        so a type none of whose evidence fired never reaches it)."""
        quiet = self.quiet
        return tuple(
            self._score(quiet[number], score, hits)
            for number, score, hits in self.fired
            if score >= quiet[number].threshold
        )

    def all_scores(self) -> tuple[TypeScore, ...]:
        """Every type's score, in file order."""
        scores = list(self.quiet)
        for number, score, hits in self.fired:
            scores[number] = self._score(scores[number], score, hits)
        return tuple(scores)

    @staticmethod
    def _score(quiet: TypeScore, score: int, hits: tuple[EvidenceHit, ...]) -> TypeScore:
        return TypeScore(quiet.type_id, quiet.name, score, quiet.threshold, quiet.care_level, hits)


def tally(rulebook: Rulebook, answers: Mapping[str, Any], pairs: set[Pair] | None = None) -> Tally:
    """The evidence these answers fire, per type.

    Only the evidence that some answer can fire is tested (``index.py``); ``pairs``
    are the answers' (question, value) pairs, when the caller has them already.
    """
    index = rulebook.rule_index
    memo = index.memo
    if "checks" not in memo:  # made once per rulebook: each piece of evidence as its check and hit,
        memo["checks"] = tuple(
            (number, item.when.holds, EvidenceHit(item.points, item.because, item.when.where))
            for number, _, item in index.evidence
        )
        memo["quiet_scores"] = tuple(  # and each type's score when none of its evidence fired
            TypeScore(t.id, t.name, 0, t.threshold, t.care_level, ()) for t in rulebook.types
        )
    checks = memo["checks"]
    candidates = index.evidence_index.candidates(answer_pairs(answers) if pairs is None else pairs)
    totals: dict[int, int] = {}
    hits: dict[int, list[EvidenceHit]] = {}
    for position in sorted(candidates):  # file order, so types come in file order too
        type_number, holds, hit = checks[position]
        if holds(answers):
            if type_number in hits:
                hits[type_number].append(hit)
                totals[type_number] += hit.points
            else:
                hits[type_number] = [hit]
                totals[type_number] = hit.points
    fired = tuple((number, totals[number], tuple(found)) for number, found in hits.items())
    return Tally(fired, memo["quiet_scores"])


def score_types(
    rulebook: Rulebook, answers: Mapping[str, Any], pairs: set[Pair] | None = None
) -> tuple[TypeScore, ...]:
    """Every type's score, in file order."""
    return tally(rulebook, answers, pairs).all_scores()


def rank(scores: tuple[TypeScore, ...]) -> tuple[TypeScore, ...]:
    """The reached types: score desc, then (score - threshold) desc, then file order."""
    reached = [(i, s) for i, s in enumerate(scores) if s.reached]
    reached.sort(key=lambda pair: (-pair[1].score, -(pair[1].score - pair[1].threshold), pair[0]))
    return tuple(s for _, s in reached)


def evaluate(rulebook: Rulebook, answers: Mapping[str, Any]) -> Assessment:
    """Assess the answers, used as given (the flow prunes, not the engine)."""
    pairs = answer_pairs(answers)
    index = rulebook.rule_index
    scores = tally(rulebook, answers, pairs)
    suggestions = rank(scores.reached())[:MAX_SUGGESTIONS]
    unclear = not suggestions
    fired = [
        flag
        for flag in _in_order(index.red_flags, index.red_flag_index.candidates(pairs))
        if flag.when.holds(answers)
    ]
    red_flags = tuple(
        FiredRedFlag(flag.id, flag.level, flag.message, flag.interrupt, flag.when.where) for flag in fired
    )
    contributions = care_contributions(rulebook, red_flags, suggestions)
    care_level = most_urgent(rulebook, contributions)
    notes = [
        note
        for note in _in_order(index.care_notes, index.care_note_index.candidates(pairs))
        if note.when.holds(answers)
    ]
    # A flag that sets the level may carry its own steps (self-harm: talk to someone
    # today; emergency services only if not safe now); otherwise the level's steps.
    setting = [flag for flag in fired if flag.level == care_level]
    own_steps = [step for flag in setting for step in flag.what_to_do]
    uses = {
        *rulebook.level(care_level).help_lines,
        *(use for flag in setting for use in flag.help_lines),
        *(use for note in notes for use in note.help_lines),
    }
    return Assessment(
        suggestions=suggestions,
        scores=scores,
        unclear=unclear,
        care_level=care_level,
        care_contributions=contributions,
        red_flags=red_flags,
        rulebook_version=rulebook.version,
        care_notes=tuple(FiredCareNote(note.id, note.message, note.when.where) for note in notes),
        what_to_do=tuple(dict.fromkeys(own_steps)) or rulebook.level(care_level).what_to_do,
        help_lines=rulebook.help_lines_for(*uses),
        doctor_questions=doctor_questions(rulebook, answers, suggestions),
    )


def _in_order(items: tuple[T, ...], positions: set[int]) -> list[T]:
    """The items at ``positions``, in file order."""
    return [items[position] for position in sorted(positions)]


def care_contributions(
    rulebook: Rulebook, red_flags: tuple[FiredRedFlag, ...], suggestions: tuple[TypeScore, ...]
) -> tuple[CareReason, ...]:
    """Every contribution to the care level, in order: each fired red flag with its level,
    each suggestion with its base care level, and the unclear level when there is no suggestion."""
    reasons = [CareReason("red_flag", flag.id, flag.level) for flag in red_flags]
    reasons += [CareReason("type", s.type_id, s.care_level) for s in suggestions]
    if not suggestions:
        reasons.append(CareReason("unclear", None, rulebook.unclear_level))
    return tuple(reasons)


def most_urgent(rulebook: Rulebook, contributions: tuple[CareReason, ...]) -> str:
    """The most urgent level among the contributions (first in ``care_levels.yaml`` is most urgent)."""
    return min((reason.level for reason in contributions), key=rulebook.level_rank.__getitem__)


def doctor_questions(
    rulebook: Rulebook, answers: Mapping[str, Any], suggestions: tuple[TypeScore, ...]
) -> tuple[str, ...]:
    """Questions to ask the doctor that fit these answers: the general ones whose
    ``when`` holds (in the child's wording when a parent answers), then each
    suggested type's own."""
    child = rulebook.for_child(answers)
    general = [
        (q.text_child if child and q.text_child else q.text)
        for q in rulebook.care.ask_the_doctor
        if q.when is None or q.when.holds(answers)
    ]
    own = [text for s in suggestions for text in rulebook.type_by_id[s.type_id].ask_the_doctor]
    return tuple(dict.fromkeys(general + own))


# --- worked cases ---------------------------------------------------------------------


@dataclass(frozen=True)
class Miss:
    """One way a worked case's result differs from what it expects; in words:
    ``failure`` in templates/macros/case_words.txt.

    ``kind`` is ``in_top3`` (``expected`` a type id not among ``got``, the first
    three), ``first`` (``expected`` first, ``got`` the first or None),
    ``not_top3`` (``expected`` a type id that should be absent), ``unclear``
    (``expected``/``got`` booleans), ``care_level`` (level ids), ``red_flag`` or
    ``care_note`` (``expected`` an id that was not added).
    """

    kind: Literal["in_top3", "first", "not_top3", "unclear", "care_level", "red_flag", "care_note"]
    expected: str | bool
    got: tuple[str, ...] | str | bool | None = None


@dataclass(frozen=True)
class CaseResult:
    """The outcome of one worked case: what it expects (``expect``) and what the rules made of
    its answers (``assessment``); ``failures`` each way they differ. In words:
    templates/macros/case_words.txt."""

    case_id: str
    title: str
    passed: bool
    expect: Expect
    failures: tuple[Miss, ...]
    assessment: Assessment


def check_case(rulebook: Rulebook, case: Case) -> CaseResult:
    """Evaluate a case's answers and compare with what it expects."""
    a = evaluate(rulebook, case.answers)
    e = case.expect
    top = tuple(s.type_id for s in a.suggestions)
    fired = {f.id for f in a.red_flags}
    noted = {n.id for n in a.care_notes}
    misses = [Miss("in_top3", t, top) for t in e.top3 if t not in top]
    if e.first is not None and (not top or top[0] != e.first):
        misses.append(Miss("first", e.first, top[0] if top else None))
    misses += [Miss("not_top3", t) for t in e.not_top3 if t in top]
    if e.unclear is not None and e.unclear != a.unclear:
        misses.append(Miss("unclear", e.unclear, a.unclear))
    if e.care_level != a.care_level:
        misses.append(Miss("care_level", e.care_level, a.care_level))
    misses += [Miss("red_flag", f) for f in e.red_flags if f not in fired]
    misses += [Miss("care_note", n) for n in e.care_notes if n not in noted]
    return CaseResult(case.id, case.title, not misses, e, tuple(misses), a)


def run_cases(rulebook: Rulebook) -> tuple[CaseResult, ...]:
    """Every worked case of the rulebook, in file order."""
    return tuple(check_case(rulebook, case) for case in rulebook.cases)
