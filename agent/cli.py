"""`wuye` — the command line. This file only wires sub-commands; each lives with its code.

Sub-command modules import heavy libraries (litellm, guardrails, chromadb) inside their
functions, so `wuye --help` and `wuye corpus search` start fast.
"""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(
    name="wuye",
    help="物业客服回复助手 wuye-copilot: 语料检索、护栏检查、回复起草、服务与评测。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# (module, attribute, command name, is_group)
_COMMANDS = [
    ("agent.corpus.cli", "app", "corpus", True),
    ("agent.guard.cli", "check", "check", False),
    ("agent.draft_cli", "draft", "draft", False),
    ("api.cli", "serve", "serve", False),
    ("api.cli", "keys_app", "keys", True),
    ("evals.cli", "eval_command", "eval", False),
]

for _module, _attr, _name, _group in _COMMANDS:
    try:
        _target = getattr(importlib.import_module(_module), _attr)
    except ModuleNotFoundError as exc:  # pragma: no cover - only while a part is being built
        if exc.name and _module.startswith(exc.name):
            continue
        raise
    if _group:
        app.add_typer(_target, name=_name)
    else:
        app.command(_name)(_target)


def main() -> None:  # console-script entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
