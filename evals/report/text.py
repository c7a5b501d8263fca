"""Plain-text expected-vs-actual rendering shared by the terminal and JUnit reporters."""

from __future__ import annotations

import json
from typing import Any

from evals.model import CaseResult, Span

KEY_METRICS = {
    "guardrail": ("recall", "precision", "fp_rate"),
    "retrieval": ("hit@k", "hit@1", "mrr"),
    "drafting": ("pass_rate", "mean_llm_calls"),
}


def show(value: Any, limit: int = 160) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def span_lines(case: CaseResult, stage: str | None = None) -> list[str]:
    out = []
    for span in case.spans:
        if stage and span.stage != stage:
            continue
        text = case.texts.get(span.stage, "")
        excerpt = text[span.start:span.end] if 0 <= span.start < span.end <= len(text) else "?"
        rule = f" [{span.rule_id}]" if span.rule_id else ""
        out.append(f"{span.stage}: 「{excerpt}」 ← {span.category}{rule}")
    return out


def _relevant_stages(check: str) -> list[str] | None:
    if check.startswith("guardrail."):
        scope = check.split(".", 1)[1]
        return None if scope in ("all", "any") else [scope]
    return []


def case_lines(case: CaseResult) -> list[str]:
    """Readable lines: one block per failed expectation, violation spans under guardrail ones."""
    if case.status == "error":
        return [f"错误 error: {case.error}"]
    lines: list[str] = []
    for m in case.mismatches:
        lines.append(f"{m.check}")
        if m.detail:
            lines.append(f"    {m.detail}")
        lines.append(f"    expected 期望: {show(m.expected)}")
        lines.append(f"    actual   实际: {show(m.actual)}")
        stages = _relevant_stages(m.check)
        if stages is None or stages:
            for stage in stages or [None]:
                lines += [f"    {line}" for line in span_lines(case, stage)]
        if m.check == "categories":  # guardrail kind: show the hits in the reply
            lines += [f"    {line}" for line in span_lines(case)]
            text = next(iter(case.texts.values()), "")
            lines.append(f"    text 文本: {show(text, 200)}")
    if lines and case.facts.get("trace"):
        lines.append("trace 过程: " + " → ".join(case.facts["trace"]))
    return lines


def key_metrics(kind: str, metrics: dict[str, float]) -> str:
    parts = [f"{name} {metrics[name]:.3f}" for name in KEY_METRICS.get(kind, ()) if name in metrics]
    return " · ".join(parts)


def spans_for(case: CaseResult, stage: str) -> list[Span]:
    return sorted((s for s in case.spans if s.stage == stage), key=lambda s: (s.start, -s.end))
