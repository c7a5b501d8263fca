"""Nothing accepted is lost: a request the store holds as ``drafting`` when its process died is
re-drafted on start-up, once, from its masked form; a draft waiting for approval survives a restart."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from agent.workflow.core import DraftCore
from agent.workflow.intake import accept, load_secret
from agent.workflow.models import DraftInput
from agent.workflow.store import drafts as store
from agent.workflow.store.database import Database

from .conftest import make_settings, running


async def _accepted(settings, *ids: str) -> None:  # type: ignore[no-untyped-def]
    """What POST /v1/drafts had committed when the process died: masked requests, status drafting."""
    db = await Database.open(settings)
    async with db.begin() as conn:
        for draft_id in ids:
            raw = DraftInput(complaint=f"{draft_id}:电梯困人了!我电话13812345678,快来人!", project="翠湖苑")
            await store.insert_request(conn, draft_id=draft_id, key_id="k_agent",
                                       accepted=accept(raw, settings, load_secret(settings)))
    await db.dispose()


async def _statuses(core: DraftCore) -> dict[str, str]:
    async with core.db.connect() as conn:
        rows, _ = await store.page(conn, scope=store.EVERYONE, flt=store.DraftFilter(status=("drafting", "pending_approval",
                                                                                              "flagged", "failed")))
    return {r.id: r.status for r in rows}


async def test_requests_left_drafting_are_drafted_on_start_up_once(tmp_path, shared_clients):
    settings = make_settings(tmp_path)
    await _accepted(settings, "d_a", "d_b")
    async with running(settings, shared_clients) as api:
        assert api.model.calls == 2
        assert await _statuses(api.core) == {"d_a": "pending_approval", "d_b": "pending_approval"}
        draft = await api.core.get("d_a")
        assert draft.meta["agent"] == "k_agent" and "〔电话1〕" in draft.complaint_masked
        sup = await api.key("supervisor")
        audit = (await api.client.get("/v1/audit", params={"draft_id": "d_a"}, headers=sup)).json()
        assert audit["items"][0]["action"] == "created" and "restart" in audit["items"][0]["note"]
    async with running(settings, shared_clients) as again:  # a second start-up has nothing left to do
        assert again.model.calls == 0


async def test_concurrent_recoveries_claim_each_request_once(tmp_path, shared_clients):
    """Two processes starting together must not draft the same request twice."""
    settings = make_settings(tmp_path, model=None)
    ids = [f"d_{i}" for i in range(6)]
    await _accepted(settings, *ids)
    cores = [await DraftCore.open(settings, retriever=shared_clients[0], checker=shared_clients[1]) for _ in range(2)]
    done = await asyncio.gather(*(core.recover() for core in cores))
    assert sum(done) == len(ids)
    assert set((await _statuses(cores[0])).values()) == {"pending_approval"}
    for core in cores:
        await core.aclose()


async def test_requests_in_flight_now_are_not_recovered(tmp_path, shared_clients):
    """A row accepted after this process started belongs to a live request: leave it alone."""
    settings = make_settings(tmp_path, model=None)
    started = datetime.now(UTC) - timedelta(seconds=5)
    await _accepted(settings, "d_live")
    core = await DraftCore.open(settings, retriever=shared_clients[0], checker=shared_clients[1])
    assert await core.recover(before=started) == 0
    assert await _statuses(core) == {"d_live": "drafting"}
    await core.aclose()


async def test_pending_draft_survives_a_restart_and_is_approved_after(tmp_path, shared_clients):
    settings = make_settings(tmp_path)
    async with running(settings, shared_clients) as first:
        agent, sup = await first.key("agent"), await first.key("supervisor")
        draft = await first.draft(agent)
        assert draft["status"] == "pending_approval"
    async with running(settings, shared_clients) as second:
        got = await second.client.get(f"/v1/drafts/{draft['id']}", headers=agent)
        assert got.status_code == 200 and got.json() == draft
        r = await second.client.post(f"/v1/drafts/{draft['id']}/decision", json={"action": "approve"}, headers=agent)
        assert r.status_code == 200 and r.json()["status"] == "approved" and r.json()["final"]
        audit = (await second.client.get("/v1/audit", params={"draft_id": draft["id"]}, headers=sup)).json()
    assert [e["action"] for e in audit["items"]] == ["created", "approve"]
