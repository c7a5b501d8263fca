"""Shared helpers for the eval-runner tests: write small suites, run `wuye eval` in-process."""

from __future__ import annotations

import io
import textwrap
from pathlib import Path

import pytest
from rich.console import Console

from agent.settings import Settings


@pytest.fixture
def write_suite(tmp_path):
    def write(name: str, body: str) -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(body).lstrip(), encoding="utf-8")
        return path

    return write


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(data_dir=tmp_path / "data")


@pytest.fixture(scope="session")
def indexed_data_dir(tmp_path_factory) -> Path:
    """A data dir with the real corpus indexed once for the whole session (index build ≈ seconds)."""
    from evals.kinds.retrieval import open_retriever

    data_dir = tmp_path_factory.mktemp("eval-index")
    open_retriever(Settings(data_dir=data_dir))
    return data_dir


@pytest.fixture
def run(settings):
    """``run(paths, **options) -> (exit code, terminal text)``."""
    from evals.cli import run_eval

    def go(paths, *, settings=settings, **options):
        buffer = io.StringIO()
        console = Console(file=buffer, width=200, force_terminal=False, color_system=None)
        code = run_eval([Path(p) for p in paths], settings=settings, console=console, progress=False, **options)
        return code, buffer.getvalue()

    return go
