"""Learning from edits (pure): each decision compared with the draft set it was made on.

``edit_size(a, b)`` is the number of characters an agent changed (difflib opcodes: a replacement
counts its longer side, an insertion or deletion its length). ``facts(before, after, action,
decider, now)`` is the ``decision_facts`` row of one decision; ``rule_outcomes`` says what became of
each guard rule hit of the set it was made on: ``removed_by_edit`` (the stage was edited and the
rule no longer fires: the edit is linked to that rule), ``overridden`` (a supervisor let it through),
``kept``, ``rejected`` or ``returned``.
"""

from __future__ import annotations

import difflib
from datetime import datetime
from typing import Any

from agent.workflow.models import DraftSet

STAGES = ("listen", "empathize", "ask", "act", "negotiate", "thank")


def edit_size(before: str, after: str) -> int:
    if before == after:
        return 0
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    return sum(max(i2 - i1, j2 - j1) for op, i1, i2, j1, j2 in matcher.get_opcodes() if op != "equal")


def stage_edits(before: DraftSet, after: DraftSet) -> dict[str, int]:
    """Edit size per stage (0 = unchanged) between what was drafted and what was approved."""
    if after.final is None:
        return {s: 0 for s in STAGES}
    final = {k.value if hasattr(k, "value") else str(k): v for k, v in after.final.items()}
    return {s: edit_size(before.stage(s).text, final.get(s, before.stage(s).text)) for s in STAGES}


def facts(before: DraftSet, after: DraftSet, action: str, decider: str, now: datetime) -> dict[str, Any]:
    edits = stage_edits(before, after)
    row: dict[str, Any] = {
        "draft_id": before.id, "project": before.meta.get("project") or "", "agent_key_id":
            before.meta.get("agent") or "", "decider_key_id": decider,
        "prompt": f"{before.prompt.id}@{before.prompt.version}"[:80], "action": action, "outcome": after.status,
        "unchanged": after.status == "approved" and not any(edits.values()),
        "edited_stages": sum(1 for v in edits.values() if v), "edit_chars": sum(edits.values()),
        "created_at": before.created_at, "decided_at": now,
        "seconds": max(0, int((now - before.created_at).total_seconds())),
    }
    for s in STAGES:
        row[f"e_{s}"] = edits[s]
        techniques = before.stage(s).techniques
        row[f"t_{s}"] = techniques[0].id[:80] if techniques else None
    return row


def rule_outcomes(before: DraftSet, after: DraftSet, action: str) -> list[dict[str, str]]:
    """What became of each rule hit of ``before`` (one row per stage × rule)."""
    edits = stage_edits(before, after)
    out = []
    for s in STAGES:
        still = {v.rule_id for v in after.stage(s).guardrail.violations}
        for rule_id, severity in {v.rule_id: v.severity.value for v in before.stage(s).guardrail.violations}.items():
            if after.status == "rejected":
                outcome = "rejected"
            elif after.status != "approved":
                outcome = "returned"
            elif edits[s] and rule_id not in still:
                outcome = "removed_by_edit"
            elif action == "override_approve" or (action == "edit" and severity == "block"):
                outcome = "overridden"
            else:
                outcome = "kept"
            out.append({"rule_id": rule_id[:80], "stage": s, "severity": severity, "outcome": outcome})
    return out
