"""Fixtures for the corpus tests: a small test playbook copied to a temp dir (so tests may edit it)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from agent.settings import Settings

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


@pytest.fixture
def corpus_dir(tmp_path: Path) -> Path:
    target = tmp_path / "corpus"
    target.mkdir()
    shutil.copy(FIXTURES / "corpus" / "playbook.yaml", target / "playbook.yaml")
    return target


@pytest.fixture
def settings(corpus_dir: Path, _isolated_data_dir: Path) -> Settings:
    return Settings(data_dir=_isolated_data_dir, corpus_dir=corpus_dir)


@pytest.fixture
def built(settings: Settings) -> Settings:
    from agent.retrieval.index import build_index

    build_index(settings)
    return settings


@pytest.fixture
def retriever(built: Settings):  # type: ignore[no-untyped-def]
    from agent.retrieval.search import Retriever

    return Retriever.open(built)
