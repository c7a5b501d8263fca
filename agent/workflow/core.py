"""``DraftCore``: the one async owner of a draft's life — create, get, list, decide, recover.

Used by the API, the CLI and the evals (``asyncio.run`` in the CLI). Each hop of a request:

    create(raw, actor)         intake.accept: validate + mask once → store.insert_request (drafting)
      → _draft                 graph.ainvoke (understand → retrieve → draft → guard ⟲ revise)
      → _finish                settle the draft set → store.save (conditional on version) + audit "created"
    decide(id, decision, actor) decisions.decide (pure) → store.save (conditional) + audit, one transaction
    recover()                  drafting rows whose lease ran out (their process died) are claimed and
                               re-drafted, by whichever instance sweeps first

A request being drafted is leased to the process drafting it (``drafts.owner``, ``lease_until``,
renewed every third of ``WUYE_DRAFT_LEASE_SECONDS`` while it works), so with several instances on one
database a live instance's requests are never taken, and a dead one's are finished by another.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Row
from sqlalchemy.exc import IntegrityError

from agent.errors import Conflict, NotFound, WuyeError
from agent.loop.models import Commitment
from agent.settings import Settings
from agent.vocab import Stage
from agent.workflow import intake, webhooks
from agent.workflow.decisions import EditBlocked, decide
from agent.workflow.graph import build_graph
from agent.workflow.intake import Accepted
from agent.workflow.models import (
    Actor,
    AuditEvent,
    Decision,
    DraftInput,
    DraftPage,
    DraftPending,
    DraftSet,
    DraftSummary,
    RuleHit,
)
from agent.workflow.nodes.common import STAGES, event, failing_stages, now
from agent.workflow.state import DraftState, WorkflowContext
from agent.workflow.store import audit
from agent.workflow.store import conversations as talks
from agent.workflow.store import drafts as store
from agent.workflow.store import loop as loop_store
from agent.workflow.store.database import Database
from agent.workflow.store.drafts import EVERYONE, DraftFilter, Scope

if TYPE_CHECKING:
    from agent.drafting.model import ModelAccess
    from agent.guard import GuardChecker
    from agent.guard.models import GuardResult
    from agent.retrieval.search import Retriever

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Created:
    draft: DraftSet
    replayed: bool  # an Idempotency-Key replay: the stored draft, no new drafting


@dataclass(frozen=True)
class Started:
    """A request accepted and stored (status ``drafting``), drafted in the background.
    ``events``: the stream of a streamed request (``classification``, ``stage`` …, ``done``)."""

    draft_id: str
    replay: DraftSet | None = None  # an Idempotency-Key replay: nothing is drafted
    events: AsyncIterator[dict[str, Any]] | None = None


Emit = Callable[[dict[str, Any]], None]
_END = {"event": "_end"}


class GuardChecks:
    """``decisions.Checks`` over the real guard and PII masking."""

    def __init__(self, checker: GuardChecker, guardrails_dir: Path) -> None:
        self.checker, self.guardrails_dir = checker, guardrails_dir

    def check(self, texts: dict[Stage, str]) -> dict[Stage, GuardResult]:
        return {Stage(s): r for s, r in self.checker.check_set({s.value: t for s, t in texts.items()}).items()}

    def mask(self, text: str) -> str:
        from agent.understand.pii import mask_pii

        return mask_pii(text).text

    def promises(self, texts: dict[Stage, str], approved_at: datetime) -> list[Commitment]:
        from agent.loop import authority
        from agent.loop.commitments import extract

        return extract(texts, approved_at, authority.load(self.guardrails_dir))


class DraftCore:
    def __init__(self, settings: Settings, db: Database, context: WorkflowContext, secret: bytes) -> None:
        self.settings, self.db, self.context, self.secret = settings, db, context, secret
        self.instance = f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"  # this process
        self.lease = timedelta(seconds=settings.draft_lease_seconds)
        self.graph = build_graph()
        self.checks = GuardChecks(context.checker, settings.guardrails_dir)
        self.background: set[asyncio.Task[Any]] = set()  # asynchronous and streamed drafts
        self.on_outbox: Callable[[], None] = lambda: None  # the webhook dispatcher's kick (the API sets it)
        self.on_drafted: Callable[[DraftSet], None] = lambda draft: None  # a background draft is stored (metrics)

    @classmethod
    async def open(cls, settings: Settings, *, retriever: Retriever | None = None,
                   checker: GuardChecker | None = None, model: ModelAccess | None = None) -> DraftCore:
        """Open the store (migrated), the playbook index, the guard and model access."""
        from agent.drafting.model import ModelAccess
        from agent.drafting.prompts import load_pack

        if retriever is None:
            from agent.retrieval.search import Retriever

            retriever = Retriever.open(settings)
        if checker is None:
            from agent.guard import GuardChecker

            checker = GuardChecker.from_settings(settings)
        context = WorkflowContext(settings=settings, retriever=retriever, checker=checker,
                                  model=model or ModelAccess(settings), prompts=load_pack(settings.prompts_dir))
        db = await Database.open(settings)
        return cls(settings, db, context, intake.load_secret(settings))

    async def aclose(self) -> None:
        """Give up the requests this process did not finish (another instance re-drafts them at once)."""
        for task in list(self.background):
            task.cancel()
        await asyncio.gather(*self.background, return_exceptions=True)
        try:
            async with self.db.begin() as conn:
                await store.release(conn, owner=self.instance, at=now())
        except Exception:  # noqa: BLE001 - closing must not fail; their leases run out anyway
            log.warning("could not release unfinished requests", exc_info=True)
        await self.db.dispose()

    def warm_up(self) -> None:
        """Load what the first request would otherwise load (jieba, OpenCC, the guard, the offline
        drafter, litellm + the Router when a model is configured): local work only, nothing stored."""
        from agent.drafting.offline.drafter import draft as draft_offline
        from agent.understand import pii
        from agent.understand.classify import classify_offline
        from agent.workflow.nodes.drafting import draft_request
        from agent.workflow.nodes.retrieve import techniques_for

        started = time.perf_counter()
        pii.warm_up()
        accepted = intake.accept(DraftInput(complaint="電梯壞了兩天,打電話13800000000也沒人來修。", project="-"),
                                 self.settings, self.secret)
        state = {**_initial(accepted), "techniques": techniques_for(self.context.retriever, accepted.complaint_model),
                 "classification": classify_offline(accepted.complaint_model).model_dump(mode="json")}
        draft_offline(draft_request(state))  # type: ignore[arg-type]
        self.context.checker.check_set({"listen": "您先别着急,我都记下了。", "act": "我們馬上安排師傅上門。"},
                                       complaint=accepted.complaint_model)  # + the grounding check
        self.context.checker.warm_up()
        self.context.model.warm_up()
        log.info("drafting warmed up in %.0f ms", (time.perf_counter() - started) * 1000)

    # -- create ------------------------------------------------------------------------------------
    async def create(self, raw: DraftInput, actor: Actor, *, idempotency_key: str | None = None) -> Created:
        """Accept, store and draft a request; returns when the draft set is stored."""
        accepted, draft_id, replay = await self._accept(raw, actor, idempotency_key)
        if replay is not None:
            return Created(replay, replayed=True)
        return Created(await self._draft(draft_id, 1, accepted, actor.id, now()), replayed=False)

    async def start(self, raw: DraftInput, actor: Actor, *, idempotency_key: str | None = None,
                    stream: bool = False) -> Started:
        """Accept and store a request, then draft it in a background task of this process (leased as
        usual: if the process dies, another instance re-drafts it). ``stream``: ``Started.events``
        yields the graph's events and ``done``; a reader that goes away loses nothing (the task is
        not tied to it, and the draft set is stored either way)."""
        accepted, draft_id, replay = await self._accept(raw, actor, idempotency_key)
        if replay is not None:
            return Started(draft_id, replay=replay)
        queue: asyncio.Queue[dict[str, Any]] | None = asyncio.Queue() if stream else None

        async def work() -> None:
            try:
                self.on_drafted(await self._draft(draft_id, 1, accepted, actor.id, now(),
                                                  emit=queue.put_nowait if queue else None))
            except Exception as exc:  # noqa: BLE001 - stored as failed by _draft; the stream is told
                if queue is not None:
                    queue.put_nowait({"event": "error", **_error_body(exc)})
            finally:
                if queue is not None:
                    queue.put_nowait(_END)

        task = asyncio.create_task(work(), name=f"draft-{draft_id}")
        self.background.add(task)
        task.add_done_callback(self.background.discard)
        return Started(draft_id, events=_drain(queue) if queue is not None else None)

    async def _accept(self, raw: DraftInput, actor: Actor, idempotency_key: str | None
                      ) -> tuple[Accepted, str, DraftSet | None]:
        """intake.accept → the request stored as ``drafting`` (with its conversation turn); or the
        stored draft of an Idempotency-Key replay."""
        accepted = intake.accept(raw, self.settings, self.secret)
        idem = None
        if idempotency_key:
            idem = (idempotency_key, intake.keyed_hash(self.secret, raw.model_dump_json(), "request"))
            replay = await self._replay(actor, *idem)
            if replay is not None:
                return accepted, replay.id, replay
        draft_id = "d_" + uuid.uuid4().hex
        try:
            async with self.db.begin() as conn:
                seq = None
                if accepted.conversation:
                    seq, before = await talks.append(
                        conn, conversation_id=accepted.conversation, project=accepted.project, owner=True,
                        turn={"role": "业主", "text": accepted.complaint_model, "shown": accepted.complaint_masked,
                              "draft_id": draft_id})
                    kept = [intake.MaskedTurn(role=t["role"], text=t["text"]) for t in before]
                    accepted = accepted.model_copy(update={"history": [*kept, *accepted.history][-40:]})
                await store.insert_request(conn, draft_id=draft_id, key_id=actor.id, accepted=accepted, idem=idem,
                                           owner=self.instance, lease_until=now() + self.lease,
                                           conversation_seq=seq)
        except IntegrityError:  # a concurrent request with the same Idempotency-Key won the race
            replay = await self._replay(actor, *idem) if idem else None
            if replay is None:
                raise
            return accepted, replay.id, replay
        return accepted, draft_id, None

    async def _replay(self, actor: Actor, key: str, fingerprint: str) -> DraftSet | None:
        async with self.db.connect() as conn:
            seen = await store.idempotent(conn, key_id=actor.id, idem_key=key)
            row = await store.get(conn, draft_id=seen.draft_id) if seen is not None else None
        if seen is None or row is None:
            return None
        if seen.request_hash != fingerprint:
            raise Conflict("该 Idempotency-Key 已用于另一份不同的请求,请换一个新的键。",
                           "This Idempotency-Key was already used with a different request body.",
                           code="idempotency_mismatch")
        if row.status == "failed":
            raise Conflict("使用该 Idempotency-Key 的请求此前处理失败,请换一个新的键重试。",
                           "The request with this Idempotency-Key failed earlier; retry with a new key.",
                           code="idempotency_failed", draft_id=row.id)
        if row.status == "drafting":
            raise Conflict("相同的请求正在处理中,请稍后再查询。", "The same request is still being processed; retry shortly.",
                           code="idempotency_in_progress", draft_id=row.id, retry_after_seconds=2)
        return DraftSet.model_validate(row.data)

    async def _draft(self, draft_id: str, version: int, accepted: Accepted, key_id: str, created_at: datetime,
                     note: str | None = None, emit: Emit | None = None) -> DraftSet:
        """Run the graph on the accepted request and store the draft set (version + 1). ``emit``: a
        streamed request; the graph runs with LangGraph's ``astream`` and its custom events (the
        nodes' stream writer) go to ``emit``, then ``done`` with the stored draft set."""
        started = time.perf_counter()
        holder = asyncio.create_task(self._hold(draft_id), name=f"lease-{draft_id}")
        try:
            if emit is None:
                final: DraftState = await self.graph.ainvoke(_initial(accepted), context=self.context)
            else:
                final = await self._run_streamed(_initial(accepted, stream=True), emit)
        except Exception as exc:
            message = exc.message if isinstance(exc, WuyeError) else f"{type(exc).__name__}: {exc}"
            log.exception("drafting failed for %s", draft_id)
            async with self.db.begin() as conn:
                await store.fail(conn, draft_id=draft_id, expected_version=version, error=message)
            raise
        finally:
            holder.cancel()
        draft = settle(draft_id, version + 1, accepted, final, key_id, created_at, time.perf_counter() - started)
        hits = [RuleHit.of(s.stage, v) for s in draft.stages for v in s.guardrail.violations]
        async with self.db.begin() as conn:
            if accepted.conversation:
                seq = await store.conversation_seq(conn, draft_id=draft_id)
                draft = draft.model_copy(update={"conversation_id": accepted.conversation, "conversation_seq": seq})
            if not await store.save(conn, draft=draft, expected_version=version, first=True):
                raise Conflict("该请求已由另一个进程起草。", "another process drafted this request.",
                               code="drafted_elsewhere")
            await audit.append(conn, AuditEvent(
                draft_id=draft_id, actor_key_id=key_id, role="agent", action="created", at=now(),
                after={s.stage.value: s.text for s in draft.stages}, rule_hits=hits, note=note))
            queued = await webhooks.enqueue(conn, None, draft)
        if queued:
            self.on_outbox()
        draft = await self._freshness(draft)
        if emit is not None:
            emit({"event": "done", "draft": draft.model_dump(mode="json")})
        return draft

    async def _run_streamed(self, state: DraftState, emit: Emit) -> DraftState:
        """``graph.astream`` with the nodes' custom events passed on and the final state kept."""
        final: DraftState = state
        async for mode, chunk in self.graph.astream(state, context=self.context, stream_mode=["custom", "values"]):
            if mode == "custom":
                emit(chunk)
            else:
                final = chunk
        return final

    async def _freshness(self, draft: DraftSet) -> DraftSet:
        """A waiting draft whose conversation got a newer owner message is stale (not stored: it is
        a fact about the conversation, read when the draft is)."""
        if not draft.conversation_id or draft.stale or draft.status not in ("pending_approval", "flagged"):
            return draft
        async with self.db.connect() as conn:
            latest = await talks.owner_messages(conn, conversation_id=draft.conversation_id)
        return draft.model_copy(update={"stale": True}) if latest > (draft.conversation_seq or 0) else draft

    async def _hold(self, draft_id: str) -> None:
        """Renew this process's lease on a request every third of the lease while it drafts it."""
        period = self.lease.total_seconds() / 3
        while True:
            await asyncio.sleep(period)
            try:
                async with self.db.begin() as conn:
                    if not await store.extend_lease(conn, draft_id=draft_id, owner=self.instance,
                                                    lease_until=now() + self.lease):
                        return  # taken over: our result will be refused by the version check
            except Exception:  # noqa: BLE001 - try again next period; the lease has two more
                log.warning("could not renew the lease of %s", draft_id, exc_info=True)

    # -- read -------------------------------------------------------------------------------------
    async def get(self, draft_id: str, scope: Scope = EVERYONE) -> DraftSet:
        async with self.db.connect() as conn:
            row = await store.get(conn, draft_id=draft_id, scope=scope)
        if row is None or row.data is None:
            raise NotFound(f"找不到草稿 {draft_id}。", f"No draft {draft_id}.", code="draft_not_found")
        return await self._freshness(DraftSet.model_validate(row.data))

    async def status(self, draft_id: str, scope: Scope = EVERYONE) -> DraftSet | DraftPending:
        """The draft set, or (an asynchronous request still being drafted, or one that failed) where it is."""
        async with self.db.connect() as conn:
            row = await store.get(conn, draft_id=draft_id, scope=scope)
        if row is None:
            raise NotFound(f"找不到草稿 {draft_id}。", f"No draft {draft_id}.", code="draft_not_found")
        if row.data is None:
            return DraftPending(id=row.id, status="failed" if row.status == "failed" else "drafting",
                                created_at=row.created_at, error=row.error if row.status == "failed" else None)
        return await self._freshness(DraftSet.model_validate(row.data))

    async def list(self, scope: Scope, flt: DraftFilter, cursor: int | None = None, limit: int = 50) -> DraftPage:
        async with self.db.connect() as conn:
            rows, nxt = await store.page(conn, scope=scope, flt=flt, cursor=cursor, limit=limit)
        return DraftPage(items=[summary(r) for r in rows], next_cursor=str(nxt) if nxt else None)

    # -- decide -----------------------------------------------------------------------------------
    async def decide(self, draft_id: str, decision: Decision, actor: Actor, scope: Scope = EVERYONE) -> DraftSet:
        if decision.stages:
            decision = decision.model_copy(update={"stages": {
                s: intake.clean_edit(t, self.settings) for s, t in decision.stages.items()}})
        draft = await self.get(draft_id, scope)
        try:
            new, entry = decide(draft, decision, actor, now(), self.checks)
        except EditBlocked as blocked:
            async with self.db.begin() as conn:
                await audit.append(conn, blocked.event)
            raise
        async with self.db.begin() as conn:
            if not await store.save(conn, draft=new, expected_version=draft.version):
                current = await store.get(conn, draft_id=draft_id)
                status = current.status if current is not None else "unknown"
                raise Conflict(f"该草稿已被他人处理(当前状态:{status}),请刷新后查看。",
                               f"someone else decided this draft set first (now {status}).",
                               code="already_decided", status=status,
                               version=current.version if current is not None else None,
                               current=current.data if current is not None else None)
            await audit.append(conn, entry)
            await loop_store.recorded(conn, before=draft, after=new, action=decision.action, actor=actor.id,
                                      at=entry.at)
            queued = await webhooks.enqueue(conn, draft, new)
            if new.conversation_id and new.status == "approved" and new.final:
                reply = new.reply()
                await talks.append(conn, conversation_id=new.conversation_id, project=new.meta.get("project") or "",
                                   owner=False, turn={"role": "客服", "text": self.checks.mask(reply)[:4000],
                                                      "draft_id": new.id})
        if queued:
            self.on_outbox()
        return new

    # -- conversations: refresh a stale draft -------------------------------------------------------
    async def refresh(self, draft_id: str, actor: Actor, scope: Scope = EVERYONE) -> DraftSet:
        """Re-draft a stale draft for its conversation's newest owner message (the turns before it as
        history); the stale draft is rejected as superseded. Returns the new draft set."""
        draft = await self.get(draft_id, scope)
        if not draft.stale:
            raise Conflict("该草稿不是过时草稿,无需刷新。", "this draft is not stale; there is nothing to refresh.",
                           code="not_stale", status=draft.status)
        async with self.db.connect() as conn:
            row = await store.get(conn, draft_id=draft_id)
            talk = await talks.get(conn, conversation_id=draft.conversation_id or "")
        turns = list(talk.turns) if talk is not None else []
        last = max((i for i, t in enumerate(turns) if t["role"] == "业主"), default=None)
        if row is None or last is None:
            raise NotFound("找不到该会话的消息。", "the conversation has no messages.", code="conversation_not_found")
        old = Accepted.model_validate(row.request)
        accepted = old.model_copy(update={
            "complaint_masked": turns[last].get("shown") or turns[last]["text"],
            "complaint_model": turns[last]["text"],
            "history": [intake.MaskedTurn(role=t["role"], text=t["text"]) for t in turns[:last]][-40:]})
        new_id = "d_" + uuid.uuid4().hex
        async with self.db.begin() as conn:
            await store.insert_request(conn, draft_id=new_id, key_id=actor.id, accepted=accepted,
                                       owner=self.instance, lease_until=now() + self.lease,
                                       conversation_seq=talk.owner_messages)
        new = await self._draft(new_id, 1, accepted, actor.id, now(), note=f"refresh of {draft_id}")
        try:
            await self.decide(draft_id, Decision(action="reject", reason=f"已按会话最新消息刷新为 {new_id} / "
                                                 f"superseded by {new_id}"), actor, scope)
        except Conflict:
            pass  # decided meanwhile: nothing to supersede
        return new

    # -- rewrite one stage ---------------------------------------------------------------------------
    async def rewrite(self, draft_id: str, stage: Stage | str, style: str, actor: Actor,
                      scope: Scope = EVERYONE) -> dict[str, Any]:
        """A new text for one stage in ``style``, guarded and audited; it enters the draft set only
        through an ``edit`` decision. A text that breaks a block rule is refused (``rewrite_blocked``,
        422, with the violations and their spans)."""
        from agent.workflow.decisions import blocking_hits, masked_result
        from agent.workflow.nodes.drafting import draft_request
        from agent.workflow.nodes.retrieve import techniques_for
        from agent.workflow.rewrite import rewrite

        stage = Stage(stage)
        draft = await self.get(draft_id, scope)
        if draft.status not in ("pending_approval", "flagged"):
            raise Conflict(f"该草稿已处理(当前状态:{draft.status}),不能再改写。",
                           f"this draft set is already {draft.status}; it cannot be rewritten.",
                           code="already_decided", status=draft.status)
        async with self.db.connect() as conn:
            row = await store.get(conn, draft_id=draft_id)
        accepted = Accepted.model_validate(row.request)
        state = {**_initial(accepted), "classification": draft.classification.model_dump(mode="json"),
                 "techniques": techniques_for(self.context.retriever, accepted.complaint_model)}
        request = draft_request(state)  # type: ignore[arg-type]
        out = await rewrite(self.context, draft, request, stage, style, accepted.script,  # type: ignore[arg-type]
                            accepted.script_variant)
        text = intake.clean_edit(out.text, self.settings)
        result = self.checks.check({stage: text})[stage]
        hits = blocking_hits({stage: result}, self.checks.mask)
        before, after = {stage.value: draft.stage(stage).text}, {stage.value: self.checks.mask(text)}
        entry = AuditEvent(draft_id=draft_id, actor_key_id=actor.id, role=actor.role,
                           action="rewrite_blocked" if hits else "rewrite", at=now(), before=before, after=after,
                           rule_hits=hits, note=f"style={style} drafter={out.drafter}")
        async with self.db.begin() as conn:
            await audit.append(conn, entry)
        guard = masked_result(result, self.checks).model_dump(mode="json")
        if hits:
            from agent.errors import InvalidInput

            raise InvalidInput("改写后的文本违反必须避免的话术规范,未采用;请换一种改写或手动修改。",
                               "the rewritten text breaks a block rule and was not used; try another style or edit it.",
                               code="rewrite_blocked", text=after[stage.value], guardrail=guard,
                               violations=[h.model_dump(mode="json") for h in hits])
        return {"draft_id": draft_id, "version": draft.version, "stage": stage.value, "style": style,
                "before": before[stage.value], "text": after[stage.value], "guardrail": guard, "drafter": out.drafter}

    # -- recover ----------------------------------------------------------------------------------
    async def recover(self) -> int:
        """Re-draft requests left ``drafting`` by a process that died (their lease ran out); each is
        claimed with a conditional update, so several instances sweeping at once draft it once."""
        async with self.db.connect() as conn:
            rows = await store.unfinished(conn, at=now())
        done = 0
        for row in rows:
            async with self.db.begin() as conn:
                if not await store.claim(conn, draft_id=row.id, version=row.version, owner=self.instance,
                                         lease_until=now() + self.lease):
                    continue  # another process took it
            try:
                await self._draft(row.id, row.version + 1, Accepted.model_validate(row.request), row.agent_key_id,
                                  row.created_at, note="re-drafted after its process stopped (masked request)")
                done += 1
            except Exception:  # keep going: one bad row must not stop the others
                log.exception("could not recover draft request %s", row.id)
        return done


async def _drain(queue: asyncio.Queue[dict[str, Any]]) -> AsyncIterator[dict[str, Any]]:
    while (item := await queue.get()) is not _END:
        yield item


def _error_body(exc: Exception) -> dict[str, Any]:
    if isinstance(exc, WuyeError):
        return {"code": exc.code, "message_zh": exc.zh, "message_en": exc.en}
    return {"code": "drafting_failed", "message_zh": "起草失败,请稍后重试。", "message_en": "drafting failed; retry later."}


def _initial(accepted: Accepted, *, stream: bool = False) -> DraftState:
    return {"complaint_model": accepted.complaint_model, "script": accepted.script.value,
            "script_variant": accepted.script_variant, "stream": stream,
            "channel": accepted.channel.value if accepted.channel else None,
            "history_masked": [turn.model_dump() for turn in accepted.history], "llm_calls": 0,
            "timings_ms": {}, "events": [event("created")]}


def settle(draft_id: str, version: int, accepted: Accepted, state: DraftState, key_id: str,
           created_at: datetime, seconds: float) -> DraftSet:
    """The finished graph state → the draft set: flagged when a stage still breaks a block rule."""
    failing = failing_stages(state["guard_results"])
    events = [*state.get("events", []),
              event("drafted", model=state["model"], drafter=state["drafter"], llm_calls=state.get("llm_calls", 0),
                    prompt=state["prompt"], pii=accepted.pii_kinds)]
    if failing:
        events.append(event("flagged", stages=failing))
    timings = {k: round(v, 2) for k, v in {**state.get("timings_ms", {}), "total": seconds * 1000}.items()}
    return DraftSet.model_validate({
        "id": draft_id, "version": version, "status": "flagged" if failing else "pending_approval",
        "script": accepted.script, "complaint_masked": accepted.complaint_masked,
        "classification": state["classification"],
        "stages": [{"stage": s, "text": state["drafts"][s]["text"], "techniques": state["drafts"][s]["techniques"],
                    "guardrail": state["guard_results"][s]} for s in STAGES],
        "model": state["model"], "drafter": state["drafter"], "prompt": state["prompt"],
        "llm_calls": state.get("llm_calls", 0), "timings_ms": timings, "created_at": created_at, "events": events,
        "meta": {"project": accepted.project, "agent": key_id,
                 "channel": accepted.channel.value if accepted.channel else None, "owner_ref": accepted.owner_ref},
        "facts_used": _facts(accepted.complaint_model),
    })


def _facts(complaint: str) -> list[dict[str, Any]]:
    from agent.understand.facts import extract_facts

    return [fact.as_dict() for fact in extract_facts(complaint)]


def summary(row: Row) -> DraftSummary:
    return DraftSummary(
        id=row.id, status=row.status, project=row.project, agent_key_id=row.agent_key_id, category=row.category,
        severity=row.severity, escalate=bool(row.escalate), escalate_reason=row.escalate_reason, drafter=row.drafter,
        rule_ids=[p for p in row.rule_ids.split(",") if p],
        violation_categories=[p for p in row.violation_categories.split(",") if p],
        created_at=row.created_at, updated_at=row.updated_at)
