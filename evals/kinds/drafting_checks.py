"""Compare one draft set (DraftSet JSON) with a drafting case's ``expect`` block.

Pure functions: no model, no service — so every rule here is unit-testable on plain dicts.
Each check has a stable name (``classification.severity``, ``guardrail.act``, ``status`` …);
the metrics report the pass rate of every check across a suite.
"""

from __future__ import annotations

import json
import re
from typing import Any

from evals.model import Mismatch, Span

STAGES = ("listen", "empathize", "ask", "act", "negotiate", "thank")


def stage_texts(draft: dict[str, Any]) -> dict[str, str]:
    return {s["stage"]: s.get("text", "") for s in draft.get("stages", [])}


def stage_categories(draft: dict[str, Any]) -> dict[str, list[str]]:
    return {
        s["stage"]: sorted({v["category"] for v in (s.get("guardrail") or {}).get("violations", [])})
        for s in draft.get("stages", [])
    }


def spans(draft: dict[str, Any]) -> list[Span]:
    out = []
    for s in draft.get("stages", []):
        for v in (s.get("guardrail") or {}).get("violations", []):
            out.append(Span(stage=s["stage"], category=v["category"], start=int(v.get("start", 0)),
                            end=int(v.get("end", 0)), rule_id=v.get("rule_id", ""),
                            severity=str(v.get("severity", "")), message=v.get("message", "")))
    return out


def request_text(body: bytes | str) -> str:
    """The human-readable part of a chat-completion request body (message contents)."""
    raw = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    try:
        data = json.loads(raw)
    except ValueError:
        return raw
    parts = []
    for message in data.get("messages", []) if isinstance(data, dict) else []:
        content = message.get("content")
        if isinstance(content, str):
            parts.append(content)
        elif isinstance(content, list):
            parts += [c.get("text", "") for c in content if isinstance(c, dict)]
    return "\n".join(parts) or raw


def _scoped(spec: Any, texts: dict[str, str]) -> list[tuple[str, str, str]]:
    """(scope, text, needle) for a text assertion given as a list (whole set) or a stage map."""
    if isinstance(spec, dict):
        return [(stage, texts.get(stage, ""), needle) for stage, needles in spec.items() for needle in needles]
    whole = "\n".join(texts.get(stage, "") for stage in STAGES if stage in texts)
    return [("all", whole, needle) for needle in spec]


def _excerpt(text: str, start: int, end: int, pad: int = 12) -> str:
    return ("…" if start > pad else "") + text[max(0, start - pad):end + pad] + ("…" if end + pad < len(text) else "")


def _guardrail(expect: dict[str, Any], draft: dict[str, Any]) -> dict[str, Mismatch | None]:
    cats = stage_categories(draft)
    passed = {s["stage"]: bool((s.get("guardrail") or {}).get("passed", True)) for s in draft.get("stages", [])}
    results: dict[str, Mismatch | None] = {}
    for scope, rule in expect.items():
        if scope == "all":
            targets = {stage: cats.get(stage, []) for stage in STAGES}
        elif scope == "any":
            targets = {"any": sorted({c for found in cats.values() for c in found})}
        else:
            targets = {scope: cats.get(scope, [])}
        problems = []
        for stage, found in targets.items():
            for cat in rule.get("must", []):
                if cat not in found:
                    problems.append(f"{stage}: 应触发 must fire {cat}")
            must_not = rule.get("must_not", [])
            bad = found if must_not == "all" else [c for c in found if c in must_not]
            for cat in bad:
                problems.append(f"{stage}: 不应触发 must not fire {cat}")
            if "passed" in rule:
                actual = (all(passed.values()) if rule["passed"] else not all(passed.values())) \
                    if stage == "any" else passed.get(stage, True) == rule["passed"]
                if not actual:
                    problems.append(f"{stage}: passed 应为 should be {rule['passed']}")
        actual_view = {s: cats.get(s, []) for s in (STAGES if scope in ("all", "any") else (scope,))}
        results[f"guardrail.{scope}"] = Mismatch(
            f"guardrail.{scope}", rule, actual_view, "; ".join(problems)) if problems else None
    return results


def evaluate(expect: dict[str, Any], draft: dict[str, Any], requests: list[str]) -> tuple[dict[str, bool], list[Mismatch]]:
    """Run every expectation. Returns {check name: passed} and the mismatches, in a stable order."""
    checks: dict[str, Mismatch | None] = {}
    texts = stage_texts(draft)

    for field, want in (expect.get("classification") or {}).items():
        got = (draft.get("classification") or {}).get(field)
        checks[f"classification.{field}"] = None if got == want else Mismatch(
            f"classification.{field}", want, got)

    if "techniques_cited" in expect:
        cited = sorted({t["id"] if isinstance(t, dict) else t
                        for s in draft.get("stages", []) for t in s.get("techniques", [])})
        missing = [t for t in expect["techniques_cited"] if t not in cited]
        checks["techniques"] = Mismatch("techniques", expect["techniques_cited"], cited,
                                        "未被引用 not cited: " + ", ".join(missing)) if missing else None

    checks.update(_guardrail(expect.get("guardrail") or {}, draft))

    for field in ("status", "llm_calls", "drafter", "script"):
        if field in expect:
            got = draft.get(field)
            checks[field] = None if got == expect[field] else Mismatch(field, expect[field], got)

    for kind in ("contains", "not_contains", "regex"):
        if kind not in expect:
            continue
        problems, actual = [], []
        for scope, text, needle in _scoped(expect[kind], texts):
            if kind == "contains" and needle not in text:
                problems.append(f"{scope}: 缺少 missing 「{needle}」")
            elif kind == "not_contains" and needle in text:
                at = text.index(needle)
                problems.append(f"{scope}: 出现了 found 「{needle}」")
                actual.append(_excerpt(text, at, at + len(needle)))
            elif kind == "regex" and not re.search(needle, text):
                problems.append(f"{scope}: 不匹配 no match /{needle}/")
        checks[kind] = Mismatch(kind, expect[kind], actual or texts, "; ".join(problems)) if problems else None

    if "request_not_contains" in expect:
        leaked = [n for n in expect["request_not_contains"] if any(n in body for body in requests)]
        checks["request_not_contains"] = Mismatch(
            "request_not_contains", expect["request_not_contains"], leaked,
            "发给模型的请求中出现了 sent to the model: " + ", ".join(leaked)) if leaked else None

    return {name: m is None for name, m in checks.items()}, [m for m in checks.values() if m is not None]
