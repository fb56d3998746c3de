"""The ``airm`` command: the Flask CLI bound to the app (``airm db upgrade``,
``airm load-programme``, ``airm run``, ...), configured from the environment."""

from __future__ import annotations

import sys

import click
from flask.cli import FlaskGroup

from airm_training import create_app
from airm_training.settings import ConfigError


def _app_commands() -> dict[str, click.Command]:
    from airm_training.cli import bp
    from airm_training.privacy import cli as _privacy_commands  # noqa: F401 - on bp

    return dict(bp.cli.commands)


class AirmGroup(FlaskGroup):
    """Flask's commands plus the app's own at the top level (``airm seed-demo``)."""

    def __init__(self) -> None:
        super().__init__(create_app=create_app, help="AIRM Training & Credentials.")
        for name, command in _app_commands().items():
            self.add_command(command, name)


def main() -> None:
    """Entry point of the ``airm`` console script: a bad setting is one line, exit 2."""
    try:
        AirmGroup().main(prog_name="airm")
    except ConfigError as error:
        click.echo(str(error), err=True)
        sys.exit(2)
