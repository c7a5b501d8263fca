"""The async drafting path (what the API runs): concurrent drafts wait on the model together,
retries/repair/fallback behave like the sync path, and both paths share one checkpointer."""

from __future__ import annotations

import asyncio
import json

import httpx
import respx

from agent.drafting.model import LLMClient
from agent.workflow.core import Decision
from tests.workflow.conftest import BAD_ACT, LLM_URL, answer_for, chat, responder
from tests.workflow.test_llm import MESSAGES
from tests.workflow.test_llm import parse as _parse

COMPLAINT = "楼上卫生间漏水到我家天花板已经三天了,报修两次都没人来,墙皮都泡起来了!"


async def test_concurrent_drafts_wait_on_the_model_together(make_service, model_settings):
    """N drafts started at once must all be waiting on the model at the same moment: nothing
    (a shared lock, a small thread pool, a blocking call) may serialise them."""
    n = 12
    service = make_service(model_settings)
    waiting = 0
    most = 0
    everyone_in = asyncio.Event()

    async def slow_model(request: httpx.Request) -> httpx.Response:
        nonlocal waiting, most
        waiting += 1
        most = max(most, waiting)
        if waiting == n:
            everyone_in.set()
        try:
            await asyncio.wait_for(everyone_in.wait(), timeout=5)  # released once all n are in
        except TimeoutError:
            pass
        finally:
            waiting -= 1
        return httpx.Response(200, json=chat(json.dumps(answer_for(request), ensure_ascii=False)))

    with respx.mock(assert_all_called=False) as mock:
        mock.post(LLM_URL).mock(side_effect=slow_model)
        drafts = await asyncio.gather(*(service.acreate(f"{COMPLAINT}(第{i}次)", draft_id=f"c-{i}")
                                        for i in range(n)))
    assert most == n
    assert everyone_in.is_set()
    assert {d.id for d in drafts} == {f"c-{i}" for i in range(n)}
    assert all(d.status == "pending_approval" and d.llm_calls == 1 for d in drafts)


async def test_async_and_sync_paths_give_the_same_draft(make_service, model_settings):
    service = make_service(model_settings)
    with respx.mock(assert_all_called=False) as mock:
        mock.post(LLM_URL).mock(side_effect=responder({}, {}))
        sync = service.create(COMPLAINT)
        done = await service.acreate(COMPLAINT)
    assert done.status == sync.status == "pending_approval"
    assert [s.text for s in done.stages] == [s.text for s in sync.stages]
    assert [[t.id for t in s.techniques] for s in done.stages] == [[t.id for t in s.techniques] for s in sync.stages]
    assert done.classification == sync.classification and done.llm_calls == sync.llm_calls == 1
    assert set(done.timings_ms) == set(sync.timings_ms)
    assert [e.action for e in done.events] == [e.action for e in sync.events]


async def test_async_revise_reasks_only_the_failing_stage(make_service, model_settings):
    service = make_service(model_settings)
    with respx.mock(assert_all_called=False) as mock:
        route = mock.post(LLM_URL).mock(side_effect=responder({"act": BAD_ACT}, {}))
        draft = await service.acreate(COMPLAINT)
    assert route.call_count == 2 and draft.llm_calls == 2
    second = json.loads(route.calls[1].request.content)["messages"][-1]["content"]
    assert '"only_stages": ["act"]' in second
    assert draft.status == "pending_approval" and all(s.guardrail.passed for s in draft.stages)


async def test_drafts_cross_between_the_sync_and_async_paths(make_service, model_settings):
    """One checkpointer serves both graphs: what one path writes, the other reads and resumes."""
    service = make_service(model_settings)
    with respx.mock(assert_all_called=False) as mock:
        mock.post(LLM_URL).mock(side_effect=responder({}, {}))
        made_async = await service.acreate(COMPLAINT, draft_id="from-async")
        made_sync = service.create(COMPLAINT, draft_id="from-sync")
    assert service.get("from-async").status == "pending_approval"
    assert (await service.aget("from-sync")).status == "pending_approval"
    assert service.decide(made_async.id, Decision(action="approve"), actor="a").status == "approved"
    rejected = await service.adecide(made_sync.id, Decision(action="reject", reason="重复工单"), actor="a")
    assert rejected.status == "rejected"
    assert (await service.aget("from-async")).final is not None


async def test_async_create_refuses_an_existing_id(make_service, model_settings):
    from agent.errors import InvalidInput

    service = make_service(model_settings)
    with respx.mock(assert_all_called=False) as mock:
        mock.post(LLM_URL).mock(side_effect=responder({}))
        await service.acreate(COMPLAINT, draft_id="same-id")
        try:
            await service.acreate(COMPLAINT, draft_id="same-id")
        except InvalidInput as exc:
            assert exc.code == "draft_exists"
        else:
            raise AssertionError("a second draft with the same id must be refused")


async def test_acomplete_retries_repairs_and_falls_back_like_complete(model_settings):
    settings = model_settings.model_copy(update={"fallbacks": ["openai/backup-model"], "retries": 1})
    with respx.mock(assert_all_called=True) as mock:
        mock.post(LLM_URL).mock(side_effect=[
            httpx.Response(503, json={"error": {"message": "busy"}}),  # primary: retried once …
            httpx.Response(200, json=chat("not json")),  # … then answers badly
            httpx.Response(200, json=chat('{"nope": 1}')),  # repair fails too → next model
            httpx.Response(200, json=chat('{"ok": true}')),  # the fallback answers
        ])
        result = await LLMClient(settings).acomplete(MESSAGES, _parse, lambda e: f"无效:{e}")
    assert result.value == {"ok": True} and result.model == "openai/backup-model" and result.drafter == "model"
    assert result.calls == 4
    actions = [e["action"] for e in result.events]
    assert actions == ["model_retry", "repair", "model_failed"]


async def test_async_path_ends_with_the_offline_drafter(make_service, model_settings):
    """When the configured model refuses (401, not retried), the async path still returns a
    usable draft set from the offline drafter, labelled as such."""
    service = make_service(model_settings)
    with respx.mock(assert_all_called=False) as mock:
        route = mock.post(LLM_URL).mock(return_value=httpx.Response(401, json={"error": {"message": "bad key"}}))
        draft = await service.acreate(COMPLAINT)
    assert route.call_count == 1
    assert draft.drafter == "offline_fallback" and draft.model == "wuye-offline/drafter"
    assert draft.status in ("pending_approval", "flagged") and all(s.text for s in draft.stages)
    assert any(e.action == "fallback" for e in draft.events)


async def test_async_graph_runs_its_concerns_and_routers_on_the_loop(make_service, model_settings, monkeypatch):
    """LangGraph hands a sync node or router of an async graph to a worker thread (a thread hop
    and a GIL hand-over per draft); the async graph wraps them so they run on the event loop.
    Covers the re-ask inside the draft step and the review router."""
    import threading

    import agent.workflow.graph as graph_module
    from agent.workflow.graph import STEPS, When

    threads: dict[str, set[str]] = {}

    def recorded(name, fn):  # type: ignore[no-untyped-def]
        def run(*args):  # type: ignore[no-untyped-def]
            threads.setdefault(name, set()).add(threading.current_thread().name)
            return fn(*args)

        return run

    nodes = {name: recorded(name, fn) for name, fn in graph_module.NODES.items()}
    steps = {name: tuple(When(recorded("should_revise", item.condition), item.names) if isinstance(item, When)
                         else item for item in chain) for name, chain in STEPS.items()}
    monkeypatch.setattr(graph_module, "NODES", nodes)
    monkeypatch.setattr(graph_module, "STEPS", steps)
    monkeypatch.setattr(graph_module, "after_review", recorded("after_review", graph_module.after_review))
    service = make_service(model_settings)
    with respx.mock(assert_all_called=False) as mock:
        mock.post(LLM_URL).mock(side_effect=responder({"act": BAD_ACT}, {}))
        draft = await service.acreate(COMPLAINT)
        done = await service.adecide(draft.id, Decision(action="approve"), actor="k1")
    assert draft.llm_calls == 2 and done.status == "approved"  # re-asked once, then approved
    loop_thread = threading.current_thread().name
    assert {"intake", "guard", "persist", "should_revise", "review", "after_review", "finalize"} <= set(threads)
    assert all(names == {loop_thread} for names in threads.values()), threads
