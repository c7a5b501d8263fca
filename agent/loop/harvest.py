"""``wuye eval harvest``: edited and rejected draft sets → masked guardrail eval cases for QA.

For every ``edit`` decision since a date, each edited stage gives two cases: the draft's text
(expected: the categories the guard found in it when it was drafted; ``linked_rules``: the rules
the agent's edit removed) and the agent's text (expected: what the guard found in the approved
text, normally nothing). Every stage of a rejected set gives a case with the reason as its note.
Texts are masked again before they are written. The output is a guardrail suite (``.yaml``) that
``wuye eval FILE`` runs, or labelled-set lines (``.jsonl``, the format of
``evals/guardrails/labelled.jsonl``) for QA to review and add to the guard's labelled set.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from agent.workflow.store.tables import audit_events, drafts, rule_facts


def _script(text: str) -> str:
    from agent.loop.commitments import simplified

    return "simplified" if simplified(text) == text else "traditional"


async def harvest(conn: AsyncConnection, *, since: datetime, mask: Callable[[str], str],
                  project: str | None = None) -> list[dict[str, Any]]:
    a = audit_events.c
    stmt = (select(audit_events, drafts.c.project, drafts.c.data).join(drafts, drafts.c.id == a.draft_id)
            .where(a.at >= since, a.action.in_(("edit", "reject"))).order_by(a.id))
    if project:
        stmt = stmt.where(drafts.c.project == project)
    decisions = (await conn.execute(stmt)).all()
    ids = sorted({d.draft_id for d in decisions})
    created: dict[str, dict[str, set[str]]] = {}
    linked: dict[tuple[str, str], set[str]] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for draft_id, hits in (await conn.execute(select(a.draft_id, a.rule_hits).where(
                a.draft_id.in_(chunk), a.action == "created").order_by(a.id))).all():
            per_stage: dict[str, set[str]] = {}
            for hit in hits or []:
                per_stage.setdefault(hit.get("stage") or "", set()).add(hit["category"])
            created[draft_id] = per_stage  # the latest drafting of the set
        for draft_id, stage, rule_id in (await conn.execute(select(
                rule_facts.c.draft_id, rule_facts.c.stage, rule_facts.c.rule_id).where(
                rule_facts.c.draft_id.in_(chunk), rule_facts.c.outcome == "removed_by_edit"))).all():
            linked.setdefault((draft_id, stage), set()).add(rule_id)
    cases: list[dict[str, Any]] = []
    for d in decisions:
        found = created.get(d.draft_id, {})
        base = {"draft_id": d.draft_id, "decided_at": d.at.isoformat()}
        if d.action == "edit":
            after_guard = _guard_categories(d.data)
            for stage, before in sorted((d.before or {}).items()):
                after = (d.after or {}).get(stage)
                rules = sorted(linked.get((d.draft_id, stage), set()))
                cases.append(_case(f"h-{d.id}-{stage}-draft", stage, mask(before), sorted(found.get(stage, set())),
                                   note="draft text an agent edited" + (f"; edit removed {', '.join(rules)}"
                                                                       if rules else "; no rule linked: QA review"),
                                   source="draft", linked_rules=rules, **base))
                if after:
                    cases.append(_case(f"h-{d.id}-{stage}-agent", stage, mask(after),
                                       sorted(after_guard.get(stage, set())), note="the agent's text",
                                       source="agent", linked_rules=rules, **base))
        else:
            for item in (d.data or {}).get("stages", []):
                stage = item["stage"]
                cases.append(_case(f"h-{d.id}-{stage}-rejected", stage, mask(item["text"]),
                                   sorted(found.get(stage, set())), note=f"rejected: {mask(d.note or '')}",
                                   source="rejected", linked_rules=[], **base))
    return [c for c in cases if c["text"].strip()]


def _guard_categories(data: dict | None) -> dict[str, set[str]]:
    return {s["stage"]: {v["category"] for v in s["guardrail"]["violations"]} for s in (data or {}).get("stages", [])}


def _case(case_id: str, stage: str, text: str, expected: list[str], **extra: Any) -> dict[str, Any]:  # noqa: ANN401
    return {"id": case_id, "stage": stage, "text": text, "expected": expected, "script": _script(text), **extra}


def suite_document(cases: list[dict[str, Any]], since: datetime) -> dict[str, Any]:
    return {
        "suite": f"harvested_{since:%Y%m%d}",
        "kind": "guardrail",
        "description": (f"从 {since:%Y-%m-%d} 起客服修改和驳回的草稿(已脱敏),待质检审核后并入标注集。"
                        " Edited and rejected drafts since that day (masked), for QA to review."),
        "cases": cases,
    }
