"""Request limits: a body-size cap (pure ASGI middleware → 413) and a per-key token bucket (→ 429)."""

from __future__ import annotations

import math
import threading
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import generic_error


class BodySizeLimit:
    """Rejects bodies over ``max_bytes`` with 413 (by Content-Length or while reading the body) and
    request heads over ``max_header_bytes`` with 431, whatever server runs the app."""

    def __init__(self, app: ASGIApp, max_bytes: int, max_header_bytes: int = 16 * 1024) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.max_header_bytes = max_header_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query = scope.get("query_string", b"")
        if "\x00" in scope.get("path", "") or b"%00" in query or b"\x00" in query:
            await generic_error(400, reason="NUL character in the URL")(scope, receive, send)
            return
        headers = scope.get("headers", [])
        if sum(len(n) + len(v) + 4 for n, v in headers) > self.max_header_bytes:
            await generic_error(431, max_header_bytes=self.max_header_bytes)(scope, receive, send)
            return
        for name, value in headers:
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    await generic_error(400, reason="bad content-length")(scope, receive, send)
                    return
                if declared > self.max_bytes:
                    await self._reject(scope, receive, send)
                    return
        # Read the whole (small) body first so an oversized one is refused before any handler runs.
        chunks: list[bytes] = []
        seen = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # client went away
            chunk = message.get("body", b"")
            seen += len(chunk)
            if seen > self.max_bytes:
                await self._reject(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _reject(self, scope: Scope, receive: Receive, send: Send) -> None:
        await generic_error(413, max_bytes=self.max_bytes)(scope, receive, send)


class RateLimiter:
    """Token bucket per key: ``per_minute`` requests, refilled continuously. Thread-safe, in memory."""

    def __init__(self, per_minute: int, clock=time.monotonic) -> None:  # type: ignore[no-untyped-def]
        self.capacity = float(max(per_minute, 1))
        self.rate = self.capacity / 60.0
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """Spend one token; returns 0 when allowed, else the seconds until one is available."""
        now = self._clock()
        with self._lock:
            tokens, last = self._buckets.get(key, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) / self.rate

    @staticmethod
    def retry_after(wait: float) -> str:
        return str(max(1, math.ceil(wait)))
