"""Shared helpers: read the playbook YAML directly (no dependency on the retrieval engine)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
CORPUS_DIR = ROOT / "corpus"
QUERIES_FILE = ROOT / "evals" / "retrieval" / "queries.yaml"
SEED_FILES = {
    "000_d6b24bfcab8f8fa6.txt",
    "001_60b02ae7e330d0d2.txt",
    "002_a3eb74fcb7cc74eb.txt",
    "003_75031fc6951f7696.txt",
}
ENTRY_KEYS = {"id", "stage", "topic", "title", "guidance", "phrasings", "must_avoid", "keywords", "source"}


@lru_cache(maxsize=1)
def corpus_files() -> tuple[Path, ...]:
    return tuple(sorted(CORPUS_DIR.glob("*.yaml")))


@lru_cache(maxsize=1)
def raw_entries() -> tuple[tuple[str, dict], ...]:
    """(file name, entry dict) for every entry of every corpus file."""
    out: list[tuple[str, dict]] = []
    for path in corpus_files():
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert isinstance(data, list), f"{path.name}: top level must be a list"
        out.extend((path.name, entry) for entry in data)
    return tuple(out)


def entries_by_id() -> dict[str, dict]:
    return {entry["id"]: entry for _, entry in raw_entries()}


def must_avoid_by_id() -> dict[str, tuple[str, dict]]:
    """must_avoid id -> (owning entry id, item)."""
    return {item["id"]: (entry["id"], item) for _, entry in raw_entries() for item in entry["must_avoid"]}


def all_texts(entry: dict) -> list[str]:
    return [entry["title"], entry["guidance"], *entry["phrasings"], *(m["text"] for m in entry["must_avoid"])]
