"""The rulebook: loading and validating the rule files, the engine, and the question flow.

Public API::

    load_rulebook(rules_dir=None) -> Rulebook        # raises RulebookError
    evaluate(rulebook, answers) -> Assessment
    applicable_questions(rulebook, answers) -> tuple[Question, ...]
    next_question(rulebook, answers) -> Question | None
    prune(rulebook, answers) -> dict
    validate_answers(rulebook, answers) -> list[str]
    clean_answers(answer_specs(rulebook.questions), raw) -> dict   # the valid part of untrusted data
"""

from .conditions import Condition, Where
from .engine import Assessment, CaseResult, TypeScore, check_case, evaluate, run_cases
from .flow import (
    AnswerSpec,
    answer_specs,
    applicable_questions,
    clean_answers,
    next_question,
    prune,
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
    "Where",
    "answer_specs",
    "applicable_questions",
    "check_case",
    "clean_answers",
    "default_rules_dir",
    "evaluate",
    "load_rulebook",
    "next_question",
    "prune",
    "run_cases",
    "upgrade_answers",
    "validate_answers",
    "walk",
]
