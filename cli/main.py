"""`wuye` — the command line, an adapter above ``agent/``, ``api/`` and ``evals/``. This file only
wires sub-commands; each lives with its code.

The settings are validated first (bad ``WUYE_*`` values: a bilingual message, exit 2, no
traceback). Only the sub-command being run is imported (``wuye corpus search`` never loads the API,
litellm or guardrails); ``wuye --help`` imports them all to list them. Sub-command modules keep
heavy imports (litellm, guardrails, chromadb) inside their functions.
"""

from __future__ import annotations

import importlib
import sys

import typer

# command name -> (module, attribute, is_group)
COMMANDS: dict[str, tuple[str, str, bool]] = {
    "corpus": ("agent.retrieval.cli", "app", True),
    "check": ("agent.guard.cli", "check", False),
    "guard": ("agent.guard.cli", "guard_app", True),
    "draft": ("cli.draft", "draft", False),
    "serve": ("api.cli", "serve", False),
    "keys": ("api.cli", "keys_app", True),
    "webhooks": ("cli.webhooks", "webhooks_app", True),
    "db": ("cli.db", "db_app", True),
    "eval": ("evals.cli", "eval_command", False),
    "understand": ("agent.understand.cli", "app", True),
    "commitments": ("agent.loop.cli", "app", True),
}
# two-word commands beside a one-command group: `wuye eval harvest` (the `eval` command takes paths)
SUBCOMMANDS: dict[tuple[str, str], tuple[str, str]] = {
    ("eval", "harvest"): ("agent.loop.cli", "harvest"),
}


def build_app(only: str | None = None) -> typer.Typer:
    """The Typer app with every sub-command, or just ``only`` when it names one."""
    root = typer.Typer(
        name="wuye",
        help="物业客服回复助手 wuye-copilot: 语料检索、护栏检查、回复起草、服务与评测。",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )


    @root.callback()
    def _root() -> None:
        """Keeps `wuye` a command group even when only one sub-command is loaded."""

    names = [only] if only in COMMANDS else list(COMMANDS)
    for name in names:
        module, attribute, is_group = COMMANDS[name]
        target = getattr(importlib.import_module(module), attribute)
        if is_group:
            root.add_typer(target, name=name)
        else:
            root.command(name)(target)
    return root


def __getattr__(name: str) -> typer.Typer:
    """``from cli.main import app`` gives the full app (tests use it with CliRunner)."""
    if name == "app":
        return build_app()
    raise AttributeError(name)


def _subcommand(argv: list[str]) -> typer.Typer | None:
    """``wuye eval harvest …``: a Typer app of that one command, or None."""
    words = [arg for arg in argv if not arg.startswith("-")][:2]
    if len(words) < 2 or tuple(words) not in SUBCOMMANDS or argv[:2] != words:
        return None
    module, attribute = SUBCOMMANDS[tuple(words)]  # type: ignore[index]
    sub = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
    sub.command(words[1])(getattr(importlib.import_module(module), attribute))

    @sub.callback()
    def _group() -> None:
        """wuye eval harvest"""

    return sub


def main() -> None:  # console-script entry point
    sub = _subcommand(sys.argv[1:])
    if sub is not None:
        sub(args=sys.argv[2:], prog_name="wuye eval")
        return
    command = next((arg for arg in sys.argv[1:] if not arg.startswith("-")), None)
    if command in COMMANDS and not {"--help", "-h"} & set(sys.argv[1:]):
        from agent.errors import WuyeError
        from agent.settings import get_settings

        try:
            get_settings()
        except WuyeError as exc:
            print(exc.message, file=sys.stderr)
            raise SystemExit(exc.exit_code) from None
    build_app(command)()


if __name__ == "__main__":  # pragma: no cover
    main()
