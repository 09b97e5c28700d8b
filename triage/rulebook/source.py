"""Reading one YAML rule file: syntax, tags, duplicate keys, and positions.

ruamel.yaml (YAML 1.2, so ``no`` stays a string) parses the file into nodes;
they are converted to plain Python values whose mappings and lists remember
where each key and value sits, so later checks can say ``file:line:col``:

- ``YMap`` (a ``dict``) and ``YSeq`` (a ``tuple``) carry ``file``, ``line`` and
  ``col`` (1-based) and the positions of their keys / values / items;
- scalars become ``str``, ``int``, ``float``, ``bool`` or ``None`` (dates
  become ISO text).
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.composer import Composer
from ruamel.yaml.error import MarkedYAMLError
from ruamel.yaml.events import AliasEvent
from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode


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


class _TooDeep(Exception):
    def __init__(self, mark: Any) -> None:
        self.mark = mark


def _too_deep(text: str) -> tuple[int, int] | None:
    """Where ``text`` nests deeper than ``MAX_DEPTH``, found before parsing.

    ruamel's scanner looks ahead over a whole run of ``[`` or ``{`` (each could
    start a key), which is slow on tens of thousands of them, so flow brackets
    (outside quotes and comments) and block indentation are counted first.
    """
    depth, quote = 0, ""
    for number, line in enumerate(text.split("\n"), 1):
        indent = len(line) - len(line.lstrip(" "))
        if indent > MAX_DEPTH * 4 and line.strip():
            return number, indent + 1
        previous = " "
        for col, char in enumerate(line, 1):
            if quote:
                if char == quote:
                    quote = ""
            elif char in "'\"":
                quote = char
            elif char == "#" and previous in " \t":
                break
            elif char in "[{":
                depth += 1
                if depth > MAX_DEPTH:
                    return number, col
            elif char in "]}":
                depth = max(0, depth - 1)
            previous = char
        if quote == "'" or quote == '"':
            continue  # a quoted scalar may run over lines
    return None


class _TagRecordingComposer(Composer):
    """ruamel's composer, noting every explicit tag (``!!python/...``, ``!foo``) and alias it
    meets, and stopping at ``MAX_DEPTH`` levels of nesting (it composes recursively)."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.parser.peek_event()
        if isinstance(event, AliasEvent):
            # An alias (*name) makes the reader repeat a part of the file; a few
            # nested ones grow into millions of copies (an "alias bomb"). Rule files
            # have no need of them, so every alias is refused, never expanded.
            self.loader.aliases.append(event.start_mark)
        else:
            tag = getattr(event, "ctag", None)
            if tag is not None:
                self.loader.explicit_tags.append((event.start_mark, str(tag)))
        self.loader.depth += 1
        try:
            if self.loader.depth > MAX_DEPTH:
                raise _TooDeep(event.start_mark)
            return super().compose_node(parent, index)
        finally:
            self.loader.depth -= 1


class _Yaml(YAML):
    """A YAML 1.2 reader that only composes nodes (no constructor runs)."""

    def __init__(self) -> None:
        super().__init__(typ="safe", pure=True)
        self.Composer = _TagRecordingComposer
        self.explicit_tags: list[tuple[Any, str]] = []
        self.aliases: list[Any] = []
        self.depth = 0


_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"


def _scalar(node: ScalarNode) -> Any:
    """A scalar's plain value from its resolved YAML 1.2 tag (dates stay text)."""
    tag, text = str(node.tag), node.value
    if tag == _NULL:
        return None
    if tag == _BOOL:
        return text.lower() == "true"
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
    return text


class _Converter:
    """Nodes -> plain values with positions; notes duplicate keys."""

    def __init__(self, rel: str) -> None:
        self.rel = rel
        self.problems: list[Problem] = []
        self.active: set[int] = set()

    def problem(self, mark: Any, message: str) -> None:
        self.problems.append(Problem(self.rel, mark.line + 1, mark.column + 1, message))

    def convert(self, node: Any) -> Any:
        if id(node) in self.active:
            self.problem(node.start_mark, "an alias refers to itself")
            return None
        if isinstance(node, ScalarNode):
            if str(node.tag) in (_INT, _FLOAT) and sum(c.isdigit() for c in node.value) > MAX_NUMBER_DIGITS:
                self.problem(node.start_mark, f"a number longer than {MAX_NUMBER_DIGITS} digits is not allowed")
                return None
            return _scalar(node)
        self.active.add(id(node))
        try:
            if isinstance(node, MappingNode):
                return self.mapping(node)
            return self.sequence(node)
        finally:
            self.active.discard(id(node))

    def mapping(self, node: MappingNode) -> YMap:
        out = YMap()
        out.file, out.line, out.col = self.rel, node.start_mark.line + 1, node.start_mark.column + 1
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                self.problem(key_node.start_mark, "a key must be a plain word, not a list or mapping")
                continue
            key = _scalar(key_node)
            if key in out:
                first_line = out.key_pos[key][0]
                self.problem(key_node.start_mark, f"duplicate key '{key}' (first written on line {first_line})")
                continue
            out[key] = self.convert(value_node)
            out.key_pos[key] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            out.value_pos[key] = (value_node.start_mark.line + 1, value_node.start_mark.column + 1)
        return out

    def sequence(self, node: SequenceNode) -> YSeq:
        seq = YSeq(self.convert(item) for item in node.value)
        seq.file, seq.line, seq.col = self.rel, node.start_mark.line + 1, node.start_mark.column + 1
        seq.item_pos = tuple((item.start_mark.line + 1, item.start_mark.column + 1) for item in node.value)
        return seq


def read_yaml(raw: bytes, rel: str) -> tuple[Any, list[Problem]]:
    """Parse the bytes of one YAML file; return (plain data or None, problems).

    One pass: ruamel composes the node tree (YAML 1.2, nothing is constructed
    or executed), noting explicit tags; the nodes are then converted here,
    noting every duplicate key. ``rel`` is the name used in messages.
    """
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [Problem(rel, line, 1, "file is not UTF-8 text")]
    deep = _too_deep(text)
    if deep is not None:
        return None, [Problem(rel, *deep, f"nested more than {MAX_DEPTH} levels deep; rule files are never this deep")]
    yaml = _Yaml()
    try:
        root = yaml.compose(io.StringIO(text))
    except _TooDeep as exc:
        mark = exc.mark
        return None, [Problem(rel, mark.line + 1, mark.column + 1,
                              f"nested more than {MAX_DEPTH} levels deep; rule files are never this deep")]
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = exc.problem or exc.context or "invalid YAML"
        if "expected a single document" in str(exc.context or ""):
            what = "only one YAML document per file (remove the second '---')"
        return None, [Problem(rel, line, col, f"YAML syntax error: {what}")]
    if root is None:
        return None, [Problem(rel, 1, 1, "file is empty")]
    converter = _Converter(rel)
    if yaml.aliases:
        for mark in yaml.aliases:
            converter.problem(mark, "aliases (*name) are not allowed in rule files; write the value out in full")
        return None, converter.problems
    for mark, tag in yaml.explicit_tags:
        tag = tag.replace("tag:yaml.org,2002:", "!!")
        converter.problem(mark, f"explicit YAML tag '{tag}' is not allowed; write plain values")
    data = converter.convert(root)
    if converter.problems:
        return None, converter.problems
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
