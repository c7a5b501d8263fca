"""Fixtures for the console tests: the API app over the real DraftCore (tests/api's conftest) with an httpx
client over https (the session cookie is Secure) that can sign in like a browser."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.conftest import Api, make_settings, running

BASE = "https://console.test"


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF field on the page"
    return found.group(1)


class Console:
    """The app, an API helper (keys, drafts over /v1) and browser-like console clients."""

    def __init__(self, api: Api) -> None:
        self.api = api
        self.opened: list[httpx.AsyncClient] = []

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=self.api.app), base_url=BASE)

    async def key(self, role: str, projects: list[str] | None = None, name: str = "测试") -> dict[str, str]:
        return await self.api.key(role, projects, name=name)

    @staticmethod
    def token(headers: dict[str, str]) -> str:
        return headers["Authorization"].removeprefix("Bearer ")

    async def sign_in(self, headers: dict[str, str]) -> httpx.AsyncClient:
        """A signed-in client (closed with the fixture)."""
        client = self.client()
        self.opened.append(client)
        form = await client.get("/console/login")
        r = await client.post("/console/login", data={"api_key": self.token(headers),
                                                      "csrf_token": csrf_of(form.text), "next": "/console"})
        assert r.status_code == 303 and r.headers["location"] == "/console", r.text
        return client

    async def flagged(self, agent: dict[str, str], complaint: str = "FLAG 电梯坏了三天了,一直没人修!",
                      project: str = "翠湖苑") -> dict[str, Any]:
        return await self.api.draft(agent, complaint=complaint, project=project)


@pytest.fixture
async def console(tmp_path: Path, shared_clients: tuple[Any, Any]) -> AsyncIterator[Console]:
    async with running(make_settings(tmp_path), shared_clients) as api:
        console = Console(api)
        yield console
        for client in console.opened:
            await client.aclose()
