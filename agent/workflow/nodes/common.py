"""Small helpers shared by the nodes: timestamps and audit events."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from agent.vocab import Stage

STAGES: tuple[str, ...] = tuple(stage.value for stage in Stage)


def now() -> datetime:
    return datetime.now(UTC)


def event(action: str, actor: str = "system", **detail: Any) -> dict[str, Any]:
    return {"at": now().isoformat(), "actor": actor, "action": action, "detail": detail}


def failing_stages(results: dict[str, dict[str, Any]]) -> list[str]:
    """Stages whose guard result has a block-severity violation, in 六字诀 order."""
    return [stage for stage in STAGES if stage in results and not results[stage]["passed"]]
