"""The learned layer beside the rules: a character 1–3-gram logistic regression (one-vs-rest, one
weight vector per violation category), numpy only at run time.

It reads the model file ``guardrails/learned.npz`` built by ``wuye guard train`` (agent/guard/train.py)
from our own labelled replies. A text is scored sentence by sentence (and as a whole when it is
short), so the reported span is the sentence that crossed its category's threshold; the
explanation is the nearest labelled example of that category (character-trigram cosine).

Thresholds are per category, calibrated when the model is built (out-of-fold scores of the writers'
train split and the dev split: agent/guard/train.py), and stored in the model file with how they
were set, so what a hit means is reproducible.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from agent.guard.text import Prepared, prepare

MODEL_FILE = "learned.npz"
_DIGITS = re.compile(r"\d")
# sentence windows for the classifier: the engine's sentence splitter plus commas in long sentences
_SPLIT = re.compile(r"[。！!？?;；\n\r]+|…{2,}")
_SHORT = 90  # a text this short is also scored as a whole
REVIEWED_SIMILARITY = 0.85  # cosine of character 1–3-gram sets: "the same text, a few characters apart"
_HEADING = re.compile(r"^\s*(?:[0-9一二三四五六七八九十]+[、.．)）]\s*)?关于[^。，,]{0,40}(?:问题|情况|事宜|的回复)[。:：]?\s*$")
# a letter's formulas say nothing to judge: the salutation, the closing and the signature lines
_FORMULA = re.compile(r"^\s*(?:尊敬的[^。！!？?\n，,：:、]{0,16}[：:，,]?|[^。！!？?\n，,：:、]{0,8}(?:先生|女士|业主|住户)[您你]?好?[：:，,！!]?"
                      r"|您好[！!，,。]?|此致|敬礼"
                      r"|(?![^\n]*(?:找|去|联系|咨询|反映|向|到|请))[^。！!？?\n，,：:、]{0,14}(?:物业服务中心|管理处|客服中心|服务中心|物业公司)"
                      r"|[0-9〇零一二三四五六七八九十]{2,4}年[0-9一二三四五六七八九十]{1,3}月[0-9一二三四五六七八九十]{1,3}日)\s*$")


CHARS = "char1-3"  # the feature sets a model file may name (its ``feature_set``)
CHARS_WORDS = "char1-3+words"
CHARS4 = "char1-4"


def features(norm: str, feature_set: str = CHARS) -> list[str]:
    """Character 1–3-grams of a normalised text (digits folded to 0), with boundary marks; with
    ``CHARS_WORDS`` also its jieba words (``word_grams``)."""
    s = "^" + _DIGITS.sub("0", norm.strip()) + "$"
    grams = set(s[1:-1])
    grams.update(s[i:i + 2] for i in range(len(s) - 1))
    grams.update(s[i:i + 3] for i in range(len(s) - 2))
    if feature_set == CHARS4:
        grams.update(s[i:i + 4] for i in range(len(s) - 3))
    if feature_set == CHARS_WORDS:
        grams.update(word_grams(s[1:-1]))
    return list(grams)


def word_grams(text: str) -> set[str]:
    """jieba word unigrams (two characters or more) and bigrams of adjacent words, marked ``w:``
    (a character n-gram never holds the control character)."""
    from agent.retrieval.lexicon import segment

    words = [w for w in segment(text) if not w.isspace()]
    out = {"\x01w:" + w for w in words if len(w) >= 2}
    out.update(f"\x01w:{a}|{b}" for a, b in zip(words, words[1:], strict=False))
    return out


@dataclass(frozen=True)
class LearnedHit:
    category: str
    start: int
    end: int
    score: float  # probability from the logistic model
    threshold: float
    example_id: str
    example_text: str
    similarity: float


def windows(prep: Prepared) -> list[tuple[int, int]]:
    """Spans scored: every sentence (trimmed), and the whole text when it is short."""
    norm = prep.norm
    spans: list[tuple[int, int]] = []
    pos = 0
    for m in _SPLIT.finditer(norm):
        if m.start() > pos:
            spans.append((pos, m.end()))
        pos = m.end()
    if pos < len(norm):
        spans.append((pos, len(norm)))
    out = []
    for s, e in spans:
        while s < e and norm[s].isspace():
            s += 1
        if e - s >= 2 and not _HEADING.match(norm[s:e]) and not _FORMULA.match(norm[s:e]):  # headings, formulas: nothing to judge
            out.append((s, e))
    if len(out) > 1 and len(norm) <= _SHORT:
        out.append((0, len(norm)))
    return out or [(0, len(norm))]


class LearnedModel:
    """Inference side of the classifier (no sklearn, no torch)."""

    def __init__(self, path: Path) -> None:
        with np.load(path, allow_pickle=False) as data:
            self.vocab: dict[str, int] = {g: i for i, g in enumerate(data["vocab"].tolist())}
            self.weights = data["weights"].astype(np.float32)  # (n_features, n_categories)
            self.bias = data["bias"].astype(np.float32)
            self.categories: list[str] = data["categories"].tolist()
            self.thresholds = data["thresholds"].astype(np.float32)
            self.meta = json.loads(str(data["meta"]))
            self._ex_ids = data["example_ids"].tolist()
            self._ex_texts = data["example_texts"].tolist()
            self._ex_cats = data["example_cats"].tolist()
            self._clean_texts = data["clean_texts"].tolist() if "clean_texts" in data.files else []
            self.feature_set = str(data["feature_set"]) if "feature_set" in data.files else CHARS
        self.path = path
        self._examples: dict[str, list[tuple[str, str, set[str]]]] | None = None
        self._clean: list[set[str]] | None = None

    # -- scoring ---------------------------------------------------------------------------
    def logits(self, norm: str) -> np.ndarray:
        grams = features(norm, self.feature_set)
        get = self.vocab.get
        idx = [i for g in grams if (i := get(g)) is not None]
        if not idx:
            return self.bias.copy()
        return self.weights[idx].sum(axis=0, dtype=np.float32) / math.sqrt(len(grams)) + self.bias

    def probabilities(self, norm: str) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-self.logits(norm)))

    def score(self, text: str) -> dict[str, float]:
        """Highest probability per category over the windows the checker reads (for calibration and
        tests) — the same reading as ``hits``, without thresholds."""
        best = np.zeros(len(self.categories), dtype=np.float32)
        for _s, _e, allowed, probs in self._readings(prepare(text)):
            best = np.maximum(best, np.where(allowed, probs, 0.0))
        return dict(zip(self.categories, best.tolist(), strict=True))

    def _readings(self, prep: Prepared) -> Iterator[tuple[int, int, np.ndarray, np.ndarray]]:
        """(start, end, categories read there, probabilities) per window: sentence categories on every
        sentence, whole-reply categories on the whole text only (when short enough)."""
        every = np.ones(len(self.categories), dtype=bool)
        sentence = self._sentence if self._sentence is not None else every
        whole = self._whole if self._whole is not None else every
        spans = windows(prep)
        scored = [(s, e, sentence) for s, e in spans]
        if len(prep.norm) <= self._whole_max and whole.any():
            scored.append((0, len(prep.norm), whole | (sentence if len(spans) <= 1 else False)))
        for s, e, allowed in scored:
            yield s, e, allowed, self.probabilities(prep.norm[s:e])

    def configure(self, sentence: list[str], whole: list[str], whole_max_chars: int) -> None:
        """Which categories are reported per sentence, which only on the whole (short) reply."""
        self._sentence = np.array([c in sentence for c in self.categories])
        self._whole = np.array([c in whole for c in self.categories])
        self._whole_max = whole_max_chars

    _sentence: np.ndarray | None = None
    _whole: np.ndarray | None = None
    _whole_max = 200

    def _best(self, prep: Prepared) -> dict[int, tuple[float, int, int]]:
        """Per category index above its threshold: (probability, start, end) of the best window.
        Computed once per prepared text (the eleven category validators share it)."""
        key = ("learned", id(self))
        best = prep.cache.get(key)
        if best is None:
            best = {}
            for s, e, allowed, probs in self._readings(prep):
                for c in np.nonzero((probs >= self.thresholds) & allowed)[0].tolist():
                    if c not in best or probs[c] > best[c][0]:
                        best[c] = (float(probs[c]), s, e)
            prep.cache[key] = best
        return best

    def hits(self, prep: Prepared, categories: frozenset[str] | None = None) -> list[LearnedHit]:
        """One hit per category at most: the window with the highest probability above threshold,
        unless that window (or the whole text) is a reviewed clean text (``reviewed_clean``)."""
        out = []
        for c, (p, s, e) in sorted(self._best(prep).items()):
            if categories is not None and self.categories[c] not in categories:
                continue
            if self.reviewed_clean(prep.norm[s:e]) or self.reviewed_clean(prep.norm):
                continue
            s, e = _trim(prep.original, s, e)
            ex_id, ex_text, sim = self.nearest(self.categories[c], prep.norm[s:e])
            out.append(LearnedHit(self.categories[c], s, e, p, float(self.thresholds[c]), ex_id, ex_text, sim))
        return out

    def warm_up(self) -> None:
        """Build the lookup tables a first hit would otherwise build (≈ 0.1 s): reviewed texts, examples."""
        self.reviewed_clean("")
        self.nearest(self.categories[0], "")

    # -- memory of reviewed clean wording --------------------------------------------------------
    def reviewed_clean(self, norm: str) -> bool:
        """True when ``norm`` is, up to a few characters, one of the clean texts we reviewed and must
        never flag (our near-misses, the policy's pass examples; stored in the model file by
        ``wuye guard train``): character-trigram cosine ≥ ``REVIEWED_SIMILARITY``. A labelled decision
        is remembered instead of re-guessed; new wording still goes through the classifier."""
        if not self._clean_texts:
            return False
        if self._clean is None:
            self._clean = [set(features(prepare(t).norm)) for t in self._clean_texts]
        mine = set(features(norm)) if norm else set()
        if not mine:
            return False
        need = REVIEWED_SIMILARITY * math.sqrt(len(mine))
        return any(len(mine & g) >= need * math.sqrt(len(g)) for g in self._clean
                   if abs(len(g) - len(mine)) <= len(mine) * 0.4)

    # -- explanation -----------------------------------------------------------------------
    def nearest(self, category: str, norm: str) -> tuple[str, str, float]:
        """The labelled example of ``category`` closest to ``norm`` (cosine of character trigram sets)."""
        if self._examples is None:
            grouped: dict[str, list[tuple[str, str, set[str]]]] = {}
            for i, t, cats in zip(self._ex_ids, self._ex_texts, self._ex_cats, strict=True):
                g = set(features(prepare(t).norm))
                for c in cats.split(","):
                    grouped.setdefault(c, []).append((i, t, g))
            self._examples = grouped
        mine = set(features(norm))
        best = ("", "", 0.0)
        for i, t, g in self._examples.get(category, []):
            sim = len(mine & g) / math.sqrt(len(mine) * len(g)) if mine and g else 0.0
            if sim > best[2]:
                best = (i, t, sim)
        return best


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in " \t\r\n":
        start += 1
    while end > start and text[end - 1] in " \t\r\n":
        end -= 1
    return start, end


@lru_cache(maxsize=4)
def _load(path: str, mtime: float) -> LearnedModel:
    return LearnedModel(Path(path))


def load_model(folder: Path) -> LearnedModel | None:
    """The model in ``folder`` (cached; reloaded when the file changes), or None when absent."""
    path = Path(folder) / MODEL_FILE
    if not path.exists():
        return None
    return _load(str(path.resolve()), path.stat().st_mtime)
