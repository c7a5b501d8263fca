"""The index snapshot (agent/retrieval/snapshot.py): a later open is a file read, never stale."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from agent.retrieval import search, snapshot
from agent.retrieval.index import build_index
from agent.retrieval.search import Retriever
from tests.corpus.test_index import edit_corpus

QUERIES = ["水管爆了,赶紧派人来修", "业主一直骂人我该怎么接", "物业费凭什么涨"]


def _results(retriever: Retriever) -> list[list[tuple[str, float]]]:
    return [[(h.id, round(h.score, 5)) for h in retriever.search(q, k=5)] for q in QUERIES]


def _no_store(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("read the Chroma store although the snapshot was current")

    monkeypatch.setattr(search, "_read_store", refuse)


def test_second_open_reads_the_snapshot_with_the_same_results(built, monkeypatch):
    first = Retriever.open(built)
    assert (built.data_dir / snapshot.DIRNAME / "snapshot.npz").is_file()
    _no_store(monkeypatch)
    second = Retriever.open(built)
    assert _results(second) == _results(first)
    assert [e.id for e in second.entries] == [e.id for e in first.entries]
    assert second.get("listen.let_finish") == first.get("listen.let_finish")


def test_a_changed_store_is_read_again(built, corpus_dir, monkeypatch):
    Retriever.open(built)

    def change(data):
        data[0]["guidance"] += "听的时候眼睛看着业主。"
        return data

    edit_corpus(corpus_dir, change)
    build_index(built)  # a write to the store: the snapshot's fingerprint no longer matches
    reread = Retriever.open(built)
    assert "眼睛看着业主" in reread.get("listen.let_finish").guidance
    _no_store(monkeypatch)  # ... and the new state was snapshotted
    assert "眼睛看着业主" in Retriever.open(built).get("listen.let_finish").guidance


def test_a_damaged_snapshot_falls_back_to_the_store(built):
    first = _results(Retriever.open(built))
    (built.data_dir / snapshot.DIRNAME / "snapshot.npz").write_bytes(b"not a zip")
    assert _results(Retriever.open(built)) == first
    (built.data_dir / snapshot.DIRNAME / "snapshot.json").write_text("{", encoding="utf-8")
    assert _results(Retriever.open(built)) == first


def test_a_chroma_server_is_never_snapshotted(built):
    assert snapshot.usable(built) and not snapshot.usable(built.model_copy(update={"chroma_host": "127.0.0.1"}))


def test_opening_from_the_snapshot_does_not_import_chromadb(built):
    Retriever.open(built)
    code = ("import sys; from agent.settings import Settings; from agent.retrieval.search import Retriever; "
            f"r = Retriever.open(Settings(data_dir={str(built.data_dir)!r}, corpus_dir={str(built.corpus_dir)!r})); "
            "assert r.search('水管爆了', k=1); print('chromadb' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=dict(os.environ),
                          cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
