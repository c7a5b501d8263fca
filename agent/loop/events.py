"""Events of the loop that other parts may act on — today ``commitment.overdue``.

The webhook outbox (another part of the service) subscribes with ``subscribe(name, handler)``; a
handler is a sync or async callable taking the event's JSON-ready payload. Each overdue commitment
is raised once (``Loop.sweep_overdue`` claims it in the database first). A failing handler is logged
and does not stop the others."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable
from typing import Any

log = logging.getLogger(__name__)

COMMITMENT_OVERDUE = "commitment.overdue"
EVENTS = (COMMITMENT_OVERDUE,)
Handler = Callable[[dict[str, Any]], None | Awaitable[None]]
_handlers: dict[str, list[Handler]] = {name: [] for name in EVENTS}


def subscribe(name: str, handler: Handler) -> Callable[[], None]:
    """Call ``handler(payload)`` for every ``name`` event; returns a function that unsubscribes it."""
    if name not in _handlers:
        raise ValueError(f"unknown event {name!r}; known: {', '.join(EVENTS)}")
    _handlers[name].append(handler)
    return lambda: _handlers[name].remove(handler) if handler in _handlers[name] else None


async def emit(name: str, payload: dict[str, Any]) -> int:
    """Deliver one event to every subscriber; returns how many handled it without an error."""
    ok = 0
    for handler in list(_handlers.get(name, [])):
        try:
            result = handler(payload)
            if inspect.isawaitable(result):
                await result
            ok += 1
        except Exception:  # noqa: BLE001 - one subscriber must not stop the others
            log.exception("handler of %s failed", name)
    return ok


def overdue_payload(row: Any) -> dict[str, Any]:  # noqa: ANN401 - a commitments row
    """The ``commitment.overdue`` payload (masked text only; no owner data is stored)."""
    return {"event": COMMITMENT_OVERDUE, "commitment_id": row.id, "draft_id": row.draft_id, "project": row.project,
            "agent_key_id": row.agent_key_id, "kind": row.kind, "what": row.what, "quote": row.quote,
            "due_at": row.due_at.isoformat(), "approved_at": row.approved_at.isoformat()}
