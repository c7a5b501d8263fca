"""State every instance of the API must agree on; this module is its only owner.

- **rate-limit windows**: moving windows of the ``limits`` library (per key, per client address);
- **console sign-outs**: a signed-out session id is refused until the session would have expired.

Two implementations of one small interface, chosen by ``WUYE_REDIS_URL``:

- ``LocalState`` (unset): in this process's memory. Right for one ``wuye serve`` process; with
  several processes each would keep its own windows and sign-outs (``wuye serve`` refuses that).
- ``RedisState``: in Redis, shared by every worker and every instance, and kept across restarts.
  If Redis cannot be reached, requests that need it get 503 ``shared_state_unavailable``
  (limits and sign-outs are never silently skipped) and ``/readyz`` reports it.
"""

from __future__ import annotations

import asyncio
import bisect
import logging
import time
from typing import Any

from limits import RateLimitItem, RateLimitItemPerMinute
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError

from agent.settings import Settings

from .errors import ApiError

log = logging.getLogger("wuye.api")


def unavailable() -> ApiError:
    return ApiError(503, "shared_state_unavailable",
                    "共享状态服务(Redis)暂时不可用,为保证限流和退出登录在所有实例上生效,请稍后再试。",
                    "The shared state (Redis) is unreachable; retry shortly (limits and sign-outs are "
                    "not skipped).", headers={"Retry-After": "5"})


class SharedState:
    """Rate-limit windows (the ``limits`` library) and console sign-outs. Subclasses store the
    sign-outs; ``shared`` says whether every process sees the same state."""

    backend = "base"
    shared = False

    def __init__(self, storage: Storage) -> None:
        self._storage = storage
        self._limiter = MovingWindowRateLimiter(storage)
        self._items: dict[int, RateLimitItem] = {}

    async def take(self, bucket: str, per_minute: int) -> float:
        """Count one request in ``bucket``'s last minute: 0 when allowed, else seconds to wait."""
        item = self._items.get(per_minute)
        if item is None:
            item = self._items.setdefault(per_minute, RateLimitItemPerMinute(max(per_minute, 1)))
        try:
            if await self._limiter.hit(item, bucket):
                return 0.0
            stats = await self._limiter.get_window_stats(item, bucket)
        except StorageError as exc:
            log.warning("rate-limit storage failed: %s", exc)
            raise unavailable() from exc
        return max(stats.reset_time - time.time(), 0.001)

    async def sign_out(self, sid: str, expires: int) -> None:
        raise NotImplementedError

    async def is_signed_out(self, sid: str) -> bool:
        raise NotImplementedError

    async def check(self) -> dict[str, Any]:
        """For ``/readyz``."""
        return {"ok": await self._storage.check(), "backend": self.backend, "shared": self.shared}

    async def aclose(self) -> None:
        return None


class _InlineExpiryMemoryStorage(MemoryStorage):
    """``limits``' MemoryStorage, expiring old window entries on the event loop. The library's sweep
    (started after every counted request) hands each key's bisect of a short list to a worker
    thread (``asyncio.to_thread``): a thread wake-up and two GIL hand-offs per request for
    microseconds of work. Same sweep, same result, without the thread."""

    async def _MemoryStorage__expire_events(self) -> None:  # overrides the library's private sweep
        try:
            now = time.time()
            for key in list(self.events.keys()):
                async with self.locks[key]:
                    cutoff = bisect.bisect_left(self.events[key], -now, key=lambda event: -event.expiry)
                    if self.events.get(key, []):
                        self.events[key] = self.events[key][:cutoff]
                    if not self.events.get(key, None):
                        self.events.pop(key, None)
                        self.locks.pop(key, None)
            for key in list(self.expirations.keys()):
                if self.expirations[key] <= time.time():
                    self.storage.pop(key, None)
                    self.expirations.pop(key, None)
                    self.locks.pop(key, None)
        except asyncio.CancelledError:
            return


class LocalState(SharedState):
    """In this process only (the default without ``WUYE_REDIS_URL``)."""

    backend = "local"
    shared = False

    def __init__(self) -> None:
        super().__init__(_InlineExpiryMemoryStorage(wrap_exceptions=True))
        self._signed_out: dict[str, int] = {}

    async def sign_out(self, sid: str, expires: int) -> None:
        now = time.time()
        self._signed_out = {s: exp for s, exp in self._signed_out.items() if exp > now}
        self._signed_out[sid] = expires

    async def is_signed_out(self, sid: str) -> bool:
        return sid in self._signed_out


class RedisState(SharedState):
    """In Redis: every worker and instance counts in the same windows and sees every sign-out.
    Keys: ``<prefix>:limits:…`` (expire with their window) and ``<prefix>:signout:<sid>``
    (expires when the session would have)."""

    backend = "redis"
    shared = True

    def __init__(self, url: str, prefix: str) -> None:
        import redis.asyncio as aioredis

        self._redis = aioredis.Redis.from_url(url, socket_timeout=3, socket_connect_timeout=3)
        self._errors: tuple[type[BaseException], ...] = (aioredis.RedisError, OSError)
        self._prefix = prefix
        limits_url = "async+redis+" + url if url.startswith("unix://") else "async+" + url
        super().__init__(RedisStorage(limits_url, wrap_exceptions=True, implementation="redispy",
                                      key_prefix=f"{prefix}:limits",
                                      connection_pool=self._redis.connection_pool))

    def _signout_key(self, sid: str) -> str:
        return f"{self._prefix}:signout:{sid}"

    async def sign_out(self, sid: str, expires: int) -> None:
        try:
            await self._redis.set(self._signout_key(sid), "1", exat=max(expires, int(time.time()) + 1))
        except self._errors as exc:
            raise unavailable() from exc

    async def is_signed_out(self, sid: str) -> bool:
        try:
            return bool(await self._redis.exists(self._signout_key(sid)))
        except self._errors as exc:
            raise unavailable() from exc

    async def aclose(self) -> None:
        await self._redis.aclose()


def open_shared_state(settings: Settings) -> SharedState:
    """``RedisState`` when ``WUYE_REDIS_URL`` is set, else ``LocalState``. Call it on the event loop
    that will use it (the Redis client binds to it)."""
    if settings.redis_url:
        return RedisState(settings.redis_url, settings.redis_prefix)
    return LocalState()
