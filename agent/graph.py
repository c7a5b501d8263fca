"""Wiring only: which node follows which. Nodes live in agent/nodes/, one per concern.

intake → mask_pii → classify → retrieve → draft → guard ─┬→ revise → guard (once)
                                                          └→ persist → review ⟲ (interrupt) → finalize

Each LangGraph superstep costs ≈ 0.5 ms of bookkeeping, so consecutive concerns that always run
together share one step (``STEPS``): ``prepare`` = intake → mask_pii → classify → retrieve,
``draft`` = draft → guard, ``revise`` = revise → guard. Every concern still reports its own time
in ``timings_ms`` and its own state update (reducers applied as LangGraph would).

``build_graph(saver)`` is the sync graph (CLI, evals); ``build_graph(saver, asynchronous=True)`` the
same wiring with async steps for the API: the model calls are awaited, and the short CPU-bound
nodes run on the event loop (LangGraph would otherwise hand every sync node to a thread).
"""

from __future__ import annotations

import inspect
import operator
import time
from collections.abc import Callable
from typing import Any

from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime

from agent.nodes.classify import classify_node
from agent.nodes.draft import adraft_node, draft_node
from agent.nodes.finalize import finalize_node
from agent.nodes.guard import guard_node
from agent.nodes.intake import intake
from agent.nodes.mask import mask_node
from agent.nodes.persist import persist_node
from agent.nodes.retrieve import retrieve_node
from agent.nodes.review import after_review, review_node
from agent.nodes.revise import arevise_node, needs_revision, revise_node
from agent.state import DraftState, WorkflowContext, add_timings

NODES: dict[str, Callable[..., dict[str, Any]]] = {
    "intake": intake, "mask_pii": mask_node, "classify": classify_node, "retrieve": retrieve_node,
    "draft": draft_node, "guard": guard_node, "revise": revise_node, "persist": persist_node,
    "review": review_node, "finalize": finalize_node,
}
ASYNC_NODES: dict[str, Callable[..., Any]] = {"draft": adraft_node, "revise": arevise_node}
STEPS: dict[str, tuple[str, ...]] = {
    "prepare": ("intake", "mask_pii", "classify", "retrieve"),
    "draft": ("draft", "guard"),
    "revise": ("revise", "guard"),
    "persist": ("persist",),
    "review": ("review",),
    "finalize": ("finalize",),
}
_REDUCERS: dict[str, Callable[[Any, Any], Any]] = {
    "timings_ms": add_timings, "events": lambda a, b: (a or []) + (b or []), "llm_calls": operator.add,
}


def _merge(into: dict[str, Any], update: dict[str, Any]) -> None:
    """Apply one concern's update the way LangGraph's channels would (reducers for the annotated keys)."""
    for key, value in update.items():
        reducer = _REDUCERS.get(key)
        into[key] = reducer(into[key], value) if reducer and key in into else value


def _step(names: tuple[str, ...], nodes: dict[str, Callable[..., Any]]) -> tuple[Callable[..., Any], bool]:
    """The concerns ``names`` as one step: each sees the state with the previous ones' updates."""
    chain = [(name, nodes[name], inspect.iscoroutinefunction(nodes[name])) for name in names]

    def finish(name: str, update: dict[str, Any] | None, started: float, view: dict[str, Any],
               out: dict[str, Any]) -> None:
        update = dict(update or {})
        update["timings_ms"] = {**update.get("timings_ms", {}), name: (time.perf_counter() - started) * 1000}
        _merge(out, update)
        _merge(view, update)

    def run(state: DraftState, runtime: Runtime[WorkflowContext]) -> dict[str, Any]:
        view, out = dict(state), {}
        for name, node, _ in chain:
            started = time.perf_counter()
            finish(name, node(view, runtime), started, view, out)
        return out

    async def arun(state: DraftState, runtime: Runtime[WorkflowContext]) -> dict[str, Any]:
        view, out = dict(state), {}
        for name, node, is_async in chain:
            started = time.perf_counter()
            finish(name, await node(view, runtime) if is_async else node(view, runtime), started, view, out)
        return out

    is_async = any(flag for _, _, flag in chain)
    return (arun, True) if is_async else (run, False)


def _on_loop(fn: Callable[..., dict[str, Any]]) -> Callable[..., Any]:
    async def run(state: DraftState, runtime: Runtime[WorkflowContext]) -> dict[str, Any]:
        return fn(state, runtime)

    return run


def build_graph(checkpointer: Any, *, asynchronous: bool = False) -> Any:
    graph = StateGraph(DraftState, context_schema=WorkflowContext)
    nodes = {**NODES, **ASYNC_NODES} if asynchronous else NODES
    for name, names in STEPS.items():
        fn, is_async = _step(names, nodes)
        if asynchronous and not is_async:  # keep CPU steps on the loop, not in LangGraph's thread pool
            fn = _on_loop(fn)
        fn.__name__ = name
        graph.add_node(name, fn)
    graph.add_edge(START, "prepare")
    for a, b in [("prepare", "draft"), ("persist", "review"), ("finalize", END)]:
        graph.add_edge(a, b)
    graph.add_conditional_edges("draft", needs_revision, ["revise", "persist"])
    graph.add_conditional_edges("revise", needs_revision, ["revise", "persist"])
    graph.add_conditional_edges("review", after_review, ["review", "finalize"])
    return graph.compile(checkpointer=checkpointer)
