"""Agent decisions and supervisor reviews on a stored draft set, each with an audit event."""

from __future__ import annotations

from typing import Any

from agent.errors import WuyeError
from agent.workflow.models import Decision

from .auth import Principal
from .drafting import Runtime, _dump, rule_hits, stage_texts
from .errors import ApiError
from .store import append_audit_event, get_draft, save_draft

FINAL = {"approved", "rejected"}


def not_found(draft_id: str) -> ApiError:
    return ApiError(404, "draft_not_found", f"找不到草稿 {draft_id}。", f"No draft {draft_id}.")


def _conflict(code: str, zh: str, en: str, status: str) -> ApiError:
    return ApiError(409, code, zh, en, status=status)


def _check_allowed(principal: Principal, decision: Decision, status: str) -> None:
    if status in FINAL:
        raise _conflict("already_decided", f"该草稿已处理(当前状态:{status}),不能再次操作。",
                        f"This draft set is already {status}.", status)
    if principal.role == "agent":
        if decision.override:
            raise ApiError(403, "override_forbidden", "只有主管可以放行被护栏拦截的修改。",
                           "Only a supervisor may override a blocked edit.")
        if decision.action == "approve" and status == "flagged":
            raise _conflict("flagged_needs_supervisor",
                            "该草稿被护栏标记,需要主管审核后才能发送;您可以修改后重新提交,或等待主管处理。",
                            "This draft set is flagged by the guardrails and needs a supervisor's review; "
                            "edit it or wait for a supervisor.", status)


async def apply_decision(rt: Runtime, principal: Principal, draft_id: str, decision: Decision) -> dict[str, Any]:
    """Run one decision through the workflow; returns the new draft set JSON."""
    async with rt.lock(draft_id):
        async with rt.db.read_session() as s:
            row = await get_draft(s, draft_id=draft_id, scope=principal.scope)
        if row is None:
            raise not_found(draft_id)
        _check_allowed(principal, decision, row.status)
        before_all = stage_texts(row.data)
        edited = set(decision.stages or {}) if decision.action == "edit" else None
        try:
            draft = await rt.service.adecide(draft_id, decision, actor=principal.id, role=principal.role)
        except WuyeError as exc:
            if exc.code != "edit_blocked":
                raise
            violations = _flatten(getattr(exc, "violations", None) or exc.details.get("violations"))
            async with rt.db.session() as s:
                await append_audit_event(
                    s, draft_id=draft_id, actor_key_id=principal.id, role=principal.role, action="edit_blocked",
                    before={k: before_all.get(k) for k in edited or ()},
                    after={str(k): v for k, v in (decision.stages or {}).items()}, rule_hits=violations,
                )
            rt.metrics.decisions.labels(action="edit", status="blocked").inc()
            raise ApiError(422, "edit_blocked", "修改后的回复触犯了护栏规则,请按提示修改后再提交(主管可放行)。",
                           "The edited reply breaks a guardrail rule; fix it and resubmit "
                           "(a supervisor may override).", violations=violations) from exc
        data = _dump(draft)
        after_all = stage_texts(data)
        changed = edited if edited is not None else {k for k in after_all if after_all[k] != before_all.get(k)}
        async with rt.db.session() as s:
            await save_draft(s, draft_id=draft_id, agent_key_id=row.agent_key_id, project=row.project, data=data)
            await append_audit_event(
                s, draft_id=draft_id, actor_key_id=principal.id, role=principal.role, action=decision.action,
                before={k: before_all.get(k) for k in changed} or None,
                after={k: after_all.get(k) for k in changed} or None,
                rule_hits=rule_hits(data, {str(k) for k in changed}) if changed else [],
                note=decision.reason or decision.note,
            )
        rt.metrics.decisions.labels(action=decision.action, status=str(data.get("status"))).inc()
        return data


def _flatten(violations: Any) -> list[dict[str, Any]]:
    """EditBlocked carries {stage: [violation, …]}; the API and audit use a flat list with ``stage``."""
    out: list[dict[str, Any]] = []
    items = violations.items() if isinstance(violations, dict) else [(None, violations or [])]
    for stage, hits in items:
        for v in hits or []:
            data = v.model_dump(mode="json") if hasattr(v, "model_dump") else dict(v)
            out.append({"stage": str(stage) if stage else data.get("stage"), **data})
    return out


async def get_visible(rt: Runtime, principal: Principal, draft_id: str) -> dict[str, Any]:
    async with rt.db.read_session() as s:
        row = await get_draft(s, draft_id=draft_id, scope=principal.scope)
    if row is None:
        raise not_found(draft_id)
    return row.data
