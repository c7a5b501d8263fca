"""Cross-validation on the dev split for what is learned from it (severity / escalation of long posts).

    wuye understand cv --complaints ../shared/realdata/complaints_dev.jsonl [--folds 5]

Each fold trains on the other folds' labels and predicts its own posts, so every dev post is scored by
a model that never saw it: an honest estimate, unlike the rules' dev numbers. Totals only, no text.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from agent.understand import severity_model
from agent.understand.classify import _PLACEHOLDER, _category, _mindset, _title, load_rules
from agent.understand.script import to_simplified


def post_cues(masked: str) -> tuple[np.ndarray, bool]:
    """Cue vector of a masked complaint and whether it is a long post (the model's domain)."""
    plain = _PLACEHOLDER.sub(" ", to_simplified(masked))
    title = _title(plain)
    rules = load_rules()
    x = severity_model.cues(plain, title, _category(plain, rules).value, _mindset(plain, rules, title).value)
    return x, severity_model.is_letter(plain, title)


def dataset(texts: dict[str, str], labels: list[dict], ids: set[str]) -> tuple[np.ndarray, list[str], list[bool]]:
    """Cue vectors and labels of the labelled long posts of ``ids``."""
    from agent.understand.pii import mask_pii

    rows, severity, escalate = [], [], []
    for label in labels:
        if label["id"] not in ids or label["id"] not in texts:
            continue
        x, is_post = post_cues(mask_pii(texts[label["id"]]).text)
        if not is_post:
            continue
        rows.append(x)
        severity.append(label["severity"])
        escalate.append(bool(label["escalate"]))
    return np.array(rows), severity, escalate


def written_dataset(paths: list[Path]) -> tuple[np.ndarray, list[str], list[bool]]:
    """Cue vectors and labels of the long posts among letters written by us (``{id, text, severity,
    escalate}`` per line, e.g. ``evals/understand/letters_train.jsonl``): extra training data only."""
    from agent.understand.real_eval import _jsonl

    rows = [row for path in paths for row in _jsonl(path, "训练信件")]
    texts = {row["id"]: row["text"] for row in rows}
    return dataset(texts, rows, set(texts))


def cross_validate(x: np.ndarray, severity: list[str], escalate: list[bool], folds: int = 5, repeats: int = 5,
                   l2: float = 1.0, extra: tuple[np.ndarray, list[str], list[bool]] | None = None) -> dict:
    """k-fold estimate, repeated over ``repeats`` shuffles (19 majors make one shuffle noisy): mean
    severity / escalate accuracy, mean majors caught / predicted per pass, majors true. ``extra`` (letters
    written by us) joins every training fold (see ``severity_model.fit``) and is never scored: the
    estimate stays on the real posts."""
    n = len(severity)
    sev_ok = esc_ok = caught = predicted = 0.0
    for seed in range(repeats):
        order = np.random.default_rng(seed).permutation(n)
        for k in range(folds):
            held = order[k::folds]
            train = np.setdiff1d(order, held)
            model = severity_model.fit(x[train], [severity[i] for i in train], l2, written=extra)
            for i in held:
                sev, esc, _ = model.predict(x[i])
                sev_ok += sev == severity[i]
                esc_ok += esc == escalate[i]
                predicted += sev == "major"
                caught += sev == severity[i] == "major"
    return {
        "posts": n, "repeats": repeats,
        "severity": round(sev_ok / (n * repeats), 3),
        "escalate": round(esc_ok / (n * repeats), 3),
        "majors_true": severity.count("major"),
        "majors_predicted": round(predicted / repeats, 1),
        "majors_caught": round(caught / repeats, 1),
    }
