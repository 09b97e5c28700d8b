"""The ``triage`` command: Flask's CLI (``triage run``) plus the rulebook tools.

The rule-file commands (``triage rules ...``, ``triage questions``, ``triage evaluate``)
run without importing Flask or the app, so they start quickly; everything else goes to
Flask's command group, which builds the app.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from triage.cli_rules import make_cli, register

if TYPE_CHECKING:
    from flask import Flask

RULEBOOK_COMMANDS = frozenset(make_cli().commands)


def _create_app() -> Flask:
    from triage.app import create_app
    from triage.config import ConfigError
    from triage.rulebook import RulebookError

    try:
        return create_app()
    except ConfigError as exc:
        click.echo(f"triage: refusing to start: {exc}", err=True)
        sys.exit(1)
    except RulebookError as exc:
        click.echo("triage: refusing to start: the rule files are invalid:", err=True)
        click.echo(str(exc), err=True)
        sys.exit(1)


def flask_cli() -> click.Group:
    """Flask's command group (``run``, ``routes``, ``shell``) with the rule-file commands added."""
    from flask.cli import FlaskGroup

    @click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False)
    def cli() -> None:
        """Hair-loss triage: run the app and check the clinical rule files."""

    register(cli)
    return cli


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] in RULEBOOK_COMMANDS:
        make_cli().main(args, prog_name="triage")
    else:
        flask_cli().main(args, prog_name="triage")
