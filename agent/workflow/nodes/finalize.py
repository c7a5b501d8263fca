"""finalize: final text per stage, the 回访 (follow-up) reminder, the closing audit event."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from agent.workflow.nodes.common import event, now

CATEGORY_ZH = {"facilities": "设施设备", "environment": "环境卫生", "security": "安全秩序", "fees": "收费",
               "service_attitude": "服务态度", "neighbor": "邻里纠纷", "other": "投诉"}


def follow_up_for(classification: dict[str, Any]) -> dict[str, Any]:
    """Urgent or major complaints are called back within 2 hours, the rest within 24 hours."""
    hot = classification.get("urgency") == "urgent" or classification.get("severity") == "major"
    hours = 2 if hot else 24
    topic = CATEGORY_ZH.get(classification.get("category", "other"), "投诉")
    note = f"{hours}小时内回访业主,确认{topic}问题的处理进展和结果,听听业主是否满意、还有什么需要。"
    if classification.get("escalate"):
        note += "本单已按规定上报,回访前先向主管了解处理进度。"
    return {"due_at": (now() + timedelta(hours=hours)).isoformat(), "note": note}


def finalize_node(state: dict[str, Any], runtime: Any) -> dict[str, Any]:
    approved = state["status"] == "approved"
    follow_up = follow_up_for(state["classification"]) if approved else None
    return {"follow_up": follow_up,
            "events": [event("finalized", status=state["status"],
                             follow_up_due=follow_up["due_at"] if follow_up else None)]}
