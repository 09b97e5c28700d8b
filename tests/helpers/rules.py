"""The tiny fixture rulebook (tests/fixtures/rules_min), writable copies of it, and the rules CLI."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from triage.cli_rules import make_cli
from triage.rulebook import Rulebook, RulebookError, load_rulebook

RULES_MIN = Path(__file__).resolve().parents[1] / "fixtures" / "rules_min"


def line_of(text: str, needle: str) -> int:
    """1-based line number of the first occurrence of ``needle``."""
    assert needle in text, needle
    return text[: text.index(needle)].count("\n") + 1


def col_of(text: str, needle: str) -> int:
    """1-based column of the first occurrence of ``needle``."""
    start = text.index(needle)
    return start - (text.rfind("\n", 0, start) + 1) + 1


def rules_command(name: str) -> Callable[..., Result]:
    """``invoke(*args)`` runs ``triage rules <name> ARGS...`` in click's test runner (each argument as a string)."""
    cli = make_cli()
    runner = CliRunner()

    def invoke(*args: object) -> Result:
        return runner.invoke(cli, ["rules", name, *[str(a) for a in args]], catch_exceptions=False)

    return invoke


class RulesCopy:
    """A writable copy of the fixture rulebook, in a folder called ``rules``."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def text(self, rel: str) -> str:
        return (self.root / rel).read_text()

    def edit(self, rel: str, old: str, new: str) -> str:
        """Replace the first ``old`` with ``new``; return the new file text."""
        text = self.text(rel)
        assert old in text, f"{old!r} not in {rel}"
        text = text.replace(old, new, 1)
        (self.root / rel).write_text(text)
        return text

    def write(self, rel: str, text: str) -> str:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return text

    def line(self, rel: str, needle: str) -> int:
        """1-based line of ``needle`` in the current text of ``rel``."""
        return line_of(self.text(rel), needle)

    def col(self, rel: str, needle: str) -> int:
        """1-based column of ``needle`` in the current text of ``rel``."""
        return col_of(self.text(rel), needle)

    def load(self) -> Rulebook:
        return load_rulebook(self.root)

    def errors(self) -> list[str]:
        with pytest.raises(RulebookError) as caught:
            load_rulebook(self.root)
        return caught.value.errors

    def error_at(self, rel: str, line: int, fragment: str, col: int | None = None) -> str:
        """The one error reported at ``rules/rel:line[:col]`` containing ``fragment``."""
        errors = self.errors()
        prefix = f"rules/{rel}:{line}:" + (f"{col}:" if col is not None else "")
        found = [e for e in errors if e.startswith(prefix) and fragment in e]
        assert found, f"no error at {prefix} with {fragment!r}; got:\n" + "\n".join(errors)
        return found[0]
