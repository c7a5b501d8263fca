"""Retrieval kind: does a search rank one of the expected playbook entries in its top k?

A case passes when any expected id is among the first ``k`` hits (suite ``k``, default 3, or
the case's own ``k``). Metrics: hit@1, hit@k, MRR (over the first 10 hits), per stage filter.
"""

from __future__ import annotations

import time
from typing import Any

from agent.settings import Settings
from evals.model import CaseResult, Mismatch, Suite

DEPTH = 10


def open_retriever(settings: Settings):  # type: ignore[no-untyped-def]
    """The real retriever; builds the index first when there is none (idempotent)."""
    from agent.retrieval import index as corpus_index
    from agent.retrieval.search import Retriever

    ensure = getattr(corpus_index, "ensure_index", None)
    if ensure is None:  # pragma: no cover - depends on where the corpus part puts it
        from agent.retrieval.search import ensure_index as ensure
    ensure(settings)
    return Retriever.open(settings)


class RetrievalRunner:
    kind = "retrieval"

    def __init__(self, settings: Settings) -> None:
        self.retriever = open_retriever(settings)

    def begin_suite(self, suite: Suite) -> None:
        """Nothing to set up per suite (the runner protocol: begin_suite, run_case, end_suite)."""

    def end_suite(self, suite: Suite) -> None:
        return None

    def run_case(self, suite: Suite, case: dict[str, Any]) -> CaseResult:
        started = time.perf_counter()
        k = int(case.get("k") or suite.k)
        stage = case.get("stage") or None
        hits = self.retriever.search(case["query"], stage=stage, topic=None, k=max(k, DEPTH))
        ids = [hit.id for hit in hits]
        expected = list(case["expected"])
        rank = next((i + 1 for i, hid in enumerate(ids) if hid in expected), 0)
        hit = 0 < rank <= k
        mismatches = [] if hit else [Mismatch(
            f"top{k}", expected, ids[:k],
            f"期望的条目不在前 {k} 名 / no expected id in the top {k}"
            + (f"(首次出现在第 {rank} 名 / first at rank {rank})" if rank else ""))]
        return CaseResult(
            suite=suite.name, case_id=case["id"], status="passed" if hit else "failed",
            seconds=time.perf_counter() - started, mismatches=mismatches,
            facts={"query": case["query"], "expected": expected, "top": ids[:k], "rank": rank, "k": k,
                   "stage": stage or "any"},
            texts={"query": case["query"]},
        )


def metrics(cases: list[CaseResult]) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    def summary(rows: list[CaseResult]) -> dict[str, float]:
        n = len(rows)
        ranks = [c.facts.get("rank", 0) if c.status != "error" else 0 for c in rows]
        ks = [c.facts.get("k", 3) for c in rows]
        return {
            "hit@1": sum(r == 1 for r in ranks) / n if n else 0.0,
            "hit@k": sum(0 < r <= k for r, k in zip(ranks, ks, strict=True)) / n if n else 0.0,
            "mrr": sum(1 / r for r in ranks if r) / n if n else 0.0,
            "count": float(n),
        }

    out = summary(cases)
    out.pop("count")
    out["pass_rate"] = sum(c.ok for c in cases) / len(cases) if cases else 0.0
    out["error_rate"] = sum(c.status == "error" for c in cases) / len(cases) if cases else 0.0
    groups: dict[str, list[CaseResult]] = {}
    for case in cases:
        groups.setdefault(f"stage:{case.facts.get('stage', 'any')}", []).append(case)
    return out, {name: summary(rows) for name, rows in sorted(groups.items())}
