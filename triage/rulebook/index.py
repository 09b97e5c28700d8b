"""Which rules a person's answers can fire, found without testing every rule.

Most conditions can only hold when one of a few answers was given: ``pattern:
{includes: [a, b]}`` needs ``a`` or ``b`` among the pattern answers; ``all:``
needs what its most selective part needs; ``any:`` what any part needs.
``triggers`` works that out once, at load, as a set of (question, value)
pairs; ``ConditionIndex`` files each condition under its pairs, so
``candidates(answers)`` returns only the conditions some answer can fire,
plus those that need no particular answer (``not``, number tests,
``answered``), which are always tested. A candidate is still tested in full:
the index only skips conditions that cannot hold.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from typing import Any

from .conditions import All, AnyOf, Condition, Match

Pair = tuple[str, Hashable]


def triggers(condition: Condition) -> frozenset[Pair] | None:
    """(question, value) pairs, at least one of which the answers hold whenever the condition
    holds; ``None`` when it can hold without any of them."""
    if isinstance(condition, Match):
        if condition.op in ("equals", "one_of"):
            return frozenset((condition.question, v) for v in condition.values if isinstance(v, str))
        if condition.op in ("includes", "includes_all"):
            return frozenset((condition.question, v) for v in condition.values)
        return None
    if isinstance(condition, All):
        known = [found for found in map(triggers, condition.items) if found is not None]
        return min(known, key=len) if known else None
    if isinstance(condition, AnyOf):
        parts = [triggers(item) for item in condition.items]
        if any(part is None for part in parts):
            return None
        return frozenset().union(*(part for part in parts if part is not None))
    return None  # not: holds when something is absent


def answer_pairs(answers: Mapping[str, Any]) -> set[Pair]:
    """Every (question, value) pair the answers hold: a one-choice answer, each of several."""
    pairs: set[Pair] = set()
    for qid, value in answers.items():
        if isinstance(value, str):
            pairs.add((qid, value))
        elif isinstance(value, (list, tuple, set, frozenset)):
            pairs.update((qid, item) for item in value if isinstance(item, Hashable))
    return pairs


class ConditionIndex:
    """The positions of ``conditions`` filed under their triggers."""

    def __init__(self, conditions: Iterable[Condition]) -> None:
        always: list[int] = []
        by_pair: dict[Pair, list[int]] = {}
        for position, condition in enumerate(conditions):
            found = triggers(condition)
            if found is None:
                always.append(position)
            for pair in found or ():
                by_pair.setdefault(pair, []).append(position)
        self.always = frozenset(always)
        self.by_pair = {pair: tuple(positions) for pair, positions in by_pair.items()}

    def candidates(self, pairs: Iterable[Pair]) -> set[int]:
        """Positions of the conditions that answers holding ``pairs`` could make hold."""
        found = set(self.always)
        by_pair = self.by_pair
        for pair in pairs:
            positions = by_pair.get(pair)
            if positions:
                found.update(positions)
        return found


class RuleIndex:
    """A rulebook's evidence (every type's, in file order), red flags and care notes, each indexed."""

    def __init__(self, types: Iterable[Any], red_flags: Iterable[Any], care_notes: Iterable[Any]) -> None:
        # (the type's position, the type, one piece of its evidence), in file order
        self.evidence = tuple(
            (number, hair_type, item) for number, hair_type in enumerate(types) for item in hair_type.evidence
        )
        self.evidence_index = ConditionIndex(item.when for _, _, item in self.evidence)
        self.red_flags = tuple(red_flags)
        self.red_flag_index = ConditionIndex(flag.when for flag in self.red_flags)
        self.care_notes = tuple(care_notes)
        self.care_note_index = ConditionIndex(note.when for note in self.care_notes)
        # Values the engine works out once per rulebook (a type's score when nothing fired).
        self.memo: dict[str, Any] = {}
