"""The rulebook: loading and validating the rule files, the engine, and the question flow.

Public API::

    load_rulebook(rules_dir=None) -> Rulebook        # raises RulebookError
    evaluate(rulebook, answers) -> Assessment
    walk(rulebook.questions, answers) -> Walk   # .path: the questions that apply; .answers: those kept; .gap: the next
    rewalk(rulebook.questions, before, question_id, value) -> Walk   # walk after one answer changes, from there on
    validate_answers(rulebook, answers) -> list[str]
    clean_answers(answer_specs(rulebook.questions), raw) -> dict   # the valid part of untrusted data
"""

from .conditions import Condition, Where
from .engine import Assessment, CaseResult, TypeScore, check_case, evaluate, run_cases
from .flow import (
    AnswerSpec,
    Walk,
    answer_specs,
    clean_answers,
    rewalk,
    upgrade_answers,
    validate_answers,
    walk,
)
from .loader import RulebookError, default_rules_dir, load_rulebook
from .models import Question, Rulebook

__all__ = [
    "AnswerSpec",
    "Assessment",
    "CaseResult",
    "Condition",
    "Question",
    "Rulebook",
    "RulebookError",
    "TypeScore",
    "Walk",
    "Where",
    "answer_specs",
    "check_case",
    "clean_answers",
    "default_rules_dir",
    "evaluate",
    "load_rulebook",
    "rewalk",
    "run_cases",
    "upgrade_answers",
    "validate_answers",
    "walk",
]
