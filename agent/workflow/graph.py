"""Wiring only: which node follows which. Nodes live in agent/workflow/nodes/, one per concern.

    understand → retrieve → draft → guard ─┬─(a stage breaks a block rule, first time)→ revise → guard …
                                           └─(otherwise)→ END

The graph has no checkpointer: it runs start to end inside one ``DraftCore.create`` call, on
masked data only; the store of record keeps the request before the run and the draft set after it
(docs/workflow.md says why no checkpoint is needed).
"""

from __future__ import annotations

from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from agent.workflow.nodes.draft import draft
from agent.workflow.nodes.guard import after_guard, guard
from agent.workflow.nodes.retrieve import retrieve
from agent.workflow.nodes.revise import revise
from agent.workflow.nodes.understand import understand
from agent.workflow.state import DraftState, WorkflowContext


def build_graph() -> CompiledStateGraph:
    graph = StateGraph(DraftState, context_schema=WorkflowContext)
    graph.add_node("understand", understand)
    graph.add_node("retrieve", retrieve)
    graph.add_node("draft", draft)
    graph.add_node("guard", guard)
    graph.add_node("revise", revise)
    graph.add_edge(START, "understand")
    graph.add_edge("understand", "retrieve")
    graph.add_edge("retrieve", "draft")
    graph.add_edge("draft", "guard")
    graph.add_conditional_edges("guard", after_guard, {"revise": "revise", "done": END})
    graph.add_edge("revise", "guard")
    return graph.compile()
