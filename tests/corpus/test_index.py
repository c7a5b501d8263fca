from pathlib import Path

import pytest
import yaml

from agent.errors import IndexMissing
from agent.retrieval.embedding import ChineseHashEmbedding
from agent.retrieval.index import build_index, ensure_index
from agent.retrieval.search import Retriever


@pytest.fixture
def embed_calls(monkeypatch):
    """Texts the offline embedding was asked to embed."""
    seen: list[str] = []
    original = ChineseHashEmbedding.__call__

    def counting(self, input):  # noqa: A002
        seen.extend(input)
        return original(self, input)

    monkeypatch.setattr(ChineseHashEmbedding, "__call__", counting)
    return seen


def edit_corpus(corpus_dir: Path, change) -> None:  # type: ignore[no-untyped-def]
    path = corpus_dir / "playbook.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data = change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_build_is_idempotent_and_incremental(settings, corpus_dir, embed_calls):
    first = build_index(settings, progress=False)
    assert (first.added, first.updated, first.removed, first.unchanged) == (9, 0, 0, 0)
    assert len(embed_calls) == 9

    embed_calls.clear()
    again = build_index(settings)
    assert (again.added, again.updated, again.removed, again.unchanged) == (0, 0, 0, 9)
    assert not again.changed and embed_calls == []

    def change(data):
        data[0]["guidance"] += "听的时候眼睛看着业主。"
        new = dict(data[1], id="empathize.new_one", title="新增的一条")
        new["must_avoid"] = []
        return [d for d in data if d["id"] != "group.crowd_at_gate"] + [new]

    edit_corpus(corpus_dir, change)
    report = build_index(settings)
    assert (report.added, report.updated, report.removed, report.unchanged) == (1, 1, 1, 7)
    assert len(embed_calls) == 2  # only the new and the changed entry were embedded
    retriever = Retriever.open(settings)
    assert {e.id for e in retriever.entries} >= {"empathize.new_one"}
    assert "group.crowd_at_gate" not in {e.id for e in retriever.entries}
    assert "眼睛看着业主" in retriever.get("listen.let_finish").guidance


def test_open_without_index_asks_to_build(settings):
    with pytest.raises(IndexMissing) as err:
        Retriever.open(settings)
    assert "wuye corpus build" in err.value.zh and "wuye corpus build" in err.value.en


def test_corrupt_index_asks_to_build(settings):
    settings.chroma_path.mkdir(parents=True)
    (settings.chroma_path / "chroma.sqlite3").write_bytes(b"this is not a database" * 100)
    with pytest.raises(IndexMissing, match="wuye corpus build"):
        Retriever.open(settings)


def test_ensure_index_builds_only_when_needed(settings, corpus_dir):
    report = ensure_index(settings)
    assert report is not None and report.added == 9
    assert ensure_index(settings) is None
    Retriever.open(settings)  # usable
    edit_corpus(corpus_dir, lambda data: [dict(data[0], title="让业主把话说完再开口")] + data[1:])
    report = ensure_index(settings)
    assert report is not None and report.updated == 1
    # a replica without the YAML accepts the existing index as it is
    replica = settings.model_copy(update={"corpus_dir": corpus_dir / "absent"})
    assert ensure_index(replica) is None
    empty = replica.model_copy(update={"data_dir": corpus_dir.parent / "empty-data"})
    with pytest.raises(IndexMissing):
        ensure_index(empty)


def test_persisted_collection_reopens_with_registered_embedding(built):
    """A plain Chroma client (no embedding passed) re-opens the collection from its stored config."""
    from agent.retrieval.store import import_chromadb

    chromadb = import_chromadb()
    client = chromadb.PersistentClient(path=str(built.chroma_path))
    collection = client.get_collection(built.chroma_collection)
    assert collection.count() == 9
    result = collection.query(query_texts=["水管爆了,赶紧派人来修"], n_results=2)
    assert "act.repair_dispatch" in result["ids"][0]
