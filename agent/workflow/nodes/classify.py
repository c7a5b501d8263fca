"""classify: category / severity / urgency / mindset / escalate by the offline rules.

A configured model may refine this in its drafting answer (same schema); see drafting.merge_classification.
"""

from __future__ import annotations

from typing import Any


def classify_node(state: dict[str, Any], runtime: Any) -> dict[str, Any]:
    from agent.understand.classify import classify_offline

    return {"classification": classify_offline(state["complaint_model"]).model_dump(mode="json")}
