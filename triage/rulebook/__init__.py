"""The rulebook: loading and validating the rule files, the engine, and the question flow.

Public API::

    load_rulebook(rules_dir=None) -> Rulebook        # raises RulebookError
    evaluate(rulebook, answers) -> Assessment
    applicable_questions(rulebook, answers) -> tuple[Question, ...]
    next_question(rulebook, answers) -> Question | None
    prune(rulebook, answers) -> dict
    validate_answers(rulebook, answers) -> list[str]
"""

from .conditions import Condition, Where, describe
from .engine import Assessment, CaseResult, TypeScore, check_case, evaluate, run_cases
from .flow import applicable_questions, next_question, prune, validate_answers
from .loader import RulebookError, default_rules_dir, load_rulebook
from .models import Question, Rulebook

__all__ = [
    "Assessment",
    "CaseResult",
    "Condition",
    "Question",
    "Rulebook",
    "RulebookError",
    "TypeScore",
    "Where",
    "applicable_questions",
    "check_case",
    "default_rules_dir",
    "describe",
    "evaluate",
    "load_rulebook",
    "next_question",
    "prune",
    "run_cases",
    "validate_answers",
]
