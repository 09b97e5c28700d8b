"""The clinician's review of a loaded rulebook: case results, coverage and lint warnings.

``build_review(rulebook) -> RulebookReview`` runs every worked case once and
works out, from the rules as loaded:

- which cases reach each type (in the first three now, or expected there),
  which cases each red flag fires in, which cases each piece of evidence
  counts in, and how many cases answer each question;
- the coverage matrix: for each type, how many pieces of its evidence look at
  each question;
- lint warnings (``Lint``): a type no case reaches, evidence on a question no
  case answers, evidence that counts in no case, a red flag no case covers, a
  type with fewer than two sources, a failing case, a rule file that no
  clinician has reviewed (or that changed since it was reviewed), and one a
  reviewer asked to change;
- the review status of every rule file (``signoff.file_statuses``).

Pure and deterministic: no Flask here. The web app builds the review once at
start-up (the rulebook is frozen, so it never goes stale); the export command
builds it once per run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from .conditions import Where, questions_in
from .engine import Assessment, CaseResult, Miss, run_cases
from .hidden import hidden_evidence
from .plain import Plain, explain
from .signoff import FileStatus, file_statuses, status_counts

if TYPE_CHECKING:
    from .models import CareNote, Case, Evidence, HairType, Question, RedFlag, Rulebook

MIN_SOURCES = 2

# Lint kinds, in the order they are shown (their headings: templates/macros/lint_headings.txt).
LINT_KINDS: tuple[str, ...] = (
    "type_unreached",
    "evidence_unanswered",
    "evidence_unfired",
    "evidence_hidden",
    "red_flag_uncovered",
    "few_sources",
    "case_failing",
    "unreviewed",
    "changes_requested",
)


@dataclass(frozen=True)
class Lint:
    """One warning about the rulebook (in words: ``message`` in templates/macros/lint_words.txt,
    through ``triage.words.lint_message`` and ``lint_line`` outside a template).

    ``subject`` is what it is about: ``("type", id)``, ``("red_flag", id)``,
    ``("question", id)``, ``("case", id)`` or ``("file", path)`` (a rule file
    other than a type file); ``where`` the rule-file place. The rest is what the
    words of its kind need, and empty for the other kinds: ``name`` the type's
    name (``type_unreached``); ``evidence`` the evidence item's number, from 1,
    with its ``points`` and the ``question`` it looks at (``evidence_unanswered``,
    ``evidence_unfired``, ``evidence_hidden``, whose ``direction`` is ``"lift"`` or
    ``"drop"`` as in ``hidden.HiddenRead``); ``count`` sources against ``least``
    wanted (``few_sources``); ``failures`` (``case_failing``); ``status`` the rule
    file's review status (``unreviewed``, ``changes_requested``).
    """

    kind: str
    subject: tuple[str, str]
    where: Where | None = None
    name: str = ""
    evidence: int = 0
    points: int = 0
    question: str = ""
    direction: str = ""
    count: int = 0
    least: int = 0
    failures: tuple[Miss, ...] = ()
    status: FileStatus | None = None


@dataclass(frozen=True)
class EvidenceRow:
    """One piece of a type's evidence, ready to show: plain words, points, reason, cases."""

    index: int
    evidence: Evidence
    plain: Plain
    questions: tuple[str, ...]
    case_ids: tuple[str, ...]

    @property
    def points(self) -> int:
        return self.evidence.points

    @property
    def because(self) -> str:
        return self.evidence.because

    @property
    def where(self) -> Where:
        return self.evidence.when.where


@dataclass(frozen=True)
class Reach:
    """A case that reaches a type: where it ranks now (None when not shown) and whether it expects it."""

    case_id: str
    rank: int | None
    expected: bool


@dataclass(frozen=True)
class QuestionUse:
    """Who looks at a question: types (through evidence), red flags, later questions' ask_when."""

    types: tuple[str, ...]
    red_flags: tuple[str, ...]
    questions: tuple[str, ...]
    case_ids: tuple[str, ...]


@dataclass(frozen=True)
class RulebookReview:
    """Everything the clinician pages and the export show, computed once."""

    rulebook: Rulebook
    results: tuple[CaseResult, ...]
    result_by_id: Mapping[str, CaseResult]
    evidence: Mapping[str, tuple[EvidenceRow, ...]]
    reaches: Mapping[str, tuple[Reach, ...]]
    flag_cases: Mapping[str, tuple[str, ...]]
    question_use: Mapping[str, QuestionUse]
    ask_when: Mapping[str, Plain | None]
    red_flag_plain: Mapping[str, Plain]
    care_note_plain: Mapping[str, Plain]
    matrix: Mapping[str, Mapping[str, int]]
    matrix_questions: tuple[str, ...]
    lints: tuple[Lint, ...]
    statuses: tuple[FileStatus, ...] = ()

    # --- summaries ---------------------------------------------------------------

    @property
    def passed(self) -> int:
        return sum(1 for r in self.results if r.passed)

    @property
    def failed(self) -> int:
        return len(self.results) - self.passed

    # --- clinical review ------------------------------------------------------------

    def status_of(self, file: str) -> FileStatus:
        """The review status of a rule file (its path inside the rules folder)."""
        for status in self.statuses:
            if status.file == file:
                return status
        raise KeyError(file)

    def type_status(self, type_id: str) -> FileStatus:
        return self.status_of(f"types/{type_id}.yaml")

    @property
    def type_statuses(self) -> tuple[FileStatus, ...]:
        return tuple(s for s in self.statuses if s.file.startswith("types/"))

    @property
    def status_counts(self) -> dict[str, int]:
        """How many rule files are not reviewed, changed since review, reviewed (in that order: ``signoff.STATES``)."""
        return status_counts(self.statuses)

    @property
    def newest_review(self) -> str | None:
        """The newest date (YYYY-MM-DD) of a review that still applies, or None."""
        dates = [s.latest.record.date for s in self.statuses if s.reviewed and s.latest]
        return max(dates) if dates else None

    @property
    def min_sources(self) -> int:
        """The fewest sources a type should cite (below it, a ``few_sources`` warning)."""
        return MIN_SOURCES

    def lints_by_kind(self) -> list[tuple[str, tuple[Lint, ...]]]:
        """(kind, lints) for each kind that has any, in the order of ``LINT_KINDS``."""
        groups = []
        for kind in LINT_KINDS:
            found = tuple(lint for lint in self.lints if lint.kind == kind)
            if found:
                groups.append((kind, found))
        return groups

    def lints_about(self, kind: str, subject_id: str) -> tuple[Lint, ...]:
        """The lints about one type, red flag, question or case."""
        return tuple(lint for lint in self.lints if lint.subject == (kind, subject_id))

    def lints_in(self, file: str) -> tuple[Lint, ...]:
        """The coverage warnings that point into a rule file (its path inside the rules folder),
        besides its review status, with the warnings ``triage rules check`` prints for it."""
        root = self.rulebook.root.resolve().name
        found = tuple(
            lint for lint in self.lints
            if lint.where is not None and lint.where.file == f"{root}/{file}" and lint.kind != "unreviewed"
        )
        return found

    def check_lints_in(self, file: str) -> tuple[str, ...]:
        """The loader's warnings (``triage rules check``) about a rule file."""
        root = self.rulebook.root.resolve().name
        return tuple(line for line in self.rulebook.lints if line.startswith(f"{root}/{file}:"))

    # --- traces ------------------------------------------------------------------

    def explain(self, condition: Any) -> Plain:
        return explain(condition, self.rulebook.question_by_id)


# --- a trace ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TracePlain:
    """The conditions a trace shows, as ``Plain`` trees: of each piece of evidence that held
    (by type id and the place its condition starts) and of each red flag raised.

    Built from one assessment, without running the worked cases, so a person's own trace
    never waits for (or builds) the clinician review.
    """

    evidence: Mapping[tuple[str, Where], Plain]
    red_flags: Mapping[str, Plain]


def trace_plain(rulebook: Rulebook, assessment: Assessment) -> TracePlain:
    questions = rulebook.question_by_id
    held = {(s.type_id, hit.where) for s in assessment.all_scores for hit in s.evidence}
    evidence = {
        (t.id, item.when.where): explain(item.when, questions)
        for t in rulebook.types
        for item in t.evidence
        if (t.id, item.when.where) in held
    }
    flags = {f.id: explain(rulebook.red_flag_by_id[f.id].when, questions) for f in assessment.red_flags}
    return TracePlain(MappingProxyType(evidence), MappingProxyType(flags))


# --- answers in words --------------------------------------------------------------------


def answer_words(question: Question, value: Any) -> list[str]:
    """An answer as the person saw it: option labels, or the number with its unit."""
    if value is None:
        return ["(no answer)"]
    if question.kind == "number":
        unit = f" {question.unit}" if question.unit else ""
        number = int(value) if isinstance(value, float) and value.is_integer() else value
        return [f"{number}{unit}"]
    values = value if isinstance(value, (list, tuple)) else [value]
    return [question.label(v) for v in values]


def answers_in_words(rulebook: Rulebook, answers: Mapping[str, Any]) -> list[tuple[Question | None, str, list[str]]]:
    """(question, question id, answer labels) for each answer, in question order."""
    rows: list[tuple[Question | None, str, list[str]]] = []
    for question in rulebook.questions:
        if question.id in answers:
            rows.append((question, question.id, answer_words(question, answers[question.id])))
    for qid, value in answers.items():  # not expected: the loader rejects unknown questions
        if qid not in rulebook.question_by_id:
            rows.append((None, qid, [str(value)]))
    return rows


def case_answers(rulebook: Rulebook, case: Case) -> list[tuple[Question | None, str, list[str]]]:
    """A worked case's answers in words, in question order."""
    return answers_in_words(rulebook, case.answers)


# --- building ---------------------------------------------------------------------------

CaseAnswers = tuple[tuple[str, Mapping[str, Any]], ...]


def build_review(rulebook: Rulebook, results: tuple[CaseResult, ...] | None = None) -> RulebookReview:
    """Run the cases (unless ``results`` are given) and work out coverage and lints."""
    if results is None:
        results = run_cases(rulebook)
    evidence = _evidence_rows(rulebook, _answers_of(rulebook, results))
    reaches = _reaches(rulebook, results)
    flag_cases = _flag_cases(rulebook, results)
    answered_by = _answered_by(rulebook)
    matrix = _matrix(rulebook, evidence)
    statuses = file_statuses(rulebook)
    found = _Found(rulebook, results, evidence, reaches, flag_cases, answered_by, statuses)
    return RulebookReview(
        rulebook=rulebook,
        results=results,
        result_by_id=MappingProxyType({r.case_id: r for r in results}),
        evidence=MappingProxyType(evidence),
        reaches=MappingProxyType(reaches),
        flag_cases=MappingProxyType(flag_cases),
        question_use=MappingProxyType(_question_uses(rulebook, evidence, answered_by)),
        ask_when=MappingProxyType(_ask_when_plain(rulebook)),
        red_flag_plain=MappingProxyType(_plain_by_id(rulebook, rulebook.red_flags)),
        care_note_plain=MappingProxyType(_plain_by_id(rulebook, rulebook.care_notes)),
        matrix=MappingProxyType({k: MappingProxyType(v) for k, v in matrix.items()}),
        matrix_questions=_matrix_questions(rulebook, matrix),
        lints=_lints(found),
        statuses=statuses,
    )


def _answers_of(rulebook: Rulebook, results: tuple[CaseResult, ...]) -> CaseAnswers:
    """(case id, its answers) for each result, in the results' order."""
    by_case = {case.id: case for case in rulebook.cases}
    return tuple((r.case_id, by_case[r.case_id].answers) for r in results)


def _evidence_rows(rulebook: Rulebook, answers: CaseAnswers) -> dict[str, tuple[EvidenceRow, ...]]:
    """Each type's evidence rows: plain words, the questions looked at, the cases it counts in."""
    return {
        t.id: tuple(_evidence_row(rulebook, index, item, answers) for index, item in enumerate(t.evidence))
        for t in rulebook.types
    }


def _evidence_row(rulebook: Rulebook, index: int, item: Evidence, answers: CaseAnswers) -> EvidenceRow:
    fired_in = tuple(case_id for case_id, given in answers if item.when.holds(given))
    return EvidenceRow(index, item, explain(item.when, rulebook.question_by_id), questions_in(item.when), fired_in)


def _reaches(rulebook: Rulebook, results: tuple[CaseResult, ...]) -> dict[str, tuple[Reach, ...]]:
    """Which cases reach each type: shown now (with its rank), or expected."""
    by_case = {case.id: case for case in rulebook.cases}
    seen = [(r.case_id, _ranks(r), _expected_types(by_case[r.case_id])) for r in results]
    return {
        t.id: tuple(
            Reach(case_id, shown.get(t.id), t.id in expected)
            for case_id, shown, expected in seen
            if t.id in shown or t.id in expected
        )
        for t in rulebook.types
    }


def _ranks(result: CaseResult) -> dict[str, int]:
    """The rank (from 1) of each type a case shows now."""
    return {s.type_id: i for i, s in enumerate(result.assessment.suggestions, 1)}


def _expected_types(case: Case) -> set[str]:
    """The types a case expects in its first three (or first)."""
    first = {case.expect.first} if case.expect.first else set()
    return set(case.expect.top3) | first


def _flag_cases(rulebook: Rulebook, results: tuple[CaseResult, ...]) -> dict[str, tuple[str, ...]]:
    """The cases each red flag fires in."""
    fired = [(r.case_id, {f.id for f in r.assessment.red_flags}) for r in results]
    return {flag.id: tuple(case_id for case_id, ids in fired if flag.id in ids) for flag in rulebook.red_flags}


def _answered_by(rulebook: Rulebook) -> dict[str, tuple[str, ...]]:
    """The cases that answer each question (an answer of None does not count)."""
    return {
        q.id: tuple(c.id for c in rulebook.cases if c.answers.get(q.id) is not None)
        for q in rulebook.questions
    }


def _question_uses(
    rulebook: Rulebook,
    evidence: Mapping[str, tuple[EvidenceRow, ...]],
    answered_by: Mapping[str, tuple[str, ...]],
) -> dict[str, QuestionUse]:
    return {q.id: _question_use(rulebook, q.id, evidence, answered_by[q.id]) for q in rulebook.questions}


def _question_use(
    rulebook: Rulebook, qid: str, evidence: Mapping[str, tuple[EvidenceRow, ...]], case_ids: tuple[str, ...]
) -> QuestionUse:
    """Who looks at one question: types through evidence, red flags, later questions' ask_when."""
    return QuestionUse(
        types=tuple(t.id for t in rulebook.types if any(qid in row.questions for row in evidence[t.id])),
        red_flags=tuple(f.id for f in rulebook.red_flags if qid in questions_in(f.when)),
        questions=tuple(
            other.id
            for other in rulebook.questions
            if other.ask_when is not None and qid in questions_in(other.ask_when)
        ),
        case_ids=case_ids,
    )


def _ask_when_plain(rulebook: Rulebook) -> dict[str, Plain | None]:
    """Each question's ask_when in plain words (None when it is always asked)."""
    questions = rulebook.question_by_id
    return {q.id: explain(q.ask_when, questions) if q.ask_when is not None else None for q in rulebook.questions}


def _plain_by_id(rulebook: Rulebook, rules: Iterable[RedFlag | CareNote]) -> dict[str, Plain]:
    """Each red flag's (or care note's) condition in plain words."""
    return {rule.id: explain(rule.when, rulebook.question_by_id) for rule in rules}


def _matrix(rulebook: Rulebook, evidence: Mapping[str, tuple[EvidenceRow, ...]]) -> dict[str, dict[str, int]]:
    """For each type and question, how many pieces of the type's evidence look at the question."""
    return {
        t.id: {q.id: sum(1 for row in evidence[t.id] if q.id in row.questions) for q in rulebook.questions}
        for t in rulebook.types
    }


def _matrix_questions(rulebook: Rulebook, matrix: Mapping[str, Mapping[str, int]]) -> tuple[str, ...]:
    """The questions some type's evidence looks at, in question order."""
    return tuple(q.id for q in rulebook.questions if any(matrix[t.id][q.id] for t in rulebook.types))


# --- lints -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Found:
    """What the lints are worked out from."""

    rulebook: Rulebook
    results: tuple[CaseResult, ...]
    evidence: Mapping[str, tuple[EvidenceRow, ...]]
    reaches: Mapping[str, tuple[Reach, ...]]
    flag_cases: Mapping[str, tuple[str, ...]]
    answered_by: Mapping[str, tuple[str, ...]]
    statuses: tuple[FileStatus, ...]


def _lints(found: _Found) -> tuple[Lint, ...]:
    """Every lint, one kind after another in the order of ``LINT_KINDS``."""
    return tuple(lint for kind in LINT_KINDS for lint in _LINTERS[kind](found))


def _type_where(rulebook: Rulebook, hair_type: HairType) -> Where:
    """The type's file (line 1): conditions remember their file, as the loader named it."""
    file = hair_type.evidence[0].when.where.file if hair_type.evidence else "<data>"
    if file == "<data>":
        file = f"{rulebook.root.resolve().name}/types/{hair_type.id}.yaml"
    return Where(file, 1, 1)


def _types_unreached(found: _Found) -> list[Lint]:
    return [
        Lint(
            "type_unreached",
            ("type", t.id),
            _type_where(found.rulebook, t),
            name=t.name,
        )
        for t in found.rulebook.types
        if not found.reaches[t.id]
    ]


def _evidence_unanswered(found: _Found) -> list[Lint]:
    return [
        Lint(
            "evidence_unanswered",
            ("type", type_id),
            row.where,
            evidence=row.index + 1,
            points=row.points,
            question=qid,
        )
        for type_id, rows in found.evidence.items()
        for row in rows
        for qid in row.questions
        if not found.answered_by.get(qid)
    ]


def _evidence_unfired(found: _Found) -> list[Lint]:
    return [
        Lint(
            "evidence_unfired",
            ("type", type_id),
            row.where,
            evidence=row.index + 1,
            points=row.points,
        )
        for type_id, rows in found.evidence.items()
        for row in rows
        if not row.case_ids and all(found.answered_by.get(qid) for qid in row.questions)
    ]


def _evidence_hidden(found: _Found) -> list[Lint]:
    return [
        Lint(
            "evidence_hidden",
            ("type", hidden.type_id),
            hidden.where,
            question=hidden.question_id,
            direction=hidden.direction,
        )
        for hidden in hidden_evidence(found.rulebook)
    ]


def _red_flags_uncovered(found: _Found) -> list[Lint]:
    file_start = Where(f"{found.rulebook.root.resolve().name}/red_flags.yaml", 1, 1)
    return [
        Lint(
            "red_flag_uncovered",
            ("red_flag", flag.id),
            flag.when.where if flag.when.where.line else file_start,
        )
        for flag in found.rulebook.red_flags
        if not found.flag_cases[flag.id]
    ]


def _few_sources(found: _Found) -> list[Lint]:
    return [
        Lint(
            "few_sources",
            ("type", t.id),
            _type_where(found.rulebook, t),
            count=len(t.sources),
            least=MIN_SOURCES,
        )
        for t in found.rulebook.types
        if len(t.sources) < MIN_SOURCES
    ]


def _cases_failing(found: _Found) -> list[Lint]:
    return [
        Lint(
            "case_failing",
            ("case", result.case_id),
            found.rulebook.case_where.get(result.case_id),
            failures=result.failures,
        )
        for result in found.results
        if not result.passed
    ]


def _unreviewed(found: _Found) -> list[Lint]:
    return _file_lints(found.rulebook, "unreviewed", [s for s in found.statuses if not s.reviewed])


def _changes_requested(found: _Found) -> list[Lint]:
    return _file_lints(found.rulebook, "changes_requested", [s for s in found.statuses if s.changes_requested])


def _file_lints(rulebook: Rulebook, kind: str, statuses: list[FileStatus]) -> list[Lint]:
    """A lint of ``kind`` about each of these rule files that has a warning, at its line 1."""
    root = rulebook.root.resolve().name
    return [
        Lint(kind, _file_subject(s.file), Where(f"{root}/{s.file}", 1, 1), status=s)
        for s in statuses
        if s.has_warning
    ]


def _file_subject(file: str) -> tuple[str, str]:
    """What a lint about a whole rule file is about: the type, for a type file; else the file."""
    if file.startswith("types/"):
        return ("type", file.removeprefix("types/").removesuffix(".yaml"))
    return ("file", file)


# One function per lint kind, keyed like ``LINT_KINDS``.
_LINTERS: Mapping[str, Callable[[_Found], list[Lint]]] = MappingProxyType(
    {
        "type_unreached": _types_unreached,
        "evidence_unanswered": _evidence_unanswered,
        "evidence_unfired": _evidence_unfired,
        "evidence_hidden": _evidence_hidden,
        "red_flag_uncovered": _red_flags_uncovered,
        "few_sources": _few_sources,
        "case_failing": _cases_failing,
        "unreviewed": _unreviewed,
        "changes_requested": _changes_requested,
    }
)
