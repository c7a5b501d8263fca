"""Exactly-once decisions across processes: many concurrent decisions on one draft set, spread over
two `wuye serve` instances on one PostgreSQL database (and over the two workers of one
`--workers 2` instance) → exactly one 200, the rest 409 ``already_decided`` with the current
state, and exactly one decision event in the audit log."""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter
from typing import Any

import httpx
import pytest

from .conftest import Cluster
from .mock_model import FLAG_MARK

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.multiprocess]

TRIALS = 20
CONCURRENT = 12
DECISIONS = {"approve", "reject", "edit", "override_approve", "return_to_agent"}  # audit actions
GOOD_EDIT = "我这就给您登记加急维修,请师傅今天下午上门查看,有进展我第一时间打电话告诉您。"
COMPLAINT = "地下车库的灯坏了半个月,晚上根本看不清路,第{n}次反映了。"


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def decision_body(i: int) -> dict[str, Any]:
    """approve / reject / edit, mixed."""
    return [{"action": "approve"},
            {"action": "reject", "reason": "业主来电说已经修好了,不用再回复。"},
            {"action": "edit", "stages": {"act": GOOD_EDIT}}][i % 3]


def review_body(i: int) -> dict[str, Any]:
    """A supervisor's override or reject, or an edit with override, mixed. (``return_to_agent`` is not
    final: the set waits again, and a later review of the new state is a new decision.)"""
    return [{"action": "override_approve", "note": "推诿语句已和客服核对,按原方案发送。"},
            {"action": "reject", "reason": "推诿口吻明显,请重新起草。"},
            {"action": "edit", "stages": {"act": GOOD_EDIT}, "override": True, "note": "主管改写后发送。"}][i % 3]


async def _create(client: httpx.AsyncClient, key: str, n: int, flagged: bool = False) -> dict[str, Any]:
    complaint = COMPLAINT.format(n=n) + (FLAG_MARK if flagged else "")
    r = await client.post("/v1/drafts", json={"complaint": complaint, "project": "翠湖苑"}, headers=bearer(key))
    assert r.status_code == 201, r.text
    return r.json()


async def _decision_events(client: httpx.AsyncClient, key: str, draft_id: str) -> list[str]:
    r = await client.get("/v1/audit", params={"draft_id": draft_id, "limit": 100}, headers=bearer(key))
    assert r.status_code == 200, r.text
    return [e["action"] for e in r.json()["items"] if e["action"] in DECISIONS]


def _check_trial(results: list[httpx.Response], events: list[str]) -> None:
    codes = Counter(r.status_code for r in results)
    assert codes[200] == 1, f"want exactly one 200, got {dict(codes)}: {[r.text[:200] for r in results]}"
    winner = next(r.json() for r in results if r.status_code == 200)
    for r in results:
        if r.status_code == 200:
            continue
        assert r.status_code == 409, r.text
        error = r.json()["error"]
        assert error["code"] == "already_decided", r.text
        current = error["details"]["current"]  # the current draft set, as the winner left it
        assert error["details"]["status"] == current["status"] == winner["status"]
        assert current["version"] == winner["version"] and current["events"] == winner["events"]
    assert len(events) == 1, f"want one decision event, got {events}"


async def _trials(cluster: Cluster, targets: list[str], *, flagged: bool) -> None:
    clients = [httpx.AsyncClient(base_url=cluster.url(name), timeout=60,
                                 limits=httpx.Limits(max_keepalive_connections=0))  # new connection each time:
               for name in targets]  # with --workers 2 the kernel spreads them over both workers
    agents = itertools.cycle(cluster.agents)
    deciders = itertools.cycle(cluster.supervisors)
    try:
        for trial in range(TRIALS):
            agent = next(agents)
            draft = await _create(clients[trial % len(clients)], agent, trial, flagged)
            assert draft["status"] == ("flagged" if flagged else "pending_approval"), draft["status"]
            requests = []
            for i in range(CONCURRENT):
                client = clients[i % len(clients)]
                if flagged:
                    requests.append(client.post(f"/v1/review/{draft['id']}" if i % 3 != 2 else
                                                f"/v1/drafts/{draft['id']}/decision",
                                                json=review_body(i), headers=bearer(next(deciders))))
                else:  # the owner and supervisors of the project, mixed
                    key = agent if i % 3 == 0 else next(deciders)
                    requests.append(client.post(f"/v1/drafts/{draft['id']}/decision", json=decision_body(i),
                                                headers=bearer(key)))
            results = await asyncio.gather(*requests)
            events = await _decision_events(clients[0], next(deciders), draft["id"])
            _check_trial(list(results), events)
    finally:
        await asyncio.gather(*(c.aclose() for c in clients))


async def test_two_instances_one_database_decide_exactly_once(cluster: Cluster) -> None:
    await _trials(cluster, ["a", "b"], flagged=False)


async def test_two_workers_of_one_instance_decide_exactly_once(cluster: Cluster) -> None:
    await _trials(cluster, ["w"], flagged=False)


async def test_supervisor_reviews_and_overriding_edits_happen_exactly_once(cluster: Cluster) -> None:
    await _trials(cluster, ["a", "b", "w"], flagged=True)
