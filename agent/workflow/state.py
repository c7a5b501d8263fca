"""Workflow state (what the checkpointer stores) and the run context (what nodes are given).

State values are plain JSON-able data so a checkpoint written by one process (or version) is
readable by another. The raw complaint exists in the state only between `intake` and `mask_pii`;
the graph runs with ``durability="exit"``, so it is never written to the checkpointer.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from typing import Annotated, Any, TypedDict

from agent.settings import Settings


def add_timings(left: dict[str, float] | None, right: dict[str, float] | None) -> dict[str, float]:
    """Per-node milliseconds; a node that runs twice (guard after a re-ask) adds up."""
    out = dict(left or {})
    for key, value in (right or {}).items():
        out[key] = round(out.get(key, 0.0) + value, 3)
    return out


class DraftState(TypedDict, total=False):
    # -- input (raw fields are cleared by mask_pii) --------------------------------------------
    draft_id: str
    complaint: str
    history: list[dict[str, str]]
    meta: dict[str, Any]
    created_at: str
    started: float  # epoch seconds when the run started (for timings_ms.total)
    # -- intake / mask / classify / retrieve ---------------------------------------------------
    script: str
    script_variant: str  # "tw" | "hk" (OpenCC target when the owner wrote Traditional)
    complaint_masked: str  # owner's script, PII replaced by placeholders
    complaint_model: str  # masked + Simplified: what the model sees
    history_masked: list[dict[str, str]]
    pii_kinds: dict[str, int]
    classification: dict[str, Any]
    techniques: dict[str, list[dict[str, Any]]]  # stage -> retrieved playbook entries
    # -- drafting ------------------------------------------------------------------------------
    drafts: dict[str, dict[str, Any]]  # stage -> {"text", "techniques": [ids]}
    guard_results: dict[str, dict[str, Any]]  # stage -> GuardResult.model_dump()
    fix_hints: dict[str, list[str]]  # stage -> hints for its block violations
    model: str
    drafter: str
    prompt: dict[str, str]
    llm_calls: Annotated[int, operator.add]
    reasked: bool
    # -- review --------------------------------------------------------------------------------
    status: str
    decision: dict[str, Any] | None
    final: dict[str, str] | None
    follow_up: dict[str, Any] | None
    timings_ms: Annotated[dict[str, float], add_timings]
    events: Annotated[list[dict[str, Any]], operator.add]


@dataclass(frozen=True)
class WorkflowContext:
    """Clients handed to every node through LangGraph's runtime context; nodes never build them."""

    settings: Settings
    retriever: Any  # agent.retrieval.search.Retriever
    checker: Any  # agent.guard.GuardChecker
    llm: Any  # agent.drafting.model.LLMClient
    prompts: Any  # agent.drafting.prompts.PromptPack
