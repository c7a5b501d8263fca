"""The JSON results document (``DIR/results.json``) and the baseline comparison.

A regression is a metric worse than the baseline by more than ``tolerance`` (lower for most
metrics, higher for ``fp_rate``/``error_rate``/…) or a case that passed in the baseline and does
not pass now. Suites or cases missing from either side are not regressions.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from agent.errors import InvalidInput
from evals.model import LOWER_IS_BETTER, LoadIssue, SuiteResult

DEFAULT_TOLERANCE = 0.01
SKIP_METRICS = {"mean_llm_calls"}  # informative, not a quality measure


@dataclass
class Regression:
    suite: str
    what: str  # "metric" | "case"
    name: str
    baseline: Any
    current: Any

    def __str__(self) -> str:
        if self.what == "metric":
            return f"{self.suite} · {self.name}: {self.baseline:.3f} → {self.current:.3f}"
        return f"{self.suite} · {self.name}: {self.baseline} → {self.current}"


def summary(results: list[SuiteResult]) -> dict[str, Any]:
    counts = {"passed": 0, "failed": 0, "tolerated": 0, "error": 0}
    for suite in results:
        for key, value in suite.counts().items():
            counts[key] += value
    total = sum(counts.values())
    return {"cases": total, **counts, "pass_rate": counts["passed"] / total if total else 0.0,
            "suites": len(results), "suites_failed": sum(not s.passed for s in results)}


def to_document(results: list[SuiteResult], issues: list[LoadIssue], *, seconds: float, mode: str,
                regressions: list[Regression] | None = None, baseline: dict | None = None) -> dict[str, Any]:
    return {
        "version": 1,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "mode": mode,
        "seconds": round(seconds, 3),
        "summary": summary(results),
        "issues": [{"path": str(i.path), "line": i.line, "field": i.field, "message": i.message} for i in issues],
        "regressions": [asdict(r) for r in regressions or []],
        "baseline_metrics": metrics_of(baseline) if baseline else {},
        "suites": [
            {
                "suite": s.suite, "kind": s.kind, "path": s.path, "description": s.description,
                "passed": s.passed, "gated": s.gated, "seconds": round(s.seconds, 3), "mode": s.mode,
                "counts": s.counts(), "metrics": s.metrics, "groups": s.groups,
                "thresholds": [asdict(t) for t in s.thresholds],
                "cases": [c.to_dict() for c in s.cases],
            }
            for s in results
        ],
    }


def write_document(document: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1, default=str), encoding="utf-8")


def load_baseline(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InvalidInput(f"找不到基线文件:{path}", f"baseline file not found: {path}") from exc
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise InvalidInput(f"基线文件无法读取或不是 JSON:{path}",
                           f"baseline file is unreadable or not JSON: {path}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("suites"), list):
        raise InvalidInput(f"基线文件不是 wuye eval 的 results.json:{path}",
                           f"baseline is not a `wuye eval` results.json: {path}")
    return data


def metrics_of(document: dict[str, Any]) -> dict[str, dict[str, float]]:
    return {s["suite"]: dict(s.get("metrics", {})) for s in document.get("suites", []) if "suite" in s}


def compare(results: list[SuiteResult], baseline: dict[str, Any],
            tolerance: float = DEFAULT_TOLERANCE) -> list[Regression]:
    old_metrics = metrics_of(baseline)
    old_cases = {
        (s.get("suite"), c.get("case_id")): c.get("status")
        for s in baseline.get("suites", []) for c in s.get("cases", [])
    }
    found: list[Regression] = []
    for suite in results:
        before = old_metrics.get(suite.suite, {})
        for name, value in suite.metrics.items():
            old = before.get(name)
            if name in SKIP_METRICS or not isinstance(old, int | float):
                continue
            worse = value - old if name in LOWER_IS_BETTER else old - value
            if worse > tolerance:
                found.append(Regression(suite.suite, "metric", name, float(old), float(value)))
        for case in suite.cases:
            if old_cases.get((suite.suite, case.case_id)) == "passed" and case.status != "passed":
                found.append(Regression(suite.suite, "case", case.case_id, "passed", case.status))
    return found
