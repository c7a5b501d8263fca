"""The learned category model: character 1–3-gram features, hashed, and a softmax linear model (numpy).

It sits beside the explicit rules (agent/understand/classify.py), which keep the safety cues; the
model adds a smoothed reading of the words for the category. Trained only on complaints written in
this repository (``evals/drafting/complaints.jsonl``, ``evals/understand/category_train.jsonl`` and
``evals/understand/letters_train.jsonl``, all our own words), never on real complaints, by::

    wuye understand train        # writes agent/understand/category_model.npz (a few hundred KB)

Inference needs numpy only; the weights load once per process.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

import numpy as np

from agent.errors import InvalidInput
from agent.vocab import Category

ROOT = Path(__file__).resolve().parents[2]
MODEL_PATH = Path(__file__).parent / "category_model.npz"
TRAIN_FILES = (ROOT / "evals" / "drafting" / "complaints.jsonl", ROOT / "evals" / "understand" / "category_train.jsonl",
               ROOT / "evals" / "understand" / "letters_train.jsonl")
DIM = 1 << 14
CLASSES = [c.value for c in Category]
_STRIP = re.compile(r"〔[^〕]*〕|\s+")


MAX_CHARS = 1500  # a long post says its point first; the rest adds time, not signal
_PRIME = np.int64(1000003)
_MIX = np.int64(2654435761)


def features(text: str) -> tuple[np.ndarray, np.ndarray]:
    """Hashed character 1–3-grams of ``text`` (placeholders and whitespace dropped, lower-cased):
    (feature indices, L2-normalised counts). Vectorised: one pass in numpy, no Python loop per gram."""
    plain = _STRIP.sub("", text[:MAX_CHARS].lower())
    if not plain:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    codes = np.frombuffer(plain.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    with np.errstate(over="ignore"):
        two = codes[:-1] * _PRIME + codes[1:]
        three = two[:-1] * _PRIME + codes[2:]
        hashed = np.concatenate([(codes * _MIX + 1), (two * _MIX + 2), (three * _MIX + 3)])
    keys, counts = np.unique(np.abs(hashed) % DIM, return_counts=True)
    values = counts.astype(np.float32)
    return keys, values / np.float32(np.sqrt((values * values).sum()))


def _matrix(texts: list[str]) -> np.ndarray:
    x = np.zeros((len(texts), DIM), dtype=np.float32)
    for row, text in enumerate(texts):
        keys, values = features(text)
        x[row, keys] = values
    return x


def load_training(paths: tuple[Path, ...] = TRAIN_FILES) -> tuple[list[str], list[int]]:
    """Texts and category indices from the repository's own labelled complaints."""
    texts, labels = [], []
    for path in paths:
        if not path.is_file():
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                category = (row.get("expected") or {}).get("category") or row["category"]
                labels.append(CLASSES.index(category))
                texts.append(row["text"])
            except (ValueError, KeyError) as exc:
                raise InvalidInput(f"{path} 第 {number} 行格式错误:{exc}", f"{path} line {number}: {exc}") from exc
    if not texts:
        raise InvalidInput("没有可用的训练样本。", "no training examples found.")
    return texts, labels


def train(texts: list[str], labels: list[int], epochs: int = 300, rate: float = 2.0, l2: float = 1e-4,
          seed: int = 7) -> tuple[np.ndarray, np.ndarray]:
    """Full-batch gradient descent on the softmax loss; deterministic for a given seed."""
    rng = np.random.default_rng(seed)
    x = _matrix(texts)
    y = np.zeros((len(labels), len(CLASSES)), dtype=np.float32)
    y[np.arange(len(labels)), labels] = 1.0
    weights = rng.normal(0, 0.01, (DIM, len(CLASSES))).astype(np.float32)
    bias = np.zeros(len(CLASSES), dtype=np.float32)
    for _ in range(epochs):
        logits = x @ weights + bias
        logits -= logits.max(axis=1, keepdims=True)
        prob = np.exp(logits)
        prob /= prob.sum(axis=1, keepdims=True)
        grad = (prob - y) / len(labels)
        weights -= rate * (x.T @ grad + l2 * weights)
        bias -= rate * grad.sum(axis=0)
    return weights, bias


def save(weights: np.ndarray, bias: np.ndarray, path: Path = MODEL_PATH) -> None:
    np.savez_compressed(path, weights=weights.astype(np.float16), bias=bias.astype(np.float32),
                        classes=np.array(CLASSES), dim=np.array(DIM))


@lru_cache(maxsize=2)
def _load(path: Path = MODEL_PATH) -> tuple[np.ndarray, np.ndarray] | None:
    if not path.is_file():
        return None
    with np.load(path) as data:
        if list(data["classes"]) != CLASSES or int(data["dim"]) != DIM:
            raise InvalidInput(f"类别模型文件与代码不一致:{path},请运行 wuye understand train",
                               f"category model {path} does not match the code; run `wuye understand train`")
        return data["weights"].astype(np.float32), data["bias"]


def probabilities(text: str) -> dict[Category, float] | None:
    """Category probabilities of ``text``, or None when no model file is present."""
    model = _load()
    if model is None:
        return None
    weights, bias = model
    keys, values = features(text)
    if not len(keys):
        return None
    logits = values @ weights[keys] + bias
    logits -= logits.max()
    prob = np.exp(logits)
    prob /= prob.sum()
    return {Category(c): float(p) for c, p in zip(CLASSES, prob, strict=True)}
