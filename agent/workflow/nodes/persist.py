"""persist: settle the draft set's status (flagged when a stage still breaks a block rule).

The state is written by the checkpointer when the graph pauses for approval right after this node.
"""

from __future__ import annotations

import time
from typing import Any

from agent.workflow.nodes.common import event, failing_stages


def persist_node(state: dict[str, Any], runtime: Any) -> dict[str, Any]:
    failing = failing_stages(state["guard_results"])
    events = [event("drafted", model=state["model"], drafter=state["drafter"], llm_calls=state.get("llm_calls", 0),
                    prompt=state["prompt"], pii=state.get("pii_kinds", {}))]
    if failing:
        events.append(event("flagged", stages=failing))
    return {
        "status": "flagged" if failing else "pending_approval",
        "techniques": {},  # retrieval context is no longer needed; drafts keep what they cite
        "fix_hints": {},
        "timings_ms": {"total": (time.time() - state["started"]) * 1000},
        "events": events,
    }
