"""One way to split labelled rows into train / dev / test, fixed before any tuning.

Stratified by a label (``stratum``); inside each stratum the rows are ordered by sha256(seed + id)
and cut at ``cuts`` (default 50 % / 70 %: train 50, dev 20, test 30). No randomness beyond the seed:
the same rows give the same split. Used by the guard's writer replies
(evals/guardrails/fresh/make_split.py) and the written letters (evals/understand/make_letter_split.py).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable

PARTS = ("train", "dev", "test")


def split_by_hash(rows: list[dict], *, seed: str, stratum: Callable[[dict], str],
                  cuts: tuple[float, float] = (0.5, 0.7)) -> dict[str, list[dict]]:
    strata: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        strata[stratum(row)].append(row)
    out: dict[str, list[dict]] = {name: [] for name in PARTS}
    for name in sorted(strata):
        group = sorted(strata[name], key=lambda r: hashlib.sha256((seed + r["id"]).encode("utf-8")).hexdigest())
        a, b = round(len(group) * cuts[0]), round(len(group) * cuts[1])
        out["train"] += group[:a]
        out["dev"] += group[a:b]
        out["test"] += group[b:]
    for part in out.values():
        part.sort(key=lambda r: r["id"])
    return out
