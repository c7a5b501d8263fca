"""understand: what kind of complaint this is (category / severity / urgency / mindset / escalate).

A configured model may refine the classification in its drafting answer (same schema); see
``drafting.merge_classification``.
"""

from __future__ import annotations

from langgraph.runtime import Runtime

from agent.understand.classify import classify_offline
from agent.workflow.nodes.common import Update, timed
from agent.workflow.state import DraftState, WorkflowContext


@timed("understand")
async def understand(state: DraftState, runtime: Runtime[WorkflowContext]) -> Update:
    classification = classify_offline(state["complaint_model"]).model_dump(mode="json")
    runtime.stream_writer({"event": "classification", "classification": classification})
    return {"classification": classification}
