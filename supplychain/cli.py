"""The `supplychain` command line: a click group whose commands live in supplychain.commands.*."""

from __future__ import annotations

import importlib
import sys
from typing import Any

import click

from . import __version__
from .errors import SupplychainError

# Command name -> module in supplychain.commands defining a click command (or group) named `command`.
# Modules are imported only when their command runs, so start-up stays fast.
COMMAND_MODULES = {
    "render": "render",
    "validate": "validate",
    "lint": "lint",
    "stamp": "stamp",
    "test": "test",
    "graph": "graph",
    "queries": "queries",
    "replay": "replay",
    "cluster": "cluster",
    "gate": "gate",
}


class _Group(click.Group):
    """Loads commands lazily; turns SupplychainError into a one-line message and its exit code."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMAND_MODULES)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = COMMAND_MODULES.get(cmd_name)
        if module is None:
            return None
        command: click.Command = importlib.import_module(f"supplychain.commands.{module}").command
        return command

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except SupplychainError as err:
            click.echo(f"error: {err}", err=True)
            sys.exit(err.exit_code)
        except BrokenPipeError:
            sys.exit(0)
        except OSError as err:  # a file or folder the commands did not expect to be unreadable
            where = f"{err.filename}: " if err.filename else ""
            click.echo(f"error: {where}{err.strerror or err}", err=True)
            sys.exit(2)
        except (RecursionError, MemoryError) as err:
            click.echo(
                f"error: the input is too large or too deeply nested to process ({type(err).__name__})", err=True
            )
            sys.exit(2)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="supplychain")
def cli() -> None:
    """Flagger blue/green canary stage for TAP supply chains: render, check, stamp and replay offline."""


def main() -> None:
    cli(prog_name="supplychain")
