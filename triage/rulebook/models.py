"""Typed, strict, frozen models of the rule files, and the loaded ``Rulebook``.

One pydantic model per file kind (``QuestionsFile``, ``HairType``,
``RedFlagsFile``, ``CareLevelsFile``, ``CasesFile``, ``ReviewsFile``). Unknown keys are errors
(``extra="forbid"``), values are never coerced (``strict=True``), and models
cannot be changed after loading (``frozen=True``). Checks that need more than
one file (question ids in conditions, care levels, case answers) live in
``loader.py``.

A model-level problem is raised as a ``PydanticCustomError`` whose context
holds ``message`` and ``at`` (the key, or key path, the problem is about), so
the loader can point at the exact line.
"""

from __future__ import annotations

import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError

from .conditions import (
    LOGIC_KEYS,
    All,
    AnyOf,
    Condition,
    ConditionError,
    Match,
    Not,
    Where,
    parse_condition,
)
from .index import RuleIndex

ID_PATTERN = r"^[a-z][a-z0-9_]*$"
VALUE_PATTERN = r"^[a-z0-9][a-z0-9_]*$"
URL_PATTERN = r"^https?://\S+$"
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
SHA256_PATTERN = r"^[0-9a-f]{16,64}$"

Id = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
OptionValue = Annotated[str, StringConstraints(pattern=VALUE_PATTERN)]
Text = Annotated[str, StringConstraints(pattern=r"\S")]
Url = Annotated[str, StringConstraints(pattern=URL_PATTERN)]
DateText = Annotated[str, StringConstraints(pattern=DATE_PATTERN)]
Sha256 = Annotated[str, StringConstraints(pattern=SHA256_PATTERN)]


def problem(message: str, at: Any = None) -> PydanticCustomError:
    """A validation error with a plain message, pointing at key path ``at``."""
    return PydanticCustomError("rule", "{message}", {"message": message, "at": at})


def _number(value: Any) -> int | float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    raise PydanticCustomError("number_type", "expected a number", {})


def _condition(value: Any) -> Condition:
    if isinstance(value, (All, AnyOf, Not, Match)):  # already parsed (built in Python)
        return value
    try:
        return parse_condition(value)
    except ConditionError as exc:
        w = exc.where
        raise PydanticCustomError(
            "condition", "{message}", {"message": exc.message, "file": w.file, "line": w.line, "col": w.col}
        ) from None


Number = Annotated[int | float, PlainValidator(_number), WithJsonSchema({"type": "number"})]
ConditionField = Annotated[
    Any,
    PlainValidator(_condition),
    WithJsonSchema({"type": "object", "description": "a condition (see rules/README.md)"}),
]


class Model(BaseModel):
    """Base for every rule-file model: strict, frozen, no unknown keys."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


# --- questions.yaml --------------------------------------------------------------


class Option(Model):
    """One answer a person can choose."""

    value: OptionValue
    label: Text
    hint: Text | None = None
    exclusive: bool = False
    # Shown only when this holds for earlier answers (e.g. periods not asked of men).
    show_when: ConditionField | None = None


class Question(Model):
    """One question; ``ask_when`` may only refer to earlier questions."""

    id: Id
    section: Id
    text: Text
    text_child: Text | None = None
    hint: Text | None = None
    kind: Literal["one", "several", "number"]
    options: tuple[Option, ...] = ()
    min: Number | None = None
    max: Number | None = None
    unit: Text | None = None
    ask_when: ConditionField | None = None
    # A drawing for each option: the sprite static/img/<pictures>.svg has one <symbol>
    # per option value (tests/unit/test_pictures.py checks that none is missing).
    pictures: Id | None = None

    @property
    def option_values(self) -> tuple[str, ...]:
        return tuple(o.value for o in self.options)

    @cached_property
    def has_show_when(self) -> bool:
        """Some option is shown only for some earlier answers (``show_when``). Computed once
        (then a plain attribute): most questions show every option whatever the answers."""
        return any(o.show_when is not None for o in self.options)

    def options_for(self, answers: Mapping[str, Any]) -> tuple[Option, ...]:
        """The options shown, given the answers to earlier questions (``show_when``)."""
        if not self.has_show_when:
            return self.options
        return tuple(o for o in self.options if o.show_when is None or o.show_when.holds(answers))

    def label(self, value: Any) -> str:
        """The label of an option value (the value itself when unknown)."""
        for option in self.options:
            if option.value == value:
                return option.label
        return str(value)

    @model_validator(mode="after")
    def _check(self) -> Question:
        if self.id in LOGIC_KEYS:
            raise problem(f"'{self.id}' cannot be a question id: it is a condition keyword", "id")
        if self.kind == "number":
            if self.options:
                raise problem("a number question has no options; use min and max", "options")
            if self.min is not None and self.max is not None and self.min > self.max:
                raise problem(f"min ({self.min}) is greater than max ({self.max})", "max")
            if self.pictures is not None:
                raise problem(
                    "a number question has no options to draw; 'pictures' is for choice questions", "pictures"
                )
            return self
        for key in ("min", "max", "unit"):
            if getattr(self, key) is not None:
                raise problem(f"'{key}' is only for number questions", key)
        if len(self.options) < 2:
            raise problem(f"a '{self.kind}' question needs at least two options", "options")
        seen: set[str] = set()
        for i, option in enumerate(self.options):
            if option.value in seen:
                raise problem(f"duplicate option value '{option.value}'", ("options", i, "value"))
            seen.add(option.value)
            if option.exclusive and self.kind != "several":
                raise problem("'exclusive' is only for several-choice questions", ("options", i, "exclusive"))
        return self


class TimelineRoles(Model):
    """questions.yaml ``timeline:``: the questions that tell a person's story in order on the result page.

    ``events``: a several-choice question, what happened in the months before;
    ``not_events``: its answers that are not events ("none", "not sure");
    ``timing``: a one-choice question, how long before the hair loss the events came
    (asked about the events its ``ask_when`` names); ``before_window``: the timing
    answer that puts those events before the months the events question asks about
    (listed first); ``onset``, ``duration``: one-choice questions, how the hair loss
    started and how long it has gone on.
    """

    events: Id
    not_events: tuple[OptionValue, ...] = ()
    timing: Id | None = None
    before_window: OptionValue | None = None
    onset: Id | None = None
    duration: Id | None = None

    @model_validator(mode="after")
    def _check(self) -> TimelineRoles:
        if self.before_window is not None and self.timing is None:
            raise problem("'before_window' is an answer of the timing question: add 'timing:'", "before_window")
        return self


class AnswerRoles(Model):
    """questions.yaml ``answer_roles:``: answers with a part to play wherever a question offers them.

    ``not_sure``: the option value of the "I'm not sure" answer. A one-choice
    question that offers it names it when left unanswered ("Select the answer
    that fits best, or "I'm not sure" if you do not know"); one that does not
    asks only for the answer that fits best.
    """

    not_sure: OptionValue | None = None


class QuestionsFile(Model):
    """questions.yaml: section captions, the ordered questions, and how to read them.

    ``child_wording``: when the questions use their ``text_child`` wording (a
    parent or carer is answering). ``timeline``: which questions make the
    timeline on the result page. ``answer_roles``: answers the forms name in their
    messages. ``merged_questions``: old question id -> the
    several-choice question its answers now belong to (old answer files still work).
    """

    child_wording: ConditionField | None = None
    timeline: TimelineRoles | None = None
    answer_roles: AnswerRoles | None = None
    merged_questions: dict[Id, Id] = Field(default_factory=dict)
    sections: dict[Id, Text]
    questions: tuple[Question, ...] = Field(min_length=1)


# --- types/<id>.yaml ----------------------------------------------------------------


class SourceRef(Model):
    """A credible source: title and address."""

    title: Text
    url: Url


def _strict_int(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise PydanticCustomError("int_type", "expected a whole number", {})


def _points(value: Any) -> int:
    value = _strict_int(value)
    if value == 0:
        raise problem("points must not be 0 (use a positive or a negative whole number)")
    return value


class Evidence(Model):
    """A finding: when its condition holds, the type gets ``points``."""

    when: ConditionField
    points: Annotated[int, PlainValidator(_points), WithJsonSchema({"type": "integer"})]
    because: Text


class HairType(Model):
    """One documented hair-loss type (``types/<id>.yaml``).

    Whether a clinician has reviewed it is not written here: it is worked out
    from the records in ``reviews.yaml`` and the file's content (``signoff.py``).
    """

    id: Id
    name: Text
    other_names: tuple[Text, ...] = ()
    group: Text | None = None
    summary: Text
    threshold: Annotated[int, Field(gt=0)]
    care_level: Id
    # The drawing shown beside the type: an option value of a question with pictures.
    picture: OptionValue | None = None
    # Reassurance the sources give (shedding after a birth usually settles), shown
    # first on the result page when nothing urgent is found.
    reassurance: Text | None = None
    evidence: tuple[Evidence, ...] = Field(min_length=1)
    doctor_may: tuple[Text, ...] = ()
    treatments: tuple[Text, ...] = ()
    # Questions a person could ask the doctor about this type.
    ask_the_doctor: tuple[Text, ...] = ()
    sources: tuple[SourceRef, ...] = ()
    # Questions this type's evidence reads that the branching may skip for a
    # person the type gets points from, each with the reason that is acceptable
    # (see triage/rulebook/hidden.py and `triage rules check`).
    unasked: dict[Id, Text] = Field(default_factory=dict)


# --- red_flags.yaml ----------------------------------------------------------------

# Kinds of help line (care_levels.yaml): emergency services, crisis support, urgent medical advice.
HelpUse = Literal["emergency", "crisis", "urgent"]


class RedFlag(Model):
    """A finding that raises the care level on its own.

    ``what_to_do``, when given, replaces the care level's own steps on the care
    card whenever this flag is one of those that set the level (for example,
    thoughts of self-harm: talk to someone today, emergency services if not safe).
    """

    id: Id
    level: Id
    interrupt: bool = False
    when: ConditionField
    message: Text
    what_to_do: tuple[Text, ...] = ()
    help_lines: tuple[HelpUse, ...] = ()
    sources: tuple[SourceRef, ...] = ()


class CareNote(Model):
    """A finding that changes *what* to do, never *how soon*: advice added to the care card."""

    id: Id
    when: ConditionField
    message: Text
    help_lines: tuple[HelpUse, ...] = ()
    sources: tuple[SourceRef, ...] = ()


class RedFlagsFile(Model):
    """red_flags.yaml: red flags (raise the care level) and care notes (add advice only)."""

    red_flags: tuple[RedFlag, ...] = ()
    care_notes: tuple[CareNote, ...] = ()


# --- care_levels.yaml ----------------------------------------------------------------


class CareLevel(Model):
    """How soon to get care, what to do, and which kinds of help line to show with it."""

    id: Id
    label: Text
    timeframe: Text
    meaning: Text
    what_to_do: tuple[Text, ...] = ()
    help_lines: tuple[HelpUse, ...] = ()


PhoneNumber = Annotated[str, StringConstraints(pattern=r"^\+?[0-9][0-9 ]*[0-9]$")]


class TextTo(Model):
    """A text (SMS) line: the number to text and, where the line asks for one, the word to send."""

    to: PhoneNumber
    body: Text | None = None


class HelpLine(Model):
    """A help line, kept in one place (care_levels.yaml) so that a deployer can localise it."""

    id: Id
    name: Text
    country: Text
    who: Text
    hours: Text | None = None
    call: PhoneNumber | None = None
    text: TextTo | None = None
    web: Url | None = None
    detail: Text | None = None
    use: tuple[HelpUse, ...] = Field(min_length=1)

    @property
    def tel(self) -> str | None:
        """The number as a ``tel:`` address."""
        return f"tel:{self.call.replace(' ', '')}" if self.call else None

    @property
    def sms(self) -> str | None:
        """The text line as an ``sms:`` address, with its body where the line gives one."""
        if self.text is None:
            return None
        number = self.text.to.replace(" ", "")
        return f"sms:{number}?&body={self.text.body}" if self.text.body else f"sms:{number}"

    @model_validator(mode="after")
    def _check(self) -> HelpLine:
        if self.call is None and self.text is None and self.web is None:
            raise problem("a help line needs at least one way to reach it: call, text or web", "name")
        return self


class DoctorQuestion(Model):
    """A question a person could ask the doctor, asked of those for whom ``when`` holds."""

    text: Text
    text_child: Text | None = None
    when: ConditionField | None = None


class HelpRoles(Model):
    """care_levels.yaml ``help_roles:``: which help lines the pages show outside a result.

    ``emergency``: the use whose lines every page names "in an emergency" (the
    disclaimer, the start page). ``crisis``: the use whose lines the footer and
    the start page list (those not already given as emergency lines), and that
    /help-now shows when the red flags that interrupt name no help lines.
    """

    emergency: HelpUse
    crisis: HelpUse


class CareLevelsFile(Model):
    """care_levels.yaml: levels, most urgent first, the help lines, and questions for the doctor."""

    levels: tuple[CareLevel, ...] = Field(min_length=1)
    unclear_level: Id
    help_roles: HelpRoles | None = None
    help_lines: tuple[HelpLine, ...] = ()
    ask_the_doctor: tuple[DoctorQuestion, ...] = ()


# --- cases/*.yaml ----------------------------------------------------------------------


class Expect(Model):
    """What a worked case expects from the engine."""

    top3: tuple[Id, ...] = Field(default=(), max_length=3)
    first: Id | None = None
    unclear: bool | None = None
    care_level: Id
    red_flags: tuple[Id, ...] = ()
    care_notes: tuple[Id, ...] = ()
    not_top3: tuple[Id, ...] = ()


class Case(Model):
    """A worked case: answers and what the rules must make of them."""

    id: Id
    title: Text
    answers: dict[Id, Any]
    expect: Expect


class CasesFile(Model):
    """One file of worked cases."""

    cases: tuple[Case, ...] = Field(min_length=1)


# --- reviews.yaml --------------------------------------------------------------------------

# What a reviewer looked at, and what they concluded.
ReviewScope = Literal["content", "sources", "care_levels"]
ReviewOutcome = Literal["approved", "approved_with_changes", "changes_requested"]
REVIEW_SCOPES: tuple[str, ...] = typing.get_args(ReviewScope)
REVIEW_OUTCOMES: tuple[str, ...] = typing.get_args(ReviewOutcome)

# A review dated a day ahead is allowed: the reviewer's day may be ahead of this machine's.
_DATE_SLACK = timedelta(days=1)


class SignOff(Model):
    """One clinician's review of one rule file, bound to the file's content at the time.

    ``file`` is the path inside the rules folder (``types/alopecia_areata.yaml``);
    ``sha256`` the SHA-256 of the file's bytes when it was reviewed (at least its
    first 16 hex digits). Whether the file still has that content is worked out
    when the rules are loaded (``triage.rulebook.signoff``), never typed.
    """

    file: Text
    sha256: Sha256
    reviewer: Text
    role: Text
    registration: Text | None = None
    date: DateText
    scope: tuple[ReviewScope, ...] = Field(min_length=1)
    outcome: ReviewOutcome
    notes: Text | None = None

    @model_validator(mode="after")
    def _check(self) -> SignOff:
        try:
            day = date.fromisoformat(self.date)
        except ValueError:
            raise problem(f"'{self.date}' is not a real date", "date") from None
        if day > date.today() + _DATE_SLACK:
            raise problem(f"the review date {self.date} is in the future", "date")
        seen: set[str] = set()
        for i, item in enumerate(self.scope):
            if item in seen:
                raise problem(f"'{item}' is listed twice in the scope", ("scope", i))
            seen.add(item)
        return self


class ReviewsFile(Model):
    """reviews.yaml: every recorded review, oldest first (``triage rules review`` appends)."""

    reviews: tuple[SignOff, ...]


# --- the loaded rulebook ------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Rulebook:
    """Every rule file, validated; built once by ``load_rulebook``.

    ``version`` is computed at load time; lookups are precomputed so that
    evaluation never reparses or rehashes anything. ``updated`` is the date
    the newest rule file was last changed (its modification time, in UTC),
    also read once at load time.
    """

    root: Path
    version: str
    sections: Mapping[str, str]
    questions: tuple[Question, ...]
    types: tuple[HairType, ...]
    red_flags: tuple[RedFlag, ...]
    care: CareLevelsFile
    care_notes: tuple[CareNote, ...] = ()
    child_wording: Condition | None = None
    timeline: TimelineRoles | None = None
    merged_questions: Mapping[str, str] = field(default_factory=dict)
    answer_roles: AnswerRoles | None = None
    cases: tuple[Case, ...] = ()
    case_where: Mapping[str, Where] = field(default_factory=dict)
    # How many questions each worked case is asked on its own branch (worked out by the loader).
    questions_asked: Mapping[str, int] = field(default_factory=dict)
    lints: tuple[str, ...] = ()
    updated: date | None = None
    # SHA-256 (hex) of each rule file's bytes, by its path inside the rules folder
    # (reviews.yaml itself is not a rule file), and the review records, with where
    # each is written in reviews.yaml.
    file_hashes: Mapping[str, str] = field(default_factory=dict)
    signoffs: tuple[SignOff, ...] = ()
    signoff_where: tuple[Where, ...] = ()
    question_by_id: Mapping[str, Question] = field(init=False, repr=False)
    type_by_id: Mapping[str, HairType] = field(init=False, repr=False)
    red_flag_by_id: Mapping[str, RedFlag] = field(init=False, repr=False)
    level_rank: Mapping[str, int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        def index(items: Any) -> Mapping[str, Any]:
            return MappingProxyType({item.id: item for item in items})

        object.__setattr__(self, "question_by_id", index(self.questions))
        object.__setattr__(self, "type_by_id", index(self.types))
        object.__setattr__(self, "red_flag_by_id", index(self.red_flags))
        object.__setattr__(self, "level_rank", MappingProxyType({lv.id: i for i, lv in enumerate(self.care.levels)}))

    @property
    def levels(self) -> tuple[CareLevel, ...]:
        """Care levels, most urgent first."""
        return self.care.levels

    @property
    def unclear_level(self) -> str:
        return self.care.unclear_level

    @property
    def help_lines(self) -> tuple[HelpLine, ...]:
        return self.care.help_lines

    @property
    def help_roles(self) -> HelpRoles | None:
        """Which help-line uses the pages show outside a result (``help_roles`` in care_levels.yaml)."""
        return self.care.help_roles

    @property
    def emergency_lines(self) -> tuple[HelpLine, ...]:
        """The help lines to call in an emergency (the ``emergency`` help role); none when undeclared."""
        roles = self.care.help_roles
        return self.help_lines_for(roles.emergency) if roles is not None else ()

    @property
    def crisis_lines(self) -> tuple[HelpLine, ...]:
        """Every help line of the ``crisis`` help role (none when undeclared), emergency lines included."""
        roles = self.care.help_roles
        return self.help_lines_for(roles.crisis) if roles is not None else ()

    def help_lines_for(self, *uses: str) -> tuple[HelpLine, ...]:
        """The help lines for any of these uses (emergency, crisis, urgent), in file order."""
        return tuple(line for line in self.care.help_lines if not set(uses).isdisjoint(line.use))

    def for_child(self, answers: Mapping[str, Any]) -> bool:
        """A parent or carer is answering (``child_wording`` in questions.yaml)."""
        return self.child_wording is not None and self.child_wording.holds(answers)

    def not_sure_option(self, question: Question) -> Option | None:
        """A one-choice question's "I'm not sure" answer (``answer_roles`` in questions.yaml), if it offers one."""
        role = self.answer_roles.not_sure if self.answer_roles is not None else None
        if role is None or question.kind != "one":
            return None
        return next((o for o in question.options if o.value == role), None)

    @cached_property
    def rule_index(self) -> RuleIndex:
        """The evidence, red flags and care notes filed by the answers that can fire them (built on first use)."""
        return RuleIndex(self.types, self.red_flags, self.care_notes)

    def level(self, level_id: str) -> CareLevel:
        """The care level with this id."""
        return self.care.levels[self.level_rank[level_id]]

    def pictures_for(self, value: str) -> str | None:
        """The sprite (``static/img/<name>.svg``) that draws option ``value`` of a question with pictures."""
        for question in self.questions:
            if question.pictures is not None and value in question.option_values:
                return question.pictures
        return None
