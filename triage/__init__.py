"""Hair-loss triage: an educational questionnaire backed by open clinical rule files.

``create_app`` is the application factory (the flaskr shape). The templates and
static files live at the top level of the repository and are shipped inside the
package (``triage.templates``, ``triage.static``; see ``triage.paths``).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import TracebackType
from typing import Any

from flask import Flask, url_for
from flask_wtf.csrf import CSRFProtect

from triage import render_cache, security
from triage.config import ConfigError, config_from_env
from triage.errors import log_exception_without_data
from triage.forms import build_form_classes
from triage.paths import static_folder, templates_folder
from triage.rulebook import RulebookError, answer_specs, load_rulebook
from triage.rulebook.hidden import median_questions
from triage.session import SafeSessionInterface

__all__ = ["ConfigError", "RulebookError", "create_app"]

csrf = CSRFProtect()

PRODUCT_NAME = "Hair loss guide"


class TriageFlask(security.TrustedHostsMixin, Flask):
    """Flask, but a server error is logged without its message (it may quote answers),
    and a Host outside TRUSTED_HOSTS gets the friendly 400 page (security.py)."""

    def log_exception(
        self,
        exc_info: tuple[type[BaseException], BaseException, TracebackType | None] | tuple[None, None, None],
    ) -> None:
        log_exception_without_data(self, exc_info)


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Create the Flask app.

    ``config`` overrides the values read from the environment (tests pass
    ``TESTING`` and a fixed ``SECRET_KEY`` this way). Raises ConfigError when
    the configuration is unusable, for example production without a secret,
    and RulebookError when the rule files are invalid.
    """
    app = TriageFlask(
        __name__,
        template_folder=str(templates_folder()),
        static_folder=str(static_folder()),
    )
    app.config.update(config_from_env())
    if config:
        app.config.update(config)
    # "//about" is a page that does not exist (404), not a redirect to "/about":
    # no odd path is ever turned into a redirect.
    app.url_map.merge_slashes = False

    app.session_interface = SafeSessionInterface()
    security.init_app(app)  # first: plain HTTP is redirected before anything reads the request
    csrf.init_app(app)
    render_cache.init_app(app)

    # The rulebook is read and validated once, here; an invalid one stops start-up
    # with RulebookError, whose message lists every problem as file:line:col.
    rulebook = load_rulebook(app.config["RULES_DIR"])
    app.extensions["rulebook"] = rulebook
    app.extensions["triage_forms"] = build_form_classes(rulebook.questions)

    from triage import clinician, errors, pages, questionnaire

    app.extensions["triage_answer_specs"] = answer_specs(rulebook.questions)

    app.register_blueprint(pages.bp)
    app.register_blueprint(questionnaire.bp)
    app.register_blueprint(clinician.bp)
    errors.register(app)

    emergency_lines = rulebook.emergency_lines
    crisis_lines = tuple(line for line in rulebook.crisis_lines if line not in emergency_lines)
    # "About N questions, about M minutes" on the start page, from the worked cases
    # (each case's own branch), at about 20 seconds a question.
    typical = round(median_questions(rulebook) or len(rulebook.questions))

    @app.context_processor
    def layout_context() -> dict[str, Any]:
        return {
            "product_name": PRODUCT_NAME,
            "crisis_lines": crisis_lines,
            "emergency_lines": emergency_lines,
            "typical_questions": typical,
            "typical_minutes": max(1, round(typical * 20 / 60)),
            "start_url": url_for("questionnaire.start"),
        }

    return app
