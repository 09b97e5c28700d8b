"""Reading one YAML rule file: syntax, tags, duplicate keys, and positions.

PyYAML's parser (libyaml's C parser when PyYAML has it) turns the file into
events; they are composed here, by YAML 1.2 rules (so ``no`` stays a string),
into plain Python values whose mappings and lists remember where each key and
value sits, so later checks can say ``file:line:col``:

- ``YMap`` (a ``dict``) and ``YSeq`` (a ``tuple``) carry ``file``, ``line`` and
  ``col`` (1-based) and the positions of their keys / values / items;
- scalars become ``str``, ``int``, ``float``, ``bool`` or ``None`` (dates
  become ISO text).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.error import MarkedYAMLError, YAMLError
from yaml.events import (
    AliasEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.scanner import Scanner


@dataclass(frozen=True, order=True)
class Problem:
    """One problem in a rule file, printed as ``file:line:col: message``."""

    file: str
    line: int
    col: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}: {self.message}"


class YMap(dict):
    """A mapping read from YAML, with the positions of its keys and values."""

    file: str = "<data>"
    line: int = 1
    col: int = 1

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.key_pos: dict[Any, tuple[int, int]] = {}
        self.value_pos: dict[Any, tuple[int, int]] = {}


class YSeq(tuple):
    """A list read from YAML (kept as a tuple), with the position of each item."""

    file: str = "<data>"
    line: int = 1
    col: int = 1
    item_pos: tuple[tuple[int, int], ...] = ()


# Rule files are small, flat documents. These bounds keep a hostile or broken one
# from hanging or crashing start-up (issue 17): each is refused with one message.
MAX_DEPTH = 50  # mappings and lists inside each other
MAX_NUMBER_DIGITS = 30  # digits in one number


_DEEP_INDENT = re.compile(r"^( {%d,})[^\n]*\S" % (MAX_DEPTH * 4 + 1), re.M)
_BRACKET_OR_QUOTE = re.compile(r"[\[\]{}'\"#]")


def _too_deep(text: str) -> tuple[int, int] | None:
    """Where ``text`` nests deeper than ``MAX_DEPTH``, found before parsing.

    A YAML scanner looks ahead over a whole run of ``[`` or ``{`` (each could
    start a key), which is slow on tens of thousands of them, so flow brackets
    (outside quotes and comments) and block indentation are counted first.
    """
    deep_indent = _DEEP_INDENT.search(text)
    limit = deep_indent.start() if deep_indent else len(text)
    depth, quote, at = 0, "", 0
    search = _BRACKET_OR_QUOTE.search
    while True:
        found = search(text, at, limit)
        if found is None:
            break
        i = found.start()
        char, at = text[i], i + 1
        if quote:
            if char == quote:
                quote = ""
        elif char == "'" or char == '"':
            quote = char  # a quoted scalar may run over lines
        elif char == "#":
            if i == 0 or text[i - 1] in " \t\n":
                end = text.find("\n", i, limit)
                if end < 0:
                    break
                at = end
        elif char == "[" or char == "{":
            depth += 1
            if depth > MAX_DEPTH:
                return _text_position(text, i)
        elif depth:
            depth -= 1
    if deep_indent is not None:
        line = text.count("\n", 0, limit) + 1
        return line, len(deep_indent.group(1)) + 1
    return None


# --- the parser: libyaml when PyYAML was built with it -------------------------------
#
# PyYAML's parser (libyaml's C one, or PyYAML's own pure-Python one) only turns the text
# into events; the small composer below builds the plain values straight from them, so
# nothing is constructed or executed, every alias is refused without being expanded, the
# nesting is bounded, and every node's position comes from its event's start mark.
# Scalars are resolved here by the YAML 1.2 core schema (PyYAML itself only knows 1.1,
# where ``no`` and ``on`` are booleans).


class _PureParser(Reader, Scanner, Parser):
    """PyYAML's pure-Python reader, scanner and parser (no composer, no constructor)."""

    def __init__(self, stream: str) -> None:
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)


try:
    from yaml.cyaml import CParser as _CParser
except ImportError:  # PyYAML built without libyaml: the same results, more slowly
    _CParser = None

FAST = bool(getattr(yaml, "__with_libyaml__", False)) and _CParser is not None
"""True when PyYAML has libyaml, so rule files are parsed by its C parser."""


def _parser(text: str, fast: bool | None) -> Any:
    if FAST if fast is None else fast:
        return _CParser(text)
    return _PureParser(text)


_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_STR = "tag:yaml.org,2002:str"

# The YAML 1.2 core schema, as ruamel.yaml resolves it (each tried only on a plain,
# untagged scalar whose first character can start it); anything else is a string, so
# ``yes``, ``no``, ``on``, ``off``, ``y`` and ``n`` stay text and dates stay text.
_BOOL_RE = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_FLOAT_RE = re.compile(
    r"""^(?:
     [-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
    |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
    |[-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?
    |[-+]?\.(?:inf|Inf|INF)
    |\.(?:nan|NaN|NAN))$""",
    re.X,
)
_INT_RE = re.compile(
    r"""^(?:[-+]?0b[0-1_]+
    |[-+]?0o?[0-7_]+
    |[-+]?[0-9_]+
    |[-+]?0x[0-9a-fA-F_]+)$""",
    re.X,
)
_NULL_RE = re.compile(r"^(?:~|null|Null|NULL|)$")


def _resolve(text: str) -> str:
    """The YAML 1.2 core-schema tag of a plain, untagged scalar."""
    if not text:
        return _NULL
    first = text[0]
    if first in "tTfF" and _BOOL_RE.match(text):
        return _BOOL
    if first in "-+0123456789.":
        if _FLOAT_RE.match(text):
            return _FLOAT
        if first != "." and _INT_RE.match(text):
            return _INT
    if first in "~nN" and _NULL_RE.match(text):
        return _NULL
    return _STR


def _scalar(tag: str, text: str) -> Any:
    """A scalar's plain value from its YAML 1.2 tag (dates and unknown tags stay text)."""
    if tag == _STR:
        return text
    if tag == _NULL:
        return None
    if tag == _BOOL:
        return text.lower() == "true"
    try:
        if tag == _INT:
            digits = text.replace("_", "")
            try:
                return int(digits, 0)
            except ValueError:
                return int(digits, 10)
        if tag == _FLOAT:
            lowered = text.replace("_", "").lower()
            if lowered.endswith(".inf"):
                return -math.inf if lowered.startswith("-") else math.inf
            if lowered == ".nan":
                return math.nan
            return float(lowered)
    except ValueError:  # only under an explicit tag (``!!int x``), which is refused anyway
        return text
    return text


class _Refused(Exception):
    """Stops reading: one problem at ``mark`` (syntax, nesting, a second document)."""

    def __init__(self, mark: Any, message: str) -> None:
        super().__init__(message)
        self.mark = mark
        self.message = message


_DEEP = f"nested more than {MAX_DEPTH} levels deep; rule files are never this deep"
_LONG = f"a number longer than {MAX_NUMBER_DIGITS} digits is not allowed"
_NOT_PRINTABLE = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class _Composer:
    """Events -> plain values with positions, in one pass.

    Notes every explicit tag and alias (in document order), and every duplicate key,
    key that is not a scalar, and over-long number (a duplicate's value, like a
    non-scalar key's, is read but not checked).
    """

    def __init__(self, parser: Any, rel: str) -> None:
        self.next_event = parser.get_event
        self.rel = rel
        self.problems: list[Problem] = []
        self.tags: list[Problem] = []
        self.aliases: list[Problem] = []
        self.anchors: set[str] = set()

    def problem(self, into: list[Problem], mark: Any, message: str) -> None:
        into.append(Problem(self.rel, mark.line + 1, mark.column + 1, message))

    def document(self) -> tuple[bool, Any]:
        """(whether the stream holds a document, its value); refuses a second document."""
        self.next_event()  # stream start
        event = self.next_event()
        if isinstance(event, StreamEndEvent):
            return False, None
        value = self.node(self.next_event(), 1)  # after the document start
        self.next_event()  # document end
        event = self.next_event()
        if not isinstance(event, StreamEndEvent):
            raise _Refused(event.start_mark, "YAML syntax error: only one YAML document per file (remove the second '---')")
        return True, value

    def enter(self, event: Any, depth: int) -> None:
        """Note the node's explicit tag or alias, its anchor; stop past ``MAX_DEPTH``."""
        cls = type(event)
        if cls is AliasEvent:
            # An alias (*name) makes the reader repeat a part of the file; a few
            # nested ones grow into millions of copies (an "alias bomb"). Rule files
            # have no need of them, so every alias is refused, never expanded.
            self.problem(self.aliases, event.start_mark,
                         "aliases (*name) are not allowed in rule files; write the value out in full")
        elif cls is not ScalarEvent and cls is not MappingStartEvent and cls is not SequenceStartEvent:
            raise _Refused(event.start_mark, f"YAML syntax error: unexpected {cls.__name__}")
        elif event.tag is not None:
            tag = event.tag.replace("tag:yaml.org,2002:", "!!")
            self.problem(self.tags, event.start_mark, f"explicit YAML tag '{tag}' is not allowed; write plain values")
        if depth > MAX_DEPTH:
            raise _Refused(event.start_mark, _DEEP)
        if cls is AliasEvent:
            if event.anchor not in self.anchors:
                raise _Refused(event.start_mark, f"YAML syntax error: found undefined alias {event.anchor!r}")
        elif event.anchor is not None:
            self.anchors.add(event.anchor)

    def node(self, event: Any, depth: int) -> Any:
        self.enter(event, depth)
        cls = type(event)
        if cls is ScalarEvent:
            tag = event.tag
            if tag is None or tag == "!":
                tag = _resolve(event.value) if event.implicit[0] else _STR
            if (tag == _INT or tag == _FLOAT) and sum(c.isdigit() for c in event.value) > MAX_NUMBER_DIGITS:
                self.problem(self.problems, event.start_mark, _LONG)
                return None
            return _scalar(tag, event.value)
        if cls is MappingStartEvent:
            return self.mapping(event, depth)
        if cls is SequenceStartEvent:
            return self.sequence(event, depth)
        return None  # an alias: refused, so its value is never used

    def unchecked(self, event: Any, depth: int) -> None:
        """Read a node whose value is not used: its tags and aliases still count."""
        kept = len(self.problems)
        self.node(event, depth)
        del self.problems[kept:]

    def mapping(self, start: Any, depth: int) -> YMap:
        out = YMap()
        mark = start.start_mark
        out.file, out.line, out.col = self.rel, mark.line + 1, mark.column + 1
        key_pos, value_pos = out.key_pos, out.value_pos
        depth += 1
        block = not start.flow_style
        empty = None
        while True:
            event = self.next_event()
            if empty is not None:
                # A key with nothing after it, in a block mapping, is placed where
                # the next key (or the mapping's end) starts, as ruamel placed it.
                mark = event.start_mark
                value_pos[empty] = (mark.line + 1, mark.column + 1)
                empty = None
            if type(event) is MappingEndEvent:
                return out
            key_mark = event.start_mark
            if type(event) is ScalarEvent:
                self.enter(event, depth)
                tag = event.tag
                if tag is None or tag == "!":
                    tag = _resolve(event.value) if event.implicit[0] else _STR
                key = _scalar(tag, event.value)
                if key in out:
                    self.problem(self.problems, key_mark,
                                 f"duplicate key '{key}' (first written on line {key_pos[key][0]})")
                    self.unchecked(self.next_event(), depth)
                    continue
            else:
                self.unchecked(event, depth)
                self.problem(self.problems, key_mark, "a key must be a plain word, not a list or mapping")
                self.unchecked(self.next_event(), depth)
                continue
            event = self.next_event()
            out[key] = self.node(event, depth)
            key_pos[key] = (key_mark.line + 1, key_mark.column + 1)
            mark = event.start_mark
            value_pos[key] = (mark.line + 1, mark.column + 1)
            if block and type(event) is ScalarEvent and not event.value and event.implicit[0] \
                    and event.tag is None and event.anchor is None:
                empty = key

    def sequence(self, start: Any, depth: int) -> YSeq:
        items, places = [], []
        depth += 1
        while True:
            event = self.next_event()
            if type(event) is SequenceEndEvent:
                break
            mark = event.start_mark
            places.append((mark.line + 1, mark.column + 1))
            items.append(self.node(event, depth))
        seq = YSeq(items)
        mark = start.start_mark
        seq.file, seq.line, seq.col = self.rel, mark.line + 1, mark.column + 1
        seq.item_pos = tuple(places)
        return seq


def _text_position(text: str, index: int) -> tuple[int, int]:
    before = text[:index]
    return before.count("\n") + 1, index - (before.rfind("\n") + 1) + 1


def read_yaml(raw: bytes, rel: str, *, fast: bool | None = None) -> tuple[Any, list[Problem]]:
    """Parse the bytes of one YAML file; return (plain data or None, problems).

    One pass: PyYAML's parser (libyaml's C one when available, ``FAST``; ``fast``
    chooses for tests) turns the text into events, which are composed here into
    plain values, noting explicit tags, aliases and duplicate keys; nothing is
    constructed or executed. ``rel`` is the name used in messages.
    """
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [Problem(rel, line, 1, "file is not UTF-8 text")]
    deep = _too_deep(text)
    if deep is not None:
        return None, [Problem(rel, *deep, _DEEP)]
    bad = _NOT_PRINTABLE.search(text)
    if bad is not None:
        char = ord(bad.group())
        message = f"YAML syntax error: unacceptable character #x{char:04x}: special characters are not allowed"
        return None, [Problem(rel, *_text_position(text, bad.start()), message)]
    composer = _Composer(_parser(text, fast), rel)
    try:
        found, data = composer.document()
    except _Refused as exc:
        return None, [Problem(rel, exc.mark.line + 1, exc.mark.column + 1, exc.message)]
    except MarkedYAMLError as exc:
        error = exc
        if FAST if fast is None else fast:
            # libyaml's messages are terser ("did not find expected key"); the
            # pure-Python parser words them as before, at the same place.
            try:
                _Composer(_PureParser(text), rel).document()
            except MarkedYAMLError as worded:
                error = worded
            except (_Refused, YAMLError):
                pass
        mark = error.problem_mark or error.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = error.problem or error.context or "invalid YAML"
        return None, [Problem(rel, line, col, f"YAML syntax error: {what}")]
    except YAMLError as exc:  # a reader error libyaml finds that the check above let through
        return None, [Problem(rel, 1, 1, f"YAML syntax error: {getattr(exc, 'reason', None) or exc}")]
    if not found:
        return None, [Problem(rel, 1, 1, "file is empty")]
    if composer.aliases:
        return None, composer.aliases
    problems = composer.tags + composer.problems
    if problems:
        return None, problems
    return data, []


def position(root: Any, path: tuple[Any, ...], *, key: bool = False) -> tuple[int, int]:
    """Line and column of the node at ``path`` below ``root``.

    Path parts that do not exist in the data (pydantic's union labels, a
    missing key) are skipped, so a missing key points at its parent mapping.
    With ``key=True`` the last part, if it is a mapping key, points at the key
    itself rather than its value.
    """
    node = root
    pos = (getattr(root, "line", 1), getattr(root, "col", 1))
    for i, part in enumerate(path):
        last = i == len(path) - 1
        if isinstance(node, YMap) and _has_key(node, part):
            if last and key:
                return node.key_pos.get(part, pos)
            pos = node.value_pos.get(part, pos)
            node = node[part]
        elif isinstance(node, YSeq) and isinstance(part, int) and 0 <= part < len(node):
            pos = node.item_pos[part] if part < len(node.item_pos) else pos
            node = node[part]
    return pos


def _has_key(mapping: dict, key: Any) -> bool:
    try:
        return key in mapping
    except TypeError:
        return False
