"""The commitment ledger's pure parts: time expressions resolved against the approval time, promises
extracted from final texts (written for these tests), and the authority policy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from agent.loop import authority
from agent.loop.commitments import extract
from agent.loop.when import add_workdays, resolve
from agent.settings import content_dir
from agent.vocab import Stage

SH = ZoneInfo("Asia/Shanghai")
MONDAY_10 = datetime(2026, 12, 7, 10, 0, tzinfo=SH)  # approval: Monday 7 Dec 2026, 10:00 Beijing time


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH)


@pytest.mark.parametrize(("text", "expected"), [
    ("我们明天上午十点前给您回电话", local(2026, 12, 8, 10, 0)),
    ("明天下午3点半之前", local(2026, 12, 8, 15, 30)),
    ("三个工作日内修好", local(2026, 12, 10, 18, 0)),
    ("5个工作日内", local(2026, 12, 14, 18, 0)),  # Tue..Fri + next Monday
    ("下周一安排师傅上门", local(2026, 12, 14, 18, 0)),
    ("下周三上午9点", local(2026, 12, 16, 9, 0)),
    ("周五之前", local(2026, 12, 11, 18, 0)),
    ("24小时内回复您", local(2026, 12, 8, 10, 0)),
    ("两个小时内", local(2026, 12, 7, 12, 0)),
    ("半小时内到现场", local(2026, 12, 7, 10, 30)),
    ("今天下午", local(2026, 12, 7, 18, 0)),
    ("今晚给您答复", local(2026, 12, 7, 21, 0)),
    ("后天", local(2026, 12, 9, 18, 0)),
    ("12月10号", local(2026, 12, 10, 18, 0)),
    ("1月5日", local(2027, 1, 5, 18, 0)),  # already past this year: next year
    ("下午四点前", local(2026, 12, 7, 16, 0)),
])
def test_time_expressions(text: str, expected: datetime) -> None:
    due = resolve(text, MONDAY_10.astimezone(UTC), SH)
    assert due is not None and due.at == expected, (text, due)


def test_no_time_expression() -> None:
    assert resolve("我们会尽快处理", MONDAY_10, SH) is None


def test_working_days_skip_public_holidays() -> None:
    # Approved on Wednesday 30 Sep 2026: 1–7 October (National Day) are holidays; an adjusted
    # working day (Sunday 11 Oct, if any) counts. Three working days later is after the holiday.
    due = add_workdays(local(2026, 9, 30, 10).date(), 3)
    assert due > local(2026, 10, 7).date() and due.weekday() < 6


def policy() -> authority.AuthorityPolicy:
    return authority.load(content_dir("guardrails"))


FINAL = {
    Stage.listen: "您反映的情况我都记下来了。",
    Stage.ask: "您看明天上午方便师傅上门吗?",  # a question promises nothing
    Stage.act: "我已经登记了报修工单,安排工程部师傅今天下午到现场查看,处理进展我会在明天上午十点前给您回电话。",
    Stage.negotiate: "减免物业费需要公司按规定审批,我不能当场答应您,但我会把您的诉求如实报上去。",
    Stage.thank: "谢谢您的耐心,问题处理好后我三个工作日内回访您。",
}


def test_extracts_the_promises_of_a_final_set() -> None:
    found = extract(FINAL, MONDAY_10.astimezone(UTC), policy())
    summary = [(c.stage.value, c.kind, c.due_at.astimezone(SH), c.due_text) for c in found]
    assert summary == [
        ("act", "visit", local(2026, 12, 7, 18, 0), "今天下午"),
        ("act", "callback", local(2026, 12, 8, 10, 0), "明天上午十点前"),
        ("thank", "follow_up", local(2026, 12, 10, 18, 0), "三个工作日内"),
    ]
    act = FINAL[Stage.act]
    for c in found:
        assert FINAL[c.stage][c.start:c.end] == c.quote and c.within_authority
    assert found[0].quote == "安排工程部师傅今天下午到现场查看" and found[0].party == "engineering"
    assert act.index("处理进展") == found[1].start


def test_beyond_authority_and_defaults() -> None:
    texts = {Stage.negotiate: "这次给您免除本月的物业费,再补偿您两百元。", Stage.act: "下周一安排师傅上门查看。",
             Stage.thank: "我会一直跟进这件事。"}
    found = {c.kind: c for c in extract(texts, MONDAY_10, policy())}
    assert set(found) == {"fee_adjustment", "compensation", "visit", "follow_up"}
    assert not found["fee_adjustment"].within_authority and not found["compensation"].within_authority
    assert "主管" in (found["compensation"].authority_reason or "")
    assert not found["visit"].within_authority  # 7 days away: an agent may promise a visit within 72 h
    assert found["follow_up"].within_authority and found["follow_up"].due_text is None
    assert found["follow_up"].due_at == MONDAY_10 + timedelta(hours=72)  # the policy's default


def test_traditional_text_keeps_offsets() -> None:
    text = "處理進展我會在明天上午十點前給您回電話。"
    [c] = extract({Stage.act: text}, MONDAY_10, policy())
    assert c.kind == "callback" and c.quote == text[:-1] and c.due_at == local(2026, 12, 8, 10, 0)


def test_a_bad_policy_is_a_bilingual_error(tmp_path) -> None:  # noqa: ANN001
    from agent.errors import InvalidInput

    (tmp_path / "authority.yaml").write_text("kinds: {callback: {zh: 回电}}", encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        authority.load(tmp_path)
    assert caught.value.code == "bad_authority_policy" and "/" in caught.value.message
