"""retrieve: playbook techniques per 六字诀 stage, one scoring pass for all six stages."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from langgraph.runtime import Runtime

from agent.vocab import Stage
from agent.workflow.nodes.common import Update, timed
from agent.workflow.state import DraftState, WorkflowContext

if TYPE_CHECKING:
    from agent.retrieval.search import Retriever

TECHNIQUES_PER_STAGE = 3


def techniques_for(retriever: Retriever, query: str,
                   classification: dict[str, Any] | None = None) -> dict[str, list[dict[str, Any]]]:
    """The top techniques of every stage for ``query``, as plain data for the state; with the
    classification, retrieval follows the understood situation (agent/retrieval/situated.py)."""
    if classification is not None:
        from agent.retrieval.situated import search_situated
        from agent.understand.models import Classification

        hits = search_situated(retriever, query, Classification.model_validate(classification), k=TECHNIQUES_PER_STAGE)
    else:
        hits = retriever.search_stages(query, stages=list(Stage), k=TECHNIQUES_PER_STAGE)
    return {
        Stage(stage).value: [
            {"id": hit.id, "title": hit.title, "guidance": hit.entry.guidance,
             "phrasings": list(hit.entry.phrasings), "source": str(hit.source)}
            for hit in stage_hits
        ]
        for stage, stage_hits in hits.items()
    }


@timed("retrieve")
async def retrieve(state: DraftState, runtime: Runtime[WorkflowContext]) -> Update:
    ctx = runtime.context
    return {"techniques": techniques_for(ctx.retriever, state["complaint_model"][: ctx.settings.max_query_chars],
                                         state.get("classification"))}
