"""DraftingService: the one entry point to the drafting workflow (docs/CONTRACTS.md §4).

Two compiled graphs share one checkpointer: the sync methods (CLI, evals) run the sync graph;
the async methods (API) run the async graph on the caller's event loop — the model call is
awaited (``litellm.acompletion``), so many drafts wait on the model at once without a thread
each, and the short CPU-bound nodes (a few ms) run in between. The draft id is the LangGraph
thread id. Decisions are validated before the graph resumes, so a refused decision raises a
typed error and leaves the waiting draft untouched.
"""

from __future__ import annotations

import asyncio
import logging
import re
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

from langgraph.types import Command

from agent.errors import InvalidInput, NotFound
from agent.settings import Settings
from agent.workflow.models import Decision, DraftSet, GuardOutcome, StageDraft, TechniqueRef
from agent.workflow.nodes.common import STAGES, event, now
from agent.workflow.nodes.intake import validate_complaint, validate_history
from agent.workflow.nodes.review import WAITING, DecisionNotAllowed, EditBlocked, check_decision
from agent.workflow.state import WorkflowContext

__all__ = ["DraftingService", "Decision", "DraftSet", "EditBlocked", "DecisionNotAllowed"]

log = logging.getLogger(__name__)
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class DraftingService:
    def __init__(self, settings: Settings, *, retriever: Any = None, checker: Any = None, llm: Any = None) -> None:
        """Build (or take) the clients, open the checkpointer, compile the graph. Reuse the instance."""
        from agent.drafting.model import LLMClient
        from agent.drafting.prompts import load_pack
        from agent.workflow.checkpoint import open_checkpointer
        from agent.workflow.graph import build_graph

        if retriever is None:
            from agent.retrieval.search import Retriever

            retriever = Retriever.open(settings)
        if checker is None:
            from agent.guard import GuardChecker

            checker = GuardChecker.from_settings(settings)
        self.settings = settings
        self.context = WorkflowContext(settings=settings, retriever=retriever, checker=checker,
                                       llm=llm or LLMClient(settings), prompts=load_pack(settings.prompts_dir))
        self._saver, self._close = open_checkpointer(settings)
        self.graph = build_graph(self._saver)
        self.agraph = build_graph(self._saver, asynchronous=True)
        self._locks = _KeyedLocks(threading.Lock)  # one lock per draft id in use, never shared
        self._alocks = _KeyedLocks(asyncio.Lock)
        self.warm_up()

    def warm_up(self) -> None:
        """Load what the first request would otherwise load (jieba, OpenCC, guardrails, litellm when a
        model is configured, the offline drafter): one dry run of the nodes through the offline
        drafter, no remote model, no checkpoint."""
        from types import SimpleNamespace

        from agent.drafting.offline.drafter import draft as draft_offline
        from agent.workflow.nodes.classify import classify_node
        from agent.workflow.nodes.drafting import draft_request
        from agent.workflow.nodes.intake import intake
        from agent.workflow.nodes.mask import mask_node
        from agent.workflow.nodes.retrieve import retrieve_node

        started = time.perf_counter()
        runtime = SimpleNamespace(context=self.context)
        state: dict[str, Any] = {"complaint": "電梯壞了兩天,打電話13800000000也沒人來修。"}
        try:
            for node in (intake, mask_node, classify_node, retrieve_node):
                state.update(node(state, runtime))
            self.context.checker.check_set({"listen": "您先别着急,慢慢说,我都记下了。", "act": "我們馬上安排師傅上門。"})
            draft_offline(draft_request(state))
            self.context.llm.warm_up()
        except Exception:  # noqa: BLE001 - a failed warm-up must not stop the service; requests report errors
            log.warning("drafting warm-up failed; the first request will show the error", exc_info=True)
        log.info("drafting service warmed up in %.0f ms", (time.perf_counter() - started) * 1000)

    # -- lifecycle ---------------------------------------------------------------------------
    def close(self) -> None:
        self._close()

    def __enter__(self) -> DraftingService:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- sync API (CLI, evals) ---------------------------------------------------------------
    def create(self, complaint: str, draft_id: str | None = None, history: list[dict[str, str]] | None = None,
               meta: dict[str, Any] | None = None) -> DraftSet:
        draft_id, chosen = self._new_id(complaint, draft_id, history, meta)
        with self._locks.hold(draft_id):
            if chosen and self._saver.get_tuple(self._config(draft_id)) is not None:
                raise _exists(draft_id)
            values = self.graph.invoke(_start(draft_id, complaint, history, meta), self._config(draft_id),
                                       context=self.context, durability="exit")
        return to_draft_set(values)

    def decide(self, draft_id: str, decision: Decision | dict[str, Any], actor: str, role: str = "agent") -> DraftSet:
        decision = _decision(decision, actor)
        with self._locks.hold(draft_id):
            outcome = self._outcome(draft_id, self._values(draft_id), decision, actor, role)
            values = self.graph.invoke(Command(resume=outcome), self._config(draft_id), context=self.context,
                                       durability="exit")
        return to_draft_set(values)

    def get(self, draft_id: str) -> DraftSet | None:
        values = self._values(draft_id)
        return to_draft_set(values) if values else None

    # -- async API (FastAPI): the async graph on the caller's event loop --------------------------
    async def acreate(self, complaint: str, draft_id: str | None = None,
                      history: list[dict[str, str]] | None = None, meta: dict[str, Any] | None = None) -> DraftSet:
        draft_id, chosen = self._new_id(complaint, draft_id, history, meta)
        async with self._alocks.ahold(draft_id):
            if chosen and await self._saver.aget_tuple(self._config(draft_id)) is not None:
                raise _exists(draft_id)
            values = await self.agraph.ainvoke(_start(draft_id, complaint, history, meta), self._config(draft_id),
                                               context=self.context, durability="exit")
        return to_draft_set(values)

    async def adecide(self, draft_id: str, decision: Decision | dict[str, Any], actor: str,
                      role: str = "agent") -> DraftSet:
        decision = _decision(decision, actor)
        async with self._alocks.ahold(draft_id):
            outcome = self._outcome(draft_id, await self._avalues(draft_id), decision, actor, role)
            values = await self.agraph.ainvoke(Command(resume=outcome), self._config(draft_id),
                                               context=self.context, durability="exit")
        return to_draft_set(values)

    async def aget(self, draft_id: str) -> DraftSet | None:
        values = await self._avalues(draft_id)
        return to_draft_set(values) if values else None

    # -- internals -----------------------------------------------------------------------------
    @staticmethod
    def _config(draft_id: str) -> dict[str, Any]:
        return {"configurable": {"thread_id": draft_id}}

    def _new_id(self, complaint: str, draft_id: str | None, history: list[dict[str, str]] | None,
                meta: dict[str, Any] | None) -> tuple[str, bool]:
        """Validate a create request; return (draft id, whether the caller chose it)."""
        validate_complaint(complaint, self.settings)
        validate_history(history, self.settings)
        if meta is not None and not isinstance(meta, dict):
            raise InvalidInput("meta 必须是对象。", "meta must be an object.")
        chosen = draft_id is not None
        draft_id = draft_id if chosen else uuid.uuid4().hex
        if not isinstance(draft_id, str) or not _ID.match(draft_id):
            raise InvalidInput("草稿编号只能包含字母、数字、点、下划线和连字符(最长 64 位)。",
                               "draft_id may contain letters, digits, '.', '_' and '-' (at most 64).")
        return draft_id, chosen

    def _outcome(self, draft_id: str, values: dict[str, Any], decision: Decision, actor: str,
                 role: str) -> dict[str, Any]:
        if not values:
            raise NotFound(f"找不到草稿 {draft_id}。", f"draft {draft_id} not found.")
        return check_decision(values, decision, str(actor), role, self.context.checker,
                              self.settings.max_reply_chars)

    def _values(self, draft_id: str) -> dict[str, Any]:
        if not isinstance(draft_id, str) or not _ID.match(draft_id):
            return {}
        return dict(self.graph.get_state(self._config(draft_id)).values or {})

    async def _avalues(self, draft_id: str) -> dict[str, Any]:
        if not isinstance(draft_id, str) or not _ID.match(draft_id):
            return {}
        return dict((await self.agraph.aget_state(self._config(draft_id))).values or {})


class _KeyedLocks:
    """One lock per key while someone holds or waits for it (a fixed stripe of locks would make
    unrelated drafts wait for each other's model calls). ``factory``: threading.Lock or asyncio.Lock."""

    def __init__(self, factory: Any) -> None:
        self._factory = factory
        self._entries: dict[str, list[Any]] = {}  # key -> [lock, users]
        self._guard = threading.Lock()

    def _enter(self, key: str) -> list[Any]:
        with self._guard:
            entry = self._entries.setdefault(key, [self._factory(), 0])
            entry[1] += 1
            return entry

    def _leave(self, key: str, entry: list[Any]) -> None:
        with self._guard:
            entry[1] -= 1
            if entry[1] == 0:
                self._entries.pop(key, None)

    @contextmanager
    def hold(self, key: str) -> Iterator[None]:
        entry = self._enter(key)
        try:
            with entry[0]:
                yield
        finally:
            self._leave(key, entry)

    @asynccontextmanager
    async def ahold(self, key: str) -> AsyncIterator[None]:
        entry = self._enter(key)
        try:
            async with entry[0]:
                yield
        finally:
            self._leave(key, entry)


def _start(draft_id: str, complaint: str, history: list[dict[str, str]] | None,
           meta: dict[str, Any] | None) -> dict[str, Any]:
    return {"draft_id": draft_id, "complaint": complaint, "history": history or [], "meta": meta or {},
            "created_at": now().isoformat(), "started": time.time(),
            "events": [event("created", **({"meta": meta} if meta else {}))]}


def _exists(draft_id: str) -> InvalidInput:
    return InvalidInput(f"草稿 {draft_id} 已存在。", f"draft {draft_id} already exists.", code="draft_exists")


def _decision(decision: Decision | dict[str, Any], actor: str) -> Decision:
    if not isinstance(decision, Decision):
        try:
            decision = Decision.model_validate(decision)
        except ValueError as exc:
            raise InvalidInput("决定的格式不正确。", f"invalid decision: {exc}") from exc
    if not actor or not str(actor).strip():
        raise InvalidInput("必须注明操作人。", "a decision needs an actor.")
    return decision


def to_draft_set(values: dict[str, Any]) -> DraftSet:
    """Checkpointed state → the public DraftSet (JSON contract)."""
    stages = [
        StageDraft(stage=stage, text=values["drafts"][stage]["text"],
                   techniques=[TechniqueRef(**t) for t in values["drafts"][stage]["techniques"]],
                   guardrail=GuardOutcome(**{k: values["guard_results"][stage][k] for k in ("passed", "violations")}))
        for stage in STAGES
    ]
    return DraftSet(
        id=values["draft_id"], status=values["status"], script=values["script"],
        complaint_masked=values["complaint_masked"], classification=values["classification"], stages=stages,
        model=values["model"], drafter=values["drafter"], prompt=values["prompt"],
        llm_calls=values.get("llm_calls", 0),
        timings_ms={k: round(v, 2) for k, v in (values.get("timings_ms") or {}).items()},
        final=values.get("final"), follow_up=values.get("follow_up"), created_at=values["created_at"],
        events=values.get("events", []), meta=values.get("meta", {}),
    )


def is_waiting(draft: DraftSet) -> bool:
    return draft.status in WAITING
