"""Nothing accepted is lost: a request the store holds as ``drafting`` whose process died (its lease
ran out) is re-drafted, once, from its masked form, by whichever process sweeps first; a request a live
process holds is left alone; a draft waiting for approval survives a restart."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

from agent.workflow.core import DraftCore
from agent.workflow.intake import accept, load_secret
from agent.workflow.models import Actor, DraftInput
from agent.workflow.store import drafts as store
from agent.workflow.store.database import Database

from .conftest import make_settings, running


async def _accepted(settings, *ids: str, owner: str | None = None, lease_until=None) -> None:  # type: ignore[no-untyped-def]
    """What POST /v1/drafts had committed when the process died: masked requests, status drafting
    (no lease: as a process that died long ago, or before leases existed, left them)."""
    db = await Database.open(settings)
    async with db.begin() as conn:
        for draft_id in ids:
            raw = DraftInput(complaint=f"{draft_id}:电梯困人了!我电话13812345678,快来人!", project="翠湖苑")
            await store.insert_request(conn, draft_id=draft_id, key_id="k_agent",
                                       accepted=accept(raw, settings, load_secret(settings)),
                                       owner=owner, lease_until=lease_until)
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
        assert audit["items"][0]["action"] == "created" and "stopped" in audit["items"][0]["note"]
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


async def test_a_request_a_live_process_holds_is_left_alone_until_its_lease_runs_out(tmp_path, shared_clients):
    settings = make_settings(tmp_path, model=None)
    held = datetime.now(UTC) + timedelta(seconds=60)
    await _accepted(settings, "d_live", owner="other-host:123:abcd", lease_until=held)
    await _accepted(settings, "d_dead", owner="other-host:456:ef01", lease_until=datetime.now(UTC) - timedelta(seconds=1))
    core = await DraftCore.open(settings, retriever=shared_clients[0], checker=shared_clients[1])
    assert await core.recover() == 1
    assert await _statuses(core) == {"d_live": "drafting", "d_dead": "pending_approval"}
    async with core.db.begin() as conn:  # the live process stopped cleanly: it gave its request up
        assert await store.release(conn, owner="other-host:123:abcd", at=datetime.now(UTC)) == 1
    assert await core.recover() == 1
    assert await _statuses(core) == {"d_live": "pending_approval", "d_dead": "pending_approval"}
    await core.aclose()


async def test_a_long_draft_keeps_its_lease_and_a_closing_core_releases_its_requests(tmp_path, shared_clients):
    """While a process drafts, it renews its lease (another instance must not take the request);
    a core that closes gives up what it did not finish, so others re-draft it at once."""
    settings = make_settings(tmp_path, model=None, draft_lease_seconds=1.5)
    core = await DraftCore.open(settings, retriever=shared_clients[0], checker=shared_clients[1])
    other = await DraftCore.open(settings, retriever=shared_clients[0], checker=shared_clients[1])
    gate = asyncio.Event()
    graph = core.graph

    class SlowGraph:  # the model answers when the test says so
        async def ainvoke(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            await asyncio.wait_for(gate.wait(), timeout=60)
            return await graph.ainvoke(*args, **kwargs)

    core.graph = SlowGraph()  # type: ignore[assignment]
    raw = DraftInput(complaint="楼上漏水,天花板都泡坏了。", project="翠湖苑")

    creating = asyncio.create_task(core.create(raw, Actor(id="k_agent", role="agent")))
    until = time.monotonic() + 4  # the lease (1.5 s) would run out twice without renewal
    while time.monotonic() < until:
        await asyncio.sleep(0.5)
        assert await other.recover() == 0
    gate.set()
    created = await creating
    assert created.draft.status == "pending_approval" and created.draft.version == 2

    core.graph = SlowGraph()  # type: ignore[assignment]
    gate.clear()
    stuck = asyncio.create_task(core.create(raw, Actor(id="k_agent", role="agent")))
    await asyncio.sleep(0.3)
    stuck.cancel()  # the server shuts down with the request in flight
    await asyncio.gather(stuck, return_exceptions=True)
    await core.aclose()
    assert await other.recover() == 1  # at once, not after the lease
    assert set((await _statuses(other)).values()) == {"pending_approval"}
    await other.aclose()


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
