"""The graph's typed state and the context its nodes are given.

The state starts from an ``Accepted`` request (masked at the edge: nothing raw is ever in it) and is
never checkpointed: the store of record holds the request and the finished draft set, and a request
whose process died is re-drafted from the store (``DraftCore.recover``).
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, TypedDict

from agent.settings import Settings

if TYPE_CHECKING:
    from agent.drafting.model import ModelAccess
    from agent.drafting.prompts import PromptPack
    from agent.guard import GuardChecker
    from agent.retrieval.search import Retriever


def add_timings(left: dict[str, float] | None, right: dict[str, float] | None) -> dict[str, float]:
    """Per-node milliseconds; a node that runs twice (guard after a re-ask) adds up."""
    out = dict(left or {})
    for key, value in (right or {}).items():
        out[key] = round(out.get(key, 0.0) + value, 3)
    return out


class DraftState(TypedDict, total=False):
    # -- from the accepted (masked) request ------------------------------------------------------
    complaint_model: str  # masked + Simplified: what the model sees
    script: str
    script_variant: str
    history_masked: list[dict[str, str]]  # [{"role": "业主"|"客服", "text"}], masked + Simplified
    channel: str | None  # wechat | app | phone | visit | letter | sms (the project's default when unset)
    stream: bool  # a streamed request: the model streams, stages are sent as they complete
    # -- understand / retrieve --------------------------------------------------------------------
    classification: dict[str, Any]  # Classification.model_dump(mode="json")
    techniques: dict[str, list[dict[str, Any]]]  # stage -> retrieved playbook entries
    # -- draft / guard / revise ------------------------------------------------------------------
    drafts: dict[str, dict[str, Any]]  # stage -> {"source", "text", "techniques": [refs]}
    guard_results: dict[str, dict[str, Any]]  # stage -> GuardResult.model_dump(mode="json")
    fix_hints: dict[str, list[str]]  # stage -> hints for its block violations
    model: str
    drafter: str
    prompt: dict[str, str]
    llm_calls: Annotated[int, operator.add]
    reasked: bool
    timings_ms: Annotated[dict[str, float], add_timings]
    events: Annotated[list[dict[str, Any]], operator.add]


@dataclass(frozen=True)
class WorkflowContext:
    """Clients handed to every node through LangGraph's runtime context; nodes never build them."""

    settings: Settings
    retriever: Retriever
    checker: GuardChecker
    model: ModelAccess
    prompts: PromptPack
