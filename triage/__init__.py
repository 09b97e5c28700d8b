"""Hair-loss triage: an educational questionnaire backed by open clinical rule files.

``from triage import create_app`` gives the application factory (``triage/app.py``).
It is looked up when first asked for, so that importing a light part of the package
(the rulebook, the rule-file commands) does not import Flask, WTForms and the rest
of the web layer.
"""

from __future__ import annotations

from typing import Any

__all__ = ["ConfigError", "RulebookError", "create_app"]

_FROM = {
    "create_app": "triage.app",
    "csrf": "triage.app",
    "PRODUCT_NAME": "triage.app",
    "TriageFlask": "triage.app",
    "ConfigError": "triage.config",
    "RulebookError": "triage.rulebook",
}


def __getattr__(name: str) -> Any:
    """``create_app`` and friends, imported on first use (PEP 562)."""
    module = _FROM.get(name)
    if module is None:
        raise AttributeError(f"module 'triage' has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(module), name)
