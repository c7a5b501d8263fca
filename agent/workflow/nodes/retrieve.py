"""retrieve: playbook techniques per 六字诀 stage, one scoring pass for all six stages."""

from __future__ import annotations

from langgraph.runtime import Runtime

from agent.vocab import Stage
from agent.workflow.nodes.common import Update, timed
from agent.workflow.state import DraftState, WorkflowContext

TECHNIQUES_PER_STAGE = 3


@timed("retrieve")
async def retrieve(state: DraftState, runtime: Runtime[WorkflowContext]) -> Update:
    ctx = runtime.context
    query = state["complaint_model"][: ctx.settings.max_query_chars]
    hits = ctx.retriever.search_stages(query, stages=list(Stage), k=TECHNIQUES_PER_STAGE)
    techniques = {
        Stage(stage).value: [
            {"id": hit.id, "title": hit.title, "guidance": hit.entry.guidance,
             "phrasings": list(hit.entry.phrasings), "source": str(hit.source)}
            for hit in stage_hits
        ]
        for stage, stage_hits in hits.items()
    }
    return {"techniques": techniques}
