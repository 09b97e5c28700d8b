"""The shape ARCHITECTURE.md describes, checked from the source: imports go one way, in no circle."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "triage"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, modules: set[str] | None = None) -> set[str]:
    """What this file imports, at the top, in a function or for type checking only.

    ``from package import name`` is an import of ``package.name`` when that is a module
    of ``modules``, else of ``package`` itself.
    """
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                target = ".".join(parts[: len(parts) - node.level + 1] + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                submodule = f"{target}.{alias.name}"
                found.add(submodule if modules is not None and submodule in modules else target)
    return found


def graph() -> dict[str, set[str]]:
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    return {
        name: {m for m in imports_of(path, set(modules)) if m in modules and m != name}
        for name, path in modules.items()
    }


def test_the_import_graph_has_no_circle():
    edges = graph()
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(edges[node]):
            if state.get(nxt) == 1:
                cycle = path[path.index(nxt) :] + [nxt]
                raise AssertionError("import circle: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt)
        path.pop()
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node)


def test_the_rulebook_imports_nothing_of_the_web_layer():
    for path in (PACKAGE / "rulebook").glob("*.py"):
        for imported in imports_of(path):
            top = imported.split(".")[0]
            assert top not in ("flask", "flask_wtf", "wtforms", "jinja2", "markupsafe", "werkzeug"), (path.name, imported)
            if imported.startswith("triage.") and not imported.startswith("triage.rulebook"):
                assert imported.startswith("triage.paths"), (path.name, imported)  # the one shared leaf


def test_the_rulebook_writes_no_markup():
    markup = re.compile(r"<(svg|text|rect|path|g|div|span|p|ul|li|a|table|tr|td|th|h[1-6])[\s>/]")
    for path in (PACKAGE / "rulebook").glob("*.py"):
        assert not markup.search(path.read_text(encoding="utf-8")), path.name


def string_constants(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef)) and ast.get_docstring(node) is not None
    }
    return {
        n.value
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings
    }


@pytest.mark.parametrize("module", ["diff.py", "engine.py"])
def test_the_diff_and_the_worked_cases_write_no_words(module):
    """The clinical diff and a worked case's failures are data: their strings are ids, kinds and
    YAML punctuation; the words a clinician reads are in templates/macros/diff_words.txt and
    case_words.txt."""
    constants = string_constants(PACKAGE / "rulebook" / module)
    assert not [c for c in constants if re.search(r"[A-Za-z] +[A-Za-z]|^[A-Z][a-z]", c)]


def test_no_view_words_a_page_heading():
    """Headings are set in the templates (``{% set heading = ... %}``), not passed in by a view
    as a sentence; a heading taken from the rule files (a question's text) is data."""
    for path in PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.keyword) and node.arg in ("heading", "title"):
                assert not isinstance(node.value, (ast.Constant, ast.JoinedStr)), f"{path.name}:{node.lineno}"


def test_the_forms_name_no_answer_and_write_no_sentence():
    """The forms' checks name no question id or option value (the rule files' roles say which
    answer is "not sure"), and their messages are codes: the sentences are in the templates."""
    from triage.rulebook import load_rulebook

    rulebook = load_rulebook()
    names = {q.id for q in rulebook.questions} | {o.value for q in rulebook.questions for o in q.options}
    constants = string_constants(PACKAGE / "forms.py")
    assert not constants & names
    assert not [c for c in constants if re.match(r"(Select|Enter|Not a valid)\b", c)]
