"""State every instance shares through Redis: one rate-limit window per key (and per address for
unknown keys) whichever instance a request reaches, and a console sign-out that holds on every
instance and after a restart."""

from __future__ import annotations

import re
from collections import Counter

import httpx
import pytest

from .conftest import Cluster
from .topology import wait_ready

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.multiprocess]


async def test_one_key_gets_its_limit_once_across_two_instances(cluster: Cluster) -> None:
    key = await cluster.topo.create_key("agent", "限流测试")
    async with httpx.AsyncClient(timeout=30) as client:
        results = []
        for i in range(200):  # WUYE_RATE_LIMIT_PER_MINUTE=60 on both instances
            name = "ab"[i % 2]
            r = await client.get(f"{cluster.url(name)}/v1/drafts", headers={"Authorization": f"Bearer {key}"})
            results.append((name, r.status_code))
    allowed = Counter(name for name, status in results if status == 200)
    refused = Counter(name for name, status in results if status == 429)
    assert sum(allowed.values()) + sum(refused.values()) == 200
    assert 50 <= sum(allowed.values()) <= 60, allowed  # one window, not one per instance (that would be 120)
    assert refused["a"] and refused["b"]


async def test_unknown_keys_are_limited_by_address_across_instances(cluster: Cluster) -> None:
    async with httpx.AsyncClient(timeout=30) as client:
        statuses = [(await client.get(f"{cluster.url('ab'[i % 2])}/v1/drafts",
                                      headers={"Authorization": f"Bearer wuye_guess_{i}"})).status_code
                    for i in range(64)]
    assert set(statuses[:50]) == {401}
    assert statuses[-1] == 429 and statuses.count(401) <= 60


def _cookie(response: httpx.Response, name: str) -> str:
    for header in response.headers.get_list("set-cookie"):
        if header.startswith(name + "="):
            return header.split(";", 1)[0].split("=", 1)[1]
    raise AssertionError(f"no {name} cookie in {response.headers}")


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, html[:500]
    return found.group(1)


async def _sign_in(client: httpx.AsyncClient, base: str, key: str) -> str:
    form = await client.get(f"{base}/console/login")
    nonce = _cookie(form, "wuye_console_login")
    r = await client.post(f"{base}/console/login", data={"api_key": key, "csrf_token": _csrf(form.text)},
                          headers={"Cookie": f"wuye_console_login={nonce}"})
    assert r.status_code == 303, r.text
    return _cookie(r, "wuye_console")


async def test_a_console_sign_out_holds_on_every_instance_and_after_a_restart(cluster: Cluster) -> None:
    key = await cluster.topo.create_key("supervisor", "退出测试")
    a, b = cluster.url("a"), cluster.url("b")
    async with httpx.AsyncClient(timeout=30) as client:
        cookie = await _sign_in(client, a, key)
        session = {"Cookie": f"wuye_console={cookie}"}
        assert (await client.get(f"{b}/console", headers=session)).status_code == 200  # signed by a, read by b
        page = await client.get(f"{a}/console", headers=session)
        r = await client.post(f"{a}/console/logout", data={"csrf_token": _csrf(page.text)}, headers=session)
        assert r.status_code == 303
        for base in (a, b):  # the copied cookie is refused everywhere
            r = await client.get(f"{base}/console", headers=session)
            assert r.status_code == 303 and r.headers["location"].startswith("/console/login"), base
        other = await _sign_in(client, a, key)  # another session of the same key is unaffected

    await wait_ready(cluster.topo.restart("b"))
    async with httpx.AsyncClient(timeout=30) as client:
        r = await client.get(f"{b}/console", headers=session)
        assert r.status_code == 303, "a sign-out must survive a restart"
        assert (await client.get(f"{b}/console", headers={"Cookie": f"wuye_console={other}"})).status_code == 200
