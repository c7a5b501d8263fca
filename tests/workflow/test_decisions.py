"""Human decisions: the pure function ``decisions.decide`` (one place per rule) and the core that
applies it exactly once (a conditional update on the draft's version, with its audit event)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
import respx

from agent.errors import Conflict, Forbidden, InvalidInput, NotFound
from agent.understand.models import Classification
from agent.workflow.core import GuardChecks
from agent.workflow.decisions import EditBlocked, decide, follow_up_for
from agent.workflow.models import Actor, Decision
from agent.workflow.store import audit
from agent.workflow.store.drafts import EVERYONE
from tests.workflow.conftest import BAD_ACT, CLEAN, LLM_URL, create, responder

COMPLAINT = "小区东门的道闸坏了两天,车进不去也出不来,保安说不归他管。"
AGENT, SUPERVISOR = Actor(id="key-7"), Actor(id="sup-1", role="supervisor")


@pytest.fixture
async def core(make_core, model_settings):  # noqa: ANN001, ANN201
    return await make_core(model_settings)


async def _create(core, *answers, complaint=COMPLAINT):  # noqa: ANN001, ANN202
    with respx.mock(assert_all_called=False) as mock:
        mock.post(LLM_URL).mock(side_effect=responder(*(answers or ({},))))
        return await create(core, complaint)


async def _audit(core, draft_id):  # noqa: ANN001, ANN202
    async with core.db.connect() as conn:
        rows, _ = await audit.page(conn, scope=EVERYONE, draft_id=draft_id)
    return rows


@pytest.mark.parametrize(("urgency", "severity", "hours"), [
    ("urgent", "general", 2), ("normal", "major", 2), ("urgent", "major", 2),
    ("normal", "important", 24), ("normal", "general", 24)])
def test_follow_up_is_two_hours_when_urgent_or_major(urgency, severity, hours, shared_clients):
    """Expectations written out by hand, not computed with the code's formula."""
    from agent.workflow.models import DraftSet

    now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    draft = DraftSet.model_construct(classification=Classification(urgency=urgency, severity=severity))
    follow = follow_up_for(draft, now)
    assert follow.due_at == now + timedelta(hours=hours) and follow.note.startswith(f"{hours}小时内")


async def test_approve_is_applied_once_with_follow_up(core):
    draft = await _create(core)
    done = await core.decide(draft.id, Decision(action="approve"), AGENT)
    assert done.status == "approved" and done.version == draft.version + 1
    assert {k.value: v for k, v in done.final.items()} == CLEAN
    assert "回访" in done.follow_up.note
    assert [(e.action, e.actor) for e in done.events][-1] == ("approve", "key-7")
    assert (await core.get(draft.id)).status == "approved"
    with pytest.raises(Conflict, match="already approved") as again:
        await core.decide(draft.id, Decision(action="approve"), AGENT)
    assert again.value.code == "already_decided"
    assert [r.action for r in await _audit(core, draft.id)] == ["created", "approve"]


async def test_two_deciders_at_once_one_wins_the_other_gets_already_decided(core):
    draft = await _create(core)
    results = await asyncio.gather(core.decide(draft.id, Decision(action="approve"), AGENT),
                                   core.decide(draft.id, Decision(action="reject", reason="重复"), AGENT),
                                   return_exceptions=True)
    errors = [r for r in results if isinstance(r, Exception)]
    winner = next(r for r in results if not isinstance(r, Exception))
    assert len(errors) == 1 and errors[0].code == "already_decided"
    assert errors[0].details["current"]["status"] == winner.status  # the loser learns the current state
    assert len(await _audit(core, draft.id)) == 2  # created + the winner's decision only


async def test_clean_edit_is_approved_with_edited_text(core):
    draft = await _create(core)
    new_act = "我这边马上给您登记,今天下午就安排工程部师傅去东门检修道闸,修好后第一时间告诉您。"
    done = await core.decide(draft.id, Decision(action="edit", stages={"act": new_act}), AGENT)
    assert done.status == "approved" and done.final["act"] == new_act and done.final["listen"] == CLEAN["listen"]
    assert done.stage("act").text == new_act and done.stage("act").guardrail.passed
    edit = (await _audit(core, draft.id))[-1]
    assert edit.action == "edit" and edit.before == {"act": CLEAN["act"]} and edit.after == {"act": new_act}


async def test_edit_breaking_a_block_rule_is_refused_and_audited_masked(core):
    draft = await _create(core)
    blocked_text = BAD_ACT + "有事打我手机13912345678。"
    with pytest.raises(EditBlocked) as caught:
        await core.decide(draft.id, Decision(action="edit", stages={"act": blocked_text}), AGENT)
    assert {v["stage"] for v in caught.value.details["violations"]} == {"act"}
    assert "13912345678" not in str(caught.value.to_dict())
    assert (await core.get(draft.id)).status == "pending_approval"  # nothing changed, still waiting
    event = (await _audit(core, draft.id))[-1]
    assert event.action == "edit_blocked" and "〔电话1〕" in event.after["act"] and "13912345678" not in event.after["act"]
    with pytest.raises(Forbidden):  # an agent cannot override
        await core.decide(draft.id, Decision(action="edit", stages={"act": BAD_ACT}, override=True, note="x"), AGENT)
    with pytest.raises(InvalidInput, match="note"):
        await core.decide(draft.id, Decision(action="edit", stages={"act": BAD_ACT}, override=True), SUPERVISOR)
    done = await core.decide(draft.id, Decision(action="edit", stages={"act": BAD_ACT}, override=True,
                                                note="业主要求原话"), SUPERVISOR)
    assert done.status == "approved" and done.final["act"] == BAD_ACT
    event = (await _audit(core, draft.id))[-1]
    assert event.action == "edit" and event.note == "业主要求原话" and event.rule_hits  # the rules it overrode


async def test_edit_re_checks_the_whole_set_not_only_the_edited_stages(core):
    """A flagged set cannot be cleared by editing a different stage."""
    draft = await _create(core, {"act": BAD_ACT}, {"act": BAD_ACT})
    assert draft.status == "flagged"
    other = "您反映的东门道闸问题我都记下来了,您看还有什么要补充的?"
    with pytest.raises(EditBlocked) as caught:
        await core.decide(draft.id, Decision(action="edit", stages={"listen": other}), AGENT)
    assert {v["stage"] for v in caught.value.details["violations"]} == {"act"}
    done = await core.decide(draft.id, Decision(action="edit", stages={"act": CLEAN["act"]}), AGENT)
    assert done.status == "approved" and done.final["act"] == CLEAN["act"]


async def test_reject_needs_a_reason(core):
    draft = await _create(core)
    with pytest.raises(InvalidInput, match="reason"):
        await core.decide(draft.id, Decision(action="reject", reason="  "), AGENT)
    done = await core.decide(draft.id, Decision(action="reject", reason="业主已电话沟通解决"), AGENT)
    assert done.status == "rejected" and done.final is None and done.follow_up is None
    assert (await _audit(core, draft.id))[-1].note == "业主已电话沟通解决"


async def test_flagged_set_needs_a_supervisor_and_return_keeps_the_rules(core):
    draft = await _create(core, {"act": BAD_ACT}, {"act": BAD_ACT})
    with pytest.raises(Conflict, match="override_approve") as flagged:
        await core.decide(draft.id, Decision(action="approve"), AGENT)
    assert flagged.value.code == "flagged_needs_supervisor"
    with pytest.raises(Forbidden, match="supervisor"):
        await core.decide(draft.id, Decision(action="override_approve", note="ok"), AGENT)
    returned = await core.decide(draft.id, Decision(action="return_to_agent", note="办这一段请重写"), SUPERVISOR)
    assert returned.status == "pending_approval" and returned.final is None
    with pytest.raises(Conflict):  # returned for an edit: the failing stage still blocks a plain approve
        await core.decide(draft.id, Decision(action="approve"), AGENT)
    done = await core.decide(draft.id, Decision(action="edit", stages={"act": CLEAN["act"]}), AGENT)
    assert [e.action for e in done.events][-2:] == ["return_to_agent", "edit"]


async def test_return_to_agent_of_a_set_already_with_the_agent_is_a_conflict(core):
    """A clean pending set is the agent's already: returning it is 409, nothing stored or audited."""
    draft = await _create(core)
    assert draft.status == "pending_approval" and not draft.classification.escalate
    with pytest.raises(Conflict) as caught:
        await core.decide(draft.id, Decision(action="return_to_agent", note="请重写"), SUPERVISOR)
    assert caught.value.code == "already_with_agent"
    assert (await core.get(draft.id)).version == draft.version
    assert [e.action for e in await _audit(core, draft.id)] == ["created"]
    with pytest.raises(Forbidden):  # the role is checked first: an agent gets 403, not 409
        await core.decide(draft.id, Decision(action="return_to_agent", note="x"), AGENT)


async def test_a_set_is_returned_once(core):
    """Returned from the flagged queue, the set is with the agent: a second return is 409."""
    draft = await _create(core, {"act": BAD_ACT}, {"act": BAD_ACT})
    await core.decide(draft.id, Decision(action="return_to_agent", note="办这一段请重写"), SUPERVISOR)
    with pytest.raises(Conflict) as again:
        await core.decide(draft.id, Decision(action="return_to_agent", note="再退一次"), SUPERVISOR)
    assert again.value.code == "already_with_agent"
    assert [e.action for e in await _audit(core, draft.id)] == ["created", "return_to_agent"]


async def test_two_concurrent_returns_do_not_both_succeed(core):
    draft = await _create(core, {"act": BAD_ACT}, {"act": BAD_ACT})
    other = Actor(id="sup-2", role="supervisor")
    results = await asyncio.gather(
        core.decide(draft.id, Decision(action="return_to_agent", note="请重写办"), SUPERVISOR),
        core.decide(draft.id, Decision(action="return_to_agent", note="请重写办这一段"), other),
        return_exceptions=True)
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "DraftSet"], results
    assert [e.action for e in await _audit(core, draft.id)] == ["created", "return_to_agent"]
    assert (await core.get(draft.id)).version == draft.version + 1


def test_return_rule_on_escalated_sets(shared_clients):
    """An escalated pending set is in the supervisor's escalation queue: it can be returned, once."""
    from agent.workflow.models import DraftSet

    stages = [{"stage": s, "text": t, "techniques": [], "guardrail": {"passed": True, "violations": []}}
              for s, t in CLEAN.items()]
    draft = DraftSet.model_validate({
        "id": "d1", "version": 2, "status": "pending_approval", "script": "simplified", "complaint_masked": "x",
        "classification": {"severity": "major", "urgency": "urgent", "escalate": True, "reason": "有人被困"},
        "stages": stages, "model": "m", "drafter": "model", "prompt": {"id": "draft", "version": "1"},
        "created_at": datetime(2026, 12, 1, tzinfo=UTC)})
    now = datetime(2026, 12, 1, 10, tzinfo=UTC)
    from agent.settings import content_dir

    checks = GuardChecks(shared_clients[1], content_dir("guardrails"))
    returned, event = decide(draft, Decision(action="return_to_agent", note="先核实被困人数"), SUPERVISOR, now, checks)
    assert returned.status == "pending_approval" and event.action == "return_to_agent"
    with pytest.raises(Conflict) as again:
        decide(returned, Decision(action="return_to_agent", note="再退"), SUPERVISOR, now, checks)
    assert again.value.code == "already_with_agent"


async def test_supervisor_override_records_the_rules_it_overrides(core):
    draft = await _create(core, {"act": BAD_ACT}, {"act": BAD_ACT})
    blocking = {v.rule_id for v in draft.stage("act").guardrail.violations if v.severity.value == "block"}
    done = await core.decide(draft.id, Decision(action="override_approve", note="已与业主当面确认"), SUPERVISOR)
    assert done.status == "approved" and done.final["act"] == BAD_ACT
    event = (await _audit(core, draft.id))[-1]
    assert event.action == "override_approve" and {h["rule_id"] for h in event.rule_hits} == blocking
    assert done.events[-1].detail["rules"] == sorted(blocking) or set(done.events[-1].detail["rules"]) == blocking


def test_decide_is_pure(shared_clients):
    """Same input, same output; the input draft is not changed."""
    from agent.workflow.models import DraftSet

    stages = [{"stage": s, "text": t, "techniques": [], "guardrail": {"passed": True, "violations": []}}
              for s, t in CLEAN.items()]
    draft = DraftSet.model_validate({
        "id": "d1", "version": 3, "status": "pending_approval", "script": "simplified", "complaint_masked": "x",
        "classification": {}, "stages": stages, "model": "m", "drafter": "model",
        "prompt": {"id": "draft", "version": "1"}, "created_at": datetime(2026, 12, 1, tzinfo=UTC)})
    now = datetime(2026, 12, 1, 10, tzinfo=UTC)
    from agent.settings import content_dir

    checks = GuardChecks(shared_clients[1], content_dir("guardrails"))
    decision = Decision(action="edit", stages={"thank": "谢谢您的耐心,我们明天上午回访。"})
    first, second = decide(draft, decision, AGENT, now, checks), decide(draft, decision, AGENT, now, checks)
    assert first == second and draft.status == "pending_approval" and draft.version == 3
    assert first[0].version == 4 and first[1].at == now


async def test_bad_decisions_are_typed_errors(core):
    with pytest.raises(NotFound):
        await core.decide("no-such-draft", Decision(action="approve"), AGENT)
    draft = await _create(core)
    with pytest.raises(InvalidInput):
        await core.decide(draft.id, Decision(action="edit", stages={}), AGENT)
    with pytest.raises(InvalidInput):
        await core.decide(draft.id, Decision(action="edit", stages={"act": "\u200b  "}), AGENT)
    with pytest.raises(InvalidInput):
        await core.decide(draft.id, Decision(action="edit", stages={"act": "好" * 3000}), AGENT)


async def test_bad_complaints_are_typed_errors(core):
    for bad in ("   ", "\u200b\u200c\u2060", "投" * 5000):
        with pytest.raises(InvalidInput):
            await create(core, bad)
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        await create(core, COMPLAINT, history=[{"role": "hacker", "text": "x"}])
    with pytest.raises(ValidationError):
        await create(core, COMPLAINT, history=[{"role": "owner", "text": "又漏了"}] * 21)
