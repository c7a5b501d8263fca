"""revise: re-ask ONCE, only for the stages with block violations, with the broken rules' fix hints."""

from __future__ import annotations

from langgraph.runtime import Runtime

from agent.drafting.answer import parse_answer
from agent.drafting.prompts import render_messages, repair_message
from agent.workflow.nodes.common import Update, event, failing_stages, timed
from agent.workflow.nodes.drafting import draft_request, llm_events, stage_drafts
from agent.workflow.state import DraftState, WorkflowContext


@timed("revise")
async def revise(state: DraftState, runtime: Runtime[WorkflowContext]) -> Update:
    ctx = runtime.context
    failing = failing_stages(state["guard_results"])
    request = draft_request(state, failing)
    runtime.stream_writer({"event": "revise", "stages": failing})
    result = await ctx.model.complete(
        render_messages(ctx.prompts, request), lambda text: parse_answer(text, failing),
        lambda error: repair_message(ctx.prompts, request, error), request=request,
        offline_only=state.get("drafter") == "offline_fallback")
    revised, events = stage_drafts(state, result.value)
    update: Update = {
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
