"""draft: ONE structured model call for all six stages (text + cited technique ids)."""

from __future__ import annotations

from typing import Any

from agent.nodes.common import STAGES
from agent.nodes.drafting import (
    build_context,
    llm_events,
    merge_classification,
    parse_answer,
    render_messages,
    stage_drafts,
)


def draft_node(state: dict[str, Any], runtime: Any) -> dict[str, Any]:
    ctx = runtime.context
    expected = list(STAGES)
    messages = render_messages(ctx.prompts, state, build_context(state), failing=[])
    result = ctx.llm.complete(
        messages,
        parse=lambda text: parse_answer(text, expected),
        repair_message=lambda error: ctx.prompts["repair"].render(error=error, expected_stages=expected),
    )
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
