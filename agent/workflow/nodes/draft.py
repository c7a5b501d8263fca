"""draft: ONE structured model call for all six stages (text + cited technique ids).

``draft_node`` (sync graph: CLI, evals) and ``adraft_node`` (async graph: API) differ only in how
they wait for the model.
"""

from __future__ import annotations

from typing import Any

from agent.drafting.answer import parse_answer
from agent.drafting.prompts import render_messages, repair_message
from agent.workflow.nodes.drafting import draft_request, llm_events, merge_classification, stage_drafts


def _request(state: dict[str, Any], ctx: Any) -> dict[str, Any]:
    request = draft_request(state)
    expected = [stage.value for stage in request.stages]
    return {
        "request": request,
        "messages": render_messages(ctx.prompts, request),
        "parse": lambda text: parse_answer(text, expected),
        "repair_message": lambda error: repair_message(ctx.prompts, request, error),
    }


def _update(state: dict[str, Any], ctx: Any, result: Any) -> dict[str, Any]:
    drafts, events = stage_drafts(state, result.value)
    return {
        "drafts": drafts,
        "classification": merge_classification(state["classification"], result.value.classification),
        "model": result.model,
        "drafter": result.drafter,
        "prompt": dict(ctx.prompts.ref),
        "llm_calls": result.calls,
        "guard_results": {},
        "timings_ms": {"llm": result.llm_ms},
        "events": llm_events(result.events) + events,
    }


def draft_node(state: dict[str, Any], runtime: Any) -> dict[str, Any]:
    ctx = runtime.context
    return _update(state, ctx, ctx.llm.complete(**_request(state, ctx)))


async def adraft_node(state: dict[str, Any], runtime: Any) -> dict[str, Any]:
    ctx = runtime.context
    return _update(state, ctx, await ctx.llm.acomplete(**_request(state, ctx)))
