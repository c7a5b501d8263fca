"""A failure drill: one instance is killed with SIGKILL in the middle of a burst of new requests
and decisions while the other keeps serving. Nothing that got a 201 is lost; every request the dead
instance had accepted is re-drafted by the live one (its lease runs out) and reaches its client when
the client retries with the same Idempotency-Key; nothing is decided twice."""

from __future__ import annotations

import asyncio
import signal
import time
import uuid
from typing import Any

import httpx
import pytest

from .conftest import Cluster
from .test_exactly_once import DECISIONS, bearer, decision_body
from .topology import wait_ready

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.multiprocess]

BURST = 24
COMPLAINT = "电梯又坏了,老人孩子天天爬楼,这已经是本月第{n}次了,你们管不管?"


async def _post(client: httpx.AsyncClient, key: str, idem: str, n: int) -> httpx.Response | Exception:
    try:
        return await client.post("/v1/drafts", json={"complaint": COMPLAINT.format(n=n), "project": "翠湖苑"},
                                 headers={**bearer(key), "Idempotency-Key": idem})
    except httpx.TransportError as exc:  # the instance died under the request
        return exc


async def _decide(client: httpx.AsyncClient, key: str, draft_id: str, i: int) -> httpx.Response | Exception:
    try:
        return await client.post(f"/v1/drafts/{draft_id}/decision", json=decision_body(i), headers=bearer(key))
    except httpx.TransportError as exc:
        return exc


async def _until_answered(client: httpx.AsyncClient, key: str, idem: str, n: int, deadline: float) -> dict[str, Any]:
    """What a client does after losing its connection: retry on a live instance, same key."""
    while time.monotonic() < deadline:
        r = await _post(client, key, idem, n)
        assert not isinstance(r, Exception), r
        if r.status_code in (200, 201):
            return r.json()
        code = r.json()["error"]["code"]
        assert (r.status_code, code) in {(409, "idempotency_in_progress"), (429, "rate_limited")}, r.text
        await asyncio.sleep(min(float(r.headers.get("Retry-After", "1")), 5))  # as the answer says
    raise AssertionError(f"request {idem} was never answered")


async def test_an_instance_killed_mid_burst_loses_nothing_and_decides_nothing_twice(cluster: Cluster) -> None:
    agents = await cluster.topo.bulk_keys("agent", 4)  # fresh keys: retries must not meet the rate limit
    owner = agents.pop()
    supervisors = await cluster.topo.bulk_keys("supervisor", 4)
    a = httpx.AsyncClient(base_url=cluster.url("a"), timeout=60)
    b = httpx.AsyncClient(base_url=cluster.url("b"), timeout=60)
    try:
        prepared = []
        for n in range(6):  # drafts waiting for a decision when the drill starts
            r = await _post(a, owner, uuid.uuid4().hex, 100 + n)
            assert not isinstance(r, Exception) and r.status_code == 201
            prepared.append(r.json()["id"])

        cluster.model.latency = 1.5  # requests are at the model when the instance dies
        idems = [uuid.uuid4().hex for _ in range(BURST)]
        creates = [asyncio.create_task(_post((a, b)[n % 2], agents[n % 3], idems[n], n)) for n in range(BURST)]
        decisions = [asyncio.create_task(_decide((a, b)[i % 2], owner if i % 3 == 0 else supervisors[i % 3],
                                                  prepared[i % 6], i)) for i in range(18)]
        await asyncio.sleep(0.8)
        cluster.topo.instances["b"].kill(signal.SIGKILL)
        created = await asyncio.gather(*creates)
        decided = await asyncio.gather(*decisions)
        cluster.model.latency = 0.0

        answered = {n: r.json() for n, r in enumerate(created) if not isinstance(r, Exception) and r.status_code == 201}
        lost = [n for n in range(BURST) if n not in answered]
        assert all(n in answered for n in range(0, BURST, 2)), "the live instance must keep serving"
        assert lost, "the drill must kill the instance while it has requests in flight"

        deadline = time.monotonic() + 90
        retried = await asyncio.gather(*(_until_answered(a, agents[n % 3], idems[n], n, deadline) for n in lost))
        drafts = {**answered, **dict(zip(lost, retried, strict=True))}
        assert len({d["id"] for d in drafts.values()}) == BURST  # one draft per request, none twice
        redrafted = 0
        for n in lost:  # the live instance finished what the dead one had accepted (its lease ran out)
            audit = await a.get("/v1/audit", params={"draft_id": drafts[n]["id"]}, headers=bearer(supervisors[3]))
            assert audit.status_code == 200, audit.text
            created_notes = [e.get("note") or "" for e in audit.json()["items"] if e["action"] == "created"]
            assert len(created_notes) == 1, created_notes  # drafted once
            redrafted += "re-drafted" in created_notes[0]
        assert redrafted, "the dead instance's accepted requests must be re-drafted by the live one"
        for n, draft in answered.items():  # everything that got a 201 is still there, unchanged
            got = await a.get(f"/v1/drafts/{draft['id']}", headers=bearer(agents[n % 3]))
            assert got.status_code == 200 and got.json()["id"] == draft["id"], (n, got.text)
            assert got.json()["status"] in ("pending_approval", "flagged")

        for draft_id in prepared:  # nothing decided twice; every acknowledged decision recorded
            wins = sum(1 for i, r in enumerate(decided) if prepared[i % 6] == draft_id
                       and not isinstance(r, Exception) and r.status_code == 200)
            audit = await a.get("/v1/audit", params={"draft_id": draft_id, "limit": 100},
                                headers=bearer(supervisors[3]))
            assert audit.status_code == 200, audit.text
            events = [e["action"] for e in audit.json()["items"] if e["action"] in DECISIONS]
            assert wins <= len(events) <= 1, (draft_id, wins, events)
    finally:
        cluster.model.latency = 0.0
        await asyncio.gather(a.aclose(), b.aclose())
        await wait_ready(cluster.topo.restart("b"))
