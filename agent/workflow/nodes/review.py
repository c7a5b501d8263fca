"""review: wait for a human (LangGraph ``interrupt()``), then apply their decision.

``check_decision`` runs in the service BEFORE the graph is resumed, so a refused decision raises
a typed error and leaves the waiting checkpoint untouched. The node itself only applies the
outcome that ``check_decision`` computed.

Rules: approve (pending_approval only — a flagged set needs a supervisor) · edit (edited stages
re-checked; if any stage of the resulting set breaks a block rule → ``EditBlocked``, unless a
supervisor sets ``override`` with a note) · reject (reason required) · supervisor:
override_approve (note required), return_to_agent (note required; → pending_approval, still waiting).
"""

from __future__ import annotations

from typing import Any

from langgraph.types import interrupt

from agent.errors import InvalidInput
from agent.workflow.models import Decision
from agent.workflow.nodes.common import STAGES, event

WAITING = ("pending_approval", "flagged")


class DecisionNotAllowed(InvalidInput):
    """The decision does not fit the draft set's status or the actor's role."""

    code = "decision_not_allowed"


class EditBlocked(InvalidInput):
    """An edited draft set still breaks a block-severity rule; ``violations`` says where."""

    code = "edit_blocked"

    def __init__(self, violations: dict[str, list[dict[str, Any]]]) -> None:
        stages = "、".join(violations)
        super().__init__(
            f"修改后的回复仍违反必须避免的话术规范(环节:{stages}),请按提示修改,或由主管确认放行。",
            f"the edited replies still break a block rule (stages: {', '.join(violations)}); fix them "
            "or ask a supervisor to override.",
            violations=violations,
        )
        self.violations = violations


def _need(value: str | None, zh: str, en: str) -> str:
    if not value or not value.strip():
        raise InvalidInput(zh, en)
    return value.strip()


def _supervisor_only(role: str, action: str) -> None:
    if role != "supervisor":
        raise DecisionNotAllowed(f"“{action}”只能由主管操作。", f"only a supervisor may {action}.")


def check_decision(values: dict[str, Any], decision: Decision, actor: str, role: str,
                   checker: Any, max_chars: int) -> dict[str, Any]:
    """Validate ``decision`` against the waiting state; return the outcome the review node applies."""
    if role not in ("agent", "supervisor"):
        raise InvalidInput(f"未知角色 {role!r}(应为 agent 或 supervisor)。", f"unknown role {role!r}.")
    status = values.get("status")
    if status not in WAITING:
        raise DecisionNotAllowed(f"该草稿已处理(状态:{status}),不能再次决定。",
                                 f"this draft set is already {status}; it takes no more decisions.")
    texts = {stage: values["drafts"][stage]["text"] for stage in STAGES}
    action = decision.action
    detail: dict[str, Any] = {"role": role}
    new_status, final = "approved", dict(texts)
    if action == "approve":
        if status == "flagged":
            raise DecisionNotAllowed(
                "该草稿被护栏标记,不能直接通过:请修改违规环节,或由主管确认放行(override_approve)。",
                "a flagged draft set cannot be approved as is: edit the failing stages, or a supervisor "
                "uses override_approve.")
    elif action == "edit":
        edits = decision.stages or {}
        if not edits:
            raise InvalidInput("修改时请至少提供一个环节的新文本。", "edit needs the new text of at least one stage.")
        for stage, text in edits.items():
            if not text.strip() or len(text) > max_chars:
                raise InvalidInput(f"环节 {stage.value} 的文本为空或超过 {max_chars} 字。",
                                   f"the text of stage {stage.value} is empty or longer than {max_chars} chars.")
        rechecked = checker.check_set({stage.value: text.strip() for stage, text in edits.items()})
        results = {**values["guard_results"], **{s: r.model_dump(mode="json") for s, r in rechecked.items()}}
        final.update({stage.value: text.strip() for stage, text in edits.items()})
        blocked = {s: [v for v in r["violations"] if v.get("severity") == "block"]
                   for s, r in results.items() if not r["passed"]}
        detail.update(stages=sorted(s.value for s in edits),
                      guardrail={s: rechecked[s].model_dump(mode="json") for s in rechecked})
        if blocked:
            if not decision.override:
                raise EditBlocked(blocked)
            _supervisor_only(role, "override a guardrail block")
            detail.update(override=True, note=_need(decision.note, "主管放行必须填写说明。",
                                                    "a supervisor override needs a note."), blocked=sorted(blocked))
    elif action == "reject":
        detail["reason"] = _need(decision.reason, "驳回时必须填写原因。", "reject needs a reason.")
        new_status, final = "rejected", None
    elif action == "override_approve":
        _supervisor_only(role, "override_approve")
        detail["note"] = _need(decision.note, "主管放行必须填写说明。", "override_approve needs a note.")
    elif action == "return_to_agent":
        _supervisor_only(role, "return_to_agent")
        detail["note"] = _need(decision.note, "退回客服时请写明原因。", "return_to_agent needs a note.")
        new_status, final = "pending_approval", None
    return {"status": new_status, "final": final, "decision": decision.model_dump(mode="json"),
            "event": event(action, actor=actor, **detail)}


def review_node(state: dict[str, Any], runtime: Any) -> dict[str, Any]:
    outcome = interrupt({"draft_id": state["draft_id"], "status": state["status"]})
    return {"status": outcome["status"], "final": outcome["final"], "decision": outcome["decision"],
            "events": [outcome["event"]]}


def after_review(state: dict[str, Any]) -> str:
    return "finalize" if state["status"] in ("approved", "rejected") else "review"
