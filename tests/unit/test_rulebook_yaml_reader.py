"""Reading rule files with libyaml: the fast path is used, and it reads exactly what the
pure-Python parser reads (values, positions, problems), on every shipped rule file."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import yaml

from triage.rulebook import source
from triage.rulebook.source import YMap, YSeq, read_yaml

REPO = Path(__file__).resolve().parents[2]
RULE_FILES = sorted((REPO / "rules").rglob("*.yaml")) + sorted((REPO / "tests" / "fixtures").rglob("*.yaml"))
BOTH = [pytest.param(True, id="libyaml"), pytest.param(False, id="pure")]
needs_libyaml = pytest.mark.skipif(not yaml.__with_libyaml__, reason="PyYAML is built without libyaml here")


def shape(value):
    """A value with every position in it, comparable with ``==`` (NaN included)."""
    if isinstance(value, YMap):
        return ("map", value.file, value.line, value.col,
                [(shape(k), shape(v), value.key_pos[k], value.value_pos[k]) for k, v in value.items()])
    if isinstance(value, YSeq):
        return ("seq", value.file, value.line, value.col, value.item_pos, [shape(v) for v in value])
    if isinstance(value, float) and math.isnan(value):
        return ("nan",)
    return (type(value).__name__, value)


def read(text: str, fast: bool):
    data, problems = read_yaml(text.encode("utf-8"), "f.yaml", fast=fast)
    return data, [str(p) for p in problems]


@needs_libyaml
def test_libyaml_is_used_when_available(monkeypatch):
    assert source.FAST
    made = []

    class Spy(source._CParser):
        def __init__(self, stream):
            made.append(stream)
            super().__init__(stream)

    monkeypatch.setattr(source, "_CParser", Spy)
    assert read_yaml(b"a: 1\n", "f.yaml")[0] == {"a": 1}
    assert made == ["a: 1\n"]


def test_the_pure_parser_is_the_fallback(monkeypatch):
    monkeypatch.setattr(source, "FAST", False)
    monkeypatch.setattr(source, "_CParser", None)
    data, problems = read_yaml(b"a: no\nb: [1, on]\n", "f.yaml")
    assert problems == [] and data == {"a": "no", "b": (1, "on")}


@needs_libyaml
@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.relative_to(REPO).as_posix())
def test_both_parsers_read_every_rule_file_identically(path):
    raw = path.read_bytes()
    fast, fast_problems = read_yaml(raw, "f.yaml", fast=True)
    pure, pure_problems = read_yaml(raw, "f.yaml", fast=False)
    assert fast_problems == pure_problems == []
    assert shape(fast) == shape(pure)


SCALARS = [
    # YAML 1.2 core schema: only these are special ...
    ("true", True), ("True", True), ("TRUE", True), ("false", False), ("False", False), ("FALSE", False),
    ("null", None), ("Null", None), ("NULL", None), ("~", None), ("", None),
    ("0", 0), ("-12", -12), ("+3", 3), ("1_000", 1000), ("012", 12), ("0o17", 15), ("0x1F", 31), ("0b101", 5),
    ("1.5", 1.5), ("-.5", -0.5), ("1e3", 1000.0), (".inf", math.inf), ("-.Inf", -math.inf),
    # ... and everything else is text: the YAML 1.1 booleans, odd cases, dates, times.
    ("yes", "yes"), ("no", "no"), ("on", "on"), ("off", "off"), ("y", "y"), ("n", "n"), ("Yes", "Yes"),
    ("tRUE", "tRUE"), ("nUll", "nUll"), ("2026-01-05", "2026-01-05"), ("1:30", "1:30"), ("0o", "0o"),
    ("'5'", "5"), ('"true"', "true"), ("'null'", "null"), ("''", ""), ("_", "_"), ("inf", "inf"),
]


@pytest.mark.parametrize("fast", BOTH)
@pytest.mark.parametrize(("written", "value"), SCALARS, ids=[w or "empty" for w, _ in SCALARS])
def test_yaml_1_2_scalars(fast, written, value):
    data, problems = read(f"k: {written}\n", fast)
    assert problems == []
    assert type(data["k"]) is type(value) and data["k"] == value


@pytest.mark.parametrize("fast", BOTH)
def test_nan(fast):
    assert math.isnan(read("k: .NaN\n", fast)[0]["k"])


@pytest.mark.parametrize("fast", BOTH)
def test_positions(fast):
    data, _ = read("a:\n  b: [x, {c: 1}]\n  d:\n  e: 'q'\nf:\n- 1\n-  2\n", fast)
    assert (data.line, data.col) == (1, 1)
    assert data.key_pos == {"a": (1, 1), "f": (5, 1)} and data.value_pos == {"a": (2, 3), "f": (6, 1)}
    inner = data["a"]
    assert inner.key_pos == {"b": (2, 3), "d": (3, 3), "e": (4, 3)}
    # a key with nothing after it is placed where the next key starts (as the loader always did)
    assert inner.value_pos == {"b": (2, 6), "d": (4, 3), "e": (4, 6)}
    assert inner["b"].item_pos == ((2, 7), (2, 10)) and inner["b"][1].value_pos == {"c": (2, 14)}
    assert data["f"] == (1, 2) and data["f"].item_pos == ((6, 3), (7, 4))


PROBLEMS = [
    ("a: !!python/object/apply:os.system ['true']\n",
     ["f.yaml:1:4: explicit YAML tag '!!python/object/apply:os.system' is not allowed; write plain values"]),
    ("a: !!str 5\n", ["f.yaml:1:4: explicit YAML tag '!!str' is not allowed; write plain values"]),
    ("a: [!foo x]\n", ["f.yaml:1:5: explicit YAML tag '!foo' is not allowed; write plain values"]),
    ("a: ! 5\n", ["f.yaml:1:4: explicit YAML tag '!' is not allowed; write plain values"]),
    ("a: !!int x\n", ["f.yaml:1:4: explicit YAML tag '!!int' is not allowed; write plain values"]),
    ("a: 1\nb: 2\na: 3\n", ["f.yaml:3:1: duplicate key 'a' (first written on line 1)"]),
    ("{a: 1, a: {a: 2, a: 3}}\n", ["f.yaml:1:8: duplicate key 'a' (first written on line 1)"]),
    ("? [a]\n: 1\n", ["f.yaml:1:3: a key must be a plain word, not a list or mapping"]),
    ("a: &x [1]\nb: *x\nc: [*x]\n",
     ["f.yaml:2:4: aliases (*name) are not allowed in rule files; write the value out in full",
      "f.yaml:3:5: aliases (*name) are not allowed in rule files; write the value out in full"]),
    ("a: *nowhere\n", ["f.yaml:1:4: YAML syntax error: found undefined alias 'nowhere'"]),
    ("a: " + "9" * 31 + "\n", ["f.yaml:1:4: a number longer than 30 digits is not allowed"]),
    ("a: '" + "9" * 31 + "'\n", []),
    ("a: " + "[" * 51 + "]" * 51 + "\n",
     ["f.yaml:1:54: nested more than 50 levels deep; rule files are never this deep"]),
    ("a: 1\n---\nb: 2\n",
     ["f.yaml:2:1: YAML syntax error: only one YAML document per file (remove the second '---')"]),
    ("# nothing\n", ["f.yaml:1:1: file is empty"]),
    ("a: [1, 2\nb: 3\n", ["f.yaml:2:2: YAML syntax error: expected ',' or ']', but got ':'"]),
    ("a: b: c\n", ["f.yaml:1:5: YAML syntax error: mapping values are not allowed here"]),
    ("a: 'open\n", ["f.yaml:2:1: YAML syntax error: found unexpected end of stream"]),
    ("a: @x\n", ["f.yaml:1:4: YAML syntax error: found character '@' that cannot start any token"]),
    ("a: x\x01y\n",
     ["f.yaml:1:5: YAML syntax error: unacceptable character #x0001: special characters are not allowed"]),
]


@pytest.mark.parametrize("fast", BOTH)
@pytest.mark.parametrize(("text", "problems"), PROBLEMS, ids=[t[:24] for t, _ in PROBLEMS])
def test_problems_are_the_same_with_either_parser(fast, text, problems):
    data, found = read(text, fast)
    assert found == problems
    assert (data is None) == bool(problems)


@pytest.mark.parametrize("fast", BOTH)
def test_not_utf8(fast):
    expected = (None, [source.Problem("f.yaml", 2, 1, "file is not UTF-8 text")])
    assert read_yaml(b"a: 1\nb: \xff\n", "f.yaml", fast=fast) == expected
