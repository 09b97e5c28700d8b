"""A condition as a tree a reader can follow, without the words.

``explain(condition, questions)`` turns a parsed condition into a ``Plain``
tree: groups (``all``, ``any``, ``none``, ``not_all``) of tests, each test
holding the question id, the operator, whether it is negated, and the answers
it names as their option labels (or the number). The sentences themselves
("Pattern is one of: ...", "At least one of these:") are written in one place,
``templates/macros/words.txt``; ``triage.words`` renders them for Python
callers (the flow picture, the Markdown export, the CLI) and the templates
import the same macros. So the clinician pages, the exports, the diff and the
picture cannot word a condition differently, and a translation touches the
template only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .conditions import All, AnyOf, Condition, Match, Not

if TYPE_CHECKING:
    from .models import Question


@dataclass(frozen=True)
class Test:
    """One test on one question's answer, ready to be put in words.

    ``op`` is equals, one_of, includes, includes_all, at_least, below or
    answered. ``labels`` are the option labels named (the number, written
    without a needless ``.0``, for at_least and below; nothing for answered).
    ``answered`` is what an ``answered`` test asks for, already negated when the
    test is.
    """

    question: str
    op: str
    labels: tuple[str, ...]
    negated: bool = False
    answered: bool = True

    @property
    def several(self) -> bool:
        """It names more than one answer ("one of", "any of")."""
        return len(self.labels) > 1


@dataclass(frozen=True)
class Plain:
    """A condition as a tree: ``kind`` is ``test`` (see ``test``) or a group.

    Groups: ``all`` (every item holds), ``any`` (at least one), ``none``
    (``not`` of ``any``) and ``not_all`` (``not`` of ``all``); ``items`` are trees too.
    """

    kind: str
    test: Test | None = None
    items: tuple[Plain, ...] = ()

    @property
    def is_test(self) -> bool:
        return self.kind == "test"

    def tests(self) -> tuple[Test, ...]:
        """Every test in the tree, in reading order."""
        if self.test is not None:
            return (self.test,)
        return tuple(test for item in self.items for test in item.tests())


def _number_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _test(match: Match, questions: Mapping[str, Question], negated: bool) -> Test:
    if match.op == "answered":
        return Test(match.question, "answered", (), negated, bool(match.values[0]) != negated)
    if match.op in ("at_least", "below"):
        return Test(match.question, match.op, (_number_text(match.values[0]),), negated)
    question = questions.get(match.question)
    labels = tuple(question.label(v) if question is not None else str(v) for v in match.values)
    return Test(match.question, match.op, labels, negated)


def explain(condition: Condition, questions: Mapping[str, Question]) -> Plain:
    """A condition as a ``Plain`` tree.

    ``not`` of a single test becomes the negated test, ``not`` of ``not`` the
    inner condition, ``not`` of ``any`` a ``none`` group and ``not`` of ``all``
    a ``not_all`` group; a group of one item is shown as that item.
    """
    if isinstance(condition, (All, AnyOf)):
        items = tuple(explain(item, questions) for item in condition.items)
        if len(items) == 1:
            return items[0]
        return Plain("all" if isinstance(condition, All) else "any", items=items)
    if isinstance(condition, Not):
        inner = condition.item
        if isinstance(inner, Match):
            return Plain("test", _test(inner, questions, negated=True))
        if isinstance(inner, Not):
            return explain(inner.item, questions)
        if len(inner.items) == 1:
            return explain(Not(inner.items[0]), questions)
        items = tuple(explain(item, questions) for item in inner.items)
        return Plain("none" if isinstance(inner, AnyOf) else "not_all", items=items)
    return Plain("test", _test(condition, questions, negated=False))
