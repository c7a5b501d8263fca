"""``wuye guard train``: build ``guardrails/learned.npz`` reproducibly from labelled data in the repo.

Training data (our own writing only, never the real replies of ../shared):
  * ``evals/guardrails/labelled.jsonl``            461 replies
  * ``tests/guard/data/phrasings.jsonl``           our second, independently written set
  * the ``examples`` of every rule in ``guardrails/policy.yaml`` (fail → the rule's category, pass → clean)
  * ``evals/guardrails/fresh/train.jsonl``         the train split of the independent writers' replies
  * ``evals/guardrails/offline_clean.jsonl``       the offline drafter's stages for our own complaints (clean;
                                                   rebuilt by evals/guardrails/make_offline_clean.py)
  * every phrasing of the playbook corpus (corpus/*.yaml), clean
Calibration (cross-fitted, 2026-12-07): the writers' train replies are scored out of fold (5 models,
each trained on everything but one fold of them, ``out_of_fold_scores``), dev by the final model;
on these rows (train + dev; 4,614 of them in stop 21) each category's threshold is where a weighted Platt fit says flagging pays
(``calibrate``: a violation weighs 1, a clean reply ``CLEAN_COST`` = 4, another category's reply 0.5).
Then each threshold is raised above the highest score of the wording our drafter is built from (the
offline drafter's stages, the corpus phrasings), so drafts like them are not flagged by the model.
The clean texts we reviewed one by one (our near-miss phrasings, the policy's pass examples) are
stored in the model file and never flagged (``LearnedModel.reviewed_clean``: near-duplicates only).
Training fits 6 models (≈ 11–12 min on 2 cores instead of 2.5).
The test split is never read.

Model: one-vs-rest logistic regression over character 1–3-grams (binary, L2-normalised), full-batch
Adam with L2 regularisation, no randomness: the same data gives the same file (numpy only).

Settings chosen on dev (train to fit, dev to choose; 2026-12-07): L2 1e-5 (was 3e-5), the drafter's
own wording weighted ``MUST_PASS_WEIGHT`` = 3 as clean examples (its outliers used to set the
must-pass floors of refusing, buck_passing, privacy_probing, empty_thanks: floors now ≤ 0.25, the
thresholds come from dev), calibration clean_cost 2.5 (was 3). Dev, rules + learned: recall
0.742 → 0.759 at the same FPR 0.041; with thresholds calibrated on one half of dev and measured on
the other (both ways; the honest figure) 0.714 → 0.734, FPR 0.052 → 0.058. Tried and dropped:
character 4-grams (0.741, file 2.8 MB), L2 1e-4 (0.686), re-training positives on their
best-scoring sentence (multiple-instance style, 0.727), other clean costs (1.5–5).
Cross-fitted calibration (branch guard5; fair protocol: 5-fold over dev, thresholds set without the
held-out fifth): the old empirical best cut on dev 0.785 / FPR 0.065 → weighted Platt on out-of-fold
train + dev 0.780 / FPR 0.050 (docs/guardrails.md, "Cross-fitted calibration").
Retrained 2026-12-07 (branch guard6) after general rules for the weakest categories (their policy
examples are training data; features, settings and thresholds unchanged at two decimals). On the
3,305 / 1,309 split, rules + learned: dev 0.773 / FPR 0.064 -> 0.816 / 0.056; fair protocol (held-out
dev fifths) 0.772 / 0.063 -> 0.815 / 0.054; the rules' part of the gain is partly in-sample on dev
(rules alone on train: 0.577 / 0.058 -> 0.605 / 0.058; docs/guardrails.md, "Stop 22").
Variants measured and not adopted (branch guard7; learner alone, fit on fresh train, dev cross-fitted;
docs/guardrails.md, "Cheap learner variants"): jieba word uni/bigrams (``CHARS_WORDS``), frequent char
4-grams (``CHARS4``, ``min_df_long``), max_pos_weight 8 / 16, L2 3e-6, min_df 1, sentence-pair positives (``pair_weight``):
all within ±0.01 recall of the shipped recipe.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from agent.errors import InvalidInput
from agent.guard.learned import CHARS, MODEL_FILE, LearnedModel, features, windows
from agent.guard.text import prepare
from agent.vocab import ViolationCategory

CATEGORIES = [c.value for c in ViolationCategory]
ROOT = Path(__file__).resolve().parents[2]
TRAIN_FILES = ("evals/guardrails/labelled.jsonl", "tests/guard/data/phrasings.jsonl", "evals/guardrails/fresh/train.jsonl",
               "evals/guardrails/offline_clean.jsonl")
DEV_FILE = "evals/guardrails/fresh/dev.jsonl"


@dataclass
class Example:
    id: str
    text: str
    labels: list[str]
    weight: float = 1.0


def read_jsonl(path: Path) -> list[dict]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InvalidInput(f"无法读取训练数据 {path}:{exc.strerror}", f"cannot read training data {path}: {exc.strerror}") from exc
    rows = []
    for n, raw in enumerate(lines, 1):
        if raw.strip():
            try:
                rows.append(json.loads(raw))
            except json.JSONDecodeError as exc:
                raise InvalidInput(f"{path} 第 {n} 行不是合法的 JSON", f"{path} line {n} is not valid JSON") from exc
    return rows


def policy_examples(guardrails_dir: Path) -> list[Example]:
    from agent.guard.policy import load_policy

    out = []
    for rule in load_policy(guardrails_dir).spec.rules:
        for i, t in enumerate(rule.examples.fail):
            out.append(Example(f"policy:{rule.id}:fail{i}", t, [rule.category.value]))
        for i, t in enumerate(rule.examples.pass_):
            out.append(Example(f"policy:{rule.id}:pass{i}", t, []))
    return out


def corpus_phrasings(root: Path) -> list[Example]:
    """Every phrasing of the playbook corpus: our own wording of the techniques, clean by construction."""
    import yaml

    out = []
    for path in sorted((root / "corpus").glob("*.yaml")):
        for entry in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            for i, text in enumerate(entry.get("phrasings") or []):
                out.append(Example(f"corpus:{entry.get('id')}:{i}", text, []))
    return out


MUST_PASS_MARGIN = 0.02  # thresholds sit this far above the highest score of a text that must pass


def _clean_from(examples: list[Example], sources: tuple[str, ...]) -> list[Example]:
    return [e for e in examples if not e.labels and "#s" not in e.id and e.id.startswith(sources)]


def must_pass(examples: list[Example]) -> list[Example]:
    """Clean wording our own drafter is built from (the offline drafter's stages, the corpus
    phrasings): every threshold sits above their scores, so drafts like them are never flagged."""
    return _clean_from(examples, ("corpus:", "evals/guardrails/offline_clean.jsonl:"))


def reviewed_clean(examples: list[Example]) -> list[Example]:
    """Clean texts reviewed one by one (our near-miss phrasings, the policy's pass examples): the
    model file remembers them (``LearnedModel.reviewed_clean``) instead of raising every threshold
    above the hardest of them."""
    return _clean_from(examples, ("policy:", "tests/guard/data/phrasings.jsonl:"))


FRESH_WEIGHT = 2.0  # the independent writers' train split: closest to what the guard meets
# our drafter's own wording (must_pass) weighs this much as a clean example: the model learns to keep
# it low, so the must-pass floors (one outlier phrasing used to set a whole category's threshold) drop
MUST_PASS_WEIGHT = 3.0


def load_training(root: Path, guardrails_dir: Path, files: tuple[str, ...] = TRAIN_FILES,
                  fresh_weight: float = FRESH_WEIGHT, must_pass_weight: float = MUST_PASS_WEIGHT,
                  pair_weight: float = 0.0) -> list[Example]:
    """``pair_weight`` > 0: a labelled reply's windows of two adjacent sentences are examples too (its
    labels, this share of its weight), so a violation in mid-reply is learned as the checker reads it."""
    examples: list[Example] = []
    for name in files:
        path = root / name
        if not path.exists():
            continue
        for r in read_jsonl(path):
            examples.append(Example(f"{name}:{r.get('id')}", r["text"], [c for c in r.get("expected", []) if c in CATEGORIES],
                                    fresh_weight if "/fresh/" in name else 1.0))
    examples += policy_examples(guardrails_dir)
    examples += corpus_phrasings(root)
    for ex in must_pass(examples):
        ex.weight *= must_pass_weight
    # every sentence of a clean reply is clean too: teaches that polite framing is not a violation
    extra = []
    for ex in examples:
        if not ex.labels:
            prep = prepare(ex.text)
            spans = windows(prep)
            if len(spans) > 1:
                extra += [Example(f"{ex.id}#s{k}", ex.text[s:e], [], 0.5 * ex.weight) for k, (s, e) in enumerate(spans)
                          if (s, e) != (0, len(ex.text))]
        elif pair_weight > 0:
            spans = [span for span in windows(prepare(ex.text)) if span != (0, len(ex.text))]
            extra += [Example(f"{ex.id}#sp{k}", ex.text[a[0]:b[1]], ex.labels, pair_weight * ex.weight)
                      for k, (a, b) in enumerate(zip(spans, spans[1:], strict=False)) if len(spans) > 2]
    return examples + extra


# -- sparse design matrix --------------------------------------------------------------------
def _design(texts: list[str], vocab: dict[str, int], feature_set: str = CHARS) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(rows, cols, values) of the L2-normalised binary n-gram matrix."""
    rows, cols, vals = [], [], []
    for r, t in enumerate(texts):
        grams = features(prepare(t).norm, feature_set)
        idx = [vocab[g] for g in grams if g in vocab]
        v = 1.0 / np.sqrt(max(len(grams), 1))
        rows += [r] * len(idx)
        cols += idx
        vals += [v] * len(idx)
    return np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64), np.array(vals, dtype=np.float32)


def loss_weights(y: np.ndarray, sample_w: np.ndarray, max_pos_weight: float = 4.0) -> np.ndarray:
    """Per (example, category) loss weights of the one-vs-rest fit: an example's own weight, times the
    category's positive weight (negatives / positives, at most ``max_pos_weight``) on its positives;
    each category's column scaled to mean 1. ``y`` is (n, k) in {0, 1}, ``sample_w`` is (n,)."""
    n = len(y)
    pos = y.sum(axis=0)
    pos_w = np.minimum((n - pos) / np.maximum(pos, 1), max_pos_weight)
    w_mat = sample_w.astype(np.float32)[:, None] * np.where(y > 0, pos_w, 1.0).astype(np.float32)
    w_mat /= w_mat.sum(axis=0, keepdims=True) / n
    return w_mat


def fit(examples: list[Example], *, min_df: int = 2, l2: float = 1e-5, epochs: int = 500, lr: float = 0.05,
        max_pos_weight: float = 4.0, feature_set: str = CHARS, min_df_long: int = 0) -> tuple[list[str], np.ndarray, np.ndarray]:
    """``min_df_long``: the least document frequency of features longer than three characters (char
    4-grams, words), when above ``min_df``."""
    df: dict[str, int] = {}
    for ex in examples:
        for g in features(prepare(ex.text).norm, feature_set):
            df[g] = df.get(g, 0) + 1
    vocab_list = sorted(g for g, n in df.items() if n >= (max(min_df, min_df_long) if len(g) > 3 else min_df))
    vocab = {g: i for i, g in enumerate(vocab_list)}
    n, d, k = len(examples), len(vocab_list), len(CATEGORIES)
    rows, cols, vals = _design([e.text for e in examples], vocab, feature_set)
    y = np.zeros((n, k), dtype=np.float32)
    for i, ex in enumerate(examples):
        for c in ex.labels:
            y[i, CATEGORIES.index(c)] = 1.0
    w_mat = loss_weights(y, np.array([e.weight for e in examples], dtype=np.float32), max_pos_weight)
    weights = np.zeros((d, k), dtype=np.float32)
    bias = np.zeros(k, dtype=np.float32)
    m_w, v_w = np.zeros_like(weights), np.zeros_like(weights)
    m_b, v_b = np.zeros_like(bias), np.zeros_like(bias)
    b1, b2, eps = 0.9, 0.999, 1e-8
    # CSR-like reductions (rows are built in order; a column-sorted copy for the transpose)
    row_starts = np.searchsorted(rows, np.arange(n))
    has_row = np.diff(np.append(row_starts, len(rows))) > 0
    order = np.argsort(cols, kind="stable")
    cols_sorted = cols[order]
    col_ids, col_starts = np.unique(cols_sorted, return_index=True)
    for step in range(1, epochs + 1):
        contrib = vals[:, None] * weights[cols]
        z = np.zeros((n, k), dtype=np.float32)
        z[has_row] = np.add.reduceat(contrib, row_starts[has_row], axis=0)
        z += bias
        p = 1.0 / (1.0 + np.exp(-z))
        g = (p - y) * w_mat / n  # (n, k)
        grad_w = l2 * weights
        grad_w[col_ids] += np.add.reduceat((vals[:, None] * g[rows])[order], col_starts, axis=0)
        grad_b = g.sum(axis=0)
        for param, grad, m, v in ((weights, grad_w, m_w, v_w), (bias, grad_b, m_b, v_b)):
            m *= b1
            m += (1 - b1) * grad
            v *= b2
            v += (1 - b2) * grad * grad
            param -= lr * (m / (1 - b1 ** step)) / (np.sqrt(v / (1 - b2 ** step)) + eps)
    return vocab_list, weights, bias


CALIBRATION_FOLDS = 5  # cross-fitting: each fold of the writers' rows is scored by a model trained without it
CLEAN_COST = 4.0  # a false alarm on a clean reply weighs as much as this many caught violations
OTHER_COST = 0.5  # flagging a reply that is labelled with another category
CALIBRATION_FLOOR = 0.3


def fold_of(row_id: str, folds: int = CALIBRATION_FOLDS) -> int:
    """A writers' row's cross-fitting fold: a stable hash of its id (the same data gives the same folds)."""
    return int(hashlib.md5(row_id.encode()).hexdigest(), 16) % folds


def writers_row_id(example_id: str) -> str | None:
    """The row id of an example from the independent writers' splits (``…/fresh/<split>.jsonl:ID``, or
    one of its sentences ``…#sK``); None for our own data."""
    name, _, rest = example_id.partition(".jsonl:")
    return rest.split("#s")[0] if "/fresh/" in name and rest else None


def in_fold(example: Example, fold: int, folds: int = CALIBRATION_FOLDS) -> bool:
    """Whether ``example`` (a writers' row or one of its sentences) belongs to cross-fitting fold ``fold``."""
    row = writers_row_id(example.id)
    return row is not None and fold_of(row, folds) == fold


def even_odds_score(scores: np.ndarray, positive: np.ndarray, weight: np.ndarray, l2: float = 1e-3) -> float | None:
    """Weighted Platt scaling: fit P(positive | s) = σ(a + b·logit s) (Newton's method with step halving,
    a weak prior a = 0, b = 1) and return the score where the weighted odds are even (a + b·logit s = 0),
    i.e. where flagging starts to pay at these weights. None when the fit has no direction (b ≤ 0)."""
    x = np.log(np.clip(scores, 1e-4, 1 - 1e-4) / (1 - np.clip(scores, 1e-4, 1 - 1e-4)))
    y = positive.astype(np.float64)

    def loss(a: float, b: float) -> float:
        z = a + b * x
        return float((weight * (np.logaddexp(0.0, z) - y * z)).sum() + 0.5 * l2 * (a * a + (b - 1) ** 2))

    a, b = 0.0, 1.0
    current = loss(a, b)
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-(a + b * x)))
        g = weight * (p - y)
        grad = np.array([g.sum() + l2 * a, (g * x).sum() + l2 * (b - 1)])
        h = weight * p * (1 - p)
        hess = np.array([[h.sum() + l2, (h * x).sum()], [(h * x).sum(), (h * x * x).sum() + l2]])
        step = np.linalg.solve(hess, grad)
        size = 1.0
        while size > 1e-6 and loss(a - size * step[0], b - size * step[1]) > current:
            size /= 2
        a, b = a - size * step[0], b - size * step[1]
        previous, current = current, loss(a, b)
        if previous - current < 1e-10:
            break
    return float(1.0 / (1.0 + np.exp(a / b))) if b > 0 else None


def calibrate(scores: np.ndarray, labels: list[list[str]], *, clean_cost: float = CLEAN_COST,
              other_cost: float = OTHER_COST, floor: float = CALIBRATION_FLOOR) -> np.ndarray:
    """Per category, the score where flagging pays on the calibration rows (``even_odds_score``): each
    reply of the category weighs 1, each clean reply ``clean_cost``, each reply labelled only with
    other categories ``other_cost``; kept within [floor, 0.99]. Two parameters per category fitted
    on every row generalise better than the empirical best cut (which overfits the few clean replies
    scored near it: docs/guardrails.md, "Cross-fitted calibration")."""
    clean = np.array([not y for y in labels])
    thresholds = np.full(len(CATEGORIES), 0.99, dtype=np.float32)
    for k, c in enumerate(CATEGORIES):
        positive = np.array([c in y for y in labels])
        if not positive.any() or positive.all() or scores[:, k].max() < floor:  # nothing to calibrate (pii_leak is not read)
            continue
        weight = np.where(positive, 1.0, np.where(clean, clean_cost, other_cost))
        t = even_odds_score(scores[:, k].astype(np.float64), positive, weight)
        thresholds[k] = 0.99 if t is None else min(max(t, floor), 0.99)
    return thresholds


def score_matrix(model: LearnedModel, texts: list[str]) -> np.ndarray:
    """(texts, categories) probabilities as the checker reads them (``LearnedModel.score``, once per text)."""
    return np.array([[s[c] for c in CATEGORIES] for s in map(model.score, texts)], dtype=np.float32).reshape(-1, len(CATEGORIES))


def out_of_fold_scores(examples: list[Example], scorer: Callable[[list[str], np.ndarray, np.ndarray], LearnedModel],
                       fit_options: dict, folds: int = CALIBRATION_FOLDS) -> tuple[np.ndarray, list[list[str]]]:
    """Every writers' reply scored by a model trained on everything but its fold (its sentences held out
    too): calibration rows the model has not seen, scored the way unseen text is."""
    parts, labels = [], []
    for f in range(folds):
        test = [e for e in examples if in_fold(e, f, folds) and "#s" not in e.id]
        if not test:
            continue
        model = scorer(*fit([e for e in examples if not in_fold(e, f, folds)], **fit_options))
        parts.append(score_matrix(model, [e.text for e in test]))
        labels += [e.labels for e in test]
    return (np.vstack(parts) if parts else np.zeros((0, len(CATEGORIES)), dtype=np.float32)), labels


def _digest(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for p in paths:
        if p.exists():
            h.update(p.name.encode())
            h.update(p.read_bytes())
    return h.hexdigest()[:16]


def data_digest(root: Path = ROOT, guardrails_dir: Path | None = None, train_files: tuple[str, ...] = TRAIN_FILES,
                dev_file: str = DEV_FILE) -> str:
    """The digest of everything a model is built from (stored in its meta: the shipped file must
    match the repository's data — tests/guard/test_learned.py)."""
    guardrails_dir = guardrails_dir or root / "guardrails"
    return _digest([root / f for f in train_files] + [root / dev_file, guardrails_dir / "policy.yaml"]
                   + sorted((root / "corpus").glob("*.yaml")))


def model_arrays(vocab: list[str], weights: np.ndarray, bias: np.ndarray, positives: list[Example],
                 clean: list[Example], meta: dict, feature_set: str = CHARS) -> dict[str, np.ndarray]:
    """The model file's arrays; features whose weights are all below 1e-3 are dropped (smaller file,
    same scores up to rounding). ``feature_set`` names the features ``vocab`` holds (``learned.features``)."""
    keep = np.abs(weights).max(axis=1) >= 1e-3
    return {
        "vocab": np.array([g for g, k in zip(vocab, keep, strict=True) if k]), "weights": weights[keep].astype(np.float16),
        "bias": bias.astype(np.float32), "categories": np.array(CATEGORIES),
        "thresholds": np.full(len(CATEGORIES), 0.5, dtype=np.float32),
        "example_ids": np.array([e.id for e in positives]), "example_texts": np.array([e.text for e in positives]),
        "example_cats": np.array([",".join(e.labels) for e in positives]), "meta": np.array(json.dumps(meta)),
        "clean_texts": np.array([e.text for e in clean]), "feature_set": np.array(feature_set),
    }


def train(root: Path = ROOT, guardrails_dir: Path | None = None, out: Path | None = None,
          dev_file: str = DEV_FILE, train_files: tuple[str, ...] = TRAIN_FILES, *,
          fit_options: dict | None = None, calibration: dict | None = None, fresh_weight: float = FRESH_WEIGHT,
          folds: int = CALIBRATION_FOLDS) -> dict:
    from agent.guard.policy import load_policy

    guardrails_dir = guardrails_dir or root / "guardrails"
    out = out or guardrails_dir / MODEL_FILE
    fit_options = fit_options or {}
    feature_set = fit_options.get("feature_set", CHARS)  # the model file names it: read as it was fitted
    examples = load_training(root, guardrails_dir, train_files, fresh_weight)
    dev_path = root / dev_file
    if not dev_path.exists():
        raise InvalidInput(f"找不到校准用的开发集 {dev_path}", f"calibration (dev) split not found: {dev_path}")
    dev = read_jsonl(dev_path)
    reading = load_policy(guardrails_dir).spec.learned  # score as the checker reads: sentence vs whole reply
    tmp = out.with_suffix(".tmp.npz")
    try:

        def scorer(vocab: list[str], weights: np.ndarray, bias: np.ndarray) -> LearnedModel:
            np.savez_compressed(tmp, **model_arrays(vocab, weights, bias, [], [], {}, feature_set))
            model = LearnedModel(tmp)
            model.configure([c.value for c in reading.sentence], [c.value for c in reading.whole], reading.whole_max_chars)
            return model

        # calibration rows: the writers' train replies scored out of fold, and dev scored by the final model
        oof_scores, oof_labels = out_of_fold_scores(examples, scorer, fit_options, folds)
        vocab, weights, bias = fit(examples, **fit_options)
        model = scorer(vocab, weights, bias)
        dev_scores = score_matrix(model, [r["text"] for r in dev])
        cal_labels = [[c for c in r.get("expected", []) if c in CATEGORIES] for r in dev] + oof_labels
        thresholds = calibrate(np.vstack([dev_scores, oof_scores]), cal_labels, **(calibration or {}))
        positives = [e for e in examples if e.labels and "#s" not in e.id]
        meta = {
            "kind": "char 1-3-gram logistic regression (one-vs-rest)",
            "train_files": [f for f in train_files if (root / f).exists()] + ["guardrails/policy.yaml examples"],
            "train_examples": len(examples),
            "dev_file": dev_file,
            "dev_examples": len(dev),
            "data_digest": data_digest(root, guardrails_dir, train_files, dev_file),
            "calibration": {"method": "weighted Platt per category (train.calibrate)", "rows": len(cal_labels),
                            "out_of_fold_rows": len(oof_labels), "folds": folds,
                            "clean_cost": (calibration or {}).get("clean_cost", CLEAN_COST)},
        }
        passing, clean = must_pass(examples), reviewed_clean(examples)
        floors = score_matrix(model, [ex.text for ex in passing]).max(axis=0, initial=0.0)
        meta["calibrated"] = {c: round(float(t), 4) for c, t in zip(CATEGORIES, thresholds, strict=True)}
        meta["must_pass_floor"] = {c: round(float(t), 4) for c, t in zip(CATEGORIES, floors, strict=True)}
        thresholds = np.maximum(thresholds, np.minimum(floors + MUST_PASS_MARGIN, 0.99))
        meta["must_pass_examples"] = len(passing)
        meta["reviewed_clean_examples"] = len(clean)
        meta["thresholds"] = {c: round(float(t), 4) for c, t in zip(CATEGORIES, thresholds, strict=True)}
        arrays = model_arrays(vocab, weights, bias, positives, clean, meta, feature_set)
        arrays["thresholds"] = thresholds
        arrays["meta"] = np.array(json.dumps(meta, ensure_ascii=False))
        np.savez_compressed(out, **arrays)
    finally:  # the scratch file of the fold models never stays beside the model
        tmp.unlink(missing_ok=True)
    meta["features"] = len(arrays["vocab"])
    meta["bytes"] = out.stat().st_size
    return meta
