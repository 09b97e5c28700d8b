"""Fixtures for the rulebook unit tests: the tiny fixture rulebook and broken copies of it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.helpers.rules import RULES_MIN, RulesCopy
from triage.rulebook import Rulebook, load_rulebook


@pytest.fixture(scope="session")
def rules_min() -> Path:
    return RULES_MIN


@pytest.fixture(scope="session")
def rulebook() -> Rulebook:
    return load_rulebook(RULES_MIN)


@pytest.fixture
def rules_copy(tmp_path: Path) -> RulesCopy:
    root = tmp_path / "rules"
    shutil.copytree(RULES_MIN, root)
    return RulesCopy(root)
