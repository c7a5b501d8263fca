"""Small helpers shared by the nodes: timestamps, events, failing stages, per-node timing."""

from __future__ import annotations

import functools
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from agent.vocab import Stage

STAGES: tuple[str, ...] = tuple(stage.value for stage in Stage)
Update = dict[str, Any]


def now() -> datetime:
    return datetime.now(UTC)


def event(action: str, actor: str = "system", **detail: Any) -> dict[str, Any]:
    return {"at": now().isoformat(), "actor": actor, "action": action, "detail": detail}


def failing_stages(results: dict[str, dict[str, Any]]) -> list[str]:
    """Stages whose guard result has a block-severity violation, in 六字诀 order."""
    return [stage for stage in STAGES if stage in results and not results[stage]["passed"]]


def timed(name: str) -> Callable[[Callable[..., Awaitable[Update]]], Callable[..., Awaitable[Update]]]:
    """Add the node's own milliseconds to ``timings_ms[name]`` (functools.wraps keeps the signature
    LangGraph reads to decide what to pass)."""

    def wrap(node: Callable[..., Awaitable[Update]]) -> Callable[..., Awaitable[Update]]:
        @functools.wraps(node)
        async def run(state: Any, runtime: Any) -> Update:
            started = time.perf_counter()
            update = await node(state, runtime)
            update["timings_ms"] = {**update.get("timings_ms", {}), name: (time.perf_counter() - started) * 1000}
            return update

        return run

    return wrap
