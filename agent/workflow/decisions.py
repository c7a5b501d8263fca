"""Decisions: ONE pure function, one place for each rule.

``decide(draft, decision, actor, now, checks) -> (new draft, audit event)``; the store applies the
result exactly once (a conditional update on the draft's id and version, in one transaction with
the audit event). ``checks`` re-checks edited texts with the guard and masks what is kept, so the
function stays deterministic and never stores a raw edit.

Rules (each in one place below):
- only a waiting draft (pending_approval, flagged) takes a decision ............ ``_waiting``
- a stale draft (its conversation got a newer owner message) is not sent: approve, edit and
  override_approve need a refresh first; reject is allowed ........................ ``_fresh``
- approve: every stage must pass the guard (a flagged set needs an edit or a supervisor) ``_approve``
- edit: the WHOLE resulting set is re-checked, not only the edited stages; a block violation
  refuses it (``EditBlocked``, audited masked) unless a supervisor overrides with a note ... ``_edit``
- reject needs a reason .......................................................... ``_reject``
- override_approve (supervisor, note) records the rules it overrides ........... ``_override``
- return_to_agent (supervisor, note) sends the set back, still waiting ......... ``_return``
  — only a set that is with a supervisor (flagged, escalated, not returned since): a set already
  with the agent is a 409 ``already_with_agent`` (so two concurrent returns never both succeed)
- an approved set gets a 回访 reminder: within 2 h when urgent OR major, else 24 h ``follow_up_for``
- approving records every promise of the final texts (the commitment ledger); a promise beyond the
  agent's authority (guardrails/authority.yaml) blocks it unless a supervisor approves ``_authority``
- a 回访 outcome "not satisfied" reopens an approved set for the agent, history kept ``reopen``
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

from agent.errors import Conflict, Forbidden, InvalidInput
from agent.guard.models import GuardResult
from agent.loop.models import Commitment, FollowUpOutcomeIn
from agent.vocab import Severity, Stage, Urgency
from agent.workflow.models import (
    WAITING,
    Actor,
    AuditEvent,
    Decision,
    DraftEvent,
    DraftSet,
    FollowUp,
    RuleHit,
)

CATEGORY_ZH = {"facilities": "设施设备", "environment": "环境卫生", "security": "安全秩序", "fees": "收费",
               "service_attitude": "服务态度", "neighbor": "邻里纠纷", "other": "投诉"}


class Checks(Protocol):
    """What a decision needs from outside: the guard, and masking of what is kept."""

    def check(self, texts: dict[Stage, str]) -> dict[Stage, GuardResult]: ...

    def mask(self, text: str) -> str: ...

    def promises(self, texts: dict[Stage, str], approved_at: datetime) -> list[Commitment]: ...


class EditBlocked(InvalidInput):
    """An edited draft set still breaks a block rule. ``event`` is its (masked) audit event;
    ``guardrail`` is the guard result of each blocked stage (excerpts masked; ``start``/``end`` index
    the text as checked: the cleaned edit, or the stored text of an untouched stage)."""

    code = "edit_blocked"

    def __init__(self, hits: list[RuleHit], event: AuditEvent,
                 guardrail: dict[str, dict[str, object]] | None = None) -> None:
        stages = sorted({str(hit.stage) for hit in hits})
        super().__init__(
            f"修改后的回复仍违反必须避免的话术规范(环节:{'、'.join(stages)}),请按提示修改,或由主管确认放行。",
            f"the edited replies still break a block rule (stages: {', '.join(stages)}); fix them or ask a "
            "supervisor to override.",
            violations=[hit.model_dump(mode="json") for hit in hits], guardrail=guardrail or {})
        self.event = event


def follow_up_for(draft: DraftSet, now: datetime) -> FollowUp:
    """Urgent or major complaints are called back within 2 hours, the rest within 24 hours."""
    c = draft.classification
    hours = 2 if c.urgency == Urgency.urgent or c.severity == Severity.major else 24
    note = (f"{hours}小时内回访业主,确认{CATEGORY_ZH.get(c.category.value, '投诉')}问题的处理进展和结果,"
            "听听业主是否满意、还有什么需要。")
    if c.escalate:
        note += "本单已按规定上报,回访前先向主管了解处理进度。"
    return FollowUp(due_at=now + timedelta(hours=hours), note=note)


def blocking_hits(results: dict[Stage, GuardResult], mask: Callable[[str], str]) -> list[RuleHit]:
    """The block violations of a set (excerpts masked), in 六字诀 order."""
    return [RuleHit.of(stage, v).model_copy(update={"excerpt": mask(v.excerpt)})
            for stage in Stage if stage in results
            for v in results[stage].violations if v.severity.value == "block"]


def _need(value: str | None, zh: str, en: str) -> str:
    if not value or not value.strip():
        raise InvalidInput(zh, en, code="note_required")
    return value.strip()


def _supervisor(actor: Actor, what_zh: str, what_en: str) -> None:
    if actor.role != "supervisor":
        raise Forbidden(f"只有主管可以{what_zh}。", f"only a supervisor may {what_en}.", code="supervisor_only")


def with_agent(draft: DraftSet) -> bool:
    """The set waits for the agent, not a supervisor: pending approval and neither escalated nor
    flagged — or returned by a supervisor with no decision since (an escalated set stays in the
    escalation queue after a return, but it has been returned already)."""
    if draft.status != "pending_approval":
        return False
    return not draft.classification.escalate or bool(draft.events and draft.events[-1].action == "return_to_agent")


def _waiting(draft: DraftSet) -> None:
    if draft.status not in WAITING:
        raise Conflict(f"该草稿已处理(当前状态:{draft.status}),不能再次操作。",
                       f"this draft set is already {draft.status}; it takes no more decisions.",
                       code="already_decided", status=draft.status, version=draft.version,
                       current=draft.model_dump(mode="json"))


def _fresh(draft: DraftSet, decision: Decision) -> None:
    if draft.stale and decision.action != "reject":
        raise Conflict("业主在此草稿生成后又发来了新消息,草稿已过时:请先刷新(POST /v1/drafts/{id}/refresh)再处理。",
                       "the owner sent a newer message after this draft was written; it is stale: refresh it "
                       "(POST /v1/drafts/{id}/refresh) before approving.", code="draft_stale", status=draft.status,
                       version=draft.version)


def decide(draft: DraftSet, decision: Decision, actor: Actor, now: datetime, checks: Checks
           ) -> tuple[DraftSet, AuditEvent]:
    """Apply one decision; returns the new draft set (version + 1) and its audit event."""
    _waiting(draft)
    _fresh(draft, decision)
    rule = {"approve": _approve, "edit": _edit, "reject": _reject, "override_approve": _override,
            "return_to_agent": _return}[decision.action]
    update, event = rule(draft, decision, actor, now, checks)
    if update.get("status") == "approved":
        update["follow_up"] = follow_up_for(draft, now)
        update["commitments"] = _authority(update["final"], actor, now, checks)  # type: ignore[arg-type]
    detail = {"role": actor.role, **({"note": event.note} if event.note else {}),
              **({"rules": [h.rule_id for h in event.rule_hits]} if event.rule_hits else {})}
    events = [*draft.events, DraftEvent(at=now, actor=actor.id, action=decision.action, detail=detail)]
    new = draft.model_copy(update={**update, "version": draft.version + 1, "events": events})
    return new, event


Outcome = tuple[dict[str, object], AuditEvent]


def _audit(draft: DraftSet, actor: Actor, action: str, now: datetime, **fields: object) -> AuditEvent:
    return AuditEvent(draft_id=draft.id, actor_key_id=actor.id, role=actor.role, action=action, at=now,
                      **fields)  # type: ignore[arg-type]


def _approve(draft: DraftSet, decision: Decision, actor: Actor, now: datetime, checks: Checks) -> Outcome:
    if any(not stage.guardrail.passed for stage in draft.stages):
        raise Conflict("该草稿有环节未通过护栏检查,不能直接采纳:请修改违规环节,或由主管确认放行(override_approve)。",
                       "a stage of this draft set breaks a block rule: edit it, or a supervisor uses "
                       "override_approve.", code="flagged_needs_supervisor", status=draft.status)
    return {"status": "approved", "final": draft.texts()}, _audit(draft, actor, "approve", now)


def _edit(draft: DraftSet, decision: Decision, actor: Actor, now: datetime, checks: Checks) -> Outcome:
    edits = decision.stages or {}
    if not edits:
        raise InvalidInput("修改时请至少提供一个环节的新文本。", "edit needs the new text of at least one stage.")
    final = {**draft.texts(), **edits}
    results = checks.check(final)  # the WHOLE set: an untouched failing stage still blocks
    hits = blocking_hits(results, checks.mask)
    before = {s.value: draft.stage(s).text for s in edits}
    after = {s.value: checks.mask(text) for s, text in edits.items()}
    if hits and not decision.override:
        blocked = {hit.stage for hit in hits}
        raise EditBlocked(hits, _audit(draft, actor, "edit_blocked", now, before=before, after=after, rule_hits=hits),
                          {s.value: masked_result(results[s], checks).model_dump(mode="json") for s in Stage if s in blocked})
    note = None
    if hits:
        if actor.role != "supervisor":
            raise Forbidden("只有主管可以放行被护栏拦截的修改。", "only a supervisor may override a blocked edit.",
                            code="override_forbidden")
        note = _need(decision.note, "主管放行必须填写说明。", "a supervisor override needs a note.")
    kept = {stage: checks.mask(text) for stage, text in final.items()}
    stages = [item.model_copy(update={"text": kept[item.stage], "guardrail": masked_result(results[item.stage], checks)})
              for item in draft.stages]
    return ({"status": "approved", "final": kept, "stages": stages},
            _audit(draft, actor, "edit", now, before=before, after=after, rule_hits=hits, note=note))


def masked_result(result: GuardResult, checks: Checks) -> GuardResult:
    """A guard result fit to keep or return: excerpts and messages (which quote the excerpt) masked;
    ``start``/``end`` still index the text that was checked."""
    return result.model_copy(update={"violations": [
        v.model_copy(update={"excerpt": checks.mask(v.excerpt), "message": checks.mask(v.message)})
        for v in result.violations]})


def _reject(draft: DraftSet, decision: Decision, actor: Actor, now: datetime, checks: Checks) -> Outcome:
    reason = _need(decision.reason, "驳回时必须填写原因。", "reject needs a reason.")
    return {"status": "rejected", "final": None}, _audit(draft, actor, "reject", now, note=reason)


def _override(draft: DraftSet, decision: Decision, actor: Actor, now: datetime, checks: Checks) -> Outcome:
    _supervisor(actor, "放行(override_approve)", "override_approve")
    note = _need(decision.note, "主管放行必须填写说明。", "override_approve needs a note.")
    overridden = blocking_hits({s.stage: s.guardrail for s in draft.stages}, checks.mask)
    return ({"status": "approved", "final": draft.texts()},
            _audit(draft, actor, "override_approve", now, rule_hits=overridden, note=note))


def _return(draft: DraftSet, decision: Decision, actor: Actor, now: datetime, checks: Checks) -> Outcome:
    _supervisor(actor, "退回客服(return_to_agent)", "return_to_agent")
    if with_agent(draft):
        raise Conflict("该草稿已在客服手中(待客服采纳),无需再次退回。",
                       "this draft set is already with the agent (pending approval, not flagged or escalated, "
                       "or returned already); there is nothing to return.",
                       code="already_with_agent", status=draft.status, version=draft.version)
    note = _need(decision.note, "退回客服时请写明原因。", "return_to_agent needs a note.")
    return {"status": "pending_approval", "final": None}, _audit(draft, actor, "return_to_agent", now, note=note)


class BeyondAuthority(Conflict):
    """The final texts promise something only a supervisor may promise (HTTP 409)."""

    code = "beyond_authority"


def _authority(final: dict[Stage, str], actor: Actor, now: datetime, checks: Checks) -> list[Commitment]:
    """The promises of the final texts; one beyond the agent's authority needs a supervisor, who
    thereby authorizes it (recorded on the commitment)."""
    promised = checks.promises(final, now)
    beyond = [c for c in promised if not c.within_authority]
    if beyond and actor.role != "supervisor":
        quotes = "、".join(f"「{c.quote}」" for c in beyond)
        raise BeyondAuthority(
            f"回复中的承诺超出客服权限:{quotes}。请修改这些承诺,或请主管审核批准。",
            "the replies promise something beyond an agent's authority; change it or ask a supervisor to approve.",
            commitments=[c.model_dump(mode="json") for c in beyond])
    return [c.model_copy(update={"authorized_by": actor.id}) if not c.within_authority else c for c in promised]


def reopen(draft: DraftSet, outcome: FollowUpOutcomeIn, actor: Actor, now: datetime) -> tuple[DraftSet, AuditEvent]:
    """A 回访 whose owner is not satisfied reopens the approved set for the agent: waiting again
    (pending_approval), the approved texts and the 回访 note kept in its history."""
    if draft.status != "approved":
        raise Conflict(f"只有已采纳的草稿可以因回访不满意而重新打开(当前状态:{draft.status})。",
                       f"only an approved draft set can be reopened by a follow-up (it is {draft.status}).",
                       code="not_reopenable", status=draft.status)
    note = _need(outcome.note, "回访不满意时请写明业主的意见。", "a not-satisfied follow-up needs a note.")
    previous = {s.value: t for s, t in (draft.final or {}).items()}
    events = [*draft.events, DraftEvent(at=now, actor=actor.id, action="reopened",
                                        detail={"role": actor.role, "note": note, "previous_final": previous})]
    new = draft.model_copy(update={"status": "pending_approval", "final": None, "follow_up": None, "commitments": [],
                                   "version": draft.version + 1, "events": events})
    return new, _audit(draft, actor, "reopen", now, before=previous, note=note)
