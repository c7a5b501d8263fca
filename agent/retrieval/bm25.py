"""A small Okapi BM25 over pre-tokenised documents, scored for all documents in one pass."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np

from agent.retrieval.lexicon import CONCEPT_PREFIX


class BM25:
    def __init__(self, docs: list[list[str]], *, k1: float = 1.2, b: float = 0.6,
                 concept_boost: float = 2.0) -> None:
        self.n = len(docs)
        self.k1, self.b, self.concept_boost = k1, b, concept_boost
        lengths = np.array([len(d) for d in docs], dtype=np.float32)
        avg = float(lengths.mean()) if self.n else 1.0
        norm = k1 * (1 - b + b * lengths / (avg or 1.0))
        df: Counter[str] = Counter()
        postings: dict[str, list[tuple[int, int]]] = {}
        for i, doc in enumerate(docs):
            for token, tf in Counter(doc).items():
                df[token] += 1
                postings.setdefault(token, []).append((i, tf))
        # per token: doc indices and their saturated tf weight, premultiplied by idf
        self._index: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for token, plist in postings.items():
            idf = math.log(1 + (self.n - df[token] + 0.5) / (df[token] + 0.5))
            if token.startswith(CONCEPT_PREFIX):
                idf *= concept_boost
            idx = np.fromiter((i for i, _ in plist), dtype=np.int32, count=len(plist))
            tf = np.fromiter((t for _, t in plist), dtype=np.float32, count=len(plist))
            self._index[token] = (idx, idf * tf * (k1 + 1) / (tf + norm[idx]))

    def to_arrays(self) -> tuple[list[str], dict[str, np.ndarray]]:
        """The scoring state as a vocabulary and flat arrays (``snapshot.py`` writes them to a file)."""
        vocab = list(self._index)
        sizes = np.fromiter((len(self._index[t][0]) for t in vocab), dtype=np.int64, count=len(vocab))
        offsets = np.concatenate([np.zeros(1, dtype=np.int64), np.cumsum(sizes)])
        empty_i, empty_w = np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32)
        docs = np.concatenate([self._index[t][0] for t in vocab]) if vocab else empty_i
        weights = np.concatenate([self._index[t][1] for t in vocab]).astype(np.float32) if vocab else empty_w
        return vocab, {"n": np.array([self.n], dtype=np.int64), "offsets": offsets, "docs": docs, "weights": weights}

    @classmethod
    def from_arrays(cls, vocab: list[str], arrays: dict[str, np.ndarray]) -> BM25:
        """The inverse of ``to_arrays``: no tokenising, no counting."""
        self = cls.__new__(cls)
        self.n = int(arrays["n"][0])
        offsets, docs, weights = arrays["offsets"], arrays["docs"], arrays["weights"]
        if len(offsets) != len(vocab) + 1:
            raise ValueError("BM25 arrays do not match the vocabulary")
        self._index = {token: (docs[offsets[i]:offsets[i + 1]], weights[offsets[i]:offsets[i + 1]])
                       for i, token in enumerate(vocab)}
        return self

    def scores(self, query_tokens: list[str]) -> np.ndarray:
        out = np.zeros(self.n, dtype=np.float32)
        for token, qtf in Counter(query_tokens).items():
            hit = self._index.get(token)
            if hit is not None:
                out[hit[0]] += hit[1] * (1.0 + math.log(qtf))
        return out
