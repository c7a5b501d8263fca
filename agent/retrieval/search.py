"""Hybrid retrieval over the Chroma index: dense embedding similarity + BM25, fused.

``Retriever.open(settings)`` reads the collection once (ids, stored vectors, normalised
texts, metadata) and builds the BM25 statistics; every search after that is one in-process
scoring pass over all entries (≈ 100 of them — cheaper than a round trip, and exact).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from agent.errors import IndexMissing, InvalidInput, WuyeError
from agent.retrieval.bm25 import BM25
from agent.retrieval.lexicon import AnalyzerOptions, get_analyzer
from agent.retrieval.models import Entry
from agent.retrieval.store import (
    META_EMBEDDING,
    docs_collection_name,
    entries_collection_name,
    get_client,
    open_collection,
)
from agent.retrieval.text import normalise, validate_query
from agent.settings import Settings
from agent.vocab import Stage, Topic

if TYPE_CHECKING:
    from agent.retrieval.snapshot import Snapshot

BM25_OPTIONS = AnalyzerOptions(bigrams=True, trigrams=False, words=True, concepts=True)


@dataclass(frozen=True)
class Fusion:
    """How dense and lexical scores are combined (the eval compares alternatives)."""

    method: str = "weighted"  # weighted | rrf | dense | bm25
    alpha: float = 0.2        # weight of the dense cosine in "weighted"
    rrf_k: int = 20


DEFAULT_FUSION = Fusion()
MODEL_EMBEDDING_ALPHA = 0.5   # a real embedding model earns more weight than the hashed n-grams


def default_fusion(settings: Settings) -> Fusion:
    if settings.retrieval_dense_weight is not None:
        return Fusion(alpha=settings.retrieval_dense_weight)
    return Fusion(alpha=MODEL_EMBEDDING_ALPHA) if settings.embedding_model else DEFAULT_FUSION


class EmbeddingMismatch(IndexMissing):
    def __init__(self, built: str, configured: str) -> None:
        WuyeError.__init__(
            self,
            f"检索索引是用另一种嵌入模型({built})建立的,与当前设置({configured})不一致,"
            "请运行 `wuye corpus build` 重建索引。",
            f"The index was built with a different embedding ({built}) than configured ({configured}); "
            "run `wuye corpus build` to rebuild it.",
            built=built, configured=configured,
        )


@dataclass(frozen=True)
class Hit:
    id: str
    stage: Stage | None
    topic: Topic
    title: str
    score: float
    source: str
    entry: Entry

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "stage": self.stage.value if self.stage else None, "topic": self.topic.value,
                "title": self.title, "score": round(self.score, 4), "source": self.source}


@dataclass(frozen=True)
class PassageHit:
    id: str
    title: str
    score: float
    source: str
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "score": round(self.score, 4), "source": self.source,
                "text": self.text}


def parse_stage(value: Stage | str | None) -> Stage | None:
    if value is None or isinstance(value, Stage):
        return value
    try:
        return Stage(str(value).strip().lower())
    except ValueError:
        raise InvalidInput(f"未知的阶段 {value!r},可选:{', '.join(s.value for s in Stage)}。",
                           f"Unknown stage {value!r}; choose one of: {', '.join(s.value for s in Stage)}.") from None


def parse_topic(value: Topic | str | None) -> Topic | None:
    if value is None or isinstance(value, Topic):
        return value
    try:
        return Topic(str(value).strip().lower())
    except ValueError:
        raise InvalidInput(f"未知的主题 {value!r},可选:{', '.join(t.value for t in Topic)}。",
                           f"Unknown topic {value!r}; choose one of: {', '.join(t.value for t in Topic)}.") from None


class _Scorer:
    """Dense + BM25 scores for one collection snapshot."""

    def __init__(self, vectors: np.ndarray, bm25: BM25, fusion: Fusion,
                 options: AnalyzerOptions = BM25_OPTIONS) -> None:
        self.vectors = vectors
        self.fusion = fusion
        self.analyzer = get_analyzer(options)
        self.bm25 = bm25

    @classmethod
    def from_texts(cls, vectors: np.ndarray, texts: list[str], fusion: Fusion,
                   options: AnalyzerOptions = BM25_OPTIONS) -> _Scorer:
        analyzer = get_analyzer(options)
        return cls(vectors, BM25([analyzer.tokens(t) for t in texts]), fusion, options)

    def score(self, query_norm: str, query_vec: np.ndarray) -> np.ndarray:
        f = self.fusion
        dense = self.vectors @ query_vec if f.method != "bm25" else None
        lexical = self.bm25.scores(self.analyzer.tokens(query_norm)) if f.method != "dense" else None
        if f.method == "dense":
            return dense
        if f.method == "bm25":
            return lexical
        if f.method == "rrf":
            out = np.zeros(len(dense), dtype=np.float32)
            for scores in (dense, lexical):
                ranks = np.empty(len(scores), dtype=np.float32)
                ranks[np.argsort(-scores, kind="stable")] = np.arange(1, len(scores) + 1)
                out += 1.0 / (f.rrf_k + ranks)
            return out
        top = float(lexical.max()) if len(lexical) else 0.0
        lexical_n = lexical / top if top > 0 else lexical
        return f.alpha * dense + (1 - f.alpha) * lexical_n


class Retriever:
    def __init__(self, settings: Settings, embedding: Any, entries: list[Entry], scorer: _Scorer,
                 passages: list[dict[str, Any]], passage_scorer: _Scorer | None) -> None:
        self.settings = settings
        self.embedding = embedding
        self.entries = entries
        self._by_id = {e.id: e for e in entries}
        self._scorer = scorer
        self._stages = np.array([e.stage.value if e.stage else "" for e in entries])
        self._topics = np.array([e.topic.value for e in entries])
        self._sources = [str(e.source) for e in entries]  # a Hit's citation, formatted once per index
        self._passages = passages
        self._passage_scorer = passage_scorer

    # -- opening ---------------------------------------------------------------------------
    @classmethod
    def open(cls, settings: Settings, *, fusion: Fusion | None = None) -> Retriever:
        """Read the index once. Raises IndexMissing when there is no usable index.

        From the snapshot file when the embedded store has not changed since it was written
        (no chromadb import, no tokenising: ``snapshot.py``), else from Chroma (then snapshotted)."""
        from agent.retrieval import snapshot
        from agent.retrieval.embedding import get_embedding
        from agent.retrieval.lexicon import use_cache_dir

        use_cache_dir(settings.data_dir)
        fusion = fusion or default_fusion(settings)
        embedding = get_embedding(settings)
        signature = embedding.signature()
        key = snapshot.fingerprint(settings, signature, BM25_OPTIONS) if snapshot.usable(settings) else None
        snap = snapshot.load(settings, key) if key else None
        if snap is None:
            snap = _read_store(settings, signature)
            if key is not None and key == snapshot.fingerprint(settings, signature, BM25_OPTIONS):
                snapshot.save(settings, key, snap)  # nothing wrote to the store while we read it
        try:
            entries = [Entry.model_validate(e) for e in snap.entries]
        except Exception as exc:
            raise IndexMissing(f"unreadable entry metadata: {exc}") from exc
        scorer = _Scorer(snap.entry_part.vectors, snap.entry_part.bm25, fusion)
        passage_scorer = None
        if snap.passage_part is not None:
            passage_scorer = _Scorer(snap.passage_part.vectors, snap.passage_part.bm25, fusion)
        if hasattr(embedding, "warm"):
            embedding.warm()  # load the analyzer now, not on the first query
        return cls(settings, embedding, entries, scorer, snap.passages, passage_scorer)

    @classmethod
    def from_entries(cls, settings: Settings, entries: list[Entry], embedding: Any, *,
                     fusion: Fusion = DEFAULT_FUSION, options: AnalyzerOptions = BM25_OPTIONS) -> Retriever:
        """An in-memory retriever over ``entries`` without Chroma (evaluating alternatives)."""
        texts = [normalise(e.index_text()) for e in entries]
        scorer = _Scorer.from_texts(_matrix(embedding(texts)), texts, fusion, options)
        return cls(settings, embedding, entries, scorer, [], None)

    # -- queries ---------------------------------------------------------------------------
    def _prepare(self, query: object) -> tuple[str, np.ndarray]:
        text = validate_query(query, self.settings.max_query_chars)
        norm = normalise(text)
        vec = np.asarray(self.embedding([text])[0], dtype=np.float32)
        n = float(np.linalg.norm(vec))
        return norm, (vec / n if n else vec)

    def _rank(self, scores: np.ndarray, order: np.ndarray, stage: Stage | None, topic: Topic | None,
              k: int) -> list[Hit]:
        if stage is None:
            keep = order if topic is None else order[self._topics[order] == topic.value]
        else:
            in_stage = order[self._stages[order] == stage.value]
            if topic is not None:
                in_stage = in_stage[self._topics[in_stage] == topic.value]
            # stage-less entries of the requested topic (or of the best-matching entry's topic) may follow
            wanted = topic.value if topic is not None else self._topics[order[0]]
            stageless = order[(self._stages[order] == "") & (self._topics[order] == wanted)]
            keep = np.concatenate([in_stage, stageless])
        return [self._hit(int(i), float(scores[i])) for i in keep[:k]]

    def _hit(self, i: int, score: float) -> Hit:
        e = self.entries[i]
        return Hit(e.id, e.stage, e.topic, e.title, score, self._sources[i], e)

    def search(self, query: str, stage: Stage | str | None = None, topic: Topic | str | None = None,
               k: int = 5) -> list[Hit]:
        stage, topic = parse_stage(stage), parse_topic(topic)
        k = _check_k(k)
        norm, vec = self._prepare(query)
        scores = self._scorer.score(norm, vec)
        return self._rank(scores, np.argsort(-scores, kind="stable"), stage, topic, k)

    def search_stages(self, query: str, stages: list[Stage] | None = None, k: int = 3) -> dict[Stage, list[Hit]]:
        """Top-k techniques for each stage from ONE scoring pass (the workflow's hot path)."""
        stages = [parse_stage(s) for s in (stages if stages is not None else list(Stage))]
        k = _check_k(k)
        norm, vec = self._prepare(query)
        scores = self._scorer.score(norm, vec)
        order = np.argsort(-scores, kind="stable")
        return {s: self._rank(scores, order, s, None, k) for s in stages}

    def confidence(self, query: str) -> tuple[float, Hit]:
        """How well the playbook covers ``query``: the best cosine similarity between the query and
        any entry, with that entry. The dense signal alone, on an absolute scale (the fused score is
        relative to the query's best lexical match, so its top is always high). Used by the knowledge
        gaps report (agent/loop/gaps.py)."""
        _, vec = self._prepare(query[: self.settings.max_query_chars])
        dense = self._scorer.vectors @ vec
        best = int(np.argmax(dense))
        return float(dense[best]), self._hit(best, float(dense[best]))

    def search_passages(self, query: str, k: int = 5) -> list[PassageHit]:
        """Passages ingested from the company's own documents (`wuye corpus ingest`)."""
        k = _check_k(k)
        norm, vec = self._prepare(query)
        if self._passage_scorer is None:
            return []
        scores = self._passage_scorer.score(norm, vec)
        out = []
        for i in np.argsort(-scores, kind="stable")[:k]:
            p = self._passages[int(i)]
            out.append(PassageHit(p["id"], p.get("title", ""), float(scores[i]), p.get("source", ""),
                                  p.get("original", "")))
        return out

    def has(self, entry_id: str) -> bool:
        return entry_id in self._by_id

    def hit(self, entry_id: str, score: float = 0.0) -> Hit | None:
        """The entry as a ``Hit`` (for a technique chosen by the situation, not by score)."""
        index = next((i for i, e in enumerate(self.entries) if e.id == entry_id), None)
        return None if index is None else self._hit(index, score)

    def get(self, entry_id: str) -> Entry:
        try:
            return self._by_id[entry_id]
        except KeyError:
            from agent.errors import NotFound

            raise NotFound(f"没有 id 为 {entry_id} 的条目。", f"No entry with id {entry_id}.") from None


def _read_store(settings: Settings, signature: str) -> Snapshot:
    """Everything the retriever needs from the Chroma store: entries, passages, vectors, BM25."""
    from agent.retrieval.snapshot import Part, Snapshot

    client = get_client(settings, create=False)
    try:
        collection = open_collection(client, entries_collection_name(settings))
        if collection is None:
            raise IndexMissing(f"collection {entries_collection_name(settings)}")
        built = (collection.metadata or {}).get(META_EMBEDDING, "?")
        if built != signature:
            raise EmbeddingMismatch(built, signature)
        data = collection.get(include=["embeddings", "documents", "metadatas"])
        docs = open_collection(client, docs_collection_name(settings))
        if docs is not None and (docs.metadata or {}).get(META_EMBEDDING) != signature:
            docs = None  # passages from another embedding: `wuye corpus build` re-embeds them
        doc_data = docs.get(include=["embeddings", "documents", "metadatas"]) if docs is not None else None
    except WuyeError:
        raise
    except Exception as exc:  # corrupt sqlite / segment files, server errors
        raise IndexMissing(f"{type(exc).__name__}: {exc}") from exc
    if not data["ids"]:
        raise IndexMissing("0 entries")
    try:
        entries = [json.loads(m["entry"]) for m in data["metadatas"]]
    except Exception as exc:
        raise IndexMissing(f"unreadable entry metadata: {exc}") from exc
    analyzer = get_analyzer(BM25_OPTIONS)
    entry_part = Part(_matrix(data["embeddings"]), BM25([analyzer.tokens(t) for t in data["documents"]]))
    passages: list[dict[str, Any]] = []
    passage_part = None
    if doc_data is not None and doc_data["ids"]:
        passages = [{"id": i, **m} for i, m in zip(doc_data["ids"], doc_data["metadatas"], strict=True)]
        passage_part = Part(_matrix(doc_data["embeddings"]),
                            BM25([analyzer.tokens(t) for t in doc_data["documents"]]))
    return Snapshot(entries, passages, entry_part, passage_part)


def _matrix(embeddings: Any) -> np.ndarray:
    m = np.asarray(embeddings, dtype=np.float32)
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return m / norms


def _check_k(k: object) -> int:
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= 50:
        raise InvalidInput(f"返回条数 k 须为 1–50 的整数(收到 {k!r})。", f"k must be an integer from 1 to 50 (got {k!r}).")
    return k


def open_or_build(settings: Settings, *, progress: bool = True) -> Retriever:
    """The retriever; when there is no usable index yet, build it first (with a progress bar)."""
    try:
        return Retriever.open(settings)
    except EmbeddingMismatch:
        raise
    except IndexMissing:
        if not settings.corpus_dir.is_dir():
            raise
        from agent.retrieval.index import build_index

        build_index(settings, progress=progress)
        return Retriever.open(settings)
