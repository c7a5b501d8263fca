"""A mock OpenAI-compatible model on a loopback port, for the multi-process tests: answers every
asked stage with a clean reply citing the first offered technique (``tests.workflow.conftest``'s
``answer_for``), except that a complaint carrying ``FLAG_MARK`` gets a buck-passing act stage
every time, so its draft set ends up flagged for a supervisor."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from typing import Any

import httpx

from tests.workflow.conftest import answer_for, chat

FLAG_MARK = "需主管复核"
BAD_ACT = "这事不归我们管,您自己去找开发商吧。"


class MockModel:
    """A tiny ASGI app; ``calls`` counts the chat completions it answered."""

    def __init__(self) -> None:
        self.calls = 0
        self.latency = 0.0  # seconds before each answer (a failure drill needs requests in flight)
        self._lock = threading.Lock()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        with self._lock:
            self.calls += 1
        if self.latency:
            await asyncio.sleep(self.latency)
        try:
            messages = json.loads(body).get("messages") or []
        except ValueError:  # not a chat completion (a probe): nothing to answer
            await send({"type": "http.response.start", "status": 404, "headers": []})
            await send({"type": "http.response.body", "body": b""})
            return
        request = httpx.Request("POST", "http://mock/v1/chat/completions", content=body)
        prompt = " ".join(m["content"] for m in messages if isinstance(m.get("content"), str))
        texts = {"act": BAD_ACT} if FLAG_MARK in prompt else None
        payload = json.dumps(chat(json.dumps(answer_for(request, texts), ensure_ascii=False))).encode()
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(payload)).encode())]})
        await send({"type": "http.response.body", "body": payload})


def serve_mock(port: int) -> tuple[MockModel, Any]:
    """Start the mock on ``port`` in a daemon thread; returns (model, uvicorn server)."""
    import uvicorn

    model = MockModel()
    server = uvicorn.Server(uvicorn.Config(model, host="127.0.0.1", port=port, log_level="error", backlog=512))
    threading.Thread(target=server.run, daemon=True, name="mock-model").start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("mock model did not start")
        time.sleep(0.05)
    return model, server
