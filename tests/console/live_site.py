"""What the Chromium tests of the console share: the API served by uvicorn on a loopback port in a
thread (the model host mocked by respx), API keys made straight in the store, and Debian's Chromium."""

from __future__ import annotations

import asyncio
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import respx

CHROMIUM = shutil.which("chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]
LLM_URL = "http://llm.test/v1/chat/completions"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def create_keys(settings: Any, people: list[tuple[str, str, list[str]]]) -> dict[str, str]:
    """``{role: token}`` for each (role, name, projects), created in the store before the server starts."""
    from agent.workflow.store.database import Database
    from agent.workflow.store.keys import create_api_key

    async def make() -> dict[str, str]:
        db = await Database.open(settings)
        tokens = {}
        async with db.begin() as s:
            for role, name, projects in people:
                _, tokens[role] = await create_api_key(s, name=name, role=role, projects=projects)
        await db.dispose()
        return tokens

    return asyncio.run(make())


@contextmanager
def live_api(settings: Any, answer: Callable[[httpx.Request], httpx.Response]) -> Iterator[str]:
    """The real app on ``http://127.0.0.1:<free port>`` (yielded), the model host answered by ``answer``."""
    import uvicorn

    from api.app import create_app

    with respx.mock(assert_all_mocked=True, assert_all_called=False) as mock:
        mock.post(LLM_URL).mock(side_effect=answer)
        mock.route(host="127.0.0.1").pass_through()
        port = free_port()
        server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port,
                                               log_level="warning", http="h11"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 120
        while not server.started:
            assert thread.is_alive() and time.monotonic() < deadline, "the API server did not start"
            time.sleep(0.05)
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            server.should_exit = True
            thread.join(timeout=30)


@contextmanager
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield browser
        browser.close()
