"""The mocked model: an OpenAI-compatible chat-completions endpoint served by respx at the HTTP
level, so the real litellm path (retries, JSON parsing, repair, fallback) runs unchanged.

One router lives for a whole suite; each case loads its scripted responses, which are served in
order. A call beyond the script gets HTTP 500 and is counted in ``unscripted``.
"""

from __future__ import annotations

import json
import time
from collections import deque
from typing import Any

import httpx

MOCK_API_BASE = "http://mock-llm.test/v1"
MOCK_MODEL = "openai/mock-model"
MOCK_KEY = "sk-mock"


def envelope(content: str, number: int) -> dict[str, Any]:
    """An OpenAI chat.completion response carrying ``content``."""
    return {
        "id": f"chatcmpl-mock-{number}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": "mock-model",
        "choices": [{"index": 0, "finish_reason": "stop",
                     "message": {"role": "assistant", "content": content}}],
        "usage": {"prompt_tokens": 0, "completion_tokens": max(1, len(content) // 2),
                  "total_tokens": max(1, len(content) // 2)},
    }


def to_http(response: Any, request: httpx.Request, number: int) -> httpx.Response:
    """One scripted item → an HTTP response (or a raised timeout)."""
    if isinstance(response, dict) and response.get("timeout"):
        raise httpx.ReadTimeout("mocked model timeout / 模拟模型超时", request=request)
    if isinstance(response, dict) and "status" in response:
        headers = dict(response.get("headers") or {})
        if response["status"] == 429:
            headers.setdefault("retry-after", "0")
        body = response.get("body") or json.dumps(
            {"error": {"message": f"mocked HTTP {response['status']}", "type": "mock_error"}})
        return httpx.Response(response["status"], headers=headers, content=body.encode())
    content = response if isinstance(response, str) else json.dumps(response, ensure_ascii=False)
    return httpx.Response(200, json=envelope(content, number))


class MockModel:
    """Start once per suite (``with MockModel() as mock``), ``mock.load(responses)`` per case."""

    def __init__(self, api_base: str = MOCK_API_BASE) -> None:
        self.api_base = api_base.rstrip("/")
        self._queue: deque[Any] = deque()
        self.requests: list[str] = []
        self.unscripted = 0
        self._router = None

    def load(self, responses: list[Any]) -> None:
        self._queue = deque(responses)
        self.requests = []
        self.unscripted = 0

    @property
    def calls(self) -> int:
        return len(self.requests)

    def _serve(self, request: httpx.Request) -> httpx.Response:
        from evals.kinds.drafting_checks import request_text

        self.requests.append(request_text(request.content))
        if not self._queue:
            self.unscripted += 1
            return httpx.Response(500, json={"error": {"message": "unscripted call / 超出脚本的模型调用"}})
        return to_http(self._queue.popleft(), request, len(self.requests))

    def __enter__(self) -> MockModel:
        import respx

        self._router = respx.mock(assert_all_called=False, assert_all_mocked=True)
        self._router.post(f"{self.api_base}/chat/completions").mock(side_effect=self._serve)
        self._router.route().pass_through()  # anything else (e.g. a Chroma server) is untouched
        self._router.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._router is not None:
            self._router.stop(quiet=True)
            self._router = None
