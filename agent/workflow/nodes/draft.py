"""draft: ONE structured model call for all six stages (text + cited technique ids).

A streamed request (``state["stream"]``) asks the model to stream its answer; each stage is guarded
and sent as soon as its part of the answer is complete (``streaming.LiveStages``)."""

from __future__ import annotations

from langgraph.runtime import Runtime

from agent.drafting.answer import parse_answer
from agent.drafting.prompts import render_messages, repair_message
from agent.workflow.nodes.common import Update, timed
from agent.workflow.nodes.drafting import draft_request, llm_events, merge_classification, stage_drafts
from agent.workflow.nodes.streaming import LiveStages
from agent.workflow.state import DraftState, WorkflowContext


@timed("draft")
async def draft(state: DraftState, runtime: Runtime[WorkflowContext]) -> Update:
    ctx = runtime.context
    request = draft_request(state)
    expected = [stage.value for stage in request.stages]
    live = LiveStages(state, ctx.checker, expected, runtime.stream_writer) if state.get("stream") else None
    result = await ctx.model.complete(
        render_messages(ctx.prompts, request), lambda text: parse_answer(text, expected),
        lambda error: repair_message(ctx.prompts, request, error), request=request,
        on_text=live.feed if live else None)
    drafts, events = stage_drafts(state, result.value)
    checked, hints = live.kept(drafts) if live else ({}, {})
    return {
        "drafts": drafts,
        "classification": merge_classification(state["classification"], result.value.classification),
        "model": result.model,
        "drafter": result.drafter,
        "prompt": dict(ctx.prompts.ref),
        "llm_calls": result.calls,
        "guard_results": checked,
        **({"fix_hints": hints} if hints else {}),
        "timings_ms": {"llm": result.llm_ms},
        "events": llm_events(result.events) + events,
    }
