"""Build the Chroma index of the playbook, idempotently.

Each entry is stored with a content hash in its metadata; a build embeds only entries
that are new or changed, deletes entries that left the YAML and leaves the rest alone.
The collection records which embedding built it; when the embedding setting changes the
collection is rebuilt from scratch (vectors of different models cannot be mixed).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pydantic import BaseModel

from agent.errors import IndexMissing
from agent.retrieval.loader import load_corpus
from agent.retrieval.models import Entry
from agent.retrieval.store import (
    META_EMBEDDING,
    META_SCHEMA,
    SCHEMA_VERSION,
    chroma_embedding,
    entries_collection_name,
    get_client,
    open_collection,
)
from agent.settings import Settings

EMBED_BATCH = 32


class BuildReport(BaseModel):
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    rebuilt: bool = False
    embedding: str = ""

    @property
    def total(self) -> int:
        return self.added + self.updated + self.unchanged

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)


def entry_metadata(entry: Entry) -> dict[str, Any]:
    return {
        "kind": "entry",
        "stage": entry.stage.value if entry.stage else "",
        "topic": entry.topic.value,
        "title": entry.title,
        "source": str(entry.source),
        "hash": entry.content_hash(),
        "entry": entry.model_dump_json(),
    }


@contextmanager
def _progress(enabled: bool, total: int, label: str) -> Iterator[Any]:
    if not enabled or total == 0:
        yield lambda n: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=Console(stderr=True), transient=False) as bar:
        task = bar.add_task(label, total=total)
        yield lambda n: bar.advance(task, n)


def get_or_create(client: Any, name: str, embedding: Any) -> tuple[Any, bool]:
    """Open ``name`` for writing; recreate it when it was built with another embedding."""
    signature = embedding.signature()
    collection = open_collection(client, name)
    rebuilt = False
    if collection is not None and (collection.metadata or {}).get(META_EMBEDDING) != signature:
        client.delete_collection(name)
        collection, rebuilt = None, True
    if collection is None:
        collection = client.create_collection(
            name, embedding_function=chroma_embedding(embedding),
            metadata={META_EMBEDDING: signature, META_SCHEMA: SCHEMA_VERSION},
            configuration={"hnsw": {"space": "cosine"}},
        )
    return collection, rebuilt


def upsert_embedded(collection: Any, embedding: Any, ids: list[str], documents: list[str],
                    metadatas: list[dict[str, Any]], *, progress: bool, label: str) -> None:
    with _progress(progress, len(ids), label) as advance:
        for start in range(0, len(ids), EMBED_BATCH):
            stop = start + EMBED_BATCH
            vectors = embedding(documents[start:stop])
            collection.upsert(ids=ids[start:stop], embeddings=vectors, documents=documents[start:stop],
                              metadatas=metadatas[start:stop])
            advance(len(ids[start:stop]))


def build_index(settings: Settings, *, progress: bool = False) -> BuildReport:
    """Index ``settings.corpus_dir`` into Chroma; see the module docstring."""
    from agent.retrieval.embedding import get_embedding
    from agent.retrieval.text import normalise

    entries = load_corpus(settings.corpus_dir)
    embedding = get_embedding(settings)
    client = get_client(settings, create=True)
    try:
        collection, rebuilt = get_or_create(client, entries_collection_name(settings), embedding)
        stored = collection.get(include=["metadatas"])
    except IndexMissing:
        raise
    except Exception as exc:  # corrupt store, server error
        raise IndexMissing(f"{type(exc).__name__}: {exc}") from exc
    stored_hash = {id_: (meta or {}).get("hash") for id_, meta in zip(stored["ids"], stored["metadatas"], strict=True)}

    report = BuildReport(rebuilt=rebuilt, embedding=embedding.signature())
    todo: list[Entry] = []
    for entry in entries:
        old = stored_hash.get(entry.id)
        if old is None:
            report.added += 1
            todo.append(entry)
        elif old != entry.content_hash():
            report.updated += 1
            todo.append(entry)
        else:
            report.unchanged += 1
    current = {entry.id for entry in entries}
    removed = [id_ for id_ in stored_hash if id_ not in current]
    report.removed = len(removed)

    upsert_embedded(collection, embedding, [e.id for e in todo], [normalise(e.index_text()) for e in todo],
                    [entry_metadata(e) for e in todo], progress=progress, label="嵌入语料 Embedding entries")
    if removed:
        collection.delete(ids=removed)
    _reembed_passages(client, settings, embedding, progress=progress)
    return report


def _reembed_passages(client: Any, settings: Settings, embedding: Any, *, progress: bool) -> None:
    """Ingested passages follow the embedding too: re-embed them from their stored text."""
    from agent.retrieval.store import docs_collection_name

    name = docs_collection_name(settings)
    old = open_collection(client, name)
    if old is None or (old.metadata or {}).get(META_EMBEDDING) == embedding.signature():
        return
    data = old.get(include=["documents", "metadatas"])
    collection, _ = get_or_create(client, name, embedding)  # recreated for the new embedding
    upsert_embedded(collection, embedding, list(data["ids"]), list(data["documents"]), list(data["metadatas"]),
                    progress=progress, label="重新嵌入文档 Re-embedding passages")


def ensure_index(settings: Settings, *, progress: bool = False) -> BuildReport | None:
    """Bring the index in line with the corpus before serving (used by `wuye serve` / `wuye draft`).

    Runs the idempotent build (≈ 40 ms when nothing changed) so YAML edits are picked up; returns
    its report when something changed, else None. Without a corpus directory (e.g. a replica that
    only talks to a shared Chroma server) a usable index is accepted as it is."""
    from agent.retrieval.embedding import get_embedding

    if not settings.corpus_dir.is_dir():
        client = get_client(settings, create=False)
        collection = open_collection(client, entries_collection_name(settings))
        if collection is None or collection.count() == 0:
            raise IndexMissing(f"no corpus directory {settings.corpus_dir}")
        built = (collection.metadata or {}).get(META_EMBEDDING)
        if built != get_embedding(settings).signature():
            from agent.retrieval.search import EmbeddingMismatch

            raise EmbeddingMismatch(str(built), get_embedding(settings).signature())
        return None
    report = build_index(settings, progress=progress)
    return report if report.changed or report.rebuilt else None
