"""Guardrail kind: does the checker find exactly the labelled categories in a reply?

A case passes when the set of detected categories (block or warn) equals the expected set.
Metrics: per-category precision / recall / F1, overall (micro) precision and recall, and the
false-positive rate on clean replies (expected = []), i.e. the share of clean replies with any hit.
"""

from __future__ import annotations

import time
from typing import Any

from agent.settings import Settings
from evals.model import CaseResult, Mismatch, Span, Suite


class GuardrailRunner:
    kind = "guardrail"

    def __init__(self, settings: Settings) -> None:
        from agent.guard import GuardChecker

        self.checker = GuardChecker.from_settings(settings)

    def begin_suite(self, suite: Suite) -> None:
        """Nothing to set up per suite (the runner protocol: begin_suite, run_case, end_suite)."""

    def end_suite(self, suite: Suite) -> None:
        return None

    def run_case(self, suite: Suite, case: dict[str, Any]) -> CaseResult:
        started = time.perf_counter()
        result = self.checker.check(case["text"], stage=case["stage"])
        detected = sorted({str(v.category) for v in result.violations})
        expected = sorted(set(case["expected"]))
        mismatches = []
        if detected != expected:
            missing = sorted(set(expected) - set(detected))
            extra = sorted(set(detected) - set(expected))
            detail = "; ".join(part for part in (
                f"漏检 missed: {', '.join(missing)}" if missing else "",
                f"误报 unexpected: {', '.join(extra)}" if extra else "") if part)
            mismatches.append(Mismatch("categories", expected, detected, detail))
        spans = [
            Span(stage=case["stage"], category=str(v.category), start=v.start, end=v.end,
                 rule_id=v.rule_id, severity=str(v.severity), message=v.message)
            for v in result.violations
        ]
        return CaseResult(
            suite=suite.name, case_id=case["id"], status="failed" if mismatches else "passed",
            seconds=time.perf_counter() - started, mismatches=mismatches,
            facts={"expected": expected, "detected": detected, "stage": case["stage"],
                   "script": case.get("script", ""), "passed_guard": bool(result.passed)},
            texts={case["stage"]: case["text"]}, spans=spans,
        )


def metrics(cases: list[CaseResult]) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    usable = [c for c in cases if c.status != "error"]
    per: dict[str, dict[str, int]] = {}
    clean = clean_hits = 0
    for case in usable:
        expected, detected = set(case.facts["expected"]), set(case.facts["detected"])
        for cat in expected | detected:
            row = per.setdefault(cat, {"tp": 0, "fp": 0, "fn": 0})
            row["tp"] += cat in expected and cat in detected
            row["fp"] += cat in detected and cat not in expected
            row["fn"] += cat in expected and cat not in detected
        if not expected:
            clean += 1
            clean_hits += bool(detected)
    tp = sum(r["tp"] for r in per.values())
    fp = sum(r["fp"] for r in per.values())
    fn = sum(r["fn"] for r in per.values())
    total = len(cases)
    out = {
        "pass_rate": sum(c.ok for c in cases) / total if total else 0.0,
        "precision": tp / (tp + fp) if tp + fp else 1.0,
        "recall": tp / (tp + fn) if tp + fn else 1.0,
        "fp_rate": clean_hits / clean if clean else 0.0,
        "error_rate": sum(c.status == "error" for c in cases) / total if total else 0.0,
    }
    groups = {}
    for cat, row in sorted(per.items()):
        precision = row["tp"] / (row["tp"] + row["fp"]) if row["tp"] + row["fp"] else 1.0
        recall = row["tp"] / (row["tp"] + row["fn"]) if row["tp"] + row["fn"] else 1.0
        groups[cat] = {
            "precision": precision, "recall": recall,
            "f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
            "support": float(row["tp"] + row["fn"]),
        }
    return out, groups
