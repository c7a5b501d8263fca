"""Request limits: a body-size cap (pure ASGI middleware → 413) and per-key / per-address rate limits (→ 429)."""

from __future__ import annotations

import math

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import ApiError, generic_error
from .shared import SharedState


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


class RateLimits:
    """Who is counted in which one-minute window (stored by ``api.shared``, so with Redis every
    worker and instance counts together): a key by its id; a request without a valid key (missing
    or unknown) by its client address, so guessing keys is limited too; console sign-in attempts
    by address."""

    def __init__(self, state: SharedState, per_minute: int) -> None:
        self.state = state
        self.per_minute = per_minute

    async def key(self, key_id: str) -> float:
        """Spend one request of the key's window: 0 when allowed, else the seconds to wait."""
        return await self.state.take(f"key:{key_id}", self.per_minute)

    async def address(self, host: str) -> float:
        return await self.state.take(f"addr:{host}", self.per_minute)

    async def console_login(self, host: str) -> float:
        return await self.state.take(f"console-login:{host}", self.per_minute)

    @staticmethod
    def retry_after(wait: float) -> str:
        return str(max(1, math.ceil(wait)))


def rate_limited(wait: float) -> ApiError:
    return ApiError(429, "rate_limited", "请求过于频繁,请稍后再试。", "Too many requests; retry later.",
                    headers={"Retry-After": RateLimits.retry_after(wait)}, retry_after_seconds=round(wait, 2))
