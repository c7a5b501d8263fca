"""``DIR/index.html``: one self-contained page (inline CSS and SVG, no script, no network).

Everything from the run is escaped by Jinja2's autoescape; violation spans are cut from the
output text and wrapped in ``<mark class="v-<category>">``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from markupsafe import Markup, escape

from evals.model import CaseResult, LoadIssue, SuiteResult
from evals.report.text import show, spans_for
from evals.results import Regression, summary

TEMPLATE = Path(__file__).with_name("index.html.j2")
MAX_CASES_SHOWN = 300
CATEGORY_COLOURS = {
    "arguing": "#f4a3a3", "blaming": "#f7c08a", "overpromising": "#f9e08b", "refusing": "#c9e59a",
    "buck_passing": "#9fdcc4", "privacy_probing": "#9ccfe8", "disrespect": "#b9b5f0",
    "grudging_apology": "#e7b0e0", "empty_thanks": "#d9c7a7", "vague": "#cfd6dd", "pii_leak": "#ff8f8f",
}


def highlight(text: str, case: CaseResult, stage: str) -> Markup:
    """The text with each violation span wrapped in <mark>; overlapping spans are clipped."""
    out, cursor = [], 0
    for span in spans_for(case, stage):
        start, end = max(span.start, cursor), min(span.end, len(text))
        if start >= end:
            continue
        out.append(escape(text[cursor:start]))
        title = f"{span.category} {span.rule_id} {span.message}".strip()
        out.append(Markup('<mark class="v-{}" title="{}">{}<sub>{}</sub></mark>').format(
            span.category, title, text[start:end], span.category))
        cursor = end
    out.append(escape(text[cursor:]))
    return Markup("").join(out)


def bar_chart(metrics: dict[str, float], baseline: dict[str, float]) -> Markup:
    """Horizontal bars for every metric in [0, 1]: this run (blue) over the baseline (grey)."""
    rows = [(name, value) for name, value in metrics.items() if 0.0 <= value <= 1.0]
    if not rows:
        return Markup("")
    row_h, label_w, bar_w = 30, 230, 360
    parts = [Markup('<svg class="chart" role="img" width="{}" height="{}">')
             .format(label_w + bar_w + 110, row_h * len(rows) + 24)]
    for i, (name, value) in enumerate(rows):
        y = 8 + i * row_h
        parts.append(Markup('<text x="0" y="{}" class="lbl">{}</text>').format(y + 14, name))
        parts.append(Markup('<rect x="{}" y="{}" width="{:.1f}" height="11" class="now"/>').format(
            label_w, y + 2, value * bar_w))
        old = baseline.get(name)
        text = f"{value:.3f}"
        if isinstance(old, int | float):
            parts.append(Markup('<rect x="{}" y="{}" width="{:.1f}" height="7" class="base"/>').format(
                label_w, y + 15, float(old) * bar_w))
            text += f" (基线 {float(old):.3f})"
        parts.append(Markup('<text x="{}" y="{}" class="val">{}</text>').format(label_w + bar_w + 6, y + 14, text))
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


def _case_view(case: CaseResult) -> dict[str, Any]:
    texts = [{"stage": stage, "html": highlight(text, case, stage)} for stage, text in case.texts.items()]
    return {
        "case": case,
        "mismatches": [{"check": m.check, "detail": m.detail, "expected": show(m.expected, 2000),
                        "actual": show(m.actual, 2000)} for m in case.mismatches],
        "texts": texts,
        "trace": " → ".join(case.facts.get("trace") or []),
    }


def render(results: list[SuiteResult], issues: list[LoadIssue], *, regressions: list[Regression],
           baseline_metrics: dict[str, dict[str, float]], seconds: float, mode: str, created_at: str,
           min_pass: float | None, exit_code: int) -> str:
    from jinja2 import Environment, StrictUndefined

    env = Environment(autoescape=True, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    template = env.from_string(TEMPLATE.read_text(encoding="utf-8"))
    suites = []
    for suite in results:
        shown = [c for c in suite.cases if c.status != "passed"]
        suites.append({
            "r": suite,
            "counts": suite.counts(),
            "chart": bar_chart(suite.metrics, baseline_metrics.get(suite.suite, {})),
            "baseline": baseline_metrics.get(suite.suite, {}),
            "cases": [_case_view(c) for c in shown[:MAX_CASES_SHOWN]],
            "hidden": max(0, len(shown) - MAX_CASES_SHOWN),
        })
    kinds: dict[str, dict[str, float]] = {}
    for suite in results:
        row = kinds.setdefault(suite.kind, {"suites": 0, "cases": 0, "passed": 0, "failed": 0, "tolerated": 0,
                                            "error": 0})
        row["suites"] += 1
        row["cases"] += len(suite.cases)
        for key, value in suite.counts().items():
            row[key] += value
    for row in kinds.values():
        row["pass_rate"] = row["passed"] / row["cases"] if row["cases"] else 0.0
    return template.render(
        suites=suites, kinds=kinds, issues=issues, regressions=regressions, total=summary(results), seconds=seconds,
        mode=mode, created_at=created_at, min_pass=min_pass, exit_code=exit_code, colours=CATEGORY_COLOURS,
    )


def write_html(directory: Path, **kwargs: Any) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "index.html"
    path.write_text(render(**kwargs), encoding="utf-8")
    return path
