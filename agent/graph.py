"""Wiring only: which node follows which. Nodes live in agent/nodes/, one per concern.

intake → mask_pii → classify → retrieve → draft → guard ─┬→ revise → guard (once)
                                                          └→ persist → review ⟲ (interrupt) → finalize
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime

from agent.nodes.classify import classify_node
from agent.nodes.draft import draft_node
from agent.nodes.finalize import finalize_node
from agent.nodes.guard import guard_node
from agent.nodes.intake import intake
from agent.nodes.mask import mask_node
from agent.nodes.persist import persist_node
from agent.nodes.retrieve import retrieve_node
from agent.nodes.review import after_review, review_node
from agent.nodes.revise import needs_revision, revise_node
from agent.state import DraftState, WorkflowContext

NODES: dict[str, Callable[..., dict[str, Any]]] = {
    "intake": intake, "mask_pii": mask_node, "classify": classify_node, "retrieve": retrieve_node,
    "draft": draft_node, "guard": guard_node, "revise": revise_node, "persist": persist_node,
    "review": review_node, "finalize": finalize_node,
}


def _timed(name: str, node: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    def run(state: DraftState, runtime: Runtime[WorkflowContext]) -> dict[str, Any]:
        started = time.perf_counter()
        update = dict(node(state, runtime) or {})
        update["timings_ms"] = {**update.get("timings_ms", {}), name: (time.perf_counter() - started) * 1000}
        return update

    run.__name__ = name
    return run


def build_graph(checkpointer: Any) -> Any:
    graph = StateGraph(DraftState, context_schema=WorkflowContext)
    for name, node in NODES.items():
        graph.add_node(name, _timed(name, node))
    graph.add_edge(START, "intake")
    for a, b in [("intake", "mask_pii"), ("mask_pii", "classify"), ("classify", "retrieve"),
                 ("retrieve", "draft"), ("draft", "guard"), ("revise", "guard"), ("persist", "review"),
                 ("finalize", END)]:
        graph.add_edge(a, b)
    graph.add_conditional_edges("guard", needs_revision, ["revise", "persist"])
    graph.add_conditional_edges("review", after_review, ["review", "finalize"])
    return graph.compile(checkpointer=checkpointer)
