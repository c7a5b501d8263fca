"""The ``ungrounded`` check (agent/guard/grounding.py): it fails on invented specifics and passes
on drafts that only use what the complaint says. Complaints are our own, written for the patterns
seen in real posts (anonymised district names, estate names containing 花园, a pregnancy month
mistaken for a duration)."""

from __future__ import annotations

import pytest

from agent.guard.grounding import mentions, ungrounded

GROUP_RENTAL = ("临江市翠湖苑B5区有一套房被改成了群租房，一套房里住了十几个人，进进出出很吵，"
                "楼道里也堆满了他们的杂物，找物业说了好几次都不管。我老婆怀孕七个月了，晚上根本睡不好。")
ESTATE = "我是锦绣花园小区的业主，12栋的电梯停了三天了，家里老人上下楼非常困难。"


@pytest.mark.parametrize("draft,invented", [
    ("您说的5区楼道起火冒烟险情，您和家人现在都还好吗？", {"5区", "起火", "冒烟"}),
    ("您说的噪音扰民问题，已经七个月了，我都记下了。", {"七个月"}),  # 七个月 is the pregnancy, not the problem
    ("14栋地下车库电梯困人，工单已经派给工程部。", {"14栋", "地下车库", "电梯", "困人"}),
    ("您反映的水管漏水问题，我们马上安排师傅。", {"水管", "漏水"}),
    ("您说已经反映了三十户业主的意见。", {"三十户"}),
])
def test_invented_specifics_are_flagged(draft: str, invented: set[str]) -> None:
    found = {m.excerpt for m in ungrounded(draft, GROUP_RENTAL)}
    assert invented <= found, found


def test_an_estate_name_is_not_a_garden() -> None:
    assert {m.excerpt for m in ungrounded("花园漏水的情况我们记下了。", ESTATE)} >= {"花园", "漏水"}
    assert not ungrounded("小区花园里的积水我们会清理。", "小区花园里积水好几天了，孩子没法玩。")


def test_grounded_drafts_pass() -> None:
    ok = ["您反映的群租问题，还有楼道里堆满杂物的情况，我都记下了。",
          "家里有孕妇，晚上休息不好确实难熬，您的心情我理解。",
          "我明天上午十点前给您回电话，三天内回访您。"]  # our commitments are not facts
    for draft in ok:
        assert not ungrounded(draft, GROUP_RENTAL), (draft, ungrounded(draft, GROUP_RENTAL))
    assert not ungrounded("12栋电梯停了三天，老人上下楼不方便，我们先安排维保单位查看。", ESTATE)
    assert not ungrounded("十二栋电梯已经停了3天。", ESTATE)  # numbers compared as digits


def test_a_numbered_place_must_be_a_whole_token() -> None:
    assert [m.excerpt for m in ungrounded("5区的情况我们记下了。", "翠湖苑C5区群租")] == ["5区"]
    assert not ungrounded("5区的情况我们记下了。", "我住在5区，楼下群租")


def test_history_counts_as_evidence() -> None:
    assert ungrounded("电梯的事我们在跟进。", "怎么还没人来？")
    assert not ungrounded("电梯的事我们在跟进。", "怎么还没人来？", history=("电梯坏了两天了",))


def test_spans_index_the_original_text_including_traditional() -> None:
    draft = "您說的5區樓道起火，我們已經記下了。"
    for m in mentions(draft):
        assert draft[m.start:m.end] == m.excerpt
    assert {m.excerpt for m in ungrounded(draft, GROUP_RENTAL)} >= {"5區", "起火"}


def test_the_guard_raises_it_only_when_the_complaint_is_known() -> None:
    from agent.guard.checker import GuardChecker
    from agent.settings import Settings

    checker = GuardChecker.from_settings(Settings())
    text = "您说的5区楼道起火冒烟险情，我们已经安排人员到现场查看。"
    bare = checker.check(text, "listen")
    assert "ungrounded" not in bare.categories
    known = checker.check(text, "listen", complaint=GROUP_RENTAL)
    assert not known.passed and "ungrounded" in known.categories
    hit = next(v for v in known.violations if v.category == "ungrounded")
    assert text[hit.start:hit.end] == hit.excerpt and hit.fix_hint
    results = checker.check_set({"listen": text, "act": "我们会安排管家上门和这户住户沟通群租的问题。"},
                                complaint=GROUP_RENTAL)
    assert not results["listen"].passed and results["act"].passed


@pytest.mark.parametrize("draft,invented", [
    ("想确认一下,是靠近大门岗亭那一段,还是往停车场那边?", set()),  # asking about a place asserts nothing
    ("后续我们每两周消杀一次,今后费用调整会提前一个月公示。", set()),  # our own plan
    ("正在逐层排查是哪一户的阳台。", set()),  # a question word, not a count
    ("停车场的灯也坏了三天。", {"停车场", "三天"}),  # stated as a fact: still flagged
    ("您说的5区楼道起火冒烟险情,您和家人现在都还好吗?", {"5区", "起火", "冒烟"}),  # asserted before the question
    ("楼里的电梯有没有起火?", {"起火"}),  # a hazard is checked even inside a question
])
def test_questions_and_our_own_plans_are_not_facts(draft, invented):
    from agent.guard.grounding import ungrounded

    assert {m.excerpt for m in ungrounded(draft, "楼道的灯坏了,晚上黑漆漆的。")} == invented
