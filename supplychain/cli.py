"""The `supplychain` command line: a click group whose commands live in supplychain.commands.*."""

from __future__ import annotations

import importlib
import importlib.util
import sys
from typing import Any

import click

from . import __version__
from .errors import SupplychainError

# Each module defines a click command (or group) named `command`.
COMMAND_MODULES = [
    "cluster",
    "render",
    "validate",
    "lint",
    "stamp",
    "test",
    "graph",
    "queries",
    "replay",
]


class _Group(click.Group):
    """Turns SupplychainError into a one-line message and its exit code; never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except SupplychainError as err:
            click.echo(f"error: {err}", err=True)
            sys.exit(err.exit_code)
        except BrokenPipeError:
            sys.exit(0)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="supplychain")
def cli() -> None:
    """Flagger blue/green canary stage for TAP supply chains: render, check, stamp and replay offline."""


for _name in COMMAND_MODULES:
    if importlib.util.find_spec(f"supplychain.commands.{_name}") is not None:
        cli.add_command(importlib.import_module(f"supplychain.commands.{_name}").command)


def main() -> None:
    cli(prog_name="supplychain")
