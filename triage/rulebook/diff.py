"""A clinical diff: what one version of the rulebook changes from another, as data.

``diff_rulebooks(old, new) -> RulebookDiff`` compares two loaded rulebooks and
finds, for a clinician rather than a programmer:

- types, red flags, care notes, questions, options, care levels and help lines
  added or removed;
- evidence added, removed, or changed in its points, its condition (as the same
  word-free ``explain`` trees as the /rules pages) or its reason;
- thresholds and care levels changed;
- every piece of text the person reads that changed, with the old and the new text;
- sources added or removed;
- which worked cases (those of the new rulebook) change their first three
  types or their care level between the old rules and the new.

Every finding is data: ids, numbers, kinds of change, the parts of a rule they are
about, and the texts taken from the rule files. The sentences a clinician reads
("Evidence 3: +2 points, was +1", "1 added, 2 changed") are written in one place,
``templates/macros/diff_words.txt``, used by the diff's templates
(``templates/clinician/_diff.html``, ``diff.md``, ``diff.txt``); ``triage.words``
renders them for Python callers.

Pure and deterministic: no Flask, no files, no git (``triage.changes`` finds
and loads the two rulebooks, and renders the result).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

from .conditions import All, AnyOf, Condition, Match, Not
from .engine import Miss, evaluate
from .flow import upgrade_answers
from .plain import Plain, explain

if TYPE_CHECKING:
    from .models import (
        CareLevel,
        CareNote,
        Evidence,
        HairType,
        HelpLine,
        Option,
        Question,
        RedFlag,
        Rulebook,
        SourceRef,
    )

Status = Literal["added", "removed", "changed"]


@dataclass(frozen=True)
class Part:
    """Which part of a rule a change is about, as data (its name in words: ``part`` in diff_words.txt).

    ``key`` names it: a field of the rule files where that is unambiguous (``threshold``,
    ``summary``, ``what_to_do``, ``ask_when`` ...), else ``care_level`` (a type's base care
    level), ``level`` (a red flag's, or the level when no type fits), ``when`` (when a red flag
    fires), ``note_when`` (when a care note is added), ``label`` (a care level's label),
    ``evidence``, ``because`` (its reason), ``old_evidence`` (evidence of the old file),
    ``option``, ``sources``, ``help_line``, ``order``, ``child_wording``, ``new_type``,
    ``new_red_flag``, ``new_care_note``, ``new_question``, ``new_care_level``,
    ``new_help_line``, ``was`` (an item removed), or ``field`` (any other field, named by
    ``field``).
    """

    key: str
    number: int | None = None  # evidence: its number (from 1) in the file it is in
    field: str | None = None  # key "field": the field's name; key "option": the option's field that changed, if any
    option: str | None = None  # key "option": the option's value
    label: str | None = None  # key "option": the option's label


@dataclass(frozen=True)
class Level:
    """A care level as a change names it: its id, and its label in that version of the rules (None if unknown)."""

    id: str
    label: str | None = None


@dataclass(frozen=True)
class TypeFacts:
    """What a type added or removed weighs: threshold, base care level, how much evidence and how many sources."""

    threshold: int
    level: Level
    evidence: int
    sources: int


@dataclass(frozen=True)
class FlagFacts:
    """A red flag added or removed: its care level, and whether it interrupts the questions."""

    level: Level
    interrupt: bool


@dataclass(frozen=True)
class Fields:
    """A mapping or a rule model as (key, value) pairs, each value as ``Written`` shows it.

    ``named``: the keys are the model's field names (put in words), not a mapping's own keys.
    """

    pairs: tuple[tuple[Any, Any], ...]
    named: bool = False


@dataclass(frozen=True)
class Written:
    """A value of a rule file that is not simply text, shown as written: ``value`` is a string
    (a condition in YAML's flow style, a number), None, a tuple of such values, or ``Fields``."""

    value: Any


@dataclass(frozen=True)
class Change:
    """One change, as data; its words are ``what`` and ``how`` in templates/macros/diff_words.txt.

    ``kind`` says what sort of change it is (``points``, ``condition``, ``threshold``,
    ``care_level``, ``text``, ``evidence_added``, ``evidence_removed``, ``source_added``,
    ``source_removed``, ``option_added``, ``option_removed``, ``order``, ...); ``part`` which
    part of the rule changed. ``old``/``new`` hold what is read before and after, shown side
    by side: text of the rule files, a ``HelpLine`` (kinds ``help_line``, ``help_line_added``)
    or a ``Written`` value; ``old_when``/``new_when`` conditions as ``Plain`` trees; ``about``
    the reason of the evidence a change is about, so a reader knows which. ``was``/``now``
    hold the values the change's one line states (numbers, ``Level``, ids, ``SourceRef``,
    ``TypeFacts``, ``FlagFacts``), by kind.
    """

    kind: str
    part: Part
    old: Any = None
    new: Any = None
    old_when: Plain | None = None
    new_when: Plain | None = None
    about: str | None = None
    was: Any = None
    now: Any = None


@dataclass(frozen=True)
class ItemDiff:
    """A type, red flag, question ... that was added, removed or changed, with its changes.

    ``name`` is its name in the rule files (a type's name, a question's text, a care level's
    label, a help line's name; a red flag's or care note's id), or None for a part of the rules
    that is not one rule (the order of the care levels, ...), which the words name by its ``id``.
    """

    id: str
    name: str | None
    status: Status
    changes: tuple[Change, ...] = ()
    file: str | None = None


@dataclass(frozen=True)
class Section:
    """The changes of one kind of rule (``key``: types, red_flags, care_notes, questions, care_levels, help_lines)."""

    key: str
    items: tuple[ItemDiff, ...]

    def with_status(self, status: Status) -> tuple[ItemDiff, ...]:
        return tuple(item for item in self.items if item.status == status)

    @property
    def added(self) -> tuple[ItemDiff, ...]:
        return self.with_status("added")

    @property
    def removed(self) -> tuple[ItemDiff, ...]:
        return self.with_status("removed")

    @property
    def changed(self) -> tuple[ItemDiff, ...]:
        return self.with_status("changed")


@dataclass(frozen=True)
class CaseMove:
    """A worked case whose first three types or care level differ between the old and the new rules."""

    case_id: str
    title: str
    old_top3: tuple[str, ...]
    new_top3: tuple[str, ...]
    old_level: str
    new_level: str
    passes_now: bool
    failures: tuple[Miss, ...] = ()

    @property
    def top3_changed(self) -> bool:
        return self.old_top3 != self.new_top3

    @property
    def top3_reordered(self) -> bool:
        """The same types, in a different order."""
        return self.top3_changed and set(self.old_top3) == set(self.new_top3)

    @property
    def level_changed(self) -> bool:
        return self.old_level != self.new_level


@dataclass(frozen=True)
class Version:
    """Which rules one side of a diff is, as data (in words: ``version`` in diff_words.txt).

    ``kind``: ``folder`` (``name`` its path), ``revision`` (``name`` as given, with its
    ``commit`` and the ``day`` it was made), ``running`` (the rules this app runs), or
    ``named`` (``name`` is all there is to say, such as "old" and "new").
    """

    kind: Literal["folder", "revision", "running", "named"]
    name: str = ""
    commit: str = ""
    day: str = ""


@dataclass(frozen=True)
class RulebookDiff:
    """Everything that differs, section by section, and the worked cases whose result moves."""

    old_label: Version
    new_label: Version
    old_version: str
    new_version: str
    sections: tuple[Section, ...]
    moves: tuple[CaseMove, ...]
    cases_compared: int
    cases_added: tuple[str, ...] = ()
    cases_removed: tuple[str, ...] = ()
    # Names from the rule files, for the words: type id -> name, level id -> label, in the new rules, else the old.
    type_names: Mapping[str, str] = field(default_factory=dict)
    level_labels: Mapping[str, str] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        """Nothing a clinician would notice changed (the files may still differ in layout or comments)."""
        return (
            not any(s.items for s in self.sections)
            and not self.moves
            and not self.cases_added
            and not self.cases_removed
        )

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)

    def changes(self) -> list[tuple[Section, ItemDiff, Change]]:
        """Every change, flattened (for counting and tests)."""
        return [(s, item, change) for s in self.sections for item in s.items for change in item.changes]

    def kinds(self) -> set[str]:
        """The kinds of change found (plus ``<section>_added`` / ``<section>_removed`` for whole items)."""
        found = {change.kind for _, _, change in self.changes()}
        for s in self.sections:
            found |= {f"{s.key}_{item.status}" for item in s.items if item.status != "changed"}
        return found


# --- helpers -------------------------------------------------------------------------------------


def canonical(condition: Condition | None) -> Any:
    """A condition as plain nested tuples, without positions: equal when they mean the same rule."""
    if condition is None:
        return None
    if isinstance(condition, All):
        return ("all", tuple(canonical(item) for item in condition.items))
    if isinstance(condition, AnyOf):
        return ("any", tuple(canonical(item) for item in condition.items))
    if isinstance(condition, Not):
        return ("not", canonical(condition.item))
    assert isinstance(condition, Match)
    op = "one_of" if condition.op == "equals" else condition.op  # `q: x` means `q: [x]`
    return ("test", condition.question, op, tuple(condition.values))


def _level(rulebook: Rulebook, level_id: str) -> Level:
    """A care level with its label in ``rulebook`` (none when that rulebook has no such level)."""
    if level_id in rulebook.level_rank:
        return Level(level_id, rulebook.level(level_id).label)
    return Level(level_id)


def _text_change(kind: str, part: Part, old: Any, new: Any) -> list[Change]:
    """A change of text the person (or clinician) reads, with both versions; nothing when equal.

    The words say "added" (no ``old``), "removed" (no ``new``) or "changed"."""
    if old == new:
        return []
    return [Change(kind, part, old=old, new=new)]


def _list_changes(kind: str, part: Part, old: Sequence[Any], new: Sequence[Any]) -> list[Change]:
    """Items added to or removed from a list of sentences (doctor_may, treatments, steps).

    The same items in a different order: one change with neither ``old`` nor ``new``."""
    changes = [Change(kind, part, new=item) for item in new if item not in old]
    changes += [Change(kind, part, old=item) for item in old if item not in new]
    if not changes and list(old) != list(new):
        changes.append(Change(kind, part))
    return changes


def _care_level_change(part: Part, old_rb: Rulebook, new_rb: Rulebook, old_id: str, new_id: str) -> list[Change]:
    """A care level that changed, each with its label in its own rules; nothing when equal."""
    if old_id == new_id:
        return []
    return [Change("care_level", part, was=_level(old_rb, old_id), now=_level(new_rb, new_id))]


def _help_lines_change(old: Sequence[str], new: Sequence[str]) -> list[Change]:
    """The help lines shown changed (ids, in order); nothing when equal."""
    if old == new:
        return []
    return [Change("help_lines", Part("help_lines"), was=tuple(old), now=tuple(new))]


def _source_changes(old: Sequence[SourceRef], new: Sequence[SourceRef]) -> list[Change]:
    old_by_url = {s.url: s for s in old}
    new_by_url = {s.url: s for s in new}
    part = Part("sources")
    changes = [Change("source_added", part, now=s) for s in new if s.url not in old_by_url]
    changes += [Change("source_removed", part, was=s) for s in old if s.url not in new_by_url]
    changes += [
        Change("source_title", part, old=old_by_url[s.url].title, new=s.title, now=s)
        for s in new
        if s.url in old_by_url and old_by_url[s.url].title != s.title
    ]
    return changes


def _value(value: Any) -> Any:
    """Any value of a rule file as ``Written`` shows it: text, None, a tuple, or ``Fields``
    (a condition nested in some other value as written in YAML)."""
    if isinstance(value, (All, AnyOf, Not, Match)):
        return _as_written(value.raw)
    if isinstance(value, (tuple, list)):
        return tuple(_value(v) for v in value)
    if isinstance(value, dict):
        return Fields(tuple((k, _value(v)) for k, v in value.items()))
    if hasattr(type(value), "model_fields"):
        fields = type(value).model_fields
        shown = [(k, getattr(value, k)) for k, f in fields.items() if getattr(value, k) != f.default]
        return Fields(tuple((k, _value(v)) for k, v in shown), named=True)
    return None if value is None else str(value)


def _shown(value: Any) -> Any:
    """An item of a list field as it is read: text as it is, anything else ``Written``."""
    return value if isinstance(value, str) else Written(_value(value))


def _as_written(raw: Any) -> str:
    """YAML data in YAML's flow style, as a rule file could write it: ``{pattern: [a, b]}``."""
    if isinstance(raw, dict):
        return "{" + ", ".join(f"{k}: {_as_written(v)}" for k, v in raw.items()) + "}"
    if isinstance(raw, list):
        return "[" + ", ".join(_as_written(v) for v in raw) + "]"
    if isinstance(raw, bool):
        return "true" if raw else "false"
    return str(raw)


def _other_fields(old: Any, new: Any, handled: Iterable[str], rulebooks: tuple[Rulebook, Rulebook]) -> list[Change]:
    """Any other field that differs (one added to the rule files after this diff was written), so none is missed."""
    old_rb, new_rb = rulebooks
    changes: list[Change] = []
    for name in type(new).model_fields:
        if name in handled:
            continue
        before, after = getattr(old, name, None), getattr(new, name, None)
        part = Part("field", field=name)
        if isinstance(before, (All, AnyOf, Not, Match)) or isinstance(after, (All, AnyOf, Not, Match)):
            changes += _condition_change(part, old_rb, new_rb, before, after)
        elif before == after:
            continue
        elif all(isinstance(v, (str, type(None))) for v in (before, after)):
            changes += _text_change("text", part, before, after)
        elif all(isinstance(v, (tuple, type(None))) for v in (before, after)):
            changes += _list_changes("text", part, [_shown(v) for v in before or ()], [_shown(v) for v in after or ()])
        else:
            changes.append(Change("other", part, old=Written(_value(before)), new=Written(_value(after))))
    return changes


def _condition_change(
    part: Part, old_rb: Rulebook, new_rb: Rulebook, old: Condition | None, new: Condition | None
) -> list[Change]:
    """A condition that changed, both versions as ``Plain`` trees (none where there is no condition)."""
    if canonical(old) == canonical(new):
        return []
    return [
        Change(
            "condition",
            part,
            old_when=explain(old, old_rb.question_by_id) if old is not None else None,
            new_when=explain(new, new_rb.question_by_id) if new is not None else None,
        )
    ]


def _items(
    key: str,
    old: Sequence[Any],
    new: Sequence[Any],
    *,
    name: Callable[[Any], str],
    describe_added: Callable[[Any], list[Change]],
    compare: Callable[[Any, Any], list[Change]],
    describe_removed: Callable[[Any], list[Change]] = lambda item: [],
    file_of: Callable[[Any], str | None] = lambda item: None,
) -> Section:
    """Added, removed and changed items of one kind, matched by id, in the new file's order."""
    old_by_id = {item.id: item for item in old}
    new_ids = {item.id for item in new}
    items: list[ItemDiff] = []
    for item in new:
        before = old_by_id.get(item.id)
        if before is None:
            items.append(ItemDiff(item.id, name(item), "added", tuple(describe_added(item)), file_of(item)))
        else:
            changes = compare(before, item)
            if changes:
                items.append(ItemDiff(item.id, name(item), "changed", tuple(changes), file_of(item)))
    items += [
        ItemDiff(item.id, name(item), "removed", tuple(describe_removed(item)), file_of(item))
        for item in old
        if item.id not in new_ids
    ]
    return Section(key, tuple(items))


# --- types -------------------------------------------------------------------------------------


def _match_evidence(
    old: Sequence[Evidence], new: Sequence[Evidence]
) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    """Pair old and new evidence: same rule, then same condition, then same reason; the rest are removed/added."""
    pairs: list[tuple[int, int]] = []
    free_old = list(range(len(old)))
    free_new = list(range(len(new)))
    keys: tuple[Callable[[Evidence], Any], ...] = (
        lambda e: (canonical(e.when), e.points, e.because),
        lambda e: canonical(e.when),
        lambda e: e.because,
    )
    for key in keys:
        for j in list(free_new):
            for i in free_old:
                if key(old[i]) == key(new[j]):
                    pairs.append((i, j))
                    free_old.remove(i)
                    free_new.remove(j)
                    break
    return sorted(pairs, key=lambda p: p[1]), free_old, free_new


def _evidence_added(rb: Rulebook, index: int, item: Evidence) -> Change:
    return Change(
        "evidence_added",
        Part("evidence", number=index + 1),
        new=item.because,
        new_when=explain(item.when, rb.question_by_id),
        now=item.points,
    )


def _type_facts(rb: Rulebook, t: HairType) -> TypeFacts:
    return TypeFacts(t.threshold, _level(rb, t.care_level), len(t.evidence), len(t.sources))


def _type_added(rb: Rulebook) -> Callable[[HairType], list[Change]]:
    def describe(t: HairType) -> list[Change]:
        changes = [Change("type_added", Part("new_type"), new=t.summary, now=_type_facts(rb, t))]
        changes += [_evidence_added(rb, i, item) for i, item in enumerate(t.evidence)]
        return changes

    return describe


# Fields compared one by one above; any other field is compared by ``_other_fields``.
# ``unasked`` holds coverage notes for clinicians (why a skipped question is acceptable), not rules.
TYPE_FIELDS = frozenset(
    {
        "id",
        "threshold",
        "care_level",
        "name",
        "summary",
        "other_names",
        "group",
        "evidence",
        "doctor_may",
        "treatments",
        "sources",
        "unasked",
    }
)
FLAG_FIELDS = frozenset({"id", "level", "when", "interrupt", "message", "what_to_do", "help_lines", "sources"})
NOTE_FIELDS = frozenset({"id", "when", "message", "help_lines", "sources"})
QUESTION_FIELDS = frozenset({"id", "text", "text_child", "hint", "kind", "min", "max", "unit", "ask_when", "options"})
LEVEL_FIELDS = frozenset({"id", "label", "timeframe", "meaning", "what_to_do", "help_lines"})
OPTION_FIELDS = frozenset({"value", "label", "hint", "exclusive", "show_when"})
CARE_FILE_FIELDS = frozenset({"levels", "unclear_level", "help_lines"})


def _type_compare(old_rb: Rulebook, new_rb: Rulebook) -> Callable[[HairType, HairType], list[Change]]:
    def compare(old: HairType, new: HairType) -> list[Change]:
        changes: list[Change] = []
        if old.threshold != new.threshold:
            changes.append(Change("threshold", Part("threshold"), was=old.threshold, now=new.threshold))
        changes += _care_level_change(Part("care_level"), old_rb, new_rb, old.care_level, new.care_level)
        changes += _text_change("text", Part("name"), old.name, new.name)
        changes += _text_change("text", Part("summary"), old.summary, new.summary)
        changes += _list_changes("text", Part("other_names"), old.other_names, new.other_names)
        changes += _text_change("text", Part("group"), old.group, new.group)
        pairs, removed, added = _match_evidence(old.evidence, new.evidence)
        for i, j in pairs:
            before, after = old.evidence[i], new.evidence[j]
            part = Part("evidence", number=j + 1)
            if before.points != after.points:
                changes.append(Change("points", part, about=after.because, was=before.points, now=after.points))
            if canonical(before.when) != canonical(after.when):
                changes.append(
                    Change(
                        "condition",
                        part,
                        about=after.because,
                        old_when=explain(before.when, old_rb.question_by_id),
                        new_when=explain(after.when, new_rb.question_by_id),
                        now=after.points,
                    )
                )
            if before.because != after.because:
                changes.append(Change("text", Part("because", number=j + 1), old=before.because, new=after.because))
        changes += [_evidence_added(new_rb, j, new.evidence[j]) for j in added]
        changes += [
            Change(
                "evidence_removed",
                Part("old_evidence", number=i + 1),
                old=old.evidence[i].because,
                old_when=explain(old.evidence[i].when, old_rb.question_by_id),
                was=old.evidence[i].points,
            )
            for i in removed
        ]
        changes += _list_changes("text", Part("doctor_may"), old.doctor_may, new.doctor_may)
        changes += _list_changes("text", Part("treatments"), old.treatments, new.treatments)
        changes += _source_changes(old.sources, new.sources)
        changes += _other_fields(old, new, TYPE_FIELDS, (old_rb, new_rb))
        return changes

    return compare


# --- red flags and care notes -----------------------------------------------------------------------


def _flag_compare(old_rb: Rulebook, new_rb: Rulebook) -> Callable[[RedFlag, RedFlag], list[Change]]:
    def compare(old: RedFlag, new: RedFlag) -> list[Change]:
        changes = _care_level_change(Part("level"), old_rb, new_rb, old.level, new.level)
        changes += _condition_change(Part("when"), old_rb, new_rb, old.when, new.when)
        if old.interrupt != new.interrupt:
            changes.append(Change("interrupt", Part("interrupt"), was=old.interrupt, now=new.interrupt))
        changes += _text_change("text", Part("message"), old.message, new.message)
        changes += _list_changes("text", Part("what_to_do"), old.what_to_do, new.what_to_do)
        changes += _help_lines_change(old.help_lines, new.help_lines)
        changes += _source_changes(old.sources, new.sources)
        changes += _other_fields(old, new, FLAG_FIELDS, (old_rb, new_rb))
        return changes

    return compare


def _flag_facts(rb: Rulebook, flag: RedFlag) -> FlagFacts:
    return FlagFacts(_level(rb, flag.level), flag.interrupt)


def _flag_added(rb: Rulebook) -> Callable[[RedFlag], list[Change]]:
    def describe(flag: RedFlag) -> list[Change]:
        return [
            Change(
                "red_flag_added",
                Part("new_red_flag"),
                new=flag.message,
                new_when=explain(flag.when, rb.question_by_id),
                now=_flag_facts(rb, flag),
            )
        ]

    return describe


def _note_compare(old_rb: Rulebook, new_rb: Rulebook) -> Callable[[CareNote, CareNote], list[Change]]:
    def compare(old: CareNote, new: CareNote) -> list[Change]:
        changes = _condition_change(Part("note_when"), old_rb, new_rb, old.when, new.when)
        changes += _text_change("text", Part("message"), old.message, new.message)
        changes += _help_lines_change(old.help_lines, new.help_lines)
        changes += _source_changes(old.sources, new.sources)
        changes += _other_fields(old, new, NOTE_FIELDS, (old_rb, new_rb))
        return changes

    return compare


def _note_added(rb: Rulebook) -> Callable[[CareNote], list[Change]]:
    def describe(note: CareNote) -> list[Change]:
        return [
            Change(
                "care_note_added",
                Part("new_care_note"),
                new=note.message,
                new_when=explain(note.when, rb.question_by_id),
            )
        ]

    return describe


# --- questions -------------------------------------------------------------------------------------


def _option_part(option: Option, field: str | None = None) -> Part:
    """An option (its value and, as the new rules word it, its label), or one of its fields."""
    return Part("option", field=field, option=option.value, label=option.label)


def _question_compare(old_rb: Rulebook, new_rb: Rulebook) -> Callable[[Question, Question], list[Change]]:
    def compare(old: Question, new: Question) -> list[Change]:
        changes: list[Change] = []
        changes += _text_change("text", Part("text"), old.text, new.text)
        changes += _text_change("text", Part("text_child"), old.text_child, new.text_child)
        changes += _text_change("text", Part("hint"), old.hint, new.hint)
        if old.kind != new.kind:
            changes.append(Change("kind", Part("kind"), was=old.kind, now=new.kind))
        for key in ("min", "max", "unit"):
            if getattr(old, key) != getattr(new, key):
                changes.append(Change("range", Part(key), was=getattr(old, key), now=getattr(new, key)))
        changes += _condition_change(Part("ask_when"), old_rb, new_rb, old.ask_when, new.ask_when)
        old_options = {o.value: o for o in old.options}
        new_values = {o.value for o in new.options}
        for option in new.options:
            before = old_options.get(option.value)
            if before is None:
                changes.append(Change("option_added", _option_part(option)))
                continue
            changes += _text_change("text", _option_part(option, "label"), before.label, option.label)
            changes += _text_change("text", _option_part(option, "hint"), before.hint, option.hint)
            if before.exclusive != option.exclusive:
                changes.append(Change("exclusive", _option_part(option), was=before.exclusive, now=option.exclusive))
            changes += _condition_change(
                _option_part(option, "show_when"), old_rb, new_rb, before.show_when, option.show_when
            )
            changes += [
                replace(c, part=_option_part(option, c.part.field))
                for c in _other_fields(before, option, OPTION_FIELDS, (old_rb, new_rb))
            ]
        changes += [Change("option_removed", _option_part(o)) for o in old.options if o.value not in new_values]
        changes += _other_fields(old, new, QUESTION_FIELDS, (old_rb, new_rb))
        return changes

    return compare


def _question_added(rb: Rulebook) -> Callable[[Question], list[Change]]:
    def describe(q: Question) -> list[Change]:
        changes = [
            Change(
                "question_added",
                Part("new_question"),
                new=q.text,
                new_when=explain(q.ask_when, rb.question_by_id) if q.ask_when is not None else None,
            )
        ]
        changes += [Change("option_added", _option_part(o)) for o in q.options]
        return changes

    return describe


# --- care levels and help lines ---------------------------------------------------------------------


def _level_compare(old: CareLevel, new: CareLevel) -> list[Change]:
    changes = _text_change("text", Part("label"), old.label, new.label)
    changes += _text_change("text", Part("timeframe"), old.timeframe, new.timeframe)
    changes += _text_change("text", Part("meaning"), old.meaning, new.meaning)
    changes += _list_changes("text", Part("what_to_do"), old.what_to_do, new.what_to_do)
    changes += _help_lines_change(old.help_lines, new.help_lines)
    return changes


def _help_compare(old: HelpLine, new: HelpLine) -> list[Change]:
    if old == new:
        return []
    return [Change("help_line", Part("help_line"), old=old, new=new)]


def _levels_section(old_rb: Rulebook, new_rb: Rulebook) -> Section:
    section = _items(
        "care_levels",
        old_rb.levels,
        new_rb.levels,
        name=lambda lv: lv.label,
        describe_added=lambda lv: [
            Change("care_level_added", Part("new_care_level"), new=lv.meaning, now=lv.timeframe)
        ],
        compare=lambda o, n: _level_compare(o, n) + _other_fields(o, n, LEVEL_FIELDS, (old_rb, new_rb)),
    )
    extra: list[ItemDiff] = []
    old_order = [lv.id for lv in old_rb.levels]
    new_order = [lv.id for lv in new_rb.levels]
    common = [lv for lv in new_order if lv in old_order]
    if common != [lv for lv in old_order if lv in new_order]:
        extra.append(
            ItemDiff(
                "order",
                None,
                "changed",
                (Change("order", Part("order"), was=tuple(old_order), now=tuple(new_order)),),
            )
        )
    unclear = _care_level_change(Part("level"), old_rb, new_rb, old_rb.unclear_level, new_rb.unclear_level)
    if unclear:
        extra.append(ItemDiff("unclear_level", None, "changed", tuple(unclear)))
    others = _other_fields(old_rb.care, new_rb.care, CARE_FILE_FIELDS, (old_rb, new_rb))
    if others:
        extra.append(ItemDiff("care_levels_file", None, "changed", tuple(others)))
    return Section(section.key, section.items + tuple(extra))


# --- worked cases ----------------------------------------------------------------------------------


def answers_for(rulebook: Rulebook, answers: Mapping[str, Any]) -> dict[str, Any]:
    """A case's answers as this rulebook reads them (a list of one for a one-choice question is its value)."""
    adapted = upgrade_answers(rulebook, answers)
    for qid, value in list(adapted.items()):
        question = rulebook.question_by_id.get(qid)
        if question is not None and question.kind == "one" and isinstance(value, (list, tuple)) and len(value) == 1:
            adapted[qid] = value[0]
    return adapted


def case_moves(old_rb: Rulebook, new_rb: Rulebook) -> list[CaseMove]:
    """The new rulebook's worked cases whose first three or care level differ under the old rules."""
    from .engine import check_case

    moves = []
    for case in new_rb.cases:
        result = check_case(new_rb, case)
        now = result.assessment
        before = evaluate(old_rb, answers_for(old_rb, case.answers))
        old_top = tuple(s.type_id for s in before.suggestions)
        new_top = tuple(s.type_id for s in now.suggestions)
        if old_top != new_top or before.care_level != now.care_level:
            moves.append(
                CaseMove(
                    case.id,
                    case.title,
                    old_top,
                    new_top,
                    before.care_level,
                    now.care_level,
                    result.passed,
                    result.failures,
                )
            )
    return moves


# --- the whole diff -----------------------------------------------------------------------------------


def _names(old_rb: Rulebook, new_rb: Rulebook) -> tuple[dict[str, str], dict[str, str]]:
    types = {t.id: t.name for t in old_rb.types} | {t.id: t.name for t in new_rb.types}
    levels = {lv.id: lv.label for lv in old_rb.levels} | {lv.id: lv.label for lv in new_rb.levels}
    return types, levels


def _child_wording(old_rb: Rulebook, new_rb: Rulebook) -> list[ItemDiff]:
    changes = _condition_change(Part("child_wording"), old_rb, new_rb, old_rb.child_wording, new_rb.child_wording)
    return [ItemDiff("child_wording", None, "changed", tuple(changes))] if changes else []


def _removed_type(rb: Rulebook) -> Callable[[HairType], list[Change]]:
    def describe(t: HairType) -> list[Change]:
        return [Change("type_removed", Part("was"), old=t.summary, was=_type_facts(rb, t))]

    return describe


def _removed_flag(rb: Rulebook) -> Callable[[RedFlag], list[Change]]:
    def describe(flag: RedFlag) -> list[Change]:
        return [
            Change(
                "red_flag_removed",
                Part("was"),
                old=flag.message,
                old_when=explain(flag.when, rb.question_by_id),
                was=_flag_facts(rb, flag),
            )
        ]

    return describe


def _removed_note(rb: Rulebook) -> Callable[[CareNote], list[Change]]:
    def describe(note: CareNote) -> list[Change]:
        return [
            Change(
                "care_note_removed",
                Part("was"),
                old=note.message,
                old_when=explain(note.when, rb.question_by_id),
            )
        ]

    return describe


def _removed_question(rb: Rulebook) -> Callable[[Question], list[Change]]:
    def describe(q: Question) -> list[Change]:
        when = explain(q.ask_when, rb.question_by_id) if q.ask_when is not None else None
        return [Change("question_removed", Part("was"), old_when=when)]

    return describe


def diff_rulebooks(
    old: Rulebook,
    new: Rulebook,
    *,
    old_label: Version = Version("named", "old"),
    new_label: Version = Version("named", "new"),
) -> RulebookDiff:
    """What ``new`` changes from ``old``, for a clinician."""
    types = _items(
        "types",
        old.types,
        new.types,
        name=lambda t: t.name,
        describe_added=_type_added(new),
        compare=_type_compare(old, new),
        describe_removed=_removed_type(old),
        file_of=lambda t: f"types/{t.id}.yaml",
    )
    flags = _items(
        "red_flags",
        old.red_flags,
        new.red_flags,
        name=lambda f: f.id,
        describe_added=_flag_added(new),
        compare=_flag_compare(old, new),
        describe_removed=_removed_flag(old),
    )
    notes = _items(
        "care_notes",
        old.care_notes,
        new.care_notes,
        name=lambda n: n.id,
        describe_added=_note_added(new),
        compare=_note_compare(old, new),
        describe_removed=_removed_note(old),
    )
    questions = _items(
        "questions",
        old.questions,
        new.questions,
        name=lambda q: q.text,
        describe_added=_question_added(new),
        compare=_question_compare(old, new),
        describe_removed=_removed_question(old),
    )
    questions = Section(questions.key, questions.items + tuple(_child_wording(old, new)))
    help_lines = _items(
        "help_lines",
        old.help_lines,
        new.help_lines,
        name=lambda h: h.name,
        describe_added=lambda h: [Change("help_line_added", Part("new_help_line"), new=h)],
        compare=_help_compare,
    )
    old_cases = {c.id for c in old.cases}
    new_cases = {c.id for c in new.cases}
    type_names, level_labels = _names(old, new)
    return RulebookDiff(
        old_label=old_label,
        new_label=new_label,
        old_version=old.version,
        new_version=new.version,
        sections=(types, flags, notes, questions, _levels_section(old, new), help_lines),
        moves=tuple(case_moves(old, new)),
        cases_compared=len(new.cases),
        cases_added=tuple(c.id for c in new.cases if c.id not in old_cases),
        cases_removed=tuple(c.id for c in old.cases if c.id not in new_cases),
        type_names=type_names,
        level_labels=level_labels,
    )
