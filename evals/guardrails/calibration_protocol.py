"""The fair protocol for the learned layer's thresholds (docs/guardrails.md, "Cross-fitted calibration").

5-fold over dev: thresholds are set without the held-out fifth, the held-out fifth is read as the
checker reads it (rules, then the learned layer with its clause readings), pooled over the fifths.
Compared: the empirical best cut on dev (before) and the cross-fitted weighted Platt fit on
out-of-fold train + dev (agent/guard/train.py, after). Only train and dev are read.

    PYTHONPATH=. .venv/bin/python evals/guardrails/calibration_protocol.py   # ≈ 15 min, 2 cores
    PYTHONPATH=. .venv/bin/python evals/guardrails/calibration_protocol.py --rules-only   # seconds

``--learner NAME``: a learner variant of evals/guardrails/compare_learners.py (``VARIANTS``: options of
``train.fit``), fitted here on all the training data instead of reading the shipped model (its must-pass
floors from its own scores, as ``wuye guard train`` sets them); ``--learner char`` is the shipped recipe
refitted, the fair baseline of a variant.

``--dev-only``: the Platt fit on the other four dev fifths alone, without the out-of-fold train rows
(one fit instead of six: a quick comparison of variants, not the shipped calibration).

``--rules-only``: the rules alone (no learned layer) on train and on dev — train is what the stop-22
rules were not written from, so it is their out-of-sample check (docs/guardrails.md, "Stop 22"). Run it
against another commit's rules with ``PYTHONPATH=<a git worktree of that commit>``.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np

from agent.guard.categories import category_hits
from agent.guard.engine import Engine
from agent.guard.learned import CHARS, LearnedModel
from agent.guard.policy import load_policy
from agent.guard.train import (
    CATEGORIES,
    DEV_FILE,
    MUST_PASS_MARGIN,
    ROOT,
    calibrate,
    fit,
    fold_of,
    in_fold,
    load_training,
    model_arrays,
    must_pass,
    read_jsonl,
    reviewed_clean,
    score_matrix,
    writers_row_id,
)
from agent.vocab import Stage, ViolationCategory
from evals.guardrails.compare_learners import VARIANTS, variant

FOLDS = 5
POLICY = load_policy(ROOT / "guardrails")
ENGINE = Engine(POLICY)


def read(model: LearnedModel, rows: list[tuple[str, str, list[str]]]) -> dict[str, np.ndarray]:
    """Per row: labels, rule hits, raw model scores, and the score of the learned hit the clause
    readings let through (0 when excused) — what the checker fires at any threshold."""
    spec = POLICY.spec.learned
    model.configure([c.value for c in spec.sentence], [c.value for c in spec.whole], spec.whole_max_chars)
    model.thresholds[:] = 0.0
    y, rule, raw, kept = [], [], [], []
    for text, stage, labels in rows:
        scores = model.score(text)
        fired, through = set(), dict.fromkeys(CATEGORIES, 0.0)
        for category in ViolationCategory:
            for hit in category_hits(ENGINE, model, spec.severity, category, text, Stage(stage)):
                if hit["source"] == "rule":
                    fired.add(category.value)
                else:
                    through[category.value] = max(through[category.value], hit["score"])
        y.append([c in labels for c in CATEGORIES])
        rule.append([c in fired for c in CATEGORIES])
        raw.append([scores[c] for c in CATEGORIES])
        kept.append([through[c] for c in CATEGORIES])
    return {"y": np.array(y, bool), "rule": np.array(rule, bool), "raw": np.array(raw), "kept": np.array(kept)}


def join(*parts: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def take(part: dict[str, np.ndarray], mask: np.ndarray) -> dict[str, np.ndarray]:
    return {k: v[mask] for k, v in part.items()}


def labels_of(part: dict[str, np.ndarray]) -> list[list[str]]:
    return [[c for c, on in zip(CATEGORIES, row, strict=True) if on] for row in part["y"]]


def best_cut(part: dict[str, np.ndarray], clean_cost: float = 2.5, other_cost: float = 0.5, floor: float = 0.3) -> np.ndarray:
    """The calibration before guard5: per category the score maximising TP − 2.5·FP clean − 0.5·FP other."""
    clean = ~part["y"].any(axis=1)
    out = np.full(len(CATEGORIES), 0.99)
    for k in range(len(CATEGORIES)):
        s, pos = part["raw"][:, k], part["y"][:, k]
        best = (-1e9, 0.99)
        for t in sorted({round(float(v), 4) for v in s} | {0.99}, reverse=True):
            if t >= floor:
                f = s >= t
                value = (f & pos).sum() - clean_cost * (f & clean).sum() - other_cost * (f & ~pos & ~clean).sum()
                if value > best[0]:
                    best = (value, t)
        out[k] = best[1]
    return out


def report(name: str, part: dict[str, np.ndarray], fired: np.ndarray) -> None:
    y, clean = part["y"], ~part["y"].any(axis=1)
    per = " ".join(f"{c} {(fired[:, k] & y[:, k]).sum() / y[:, k].sum():.2f}" for k, c in enumerate(CATEGORIES) if y[:, k].any())
    print(f"{name}: recall {(fired & y).sum() / y.sum():.3f} · FPR {fired[clean].any(axis=1).mean():.3f} "
          f"({fired[clean].any(axis=1).sum()}/{clean.sum()}) · {per}")


def rules_alone(rows: list[dict]) -> dict[str, np.ndarray]:
    """``read``'s labels and rule hits without any learned layer."""
    spec = POLICY.spec.learned
    y = [[c in r.get("expected", []) for c in CATEGORIES] for r in rows]
    fired = [{hit["category"] for category in ViolationCategory
              for hit in category_hits(ENGINE, None, spec.severity, category, r["text"], Stage(r["stage"]))} for r in rows]
    return {"y": np.array(y, bool), "rule": np.array([[c in f for c in CATEGORIES] for f in fired], bool)}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rules-only", action="store_true", help="the rules alone on train and dev (seconds)")
    ap.add_argument("--learner", choices=list(VARIANTS), help="fit this learner variant instead of reading the shipped model")
    ap.add_argument("--dev-only", action="store_true",
                    help="Platt on the other dev fifths alone: no out-of-fold train models (1 fit instead of 6)")
    args = ap.parse_args(argv)
    if args.rules_only:
        for split in ("train", "dev"):
            part = rules_alone(read_jsonl(ROOT / f"evals/guardrails/fresh/{split}.jsonl"))
            report(f"rules alone, {split}", part, part["rule"])
        return
    learner = args.learner
    training, options = ({}, {}) if learner is None else variant(learner)
    feature_set = options.get("feature_set", CHARS)
    examples = load_training(ROOT, ROOT / "guardrails", **training)
    clean = reviewed_clean(examples)  # the same reviewed-clean memory as a trained file
    rows = {str(r["id"]): r for r in read_jsonl(ROOT / "evals/guardrails/fresh/train.jsonl")}
    oof = []
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp) / "fold.npz"
        for f in range(0 if args.dev_only else FOLDS):
            fitted = fit([e for e in examples if not in_fold(e, f, FOLDS)], **options)
            np.savez_compressed(scratch, **model_arrays(*fitted, [], clean, {}, feature_set))
            test = [rows[writers_row_id(e.id)] for e in examples if in_fold(e, f, FOLDS) and "#s" not in e.id]
            oof.append(read(LearnedModel(scratch), [(r["text"], r["stage"], r.get("expected", [])) for r in test]))
            print(f"fold {f}: {len(test)} train rows scored out of fold", flush=True)
        if learner is None:
            final = LearnedModel(ROOT / "guardrails" / "learned.npz")
            floors = np.array([final.meta["must_pass_floor"].get(c, 0.0) for c in CATEGORIES]) + MUST_PASS_MARGIN
        else:
            np.savez_compressed(Path(tmp) / "final.npz", **model_arrays(*fit(examples, **options), [], clean, {}, feature_set))
            final = LearnedModel(Path(tmp) / "final.npz")
            spec = POLICY.spec.learned
            final.configure([c.value for c in spec.sentence], [c.value for c in spec.whole], spec.whole_max_chars)
            floors = score_matrix(final, [e.text for e in must_pass(examples)]).max(axis=0, initial=0.0) + MUST_PASS_MARGIN
    oof_all = join(*oof) if oof else None
    dev_rows = read_jsonl(ROOT / DEV_FILE)
    dev = read(final, [(r["text"], r["stage"], r.get("expected", [])) for r in dev_rows])
    fifth = np.array([fold_of("dev" + str(r["id"]), FOLDS) for r in dev_rows])
    def platt(cal_dev: dict[str, np.ndarray]) -> np.ndarray:
        rows = join(cal_dev, oof_all) if oof_all is not None else cal_dev
        return calibrate(rows["raw"], labels_of(rows))

    methods = {"before (best cut on dev)": best_cut,
               "after (Platt, dev only)" if args.dev_only else "after (Platt, out-of-fold train + dev)": platt}
    report("rules alone", dev, dev["rule"])
    for name, method in methods.items():
        fired = np.zeros_like(dev["y"])
        for i in range(FOLDS):
            t = np.maximum(method(take(dev, fifth != i)), np.minimum(floors, 0.99))
            held_out = take(dev, fifth == i)
            fired[fifth == i] = held_out["rule"] | (held_out["kept"] >= t)
        report(name, dev, fired)


if __name__ == "__main__":
    main()
