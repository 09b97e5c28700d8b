"""The ``triage`` command: Flask's CLI (``triage run``) plus the rulebook tools."""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import FlaskGroup

from triage import ConfigError, RulebookError, create_app
from triage.cli_rules import register


def _create_app() -> Flask:
    try:
        return create_app()
    except ConfigError as exc:
        click.echo(f"triage: refusing to start: {exc}", err=True)
        sys.exit(1)
    except RulebookError as exc:
        click.echo("triage: refusing to start: the rule files are invalid:", err=True)
        click.echo(str(exc), err=True)
        sys.exit(1)


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False)
def cli() -> None:
    """Hair-loss triage: run the app and check the clinical rule files."""


register(cli)


def main() -> None:
    """Console-script entry point."""
    cli()
