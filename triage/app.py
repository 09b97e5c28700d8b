"""The Flask app: ``create_app`` (the application factory, the flaskr shape).

The templates and static files live at the top level of the repository and are
shipped inside the package (``triage.templates``, ``triage.static``; see
``triage.paths``). ``import triage`` alone does not import this module (or Flask):
the rule-file commands (``triage rules ...``, ``triage evaluate``) never need it.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import TracebackType
from typing import Any

from flask import Flask, current_app, g, request, url_for
from flask.globals import _cv_request
from flask_wtf.csrf import CSRFProtect, same_origin

from triage import fragments, render_cache, security
from triage.config import ConfigError, config_from_env
from triage.errors import log_exception_without_data
from triage.forms import build_form_classes
from triage.paths import static_folder, templates_folder
from triage.rulebook import RulebookError, answer_specs, load_rulebook
from triage.rulebook.hidden import median_questions
from triage.session import SafeSessionInterface

__all__ = ["ConfigError", "RulebookError", "create_app"]

PRODUCT_NAME = "Hair loss guide"
MAX_URLS = 4096


class TriageCSRFProtect(CSRFProtect):
    """Flask-WTF's CSRF check, without a new HMAC for a token this process already knows.

    A POSTed token that this process signed for the session's raw token, or
    has already accepted once (render_cache.token_known), passes as Flask-WTF's
    own check would; anything else gets that full check, and remembers it when
    it passes. The exemptions, the method list and the HTTPS referrer check are
    Flask-WTF's, unchanged.
    """

    def protect(self, apply_exemptions: bool = False) -> None:
        config = current_app.config
        if request.method not in config["WTF_CSRF_METHODS"]:  # first: a GET skips the exemption lookup
            return
        if apply_exemptions and (not request.endpoint or self._is_exempt()):
            return
        token = self._get_csrf_token()
        if not render_cache.token_known(token):
            super().protect()  # raises CSRFError for a bad token
            render_cache.remember_accepted(token)
            return
        if request.is_secure and config["WTF_CSRF_SSL_STRICT"]:
            if not request.referrer:
                self._error_response("The referrer header is missing.")
            if not same_origin(request.referrer, f"https://{request.host}/"):
                self._error_response("The referrer does not match the host.")
        g.csrf_valid = True


csrf = TriageCSRFProtect()


class TriageFlask(security.TrustedHostsMixin, Flask):
    """Flask, but a server error is logged without its message (it may quote answers),
    a Host outside TRUSTED_HOSTS gets the friendly 400 page (security.py), and
    URLs are built once per process.

    ``url_for`` in a request builds each (endpoint, arguments, URL adapter)
    once and then answers from memory: a page builds 10 to 25 URLs (the
    stylesheets, the footer links, a picture per option), about 10 µs each.
    Only plain calls are kept (string arguments; no anchor, method, scheme or
    external URL; no ``url_defaults`` functions registered), and the key holds
    everything the build reads (the adapter's host, script root, subdomain,
    scheme and method), so the answer is what Werkzeug would build. The
    arguments are endpoints and rule ids, never an answer; the memo is
    bounded (``MAX_URLS``; when full it starts again).
    """

    _urls: dict[tuple[Any, ...], str]

    def log_exception(
        self,
        exc_info: tuple[type[BaseException], BaseException, TracebackType | None] | tuple[None, None, None],
    ) -> None:
        log_exception_without_data(self, exc_info)

    def url_for(
        self,
        endpoint: str,
        *,
        _anchor: str | None = None,
        _method: str | None = None,
        _scheme: str | None = None,
        _external: bool | None = None,
        **values: Any,
    ) -> str:
        ctx = _cv_request.get(None)
        adapter = ctx.url_adapter if ctx is not None else None
        if (
            adapter is None
            or _anchor is not None
            or _method is not None
            or _scheme is not None
            or _external
            or endpoint[:1] == "."
            or any(self.url_default_functions.values())
            or not all(type(v) is str for v in values.values())
        ):
            return super().url_for(
                endpoint, _anchor=_anchor, _method=_method, _scheme=_scheme, _external=_external, **values
            )
        key = (
            endpoint,
            tuple(values.items()),
            adapter.server_name,
            adapter.script_name,
            adapter.subdomain,
            adapter.url_scheme,
            adapter.default_method,
        )
        urls = self.__dict__.setdefault("_urls", {})
        url = urls.get(key)
        if url is None:
            url = super().url_for(endpoint, **values)
            if len(urls) >= MAX_URLS:
                urls.clear()
            urls[key] = url
        return url


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Create the Flask app.

    ``config`` overrides the values read from the environment (tests pass
    ``TESTING`` and a fixed ``SECRET_KEY`` this way). Raises ConfigError when
    the configuration is unusable, for example production without a secret,
    and RulebookError when the rule files are invalid.
    """
    app = TriageFlask(
        "triage",  # the package: its logger and root path, as before app.py held the factory
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
    # Templates' csrf_token() (result, check answers, ...) signs the session's token once per
    # process, as the question pages do (render_cache.csrf_token), not once per page.
    app.jinja_env.globals["csrf_token"] = render_cache.csrf_token
    app.jinja_env.globals["fragment"] = fragments.fragment  # parts from the rulebook alone, kept

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

    emergency_lines, crisis_lines = fragments.layout_lines(rulebook)
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
