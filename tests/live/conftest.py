"""Fixtures for the live-channel tests: the real app (real DraftCore, guard, retriever, store) served
by uvicorn on a loopback port (httpx's ASGI transport buffers whole responses, so a stream needs a
real server), the model host mocked by respx (plain or streamed answers), and a loopback webhook
receiver (a threading HTTP server) whose answers a test scripts."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from agent.settings import Settings
from tests.api.conftest import LLM_URL, ScriptedModel, make_settings

COMPLAINT = "电梯坏了三天了,一直没人修!"


@dataclass
class Live:
    app: Any
    base: str
    client: httpx.AsyncClient
    model: Any

    @property
    def core(self) -> Any:
        return self.app.state.core

    async def key(self, role: str = "agent", projects: list[str] | None = None) -> dict[str, str]:
        from agent.workflow.store.keys import create_api_key

        async with self.core.db.begin() as conn:
            _, token = await create_api_key(conn, name="测试", role=role, projects=projects or ["翠湖苑"])
        return {"Authorization": f"Bearer {token}"}

    async def settle(self, timeout: float = 30) -> None:
        """Wait for every background draft of the core."""
        if self.core.background:
            await asyncio.wait_for(asyncio.gather(*self.core.background, return_exceptions=True), timeout)


@asynccontextmanager
async def live_app(settings: Settings, clients: tuple[Any, Any], model: Callable[[httpx.Request], Any] | None = None,
                   *, deliver: bool = True) -> AsyncIterator[Live]:
    import uvicorn

    from agent.workflow.core import DraftCore
    from api.app import create_app

    model = model or ScriptedModel()
    with respx.mock(assert_all_called=False) as mock:
        mock.route(host="127.0.0.1").pass_through()
        mock.post(LLM_URL).mock(side_effect=model)
        core = await DraftCore.open(settings, retriever=clients[0], checker=clients[1])
        app = create_app(settings, core, deliver=deliver)
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off"))
        try:
            async with app.router.lifespan_context(app):
                await app.state.recovery
                task = asyncio.create_task(server.serve())
                while not server.started:
                    await asyncio.sleep(0.01)
                port = server.servers[0].sockets[0].getsockname()[1]
                base = f"http://127.0.0.1:{port}"
                async with httpx.AsyncClient(base_url=base, timeout=30) as client:
                    yield Live(app, base, client, model)
                server.should_exit = True
                await task
        finally:
            await core.aclose()


@pytest.fixture
def live_settings(tmp_path: Path) -> Callable[..., Settings]:
    def make(**overrides: Any) -> Settings:
        return make_settings(tmp_path, **{"webhook_retry_seconds": 0.05, "webhook_poll_seconds": 0.05, **overrides})

    return make


# -- a streamed model answer ----------------------------------------------------------------------
def chunk(content: str) -> bytes:
    body = {"id": "chatcmpl-s", "object": "chat.completion.chunk", "created": 1, "model": "test-model",
            "choices": [{"index": 0, "delta": {"content": content}, "finish_reason": None}]}
    return f"data: {json.dumps(body, ensure_ascii=False)}\n\n".encode()


def final_chunk() -> bytes:
    body = {"id": "chatcmpl-s", "object": "chat.completion.chunk", "created": 1, "model": "test-model",
            "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
    return f"data: {json.dumps(body)}\n\ndata: [DONE]\n\n".encode()


def streamed(pieces: AsyncIterator[bytes]) -> httpx.Response:
    return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=pieces)


def answer_pieces(answer: dict[str, Any]) -> list[str]:
    """The answer's JSON cut into pieces: the head, then one piece per stage object (split in two
    halves, so a stage arrives over several chunks), then the tail."""
    stages = [json.dumps(s, ensure_ascii=False) for s in answer["stages"]]
    pieces = ['{"stages": [']
    for index, text in enumerate(stages):
        half = len(text) // 2
        pieces += [("," if index else "") + text[:half], text[half:]]
    return [*pieces, "]}"]


async def read_events(response: httpx.Response) -> AsyncIterator[tuple[str, dict[str, Any]]]:
    """``(event, data)`` from a text/event-stream response."""
    name = None
    async for line in response.aiter_lines():
        if line.startswith("event: "):
            name = line[7:]
        elif line.startswith("data: ") and name:
            yield name, json.loads(line[6:])
            name = None


# -- a loopback webhook receiver ------------------------------------------------------------------
@dataclass
class Receiver:
    statuses: list[int] = field(default_factory=list)  # answers in order; then 200
    hang: float = 0.0
    received: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""

    def __post_init__(self) -> None:
        receiver = self
        self.lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver.lock:
                    status = receiver.statuses.pop(0) if receiver.statuses else 200
                    receiver.received.append({"headers": dict(self.headers), "body": body, "status": status})
                if receiver.hang:
                    threading.Event().wait(receiver.hang)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        class Server(ThreadingHTTPServer):
            request_queue_size = 128  # a burst of deliveries at once: the default backlog of 5 drops connects on a busy machine

        self.server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def ok(self) -> list[dict[str, Any]]:
        with self.lock:
            return [r for r in self.received if 200 <= r["status"] < 300]

    async def wait(self, count: int, timeout: float = 20) -> list[dict[str, Any]]:
        for _ in range(int(timeout / 0.05)):
            if len(self.ok()) >= count:
                return self.ok()
            await asyncio.sleep(0.05)
        raise AssertionError(f"expected {count} successful deliveries, got {self.received}")

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Any:
    made: list[Receiver] = []

    def make(statuses: list[int] | None = None, hang: float = 0.0) -> Receiver:
        made.append(Receiver(list(statuses or []), hang))
        return made[-1]

    yield make
    for r in made:
        r.close()
