"""Wiring only: which node follows which. Nodes live in agent/workflow/nodes/, one per concern.

step "drafting":  intake → mask_pii → classify → retrieve → draft → guard ─┬──────────────────→ persist
                                                                          └→ revise → guard ─┘
                  (revise: only when a stage breaks a block rule, once, only the failing stages)
step "review":    interrupt() waits for a person ⟲ (a supervisor may return the set to the agent)
step "finalize":  final texts, 回访 (follow-up) reminder, events

A LangGraph superstep costs ≈ 0.5 ms of bookkeeping and, with ``durability="exit"``, buys no
durability in between (nothing is checkpointed until the graph pauses for approval), so the
concerns that run back to back share one step (``STEPS``); ``When`` makes the re-ask conditional
inside it. ``review`` must stay its own step: ``interrupt()`` re-runs its step on resume. Every
concern still reports its own time in ``timings_ms`` and its own state update (reducers applied as
LangGraph would).

``build_graph(saver)`` is the sync graph (CLI, evals); ``build_graph(saver, asynchronous=True)`` the
same wiring with async steps for the API: the model calls are awaited, and the short CPU-bound
concerns and routers run on the event loop (LangGraph would otherwise hand each to a thread).
"""

from __future__ import annotations

import functools
import inspect
import operator
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime

from agent.workflow.nodes.classify import classify_node
from agent.workflow.nodes.draft import adraft_node, draft_node
from agent.workflow.nodes.finalize import finalize_node
from agent.workflow.nodes.guard import guard_node
from agent.workflow.nodes.intake import intake
from agent.workflow.nodes.mask import mask_node
from agent.workflow.nodes.persist import persist_node
from agent.workflow.nodes.retrieve import retrieve_node
from agent.workflow.nodes.review import after_review, review_node
from agent.workflow.nodes.revise import arevise_node, revise_node, should_revise
from agent.workflow.state import DraftState, WorkflowContext, add_timings


@dataclass(frozen=True)
class When:
    """Concerns of a step that run only when ``condition(state)`` holds at that point."""

    condition: Callable[[DraftState], bool]
    names: tuple[str, ...]


NODES: dict[str, Callable[..., dict[str, Any]]] = {
    "intake": intake, "mask_pii": mask_node, "classify": classify_node, "retrieve": retrieve_node,
    "draft": draft_node, "guard": guard_node, "revise": revise_node, "persist": persist_node,
    "review": review_node, "finalize": finalize_node,
}
ASYNC_NODES: dict[str, Callable[..., Any]] = {"draft": adraft_node, "revise": arevise_node}
STEPS: dict[str, tuple[str | When, ...]] = {
    "drafting": ("intake", "mask_pii", "classify", "retrieve", "draft", "guard",
                 When(should_revise, ("revise", "guard")), "persist"),
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


def _concerns(chain: tuple[str | When, ...], view: DraftState) -> Iterator[str]:
    """The concern names of a step in order; a ``When`` is decided when it is reached."""
    for item in chain:
        if isinstance(item, When):
            if item.condition(view):
                yield from item.names
        else:
            yield item


def _step(chain: tuple[str | When, ...], nodes: dict[str, Callable[..., Any]]) -> tuple[Callable[..., Any], bool]:
    """The concerns of ``chain`` as one step: each sees the state with the previous ones' updates."""

    def finish(name: str, update: dict[str, Any] | None, started: float, view: dict[str, Any],
               out: dict[str, Any]) -> None:
        update = dict(update or {})
        update["timings_ms"] = {**update.get("timings_ms", {}), name: (time.perf_counter() - started) * 1000}
        _merge(out, update)
        _merge(view, update)

    def run(state: DraftState, runtime: Runtime[WorkflowContext]) -> dict[str, Any]:
        view, out = dict(state), {}
        for name in _concerns(chain, view):
            started = time.perf_counter()
            finish(name, nodes[name](view, runtime), started, view, out)
        return out

    names = [n for item in chain for n in (item.names if isinstance(item, When) else (item,))]
    awaited = {n for n in names if inspect.iscoroutinefunction(nodes[n])}

    async def arun(state: DraftState, runtime: Runtime[WorkflowContext]) -> dict[str, Any]:
        view, out = dict(state), {}
        for name in _concerns(chain, view):
            node, started = nodes[name], time.perf_counter()
            update = await node(view, runtime) if name in awaited else node(view, runtime)
            finish(name, update, started, view, out)
        return out

    return (arun, True) if awaited else (run, False)


def _on_loop(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` as a coroutine function with ``fn``'s signature (LangGraph reads it to decide what to
    pass): an async graph runs a sync node or router in its thread pool, a thread hop per draft."""

    @functools.wraps(fn)
    async def run(*args: Any, **kwargs: Any) -> Any:
        return fn(*args, **kwargs)

    return run


def build_graph(checkpointer: Any, *, asynchronous: bool = False) -> Any:
    graph = StateGraph(DraftState, context_schema=WorkflowContext)
    nodes = {**NODES, **ASYNC_NODES} if asynchronous else NODES
    for name, chain in STEPS.items():
        fn, is_async = _step(chain, nodes)
        if asynchronous and not is_async:  # keep CPU steps on the loop, not in LangGraph's thread pool
            fn = _on_loop(fn)
        fn.__name__ = name
        graph.add_node(name, fn)
    graph.add_edge(START, "drafting")
    graph.add_edge("drafting", "review")
    graph.add_conditional_edges("review", _on_loop(after_review) if asynchronous else after_review,
                                ["review", "finalize"])
    graph.add_edge("finalize", END)
    return graph.compile(checkpointer=checkpointer)
