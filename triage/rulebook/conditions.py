"""Conditions: the small declarative tree used by ``ask_when``, evidence and red flags.

A condition is a mapping with exactly one key (see rules/README.md):

    all: [cond, ...]        any: [cond, ...]        not: cond
    QID: value              QID: [value, ...]       QID: {includes: value or [values]}
    QID: {includes_all: [values]}   QID: {at_least: N}   QID: {below: N}
    QID: {answered: true|false}

``parse_condition`` turns YAML data into frozen dataclasses that remember the
file, line and column they came from; ``Condition.holds(answers)`` evaluates
them with a closed set of operators (nothing is ever ``eval``-ed). This
module only parses and evaluates: the loader checks conditions against the
questions (``loader.check_against``), and ``plain.explain`` with
``templates/macros/words.txt`` puts them in words.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

Answers = Mapping[str, Any]

LOGIC_KEYS = ("all", "any", "not")
TEST_OPERATORS = ("includes", "includes_all", "at_least", "below", "answered")


@dataclass(frozen=True, order=True)
class Where:
    """A place in a rule file: ``rules/types/x.yaml:12:7``."""

    file: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"

    @property
    def file_line(self) -> str:
        """``file:line`` (no column), as shown next to a reason."""
        return f"{self.file}:{self.line}"


NOWHERE = Where("<data>", 0, 0)


class ConditionError(ValueError):
    """A condition that is not well formed; ``where`` points at the bad node."""

    def __init__(self, message: str, where: Where) -> None:
        super().__init__(message)
        self.message = message
        self.where = where


# --- answers -----------------------------------------------------------------


def is_answered(value: Any) -> bool:
    """A question has an answer unless it is missing, None or empty."""
    if value is None:
        return False
    return not (isinstance(value, (str, list, tuple, set, frozenset)) and len(value) == 0)


_CHOICES = (list, tuple, set, frozenset)  # a several-choice answer


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


# --- the tree ------------------------------------------------------------------
#
# Each node is compiled once, when it is made (at load): ``holds`` is a plain
# function of the answers, built from the node's operator with its values
# already in a set, so evaluating a rulebook is a chain of closures, with no
# dispatch on the operator and no walk over the tree. The type tests in the checks are
# written out rather than called (``_is_number``), as they run for every rule tested.

Check = Callable[[Answers], bool]


@dataclass(frozen=True)
class All:
    """Every item holds."""

    items: tuple[Condition, ...]
    where: Where = NOWHERE
    raw: Any = field(default=None, compare=False, repr=False)
    holds: Check = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "holds", _all_of(tuple(item.holds for item in self.items)))

    def matches(self) -> Iterator[Match]:
        for item in self.items:
            yield from item.matches()


@dataclass(frozen=True)
class AnyOf:
    """At least one item holds."""

    items: tuple[Condition, ...]
    where: Where = NOWHERE
    raw: Any = field(default=None, compare=False, repr=False)
    holds: Check = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "holds", _any_of(tuple(item.holds for item in self.items)))

    def matches(self) -> Iterator[Match]:
        for item in self.items:
            yield from item.matches()


@dataclass(frozen=True)
class Not:
    """The item does not hold."""

    item: Condition
    where: Where = NOWHERE
    raw: Any = field(default=None, compare=False, repr=False)
    holds: Check = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        inner = self.item.holds
        object.__setattr__(self, "holds", lambda answers: not inner(answers))

    def matches(self) -> Iterator[Match]:
        yield from self.item.matches()


@dataclass(frozen=True)
class Match:
    """A test on one question's answer.

    ``op`` is one of equals, one_of, includes (any of ``values``),
    includes_all, at_least, below (``values`` holds the number) or answered
    (``values`` holds True or False). ``where`` points at the question id;
    ``value_wheres`` at each value. A test on an unanswered question is false
    (except ``answered: false``).
    """

    question: str
    op: str
    values: tuple[Any, ...]
    where: Where = NOWHERE
    value_wheres: tuple[Where, ...] = field(default=(), compare=False, repr=False)
    raw: Any = field(default=None, compare=False, repr=False)
    holds: Check = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.op not in _COMPILERS:
            raise ValueError(f"unknown operator {self.op!r}")
        object.__setattr__(self, "holds", _COMPILERS[self.op](self.question, self.values))

    def matches(self) -> Iterator[Match]:
        yield self


# --- compiling -------------------------------------------------------------------


def _all_of(checks: tuple[Check, ...]) -> Check:
    if len(checks) == 2:
        first, second = checks
        return lambda answers: first(answers) and second(answers)

    def all_of(answers: Answers) -> bool:
        for check in checks:  # noqa: SIM110 - a loop is faster than all() over a generator here
            if not check(answers):
                return False
        return True

    return all_of


def _any_of(checks: tuple[Check, ...]) -> Check:
    if len(checks) == 2:
        first, second = checks
        return lambda answers: first(answers) or second(answers)

    def any_of(answers: Answers) -> bool:
        for check in checks:  # noqa: SIM110 - as in all_of
            if check(answers):
                return True
        return False

    return any_of


def _equals_check(qid: str, values: tuple[Any, ...]) -> Check:
    """equals and one_of: a one-choice answer that is one of ``values``."""
    strings = frozenset(v for v in values if isinstance(v, str))
    if len(strings) == 1:
        (value,) = strings
        return lambda answers: answers.get(qid) == value

    def one_of(answers: Answers) -> bool:
        answer = answers.get(qid)
        return isinstance(answer, str) and answer in strings

    return one_of


def _includes_check(qid: str, values: tuple[Any, ...]) -> Check:
    """A several-choice answer that includes any of ``values``."""
    wanted = frozenset(values)

    def includes(answers: Answers) -> bool:
        answer = answers.get(qid)
        if not isinstance(answer, _CHOICES):
            return False
        try:
            return not wanted.isdisjoint(answer)
        except TypeError:  # an unhashable item, from data that was never validated
            return any(v in answer for v in values)

    return includes


def _includes_all_check(qid: str, values: tuple[Any, ...]) -> Check:
    """A several-choice answer that includes every one of ``values``."""
    wanted = frozenset(values)

    def includes_all(answers: Answers) -> bool:
        answer = answers.get(qid)
        if not isinstance(answer, _CHOICES):
            return False
        try:
            return wanted.issubset(answer)
        except TypeError:
            return all(v in answer for v in values)

    return includes_all


def _at_least_check(qid: str, values: tuple[Any, ...]) -> Check:
    limit = values[0]

    def at_least(answers: Answers) -> bool:
        answer = answers.get(qid)
        return isinstance(answer, (int, float)) and not isinstance(answer, bool) and answer >= limit

    return at_least


def _below_check(qid: str, values: tuple[Any, ...]) -> Check:
    limit = values[0]

    def below(answers: Answers) -> bool:
        answer = answers.get(qid)
        return isinstance(answer, (int, float)) and not isinstance(answer, bool) and answer < limit

    return below


def _answered_check(qid: str, values: tuple[Any, ...]) -> Check:
    wanted = bool(values[0])
    return lambda answers: is_answered(answers.get(qid)) == wanted


# The closed set of operators, each compiled into a check.
_COMPILERS: dict[str, Callable[[str, tuple[Any, ...]], Check]] = {
    "equals": _equals_check,
    "one_of": _equals_check,
    "includes": _includes_check,
    "includes_all": _includes_all_check,
    "at_least": _at_least_check,
    "below": _below_check,
    "answered": _answered_check,
}


Condition = All | AnyOf | Not | Match


# --- parsing -------------------------------------------------------------------


def suggest(word: Any, candidates: Any) -> str:
    """`` (did you mean 'x'?)`` for the closest candidate, or ``""``."""
    match = difflib.get_close_matches(str(word), [str(c) for c in candidates], n=1, cutoff=0.6)
    return f" (did you mean '{match[0]}'?)" if match else ""


def _where(node: Any, fallback: Where) -> Where:
    line = getattr(node, "line", None)
    return Where(node.file, line, node.col) if line is not None else fallback


def _key_where(mapping: Any, key: Any, fallback: Where) -> Where:
    pos = getattr(mapping, "key_pos", {}).get(key)
    return Where(mapping.file, *pos) if pos else fallback


def _value_where(mapping: Any, key: Any, fallback: Where) -> Where:
    pos = getattr(mapping, "value_pos", {}).get(key)
    return Where(mapping.file, *pos) if pos else fallback


def _item_where(seq: Any, index: int, fallback: Where) -> Where:
    positions = getattr(seq, "item_pos", ())
    return Where(seq.file, *positions[index]) if index < len(positions) else fallback


def _raw(data: Any) -> Any:
    """Plain JSON-like copy of YAML data (the condition as written)."""
    if isinstance(data, dict):
        return {k: _raw(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [_raw(v) for v in data]
    return data


def show_value(value: Any) -> str:
    """A value from a rule or answers file, as error messages quote it."""
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, (list, tuple)):
        return "a list"
    if value is None:
        return "nothing"
    return repr(value)


def parse_condition(data: Any, where: Where = NOWHERE) -> Condition:
    """Parse YAML data into a condition tree; raise ``ConditionError``."""
    where = _where(data, where)
    if not isinstance(data, dict):
        raise ConditionError(
            f"a condition must be a mapping with one key, such as 'onset: sudden'; got {show_value(data)}",
            where,
        )
    if len(data) != 1:
        keys = ", ".join(str(k) for k in data) or "none"
        raise ConditionError(
            f"a condition must have exactly one key, but this one has {len(data)} ({keys}); "
            "put several tests under 'all:' or 'any:'",
            where,
        )
    ((key, value),) = data.items()
    key_where = _key_where(data, key, where)
    value_where = _value_where(data, key, key_where)
    if not isinstance(key, str):
        raise ConditionError(f"a condition key must be 'all', 'any', 'not' or a question id; got {key!r}", key_where)
    if key in ("all", "any"):
        if not isinstance(value, (list, tuple)) or not value:
            raise ConditionError(f"'{key}:' needs a list of one or more conditions", value_where)
        items = tuple(
            parse_condition(item, _item_where(value, i, value_where)) for i, item in enumerate(value)
        )
        cls = All if key == "all" else AnyOf
        return cls(items, key_where, _raw(data))
    if key == "not":
        return Not(parse_condition(value, value_where), key_where, _raw(data))
    return _parse_test(key, value, key_where, value_where, _raw(data))


def _parse_test(qid: str, value: Any, key_where: Where, value_where: Where, raw: Any) -> Match:
    if isinstance(value, dict):
        if len(value) != 1:
            raise ConditionError(
                f"the test on '{qid}' needs exactly one operator: {', '.join(TEST_OPERATORS)}",
                value_where,
            )
        ((op, arg),) = value.items()
        op_where = _key_where(value, op, value_where)
        arg_where = _value_where(value, op, op_where)
        if op not in TEST_OPERATORS:
            raise ConditionError(
                f"unknown operator '{op}' in the test on '{qid}'{suggest(op, TEST_OPERATORS)}; "
                f"use one of: {', '.join(TEST_OPERATORS)}",
                op_where,
            )
        if op in ("includes", "includes_all"):
            values, wheres = _option_values(qid, op, arg, arg_where)
            return Match(qid, op, values, key_where, wheres, raw)
        if op in ("at_least", "below"):
            if not _is_number(arg):
                raise ConditionError(f"'{op}:' needs a number, got {show_value(arg)}", arg_where)
            return Match(qid, op, (arg,), key_where, (arg_where,), raw)
        if not isinstance(arg, bool):
            raise ConditionError(f"'answered:' needs true or false, got {show_value(arg)}", arg_where)
        return Match(qid, "answered", (arg,), key_where, (arg_where,), raw)
    if isinstance(value, (list, tuple)):
        values, wheres = _option_values(qid, qid, value, value_where)
        return Match(qid, "one_of", values, key_where, wheres, raw)
    if isinstance(value, str) or _is_number(value):
        return Match(qid, "equals", (value,), key_where, (value_where,), raw)
    if value is None:
        raise ConditionError(f"'{qid}:' has no value; write an option value, such as '{qid}: not_sure'", key_where)
    raise ConditionError(f"'{qid}:' needs an option value, got {show_value(value)}", value_where)


def _option_values(qid: str, what: str, arg: Any, where: Where) -> tuple[tuple[Any, ...], tuple[Where, ...]]:
    """One option value or a non-empty list of them, with their positions."""
    if isinstance(arg, str):
        return (arg,), (where,)
    if not isinstance(arg, (list, tuple)) or not arg:
        raise ConditionError(f"'{what}:' needs an option value or a list of option values", where)
    wheres = tuple(_item_where(arg, i, where) for i in range(len(arg)))
    for item, item_where in zip(arg, wheres, strict=True):
        if not isinstance(item, str) and not _is_number(item):
            raise ConditionError(f"'{what}:' list items must be option values, got {show_value(item)}", item_where)
    return tuple(arg), wheres


def questions_in(condition: Condition) -> tuple[str, ...]:
    """The ids of the questions a condition looks at, in order of first use."""
    return tuple(dict.fromkeys(test.question for test in condition.matches()))
