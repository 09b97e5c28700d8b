"""A clinical diff: what one version of the rulebook changes from another, as data.

``diff_rulebooks(old, new) -> RulebookDiff`` compares two loaded rulebooks and
says, for a clinician rather than a programmer:

- types, red flags, care notes, questions, options, care levels and help lines
  added or removed;
- evidence added, removed, or changed in its points, its condition (in plain
  words, the same ``explain`` trees as the /rules pages) or its reason;
- thresholds and care levels changed;
- every piece of text the person reads that changed, with the old and the new words;
- sources added or removed;
- which worked cases (those of the new rulebook) change their first three
  types or their care level between the old rules and the new.

Pure and deterministic: no Flask, no files, no git (``triage.changes`` finds
and loads the two rulebooks, and renders the result).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
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
class Change:
    """One change, in plain words.

    ``kind`` says what sort of change it is (``points``, ``condition``,
    ``threshold``, ``care_level``, ``text``, ``evidence_added``,
    ``evidence_removed``, ``source_added``, ``source_removed``,
    ``option_added``, ``option_removed``, ``order``, ...); ``what`` names the
    part that changed ("Evidence 3", "Summary"); ``words`` says how
    ("+2 points, was +1"). ``old``/``new`` hold the words before and after
    (text the person reads), ``old_when``/``new_when`` conditions in plain words;
    ``about`` the reason of the evidence a change is about, so a reader knows which.
    """

    kind: str
    what: str
    words: str = ""
    old: str | None = None
    new: str | None = None
    old_when: Plain | None = None
    new_when: Plain | None = None
    about: str | None = None


@dataclass(frozen=True)
class ItemDiff:
    """A type, red flag, question ... that was added, removed or changed, with its changes."""

    id: str
    title: str
    status: Status
    changes: tuple[Change, ...] = ()
    file: str | None = None


@dataclass(frozen=True)
class Section:
    """The changes of one kind of rule ("Types of hair loss", "Red flags", ...)."""

    key: str
    title: str
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

    @property
    def summary(self) -> str:
        """"1 added, 2 changed" (only the counts that are not zero)."""
        counts = [(len(self.added), "added"), (len(self.removed), "removed"), (len(self.changed), "changed")]
        return ", ".join(f"{n} {word}" for n, word in counts if n) or "no change"


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
    def level_changed(self) -> bool:
        return self.old_level != self.new_level

    @property
    def top3_words(self) -> str:
        """"the same", "the same types in a different order", or "changed"."""
        if not self.top3_changed:
            return "the same"
        return "the same types in a different order" if set(self.old_top3) == set(self.new_top3) else "changed"


@dataclass(frozen=True)
class RulebookDiff:
    """Everything that differs, section by section, and the worked cases whose result moves."""

    old_label: str
    new_label: str
    old_version: str
    new_version: str
    sections: tuple[Section, ...]
    moves: tuple[CaseMove, ...]
    cases_compared: int
    cases_added: tuple[str, ...] = ()
    cases_removed: tuple[str, ...] = ()
    # Names, for the words: type id -> name, level id -> "label (id)", in the new rules, else the old.
    type_names: Mapping[str, str] = field(default_factory=dict)
    level_names: Mapping[str, str] = field(default_factory=dict)

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

    def type_name(self, type_id: str) -> str:
        return self.type_names.get(type_id, type_id)

    def top3_text(self, type_ids: Sequence[str]) -> str:
        """Type names in order ("1. Alopecia areata, 2. ..."), or the honest "no type fits well"."""
        if not type_ids:
            return "no type fits well (unclear)"
        return ", ".join(f"{i}. {self.type_name(t)}" for i, t in enumerate(type_ids, 1))

    def level_name(self, level_id: str) -> str:
        return self.level_names.get(level_id, level_id)


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


def _quoted(text: str) -> str:
    return f"\u201c{text}\u201d"


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _points(n: int) -> str:
    return f"{n:+d} point{'' if abs(n) == 1 else 's'}"


def _level_words(rulebook: Rulebook, level_id: str) -> str:
    if level_id in rulebook.level_rank:
        return f"{rulebook.level(level_id).label} ({level_id})"
    return level_id


def _text_change(kind: str, what: str, old: str | None, new: str | None) -> list[Change]:
    """A change of text the person (or clinician) reads, with both wordings; nothing when equal."""
    if old == new:
        return []
    if old is None:
        return [Change(kind, what, "added", new=new)]
    if new is None:
        return [Change(kind, what, "removed", old=old)]
    return [Change(kind, what, "changed", old=old, new=new)]


def _list_changes(kind: str, what: str, old: Sequence[str], new: Sequence[str]) -> list[Change]:
    """Items added to or removed from a list of sentences (doctor_may, treatments, steps)."""
    changes = [Change(kind, what, "added", new=item) for item in new if item not in old]
    changes += [Change(kind, what, "removed", old=item) for item in old if item not in new]
    if not changes and list(old) != list(new):
        changes.append(Change(kind, what, "the same items in a different order"))
    return changes


def _care_level_change(what: str, old_rb: Rulebook, new_rb: Rulebook, old_id: str, new_id: str) -> list[Change]:
    """A care level that changed, both as "label (id)"; nothing when equal."""
    if old_id == new_id:
        return []
    return [Change("care_level", what, f"{_level_words(new_rb, new_id)}, was {_level_words(old_rb, old_id)}")]


def _help_lines_change(old: Sequence[str], new: Sequence[str]) -> list[Change]:
    """The help lines shown changed (ids, in order); nothing when equal."""
    if old == new:
        return []
    return [Change("help_lines", "Help lines shown", f"{', '.join(new) or 'none'}, was {', '.join(old) or 'none'}")]


def _source_changes(old: Sequence[SourceRef], new: Sequence[SourceRef]) -> list[Change]:
    old_by_url = {s.url: s for s in old}
    new_by_url = {s.url: s for s in new}
    changes = [
        Change("source_added", "Source", f"added: {s.title} ({s.url})")
        for s in new
        if s.url not in old_by_url
    ]
    changes += [
        Change("source_removed", "Source", f"removed: {s.title} ({s.url})")
        for s in old
        if s.url not in new_by_url
    ]
    changes += [
        Change("source_title", "Source", f"title changed ({s.url})", old=old_by_url[s.url].title, new=s.title)
        for s in new
        if s.url in old_by_url and old_by_url[s.url].title != s.title
    ]
    return changes


def _field_words(name: str) -> str:
    return name.replace("_", " ").capitalize()


def _value_words(value: Any, rulebook: Rulebook) -> str:
    """Any value of a rule file as text (a condition nested in some other value as written in YAML)."""
    if isinstance(value, (All, AnyOf, Not, Match)):
        return _as_written(value.raw)
    if isinstance(value, (tuple, list)):
        return "; ".join(_value_words(v, rulebook) for v in value) or "none"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_value_words(v, rulebook)}" for k, v in value.items()) or "none"
    if hasattr(type(value), "model_fields"):
        fields = type(value).model_fields
        shown = [(k, getattr(value, k)) for k, f in fields.items() if getattr(value, k) != f.default]
        return "; ".join(f"{_field_words(k).lower()}: {_value_words(v, rulebook)}" for k, v in shown)
    return "none" if value is None else str(value)


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
        what = _field_words(name)
        if isinstance(before, (All, AnyOf, Not, Match)) or isinstance(after, (All, AnyOf, Not, Match)):
            changes += _condition_change(what, old_rb, new_rb, before, after, none_words="none")
        elif before == after:
            continue
        elif all(isinstance(v, (str, type(None))) for v in (before, after)):
            changes += _text_change("text", what, before, after)
        elif all(isinstance(v, (tuple, type(None))) for v in (before, after)):
            changes += _list_changes(
                "text",
                what,
                [_value_words(v, old_rb) for v in before or ()],
                [_value_words(v, new_rb) for v in after or ()],
            )
        else:
            changes.append(
                Change("other", what, "changed", old=_value_words(before, old_rb), new=_value_words(after, new_rb))
            )
    return changes


def _condition_change(
    what: str, old_rb: Rulebook, new_rb: Rulebook, old: Condition | None, new: Condition | None, *, none_words: str
) -> list[Change]:
    """A condition that changed, both versions in plain words (``none_words`` when there is none)."""
    if canonical(old) == canonical(new):
        return []
    return [
        Change(
            "condition",
            what,
            "changed"
            if old is not None and new is not None
            else (f"was: {none_words}" if old is None else f"now: {none_words}"),
            old_when=explain(old, old_rb.question_by_id) if old is not None else None,
            new_when=explain(new, new_rb.question_by_id) if new is not None else None,
        )
    ]


def _items(
    key: str,
    title: str,
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
    return Section(key, title, tuple(items))


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
        f"Evidence {index + 1}",
        f"added, {_points(item.points)}",
        new=item.because,
        new_when=explain(item.when, rb.question_by_id),
    )


def _type_added(rb: Rulebook) -> Callable[[HairType], list[Change]]:
    def describe(t: HairType) -> list[Change]:
        changes = [
            Change(
                "type_added",
                "New type",
                f"threshold {t.threshold} points, base care level {_level_words(rb, t.care_level)}, "
                f"{_count(len(t.evidence), 'piece')} of evidence, {_count(len(t.sources), 'source')}",
                new=t.summary,
            )
        ]
        changes += [_evidence_added(rb, i, item) for i, item in enumerate(t.evidence)]
        return changes

    return describe


# Fields compared one by one above; any other field is compared by ``_other_fields``.
# ``unasked`` holds coverage notes for clinicians (why a skipped question is acceptable), not rules.
TYPE_FIELDS = frozenset(
    {"id", "threshold", "care_level", "name", "summary", "other_names", "group", "evidence", "doctor_may",
     "treatments", "sources", "unasked"}
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
            changes.append(Change("threshold", "Threshold", f"{new.threshold} points, was {old.threshold}"))
        changes += _care_level_change("Base care level", old_rb, new_rb, old.care_level, new.care_level)
        changes += _text_change("text", "Name", old.name, new.name)
        changes += _text_change("text", "Summary", old.summary, new.summary)
        changes += _list_changes("text", "Other names", old.other_names, new.other_names)
        changes += _text_change("text", "Group", old.group, new.group)
        pairs, removed, added = _match_evidence(old.evidence, new.evidence)
        for i, j in pairs:
            before, after = old.evidence[i], new.evidence[j]
            what = f"Evidence {j + 1}"
            if before.points != after.points:
                changes.append(
                    Change("points", what, f"{_points(after.points)}, was {before.points:+d}", about=after.because)
                )
            if canonical(before.when) != canonical(after.when):
                changes.append(
                    Change(
                        "condition",
                        what,
                        f"when it counts changed ({_points(after.points)})",
                        about=after.because,
                        old_when=explain(before.when, old_rb.question_by_id),
                        new_when=explain(after.when, new_rb.question_by_id),
                    )
                )
            if before.because != after.because:
                changes.append(
                    Change("text", f"{what}: reason shown to the person", "changed", before.because, after.because)
                )
        changes += [_evidence_added(new_rb, j, new.evidence[j]) for j in added]
        changes += [
            Change(
                "evidence_removed",
                f"Evidence {i + 1} of the old file",
                f"removed, was {_points(old.evidence[i].points)}",
                old=old.evidence[i].because,
                old_when=explain(old.evidence[i].when, old_rb.question_by_id),
            )
            for i in removed
        ]
        changes += _list_changes("text", "What a doctor may check", old.doctor_may, new.doctor_may)
        changes += _list_changes("text", "Treatments a doctor may discuss", old.treatments, new.treatments)
        changes += _source_changes(old.sources, new.sources)
        changes += _other_fields(old, new, TYPE_FIELDS, (old_rb, new_rb))
        return changes

    return compare


# --- red flags and care notes -----------------------------------------------------------------------


def _flag_compare(old_rb: Rulebook, new_rb: Rulebook) -> Callable[[RedFlag, RedFlag], list[Change]]:
    def compare(old: RedFlag, new: RedFlag) -> list[Change]:
        changes = _care_level_change("Care level", old_rb, new_rb, old.level, new.level)
        changes += _condition_change("When it fires", old_rb, new_rb, old.when, new.when, none_words="never")
        if old.interrupt != new.interrupt:
            changes.append(
                Change(
                    "interrupt",
                    "Interrupts the questions",
                    "now interrupts the questions: help is shown at once"
                    if new.interrupt
                    else "no longer interrupts the questions",
                )
            )
        changes += _text_change("text", "What the person reads", old.message, new.message)
        changes += _list_changes("text", "What to do", old.what_to_do, new.what_to_do)
        changes += _help_lines_change(old.help_lines, new.help_lines)
        changes += _source_changes(old.sources, new.sources)
        changes += _other_fields(old, new, FLAG_FIELDS, (old_rb, new_rb))
        return changes

    return compare


def _flag_added(rb: Rulebook) -> Callable[[RedFlag], list[Change]]:
    def describe(flag: RedFlag) -> list[Change]:
        return [
            Change(
                "red_flag_added",
                "New red flag",
                f"care level {_level_words(rb, flag.level)}" + ("; interrupts the questions" if flag.interrupt else ""),
                new=flag.message,
                new_when=explain(flag.when, rb.question_by_id),
            )
        ]

    return describe


def _note_compare(old_rb: Rulebook, new_rb: Rulebook) -> Callable[[CareNote, CareNote], list[Change]]:
    def compare(old: CareNote, new: CareNote) -> list[Change]:
        changes = _condition_change("When it is added", old_rb, new_rb, old.when, new.when, none_words="never")
        changes += _text_change("text", "What the person reads", old.message, new.message)
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
                "New care note",
                "adds advice, never changes the care level",
                new=note.message,
                new_when=explain(note.when, rb.question_by_id),
            )
        ]

    return describe


# --- questions -------------------------------------------------------------------------------------


def _option_name(option: Option) -> str:
    return f"Option {_quoted(option.label)} ({option.value})"


def _question_compare(old_rb: Rulebook, new_rb: Rulebook) -> Callable[[Question, Question], list[Change]]:
    kinds = {"one": "one choice", "several": "several choices", "number": "a number"}

    def compare(old: Question, new: Question) -> list[Change]:
        changes: list[Change] = []
        changes += _text_change("text", "Question", old.text, new.text)
        changes += _text_change("text", "Question asked of a parent", old.text_child, new.text_child)
        changes += _text_change("text", "Hint", old.hint, new.hint)
        if old.kind != new.kind:
            changes.append(Change("kind", "Kind of answer", f"{kinds[new.kind]}, was {kinds[old.kind]}"))
        for key in ("min", "max", "unit"):
            if getattr(old, key) != getattr(new, key):
                changes.append(Change("range", key.capitalize(), f"{getattr(new, key)}, was {getattr(old, key)}"))
        changes += _condition_change(
            "When it is asked", old_rb, new_rb, old.ask_when, new.ask_when, none_words="always"
        )
        old_options = {o.value: o for o in old.options}
        new_values = {o.value for o in new.options}
        for option in new.options:
            before = old_options.get(option.value)
            what = _option_name(option)
            if before is None:
                changes.append(Change("option_added", what, "added"))
                continue
            changes += _text_change("text", f"{what}: label", before.label, option.label)
            changes += _text_change("text", f"{what}: hint", before.hint, option.hint)
            if before.exclusive != option.exclusive:
                changes.append(
                    Change(
                        "exclusive",
                        what,
                        "now cannot be combined with other answers"
                        if option.exclusive
                        else "now can be combined with other answers",
                    )
                )
            changes += _condition_change(
                f"{what}: when it is offered", old_rb, new_rb, before.show_when, option.show_when, none_words="always"
            )
            changes += [
                Change(c.kind, f"{what}: {c.what.lower()}", c.words, c.old, c.new, c.old_when, c.new_when)
                for c in _other_fields(before, option, OPTION_FIELDS, (old_rb, new_rb))
            ]
        changes += [
            Change("option_removed", _option_name(o), "removed") for o in old.options if o.value not in new_values
        ]
        changes += _other_fields(old, new, QUESTION_FIELDS, (old_rb, new_rb))
        return changes

    return compare


def _question_added(rb: Rulebook) -> Callable[[Question], list[Change]]:
    def describe(q: Question) -> list[Change]:
        changes = [
            Change(
                "question_added",
                "New question",
                f"asked {'always' if q.ask_when is None else 'only when:'}",
                new=q.text,
                new_when=explain(q.ask_when, rb.question_by_id) if q.ask_when is not None else None,
            )
        ]
        changes += [Change("option_added", _option_name(o), "added") for o in q.options]
        return changes

    return describe


# --- care levels and help lines ---------------------------------------------------------------------


def _level_compare(old: CareLevel, new: CareLevel) -> list[Change]:
    changes = _text_change("text", "What the person reads", old.label, new.label)
    changes += _text_change("text", "How soon", old.timeframe, new.timeframe)
    changes += _text_change("text", "Meaning", old.meaning, new.meaning)
    changes += _list_changes("text", "What to do", old.what_to_do, new.what_to_do)
    changes += _help_lines_change(old.help_lines, new.help_lines)
    return changes


def _help_line_words(line: HelpLine) -> str:
    ways = [f"call {line.call}" if line.call else "", f"text {line.text.to}" if line.text else "", line.web or ""]
    return f"{line.name} ({line.country}): " + ", ".join(w for w in ways if w)


def _help_compare(old: HelpLine, new: HelpLine) -> list[Change]:
    if old == new:
        return []
    return [Change("help_line", "Help line", "changed", old=_help_line_words(old), new=_help_line_words(new))]


def _levels_section(old_rb: Rulebook, new_rb: Rulebook) -> Section:
    section = _items(
        "care_levels",
        "Care levels",
        old_rb.levels,
        new_rb.levels,
        name=lambda lv: f"{lv.label} ({lv.id})",
        describe_added=lambda lv: [Change("care_level_added", "New care level", lv.timeframe, new=lv.meaning)],
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
                "Order of urgency",
                "changed",
                (Change("order", "Most urgent first", f"{', '.join(new_order)}; was {', '.join(old_order)}"),),
            )
        )
    unclear = _care_level_change("Care level", old_rb, new_rb, old_rb.unclear_level, new_rb.unclear_level)
    if unclear:
        extra.append(ItemDiff("unclear_level", "When no type fits well", "changed", tuple(unclear)))
    others = _other_fields(old_rb.care, new_rb.care, CARE_FILE_FIELDS, (old_rb, new_rb))
    if others:
        extra.append(ItemDiff("care_levels_file", "Other content of care_levels.yaml", "changed", tuple(others)))
    return Section(section.key, section.title, section.items + tuple(extra))


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
    levels = {lv.id: _level_words(old_rb, lv.id) for lv in old_rb.levels}
    levels |= {lv.id: _level_words(new_rb, lv.id) for lv in new_rb.levels}
    return types, levels


def _child_wording(old_rb: Rulebook, new_rb: Rulebook) -> list[ItemDiff]:
    changes = _condition_change(
        "When the questions speak to a parent or carer",
        old_rb,
        new_rb,
        old_rb.child_wording,
        new_rb.child_wording,
        none_words="never",
    )
    return (
        [ItemDiff("child_wording", "Questions worded for a parent or carer", "changed", tuple(changes))]
        if changes
        else []
    )


def _removed_type(rb: Rulebook) -> Callable[[HairType], list[Change]]:
    def describe(t: HairType) -> list[Change]:
        return [
            Change(
                "type_removed",
                "Was",
                f"threshold {t.threshold} points, base care level {_level_words(rb, t.care_level)}, "
                f"{_count(len(t.evidence), 'piece')} of evidence",
                old=t.summary,
            )
        ]

    return describe


def _removed_flag(rb: Rulebook) -> Callable[[RedFlag], list[Change]]:
    def describe(flag: RedFlag) -> list[Change]:
        return [
            Change(
                "red_flag_removed",
                "Was",
                f"care level {_level_words(rb, flag.level)}",
                old=flag.message,
                old_when=explain(flag.when, rb.question_by_id),
            )
        ]

    return describe


def _removed_note(rb: Rulebook) -> Callable[[CareNote], list[Change]]:
    def describe(note: CareNote) -> list[Change]:
        return [
            Change(
                "care_note_removed",
                "Was",
                "advice on the care card",
                old=note.message,
                old_when=explain(note.when, rb.question_by_id),
            )
        ]

    return describe


def diff_rulebooks(old: Rulebook, new: Rulebook, *, old_label: str = "old", new_label: str = "new") -> RulebookDiff:
    """What ``new`` changes from ``old``, for a clinician."""
    types = _items(
        "types",
        "Types of hair loss",
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
        "Red flags",
        old.red_flags,
        new.red_flags,
        name=lambda f: f.id,
        describe_added=_flag_added(new),
        compare=_flag_compare(old, new),
        describe_removed=_removed_flag(old),
    )
    notes = _items(
        "care_notes",
        "Care notes",
        old.care_notes,
        new.care_notes,
        name=lambda n: n.id,
        describe_added=_note_added(new),
        compare=_note_compare(old, new),
        describe_removed=_removed_note(old),
    )
    questions = _items(
        "questions",
        "Questions",
        old.questions,
        new.questions,
        name=lambda q: q.text,
        describe_added=_question_added(new),
        compare=_question_compare(old, new),
        describe_removed=lambda q: [
            Change(
                "question_removed",
                "Was",
                "asked always" if q.ask_when is None else "asked only when:",
                old_when=explain(q.ask_when, old.question_by_id) if q.ask_when is not None else None,
            )
        ],
    )
    questions = Section(questions.key, questions.title, questions.items + tuple(_child_wording(old, new)))
    help_lines = _items(
        "help_lines",
        "Help lines",
        old.help_lines,
        new.help_lines,
        name=lambda h: h.name,
        describe_added=lambda h: [Change("help_line_added", "New help line", "", new=_help_line_words(h))],
        compare=_help_compare,
    )
    old_cases = {c.id for c in old.cases}
    new_cases = {c.id for c in new.cases}
    type_names, level_names = _names(old, new)
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
        level_names=level_names,
    )

