"""revise: re-ask ONCE, only for the stages with block violations, with the broken rules' fix hints.

``revise_node`` (sync graph) and ``arevise_node`` (async graph) differ only in how they wait.
"""

from __future__ import annotations

from typing import Any

from agent.drafting.answer import parse_answer
from agent.drafting.prompts import render_messages, repair_message
from agent.workflow.nodes.common import event, failing_stages
from agent.workflow.nodes.drafting import draft_request, llm_events, stage_drafts


def should_revise(state: dict[str, Any]) -> bool:
    """After the first guard: one re-ask when a stage fails; then persist whatever we have."""
    return not state.get("reasked") and bool(failing_stages(state["guard_results"]))


def _request(state: dict[str, Any], ctx: Any, failing: list[str]) -> dict[str, Any]:
    request = draft_request(state, failing)
    return {
        "request": request,
        "messages": render_messages(ctx.prompts, request),
        "parse": lambda text: parse_answer(text, failing),
        "repair_message": lambda error: repair_message(ctx.prompts, request, error),
        "offline_only": state.get("drafter") == "offline_fallback",
    }


def _update(state: dict[str, Any], failing: list[str], result: Any) -> dict[str, Any]:
    revised, events = stage_drafts(state, result.value)
    update: dict[str, Any] = {
        "drafts": {**state["drafts"], **revised},
        "guard_results": {s: r for s, r in state["guard_results"].items() if s not in failing},
        "reasked": True,
        "llm_calls": result.calls,
        "timings_ms": {"llm": result.llm_ms},
        "events": [event("reask", stages=failing, model=result.model)] + llm_events(result.events) + events,
    }
    if result.drafter != "model" and state.get("drafter") == "model":
        update.update(model=result.model, drafter="offline_fallback")
    return update


def revise_node(state: dict[str, Any], runtime: Any) -> dict[str, Any]:
    ctx = runtime.context
    failing = failing_stages(state["guard_results"])
    return _update(state, failing, ctx.llm.complete(**_request(state, ctx, failing)))


async def arevise_node(state: dict[str, Any], runtime: Any) -> dict[str, Any]:
    ctx = runtime.context
    failing = failing_stages(state["guard_results"])
    return _update(state, failing, await ctx.llm.acomplete(**_request(state, ctx, failing)))
