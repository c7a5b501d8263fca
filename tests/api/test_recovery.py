"""Nothing accepted is lost: requests stored as ``received`` are finished on start-up, once."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from api.drafting import Runtime, recover_pending
from api.metrics import Metrics
from api.store import (
    Database,
    DraftRequest,
    create_request,
    get_draft,
    mark_request,
    reset_interrupted_recoveries,
    run_migrations,
)

from .conftest import FakeService, make_settings, running


async def _accepted(settings, *ids: str) -> None:  # type: ignore[no-untyped-def]
    """What POST /v1/drafts had committed when the process died: request rows, no drafts."""
    run_migrations(settings)
    db = Database.from_settings(settings)
    async with db.session() as s:
        for draft_id in ids:
            await create_request(s, draft_id=draft_id, key_id="k_agent", project="翠湖苑",
                                 complaint_masked=f"{draft_id}:电梯困人了,快来人!", history=[], channel=None,
                                 owner_ref=None)
    await db.dispose()


async def test_received_requests_are_drafted_on_start_up(tmp_path):
    settings = make_settings(tmp_path)
    await _accepted(settings, "d_a", "d_b")
    service = FakeService()
    async with running(settings, service) as api:
        assert service.create_calls == 2
        async with api.app.state.db.session() as s:
            states = (await s.execute(select(DraftRequest.state))).scalars().all()
            draft = await get_draft(s, draft_id="d_a")
        assert states == ["done", "done"]
        assert draft.agent_key_id == "k_agent" and draft.data["complaint_masked"].startswith("d_a:")
    async with running(settings, service):  # a second start-up has nothing left to do
        assert service.create_calls == 2


async def test_a_finished_workflow_is_only_stored_not_re_run(tmp_path):
    settings = make_settings(tmp_path)
    await _accepted(settings, "d_done")
    service = FakeService()
    await service.acreate("电梯困人了", draft_id="d_done")  # the workflow finished, the process died after
    async with running(settings, service) as api:
        assert service.create_calls == 1
        async with api.app.state.db.session() as s:
            assert (await get_draft(s, draft_id="d_done")).status == "pending_approval"


async def test_concurrent_recoveries_claim_each_request_once(tmp_path):
    """Two workers starting together must not draft the same request twice."""
    settings = make_settings(tmp_path)
    ids = [f"d_{i}" for i in range(6)]
    await _accepted(settings, *ids)
    db = Database.from_settings(settings)
    services = [FakeService(), FakeService()]
    runtimes = [Runtime(settings=settings, db=db, service=svc, metrics=Metrics()) for svc in services]
    done = await asyncio.gather(*(recover_pending(rt) for rt in runtimes))
    assert sum(done) == len(ids)
    assert sum(svc.create_calls for svc in services) == len(ids)
    await db.dispose()


async def test_interrupted_recoveries_are_released(tmp_path):
    settings = make_settings(tmp_path)
    await _accepted(settings, "d_x")
    db = Database.from_settings(settings)
    async with db.session() as s:
        assert await mark_request(s, draft_id="d_x", state="recovering", only_from="received")
        assert not await mark_request(s, draft_id="d_x", state="recovering", only_from="received")
    async with db.session() as s:
        assert await reset_interrupted_recoveries(s) == 1
    async with db.session() as s:
        assert (await s.execute(select(DraftRequest.state))).scalar_one() == "received"
    await db.dispose()


async def test_requests_in_flight_now_are_not_recovered(tmp_path):
    """A row accepted after this process started belongs to a live request: leave it alone."""
    settings = make_settings(tmp_path)
    run_migrations(settings)
    db = Database.from_settings(settings)
    service = FakeService()
    rt = Runtime(settings=settings, db=db, service=service, metrics=Metrics())  # started now
    async with db.session() as s:
        await create_request(s, draft_id="d_live", key_id="k", project="p", complaint_masked="漏水",
                             history=[], channel=None, owner_ref=None)
    assert await recover_pending(rt) == 0 and service.create_calls == 0
    await db.dispose()
