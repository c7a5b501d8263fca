"""guard: check every stage draft that has no result yet against the guardrail policy (one pass)."""

from __future__ import annotations

from typing import Any


def guard_node(state: dict[str, Any], runtime: Any) -> dict[str, Any]:
    checker = runtime.context.checker
    known = dict(state.get("guard_results") or {})
    todo = {stage: draft["text"] for stage, draft in state["drafts"].items() if stage not in known}
    hints = dict(state.get("fix_hints") or {})
    if todo:
        for stage, result in checker.check_set(todo).items():
            known[stage] = result.model_dump(mode="json")
            hints[stage] = checker.fix_hints(result.violations) if not result.passed else []
    return {"guard_results": known, "fix_hints": hints}
