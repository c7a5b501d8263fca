"""guard: check every stage draft that has no result yet against the guardrail policy (one pass)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from langgraph.runtime import Runtime

from agent.workflow.nodes.common import Update, failing_stages, timed
from agent.workflow.nodes.streaming import stage_event
from agent.workflow.state import DraftState, WorkflowContext

if TYPE_CHECKING:
    from agent.guard import GuardChecker


def check(checker: GuardChecker, state: DraftState | dict[str, Any], texts: dict[str, str]
          ) -> tuple[dict[str, dict[str, Any]], dict[str, list[str]]]:
    """Guard results (as state data) and fix hints of ``texts`` (stage -> text): the one call both
    this node and a streamed draft (``streaming.LiveStages``) make."""
    results, hints = {}, {}
    for stage, result in checker.check_set(texts, complaint=_known(state)).items():
        results[stage] = result.model_dump(mode="json")
        hints[stage] = checker.fix_hints(result.violations) if not result.passed else []
    return results, hints


@timed("guard")
async def guard(state: DraftState, runtime: Runtime[WorkflowContext]) -> Update:
    known = dict(state.get("guard_results") or {})
    todo = {stage: draft["text"] for stage, draft in state["drafts"].items() if stage not in known}
    hints = dict(state.get("fix_hints") or {})
    if todo:
        results, new_hints = check(runtime.context.checker, state, todo)
        known.update(results)
        hints.update(new_hints)
        for stage in todo:  # a streamed request sees each stage once it is checked
            runtime.stream_writer(stage_event(stage, state["drafts"][stage], results[stage]))
    return {"guard_results": known, "fix_hints": hints}


def _known(state: DraftState) -> str | None:
    """What the owner has said (complaint + earlier turns): the ``ungrounded`` check's evidence."""
    said = [state.get("complaint_model") or "", *(t.get("text", "") for t in state.get("history_masked") or [])]
    return "\n".join(s for s in said if s) or None


async def after_guard(state: DraftState) -> str:
    """The conditional edge: one re-ask when a stage breaks a block rule, else done. A coroutine
    function, so LangGraph runs it on the event loop (a plain function would be handed to a thread
    pool on every request: a thread wake-up and two GIL hand-offs for a dict lookup)."""
    return "revise" if not state.get("reasked") and failing_stages(state["guard_results"]) else "done"
