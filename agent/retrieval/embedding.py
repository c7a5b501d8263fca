"""Embeddings: the built-in offline Chinese embedding and any litellm embedding model.

``ChineseHashEmbedding`` needs no network and no downloaded model: it hashes character
bigrams/trigrams, jieba words and domain-concept tokens (lexicon.yaml) of the Simplified,
normalised text into a fixed-size, L2-normalised vector (signed feature hashing, sublinear
term frequency). Concept tokens carry extra weight — they are what lets "水管爆了" find an
entry about 报修. Both classes have the methods of Chroma's EmbeddingFunction protocol; this
module does not import chromadb (a query needs only the vector): ``store.import_chromadb``
registers Chroma subclasses of both by name (``store.chroma_embedding``), so a persisted
collection re-opens wherever Chroma is used.
"""

from __future__ import annotations

import hashlib
import math
import zlib
from collections import Counter
from typing import Any

import numpy as np

from agent.errors import ModelError
from agent.retrieval.lexicon import CONCEPT_PREFIX, AnalyzerOptions, get_analyzer
from agent.retrieval.text import normalise
from agent.settings import Settings

HASH_NAME = "wuye_zh_hash"
HASH_VERSION = 1
DEFAULT_DIM = 2048
CONCEPT_WEIGHT = 2.5
EMBED_OPTIONS = AnalyzerOptions(bigrams=True, trigrams=True, words=True, concepts=True)


def hash_vector(counts: Counter[str], dim: int, concept_weight: float = CONCEPT_WEIGHT) -> np.ndarray:
    vec = np.zeros(dim, dtype=np.float32)
    for token, tf in counts.items():
        h = zlib.crc32(token.encode("utf-8"))
        weight = 1.0 + math.log(tf)
        if token.startswith(CONCEPT_PREFIX):
            weight *= concept_weight
        vec[h % dim] += weight if (h >> 31) & 1 else -weight
    norm = float(np.linalg.norm(vec))
    return vec / norm if norm else vec


class ChineseHashEmbedding:
    """Offline Chinese embedding (feature hashing over n-grams, words and concepts)."""

    def __init__(self, dim: int = DEFAULT_DIM, concept_weight: float = CONCEPT_WEIGHT) -> None:
        self.dim = int(dim)
        self.concept_weight = float(concept_weight)

    def __call__(self, input: list[str]) -> list[np.ndarray]:  # noqa: A002 - Chroma's protocol name
        analyzer = get_analyzer(EMBED_OPTIONS)
        return [hash_vector(analyzer.counts(normalise(text)), self.dim, self.concept_weight)
                for text in input]

    def warm(self) -> None:
        get_analyzer(EMBED_OPTIONS)

    @staticmethod
    def name() -> str:
        return HASH_NAME

    def default_space(self) -> str:
        return "cosine"

    def supported_spaces(self) -> list[str]:
        return ["cosine", "ip"]

    @classmethod
    def build_from_config(cls, config: dict[str, Any]) -> ChineseHashEmbedding:
        return cls(dim=config.get("dim", DEFAULT_DIM),
                                    concept_weight=config.get("concept_weight", CONCEPT_WEIGHT))

    def get_config(self) -> dict[str, Any]:
        return {"dim": self.dim, "concept_weight": self.concept_weight, "version": HASH_VERSION}

    def signature(self) -> str:
        from agent.retrieval.lexicon import LEXICON_PATH

        lexicon = hashlib.sha256(LEXICON_PATH.read_bytes()).hexdigest()[:12]
        return f"{HASH_NAME}/v{HASH_VERSION}/dim={self.dim}/cw={self.concept_weight}/lexicon={lexicon}"


class LiteLLMEmbedding:
    """Any embedding model litellm can call (OpenAI-compatible hosts, Qwen, Zhipu, BGE servers …).

    Texts are normalised to Simplified first, like the offline embedding."""

    def __init__(self, model: str, api_base: str | None = None, api_key: str | None = None,
                 timeout: float = 30.0, retries: int = 2, batch_size: int = 64) -> None:
        self.model = model
        self.api_base = api_base
        self._api_key = api_key
        self.timeout = timeout
        self.retries = retries
        self.batch_size = batch_size

    def __call__(self, input: list[str]) -> list[np.ndarray]:  # noqa: A002
        from agent.drafting.model import litellm_module  # the one place litellm is imported (~3.6 s, lazily)

        litellm = litellm_module()

        vectors: list[np.ndarray] = []
        texts = [normalise(text) for text in input]
        for start in range(0, len(texts), self.batch_size):
            batch = texts[start:start + self.batch_size]
            try:
                response = litellm.embedding(model=self.model, input=batch, api_base=self.api_base,
                                             api_key=self._api_key, timeout=self.timeout,
                                             max_retries=self.retries)
            except Exception as exc:
                raise ModelError(f"嵌入模型 {self.model} 调用失败:{type(exc).__name__}。",
                                 f"The embedding model {self.model} failed: {exc}") from exc
            data = sorted(response.data, key=lambda item: item["index"])
            vectors.extend(np.asarray(item["embedding"], dtype=np.float32) for item in data)
        if len(vectors) != len(texts):
            raise ModelError(f"嵌入模型 {self.model} 返回的向量数量不对。",
                             f"The embedding model {self.model} returned {len(vectors)} vectors for {len(texts)} texts.")
        return vectors

    @staticmethod
    def name() -> str:
        return "wuye_litellm"

    def default_space(self) -> str:
        return "cosine"

    def supported_spaces(self) -> list[str]:
        return ["cosine", "l2", "ip"]

    @classmethod
    def build_from_config(cls, config: dict[str, Any]) -> LiteLLMEmbedding:
        return cls(model=config["model"], api_base=config.get("api_base"))

    def get_config(self) -> dict[str, Any]:
        return {"model": self.model, "api_base": self.api_base}  # never the key

    def signature(self) -> str:
        return f"litellm/{self.model}"


def get_embedding(settings: Settings) -> ChineseHashEmbedding | LiteLLMEmbedding:
    """The embedding selected by settings: litellm when WUYE_EMBEDDING_MODEL is set, else offline."""
    if settings.embedding_model:
        key = settings.embedding_api_key.get_secret_value() if settings.embedding_api_key else None
        return LiteLLMEmbedding(settings.embedding_model, settings.embedding_api_base, key,
                                timeout=settings.timeout, retries=settings.retries)
    return ChineseHashEmbedding()
