"""The clinical diff's words (templates/macros/diff_words.txt) as plain strings, for the
tests that check them one change at a time (the pages and `triage rules diff` render the
same macros through their templates)."""

from __future__ import annotations

from functools import cache
from typing import Any

from triage.rulebook.diff import Change, ItemDiff, RulebookDiff, Section
from triage.words import DIFF_WORDS_TEMPLATE, environment


@cache
def _macros() -> Any:
    return environment().get_template(DIFF_WORDS_TEMPLATE).module  # as triage/words.py loads it


def change_line(change: Change) -> str:
    """One change on one line: ``Evidence 1: +5 points, was +4``."""
    return str(_macros().line(change))


def change_read(change: Change, value: Any) -> str:
    """A change's ``old`` or ``new`` as read: text as it is, a help line or a value in words."""
    return str(_macros().read(change, value))


def section_line(section: Section) -> str:
    """A section in short: ``Types of hair loss: 1 added, 3 changed``."""
    return f"{_macros().section_title(section.key)}: {_macros().section_summary(section)}"


def item_title(section: Section, item: ItemDiff) -> str:
    """What an item is: a type's name, ``Order of urgency``, ..."""
    return str(_macros().item_title(section.key, item))


def top3_text(diff: RulebookDiff, type_ids: tuple[str, ...]) -> str:
    """A worked case's first three: ``1. Pattern hair loss, 2. ...`` or ``no type fits well (unclear)``."""
    return str(_macros().top3(diff, type_ids))
