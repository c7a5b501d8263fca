"""Chroma access: one place that imports chromadb and opens a client.

Embedded default: ``PersistentClient`` under ``settings.chroma_path``. With
``WUYE_CHROMA_HOST`` (and ``WUYE_CHROMA_PORT``) set: ``HttpClient`` to a Chroma server.
Two collections: ``<name>`` holds the playbook entries, ``<name>_docs`` the passages
ingested from a company's own documents (kept apart so `wuye corpus build` can delete
entries that left the YAML without touching ingested passages, and so the workflow's
stage-filtered techniques only come from the reviewed playbook).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from agent.errors import IndexMissing
from agent.settings import Settings

SCHEMA_VERSION = "1"
META_EMBEDDING = "wuye_embedding"
META_SCHEMA = "wuye_schema"


def import_chromadb() -> Any:
    """Import chromadb (jsonschema's optional IRI grammar is kept out process-wide: agent/__init__.py)
    and register our embeddings with it by name."""
    import chromadb

    _chroma_embeddings()
    return chromadb


@lru_cache(maxsize=1)
def _chroma_embeddings() -> dict[type, type]:
    """Chroma ``EmbeddingFunction`` subclasses of our embeddings, registered by name (a persisted
    collection re-opens from its stored config). Built on first use: searching never imports chromadb."""
    from chromadb.api.types import EmbeddingFunction
    from chromadb.utils.embedding_functions import register_embedding_function

    from agent.retrieval.embedding import ChineseHashEmbedding, LiteLLMEmbedding

    adapters: dict[type, type] = {}
    for base in (ChineseHashEmbedding, LiteLLMEmbedding):
        adapters[base] = register_embedding_function(type(base.__name__, (base, EmbeddingFunction), {}))
    return adapters


def chroma_embedding(embedding: Any) -> Any:
    """``embedding`` as the registered Chroma embedding function (same configuration)."""
    import_chromadb()
    cls = _chroma_embeddings()[type(embedding)]
    adapted = cls.__new__(cls)
    adapted.__dict__.update(embedding.__dict__)
    return adapted


def entries_collection_name(settings: Settings) -> str:
    return settings.chroma_collection


def docs_collection_name(settings: Settings) -> str:
    return f"{settings.chroma_collection}_docs"


def get_client(settings: Settings, *, create: bool) -> Any:
    """A Chroma client. ``create=False`` refuses to create an empty embedded store."""
    chromadb = import_chromadb()
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_host:
        try:
            return chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port,
                                       settings=chroma_settings)
        except Exception as exc:  # connection refused, bad host, version mismatch
            raise IndexMissing(f"Chroma {settings.chroma_host}:{settings.chroma_port}: {exc}") from exc
    path = settings.chroma_path
    if not create and not (path / "chroma.sqlite3").is_file():
        raise IndexMissing(str(path))
    path.mkdir(parents=True, exist_ok=True)
    try:
        return chromadb.PersistentClient(path=str(path), settings=chroma_settings)
    except Exception as exc:  # corrupt sqlite file, permissions
        raise IndexMissing(f"{path}: {exc}") from exc


def open_collection(client: Any, name: str) -> Any | None:
    """The collection, or None when it does not exist. Its embedding function is not used:
    embeddings are always computed by us and passed explicitly."""
    from chromadb.errors import NotFoundError

    try:
        return client.get_collection(name, embedding_function=None)
    except NotFoundError:
        return None
    except ValueError as exc:  # older servers report a missing collection as ValueError
        if "does not exist" in str(exc):
            return None
        raise
