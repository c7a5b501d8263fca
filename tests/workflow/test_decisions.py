"""Human decisions on a waiting draft set: approve / edit (re-checked) / reject, supervisor
override and return, and finalize (final texts, 回访 follow-up, audit events)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import respx

from agent.errors import InvalidInput, NotFound
from agent.workflow.core import Decision, DecisionNotAllowed, EditBlocked
from tests.workflow.conftest import BAD_ACT, CLEAN, LLM_URL, responder

COMPLAINT = "小区东门的道闸坏了两天,车进不去也出不来,保安说不归他管。"


@pytest.fixture
def service(make_service, model_settings):
    return make_service(model_settings)


def _create(service, *answers, complaint=COMPLAINT):
    with respx.mock(assert_all_called=False) as mock:
        mock.post(LLM_URL).mock(side_effect=responder(*(answers or ({},))))
        return service.create(complaint)


def test_approve_finalizes_with_follow_up(service):
    draft = _create(service)
    done = service.decide(draft.id, Decision(action="approve"), actor="key-7")
    assert done.status == "approved"
    assert {k.value: v for k, v in done.final.items()} == CLEAN
    due = done.follow_up.due_at - datetime.now(UTC)
    expected = 2 if done.classification.urgency.value == "urgent" or done.classification.severity.value == "major" else 24
    assert timedelta(hours=expected - 0.1) < due <= timedelta(hours=expected)
    assert "回访" in done.follow_up.note
    actions = [(e.action, e.actor) for e in done.events]
    assert actions[0] == ("created", "system") and ("approve", "key-7") in actions and actions[-1][0] == "finalized"
    assert service.get(draft.id).status == "approved"
    with pytest.raises(DecisionNotAllowed, match="already approved"):
        service.decide(draft.id, Decision(action="approve"), actor="key-7")


def test_urgent_complaint_gets_two_hour_follow_up(service):
    draft = _create(service, complaint="家里燃气味道特别重,好像漏气了,老人孩子都在家,赶紧派人来!")
    assert draft.classification.urgency.value == "urgent"
    done = service.decide(draft.id, Decision(action="approve"), actor="a")
    assert done.follow_up.due_at - datetime.now(UTC) <= timedelta(hours=2)
    assert done.follow_up.note.startswith("2小时内")


def test_clean_edit_is_approved_with_edited_text(service):
    draft = _create(service)
    new_act = "我这边马上给您登记,今天下午就安排工程部师傅去东门检修道闸,修好后第一时间告诉您。"
    done = service.decide(draft.id, Decision(action="edit", stages={"act": new_act}), actor="a")
    assert done.status == "approved" and done.final["act"] == new_act and done.final["listen"] == CLEAN["listen"]
    edit = next(e for e in done.events if e.action == "edit")
    assert edit.detail["stages"] == ["act"] and edit.detail["guardrail"]["act"]["passed"]


def test_edit_breaking_a_block_rule_is_refused(service):
    draft = _create(service)
    with pytest.raises(EditBlocked) as caught:
        service.decide(draft.id, Decision(action="edit", stages={"act": BAD_ACT}), actor="a")
    assert list(caught.value.violations) == ["act"]
    assert caught.value.to_dict()["code"] == "edit_blocked"
    assert service.get(draft.id).status == "pending_approval"  # nothing changed, still waiting
    with pytest.raises(DecisionNotAllowed):  # an agent cannot override
        service.decide(draft.id, Decision(action="edit", stages={"act": BAD_ACT}, override=True, note="x"), actor="a")
    with pytest.raises(InvalidInput, match="note"):
        service.decide(draft.id, Decision(action="edit", stages={"act": BAD_ACT}, override=True), actor="s",
                       role="supervisor")
    done = service.decide(draft.id, Decision(action="edit", stages={"act": BAD_ACT}, override=True, note="业主要求原话"),
                          actor="sup-1", role="supervisor")
    assert done.status == "approved" and done.final["act"] == BAD_ACT
    assert next(e for e in done.events if e.action == "edit").detail["override"] is True


def test_reject_needs_a_reason(service):
    draft = _create(service)
    with pytest.raises(InvalidInput, match="reason"):
        service.decide(draft.id, Decision(action="reject", reason="  "), actor="a")
    done = service.decide(draft.id, Decision(action="reject", reason="业主已电话沟通解决"), actor="a")
    assert done.status == "rejected" and done.final is None and done.follow_up is None
    assert next(e for e in done.events if e.action == "reject").detail["reason"] == "业主已电话沟通解决"


def test_flagged_set_needs_a_supervisor(service):
    draft = _create(service, {"act": BAD_ACT}, {"act": BAD_ACT})
    assert draft.status == "flagged"
    with pytest.raises(DecisionNotAllowed, match="flagged"):
        service.decide(draft.id, Decision(action="approve"), actor="a")
    with pytest.raises(DecisionNotAllowed, match="supervisor"):
        service.decide(draft.id, Decision(action="override_approve", note="ok"), actor="a")
    returned = service.decide(draft.id, Decision(action="return_to_agent", note="办这一段请重写"), actor="sup",
                              role="supervisor")
    assert returned.status == "pending_approval" and returned.final is None
    done = service.decide(draft.id, Decision(action="approve"), actor="a")
    assert done.status == "approved"
    assert [e.action for e in done.events][-3:] == ["return_to_agent", "approve", "finalized"]


def test_supervisor_override_approves_flagged(service):
    draft = _create(service, {"act": BAD_ACT}, {"act": BAD_ACT})
    done = service.decide(draft.id, Decision(action="override_approve", note="已与业主当面确认"), actor="sup",
                          role="supervisor")
    assert done.status == "approved" and done.final["act"] == BAD_ACT


def test_agent_edit_that_fixes_a_flagged_set_is_approved(service):
    draft = _create(service, {"act": BAD_ACT}, {"act": BAD_ACT})
    done = service.decide(draft.id, Decision(action="edit", stages={"act": CLEAN["act"]}), actor="a")
    assert done.status == "approved" and done.final["act"] == CLEAN["act"]


def test_bad_decisions_are_typed_errors(service):
    with pytest.raises(NotFound):
        service.decide("no-such-draft", Decision(action="approve"), actor="a")
    draft = _create(service)
    with pytest.raises(InvalidInput):
        service.decide(draft.id, {"action": "publish"}, actor="a")
    with pytest.raises(InvalidInput, match="role"):
        service.decide(draft.id, Decision(action="approve"), actor="a", role="owner")
    with pytest.raises(InvalidInput):
        service.decide(draft.id, Decision(action="edit", stages={}), actor="a")
    with pytest.raises(InvalidInput, match="actor"):
        service.decide(draft.id, Decision(action="approve"), actor=" ")


def test_bad_complaints_are_typed_errors(service):
    for bad in ("", "   ", None, "投" * 5000):
        with pytest.raises(InvalidInput):
            service.create(bad)
    with pytest.raises(InvalidInput, match="draft_id"):
        service.create(COMPLAINT, draft_id="../etc/passwd")
    with pytest.raises(InvalidInput):
        service.create(COMPLAINT, history=[{"role": "hacker", "text": "x"}])
    draft = _create(service)
    with respx.mock(assert_all_called=False) as mock:
        mock.post(LLM_URL).mock(side_effect=responder({}))
        with pytest.raises(InvalidInput, match="exists"):
            service.create(COMPLAINT, draft_id=draft.id)
