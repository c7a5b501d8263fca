"""With WUYE_REDIS_URL the Router's cooldowns are shared: a model endpoint that failed for one
instance is skipped at once by another (a fresh Router, as in another process) instead of costing
its first request the retries again."""

from __future__ import annotations

import socket
import time
import uuid

import pytest

from agent.drafting.model import ModelAccess
from agent.settings import Settings

from .topology import redis_ready

pytestmark = pytest.mark.slow  # imports litellm


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens there once the socket is closed


async def _first_call_seconds(access: ModelAccess) -> float:
    start = time.perf_counter()
    with pytest.raises(Exception):  # noqa: B017 - a dead endpoint, or every deployment cooling down
        await access.router().acompletion(model="m0", messages=[{"role": "user", "content": "您好"}])
    return time.perf_counter() - start


@pytest.mark.parametrize("shared", [True, False], ids=["redis", "per-process"])
async def test_a_model_cooling_down_on_one_instance_is_skipped_by_another(tmp_path, shared: bool) -> None:
    if not redis_ready():
        pytest.skip("Redis is not reachable at 127.0.0.1:6379")
    dead = f"openai/dead-{uuid.uuid4().hex[:8]}"  # its own deployment id: no other test's cooldown
    settings = Settings(data_dir=tmp_path, model=dead, api_base=f"http://127.0.0.1:{_closed_port()}/v1",
                        api_key="sk-local-test-key", retries=1, timeout=2, model_cooldown=60,
                        redis_url="redis://127.0.0.1:6379/0" if shared else None)
    first = await _first_call_seconds(ModelAccess(settings))  # pays the retries, then cools the model down
    second = await _first_call_seconds(ModelAccess(settings))  # another instance's first request
    assert first > 0.5
    if shared:
        assert second < first / 3, (first, second)
    else:
        assert second > 0.5, (first, second)  # without Redis each process learns it again
