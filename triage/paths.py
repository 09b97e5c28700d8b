"""Where the app's own files are: its templates, static files and rules.

In the repository they are the top-level folders ``templates/``, ``static/`` and
``rules/``. ``pyproject.toml`` maps them into the package as ``triage.templates``,
``triage.static`` and ``triage.rules`` (package data), so a wheel carries them inside
``triage/`` and the app runs from any folder once installed.

They are found through the package itself (``importlib.resources``): inside it when
installed from a wheel, else beside it, which is the repository of an editable install
(setuptools' editable finder does not map folders without an ``__init__.py`` inside a
package, so the folders are not importable there) or of a checkout on ``sys.path``.
Flask and Jinja need real folders, so the package must be installed unzipped, as pip
always does.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from importlib import resources
from pathlib import Path

SHIPPED = ("templates", "static", "rules")


def shipped_folder(name: str) -> Path:
    """The folder ``name`` (one of ``SHIPPED``) of this installation of the app."""
    if name not in SHIPPED:
        raise ValueError(f"{name!r} is not one of the folders shipped with the app: {', '.join(SHIPPED)}")
    package = _package()
    inside = package / name
    if inside.is_dir():  # installed from a wheel: site-packages/triage/<name>
        return inside
    return package.parent / name  # a checkout: <repository>/<name>


def _package() -> Path:
    """The folder of the ``triage`` package that is running."""
    return Path(str(resources.files("triage"))).resolve()


def templates_folder() -> Path:
    return shipped_folder("templates")


def static_folder() -> Path:
    return shipped_folder("static")


def default_rules_dir(environ: Mapping[str, str] | None = None) -> Path:
    """The rules folder to load: ``$TRIAGE_RULES_DIR`` if set, else the rules shipped with the app.

    The one place that decides it (the app's configuration, the loader and the
    ``triage rules`` commands all ask here). ``environ`` defaults to ``os.environ``.
    """
    env = os.environ if environ is None else environ
    configured = env.get("TRIAGE_RULES_DIR")
    return Path(configured) if configured else shipped_folder("rules")
