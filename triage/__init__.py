"""Hair-loss triage: an educational questionnaire backed by open clinical rule files.

``create_app`` is the application factory (the flaskr shape). The templates and
static files live at the top level of the repository, beside this package.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask
from flask_wtf.csrf import CSRFProtect

from triage.config import PROJECT_ROOT, ConfigError, config_from_env

__all__ = ["ConfigError", "create_app"]

csrf = CSRFProtect()

PRODUCT_NAME = "Hair loss guide"


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Create the Flask app.

    ``config`` overrides the values read from the environment (tests pass
    ``TESTING`` and a fixed ``SECRET_KEY`` this way). Raises ConfigError when
    the configuration is unusable, for example production without a secret.
    """
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.update(config_from_env())
    if config:
        app.config.update(config)

    csrf.init_app(app)

    from triage import clinician, errors, pages

    app.register_blueprint(pages.bp)
    app.register_blueprint(clinician.bp)
    errors.register(app)

    @app.context_processor
    def layout_context() -> dict[str, Any]:
        rulebook = app.extensions.get("rulebook")
        return {
            "product_name": PRODUCT_NAME,
            "help_lines": rulebook.care.help_lines if rulebook is not None else (),
            "start_url": "#",
        }

    return app
