"""Asynchronous drafts and webhooks (issue 16): 202 + Location, signed deliveries to a loopback
receiver, retries with backoff, the outbox surviving a SIGKILL, one claim per delivery across
dispatchers (SQLite and the local PostgreSQL), the admin API and `wuye webhooks`."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from agent.workflow.webhooks import Dispatcher, verify
from tests.api.conftest import postgres_schema
from tests.live.conftest import COMPLAINT, live_app

SECRET = "s3cret-for-the-test-receiver"


async def _subscribe(live: Any, url: str, events: list[str], project: str = "翠湖苑") -> dict[str, Any]:
    admin = await live.key("admin", ["*"])
    r = await live.client.post("/v1/admin/webhooks", headers=admin,
                               json={"project": project, "url": url, "events": events, "secret": SECRET})
    assert r.status_code == 201, r.text
    assert "secret" not in r.json()
    return r.json()


async def test_202_then_draft_ready_delivered_once_with_a_valid_signature(live_settings, shared_clients,
                                                                         receiver) -> None:
    hook = receiver()
    async with live_app(live_settings(), shared_clients) as live:
        sub = await _subscribe(live, hook.url, ["draft.ready", "draft.approved"])
        agent = await live.key()
        r = await live.client.post("/v1/drafts", headers={**agent, "Prefer": "respond-async"},
                                   json={"complaint": COMPLAINT, "project": "翠湖苑"})
        assert r.status_code == 202, r.text
        assert r.headers["Preference-Applied"] == "respond-async"
        draft_id = r.json()["id"]
        assert r.headers["Location"] == f"/v1/drafts/{draft_id}" and r.json()["status"] == "drafting"
        [got] = await hook.wait(1)
        await asyncio.sleep(0.5)  # nothing else arrives
        assert len(hook.received) == 1
        body = json.loads(got["body"])
        assert verify(SECRET, got["body"], got["headers"]["X-Wuye-Signature"])
        assert not verify("another-secret-entirely", got["body"], got["headers"]["X-Wuye-Signature"])
        assert got["headers"]["X-Wuye-Event"] == "draft.ready" == body["event"]
        assert got["headers"]["X-Wuye-Delivery"] == body["id"]
        assert body["draft_id"] == draft_id and body["draft"]["status"] == "pending_approval"
        stored = (await live.client.get(r.headers["Location"], headers=agent)).json()
        assert stored == body["draft"]
        # approval → draft.approved, a new delivery id
        d = await live.client.post(f"/v1/drafts/{draft_id}/decision", headers=agent, json={"action": "approve"})
        assert d.status_code == 200, d.text
        approved = await hook.wait(2)
        assert json.loads(approved[1]["body"])["event"] == "draft.approved"
        assert approved[1]["headers"]["X-Wuye-Delivery"] != got["headers"]["X-Wuye-Delivery"]
        admin = await live.key("admin", ["*"])
        log = (await live.client.get("/v1/admin/webhooks/deliveries", headers=admin,
                                     params={"webhook_id": sub["id"]})).json()["items"]
        assert [(i["event"], i["status"], i["attempts"], i["last_status"]) for i in log] == [
            ("draft.approved", "delivered", 1, 200), ("draft.ready", "delivered", 1, 200)]


async def test_a_status_is_drafting_until_ready(live_settings, shared_clients) -> None:
    gate = asyncio.Event()

    async def slow_model(request):  # noqa: ANN001, ANN202
        await gate.wait()
        from tests.api.conftest import ScriptedModel

        return ScriptedModel()(request)

    async with live_app(live_settings(), shared_clients, slow_model) as live:
        agent = await live.key()
        r = await live.client.post("/v1/drafts", headers={**agent, "Prefer": "respond-async"},
                                   json={"complaint": COMPLAINT, "project": "翠湖苑"})
        pending = await live.client.get(r.headers["Location"], headers=agent)
        assert pending.status_code == 200 and pending.json()["status"] == "drafting"
        assert pending.headers["Retry-After"] == "2"
        gate.set()
        await live.settle()
        assert (await live.client.get(r.headers["Location"], headers=agent)).json()["status"] == "pending_approval"


async def test_500_twice_then_200_is_one_successful_delivery(live_settings, shared_clients, receiver) -> None:
    hook = receiver([500, 500])
    async with live_app(live_settings(), shared_clients) as live:
        await _subscribe(live, hook.url, ["draft.ready"])
        agent = await live.key()
        draft = (await live.client.post("/v1/drafts", headers=agent,
                                        json={"complaint": COMPLAINT, "project": "翠湖苑"})).json()
        await hook.wait(1)
        await asyncio.sleep(0.3)
        assert [r["status"] for r in hook.received] == [500, 500, 200]
        ids = {r["headers"]["X-Wuye-Delivery"] for r in hook.received}
        assert len(ids) == 1, "a retry sends the same delivery id"
        assert len({r["body"] for r in hook.received}) == 1, "and the same signed body"
        admin = await live.key("admin", ["*"])
        [entry] = (await live.client.get("/v1/admin/webhooks/deliveries", headers=admin,
                                         params={"draft_id": draft["id"]})).json()["items"]
        assert (entry["status"], entry["attempts"], entry["last_status"]) == ("delivered", 3, 200)


async def test_a_receiver_that_keeps_failing_is_given_up_after_max_attempts(live_settings, shared_clients,
                                                                           receiver) -> None:
    hook = receiver([503] * 10)
    async with live_app(live_settings(webhook_max_attempts=3), shared_clients) as live:
        await _subscribe(live, hook.url, ["draft.ready"])
        agent = await live.key()
        await live.client.post("/v1/drafts", headers=agent, json={"complaint": COMPLAINT, "project": "翠湖苑"})
        for _ in range(100):
            admin = await live.key("admin", ["*"])
            items = (await live.client.get("/v1/admin/webhooks/deliveries", headers=admin,
                                           params={"status": "failed"})).json()["items"]
            if items:
                break
            await asyncio.sleep(0.05)
        assert items and items[0]["attempts"] == 3 and items[0]["last_status"] == 503
        assert len(hook.received) == 3


async def test_subscriptions_are_per_project_and_event(live_settings, shared_clients, receiver) -> None:
    mine, other = receiver(), receiver()
    async with live_app(live_settings(), shared_clients) as live:
        await _subscribe(live, mine.url, ["draft.flagged"])
        await _subscribe(live, other.url, ["draft.ready"], project="别的小区")
        agent = await live.key()
        await live.client.post("/v1/drafts", headers=agent, json={"complaint": COMPLAINT, "project": "翠湖苑"})
        flagged = (await live.client.post("/v1/drafts", headers=agent,
                                          json={"complaint": "FLAG 电梯又坏了", "project": "翠湖苑"})).json()
        assert flagged["status"] == "flagged"
        [got] = await mine.wait(1)
        await asyncio.sleep(0.3)
        assert json.loads(got["body"])["draft_id"] == flagged["id"] and len(mine.received) == 1
        assert other.received == []


async def test_admin_api_needs_an_admin_and_never_returns_the_secret(live_settings, shared_clients) -> None:
    async with live_app(live_settings(), shared_clients) as live:
        agent = await live.key()
        r = await live.client.get("/v1/admin/webhooks", headers=agent)
        assert r.status_code == 403 and r.json()["error"]["message_zh"]
        admin = await live.key("admin", ["*"])
        bad = await live.client.post("/v1/admin/webhooks", headers=admin, json={
            "project": "翠湖苑", "url": "ftp://x", "events": ["draft.ready"], "secret": SECRET})
        assert bad.status_code == 422
        sub = await _subscribe(live, "http://127.0.0.1:9/hook", ["draft.ready"])
        listed = (await live.client.get("/v1/admin/webhooks", headers=admin)).json()
        assert [s["id"] for s in listed] == [sub["id"]] and SECRET not in json.dumps(listed)
        assert (await live.client.delete(f"/v1/admin/webhooks/{sub['id']}", headers=admin)).status_code == 204
        assert (await live.client.delete(f"/v1/admin/webhooks/{sub['id']}", headers=admin)).status_code == 404


KILLED = textwrap.dedent('''
    import asyncio, os, signal, sys
    from agent.settings import Settings
    from agent.workflow.core import DraftCore
    from agent.workflow.models import Actor, DraftInput
    from agent.workflow.store import webhooks

    async def main():
        settings = Settings(data_dir=sys.argv[1], database_url=sys.argv[3] or None)
        core = await DraftCore.open(settings)
        async with core.db.begin() as conn:
            await webhooks.add(conn, project="翠湖苑", url=sys.argv[2], events=["draft.ready"], secret=sys.argv[4])
        await core.create(DraftInput(complaint="电梯坏了三天了,一直没人修!", project="翠湖苑"), Actor(id="k1"))
        os.kill(os.getpid(), signal.SIGKILL)  # before any dispatcher ran: the delivery is only in the outbox

    asyncio.run(main())
''')


@pytest.mark.parametrize("database", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def test_deliveries_pending_at_sigkill_are_delivered_after_restart(database, tmp_path: Path, receiver,
                                                                         shared_clients) -> None:
    from contextlib import AsyncExitStack

    from agent.settings import Settings
    from agent.workflow.store.database import Database

    hook = receiver()
    async with AsyncExitStack() as stack:
        url = await stack.enter_async_context(postgres_schema()) if database == "postgres" else ""
        data = tmp_path / "data"
        data.mkdir()
        shutil.copytree(shared_clients[0].settings.chroma_path, data / "chroma")  # the session's index
        proc = subprocess.run([sys.executable, "-c", KILLED, str(data), hook.url, url, SECRET],
                              capture_output=True, timeout=300, env={**os.environ, "WUYE_DATA_DIR": str(data)})
        assert proc.returncode == -9, proc.stderr.decode()[-2000:]
        assert hook.received == []
        settings = Settings(data_dir=data, database_url=url or None)
        db = await Database.open(settings)
        try:
            dispatcher = Dispatcher(settings, db, "restarted")
            assert await dispatcher.run_once() == 1
            await dispatcher.aclose()
        finally:
            await db.dispose()
        [got] = hook.ok()
        assert json.loads(got["body"])["event"] == "draft.ready"
        assert verify(SECRET, got["body"], got["headers"]["X-Wuye-Signature"])


@pytest.mark.parametrize("database", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def test_two_dispatchers_claim_each_delivery_once(database, tmp_path: Path, receiver) -> None:
    """Two instances' dispatchers over one database, sweeping at once: every delivery is sent once."""
    from contextlib import AsyncExitStack

    from agent.settings import Settings
    from agent.workflow.nodes.common import now
    from agent.workflow.store import webhooks as outbox
    from agent.workflow.store.database import Database

    hook = receiver()
    async with AsyncExitStack() as stack:
        url = await stack.enter_async_context(postgres_schema()) if database == "postgres" else None
        settings = Settings(data_dir=tmp_path, database_url=url)
        dbs = [await Database.open(settings), await Database.open(settings)]
        try:
            async with dbs[0].begin() as conn:
                await outbox.add(conn, project="翠湖苑", url=hook.url, events=["draft.ready"], secret=SECRET)
                for n in range(30):
                    await outbox.enqueue(conn, project="翠湖苑", events=["draft.ready"], draft_id=f"d_{n}",
                                         payload=lambda n=n: {"n": n}, at=now())
            dispatchers = [Dispatcher(settings, db, f"instance-{i}") for i, db in enumerate(dbs)]
            rounds = 0
            while sum(await asyncio.gather(*(d.run_once() for d in dispatchers for _ in range(2)))):
                rounds += 1  # four sweeps at once (two per instance), until nothing is due
            ids = [r["headers"]["X-Wuye-Delivery"] for r in hook.received]
            assert len(ids) == 30 and len(set(ids)) == 30
            for d in dispatchers:
                await d.aclose()
        finally:
            for db in dbs:
                await db.dispose()


async def test_a_claim_left_by_a_dead_dispatcher_is_taken_after_it_expires(tmp_path: Path, receiver) -> None:
    """A process that claimed a delivery and died (no settle): after the claim expires another
    dispatcher sends it; the dead one's late settle changes nothing."""
    from datetime import timedelta

    from agent.settings import Settings
    from agent.workflow.nodes.common import now
    from agent.workflow.store import webhooks as outbox
    from agent.workflow.store.database import Database

    hook = receiver()
    settings = Settings(data_dir=tmp_path)
    db = await Database.open(settings)
    try:
        async with db.begin() as conn:
            await outbox.add(conn, project="翠湖苑", url=hook.url, events=["draft.ready"], secret=SECRET)
            [delivery] = await outbox.enqueue(conn, project="翠湖苑", events=["draft.ready"], draft_id="d_1",
                                              payload=dict, at=now())
        async with db.begin() as conn:
            assert await outbox.claim(conn, delivery_id=delivery, attempts=0, owner="dead", at=now(),
                                      hold=timedelta(seconds=0.3)) is not None
        live = Dispatcher(settings, db, "alive")
        assert await live.run_once() == 0  # still held by the dead process
        await asyncio.sleep(0.4)
        assert await live.run_once() == 1
        await live.aclose()
        async with db.begin() as conn:
            assert not await outbox.settle(conn, delivery_id=delivery, owner="dead", ok=False, status_code=None,
                                           error="late", at=now(), retry_at=now())
            [row], _ = await outbox.log(conn)
        assert (row.status, row.attempts, row.last_status) == ("delivered", 1, 200)
        assert len(hook.received) == 1
    finally:
        await db.dispose()
