"""Letters with several matters: each matter is named in the owner's own words (not a stock label
such as 「停车管理的问题」) and answered in act or negotiate; a meta complaint ("物业不作为") comes after
the concrete matters; two matters with the same answer are answered once; stop-gaps follow how the
danger came about. Complaints below are written for these tests."""

from __future__ import annotations

import re

from agent.drafting.offline.drafter import draft
from agent.drafting.offline.letter import EMPATHY_ISSUE, tidy_quote
from agent.drafting.request import DraftRequest
from agent.guard.grounding import ungrounded
from agent.understand.classify import classify_offline

THREE_MATTERS = ("关于青柳苑物业不作为的投诉。尊敬的领导：我是青柳苑6栋的业主，有几件事反映一下。"
                 "第一，地下车库的排水沟堵了，一下雨就积水，车都泡过一次。第二，小区垃圾桶经常满了没人清，"
                 "夏天臭气熏天。这些问题我们多次找物业，物业总说在处理，但一直没有结果。希望领导督促物业尽快解决。")
FEE_AND_CONDUCT = ("投诉松涛湾物业乱收费。我家今年的物业费账单里多了一项公共能耗分摊费，每月多收四十多元，"
                   "物业没有公示过收费依据。我去物业前台问，工作人员态度很差，说不交就停我家门禁卡。"
                   "希望物业公开收费依据，并对前台人员的态度给个说法。")
BLOCKED_EXIT = ("关于楼道消防通道被堵的投诉。 楼上住户装修半年了，楼道里堆满了装修垃圾和建材，消防通道都被堵住了，"
                "我家孩子上下楼很不方便。我跟物业说过好几次，物业只说会去提醒，结果什么都没变。"
                "请物业尽快把楼道里的东西清走，恢复消防通道。")
CUT_BY_US = ("梧桐里小区物业硬是给我家断了水电。 装修押金我家还差一部分没补齐，物业就强行停水停电，已经两天了，"
             "家里老人做饭都成问题，请有关部门调查这是不是违法。")


def _stages(complaint: str) -> dict[str, str]:
    answer = draft(DraftRequest(complaint=complaint, classification=classify_offline(complaint)))
    return {s["stage"]: s["text"] for s in answer["stages"]}


def _quoted(text: str) -> list[str]:
    return re.findall(r"“([^”]+)”", text)


def test_every_matter_is_named_in_the_owners_words_and_answered() -> None:
    stages = _stages(THREE_MATTERS)
    assert "排水沟" in stages["listen"] and "垃圾" in stages["listen"], stages["listen"]
    answered = stages["act"] + stages["negotiate"]
    assert answered.count("我们") >= 3 and "垃圾" in answered, answered  # the drain (act opens on the quote), the bins
    assert "停车秩序" not in answered, answered  # 车库 is where the drain is, not a parking matter
    for name, text in stages.items():
        assert not ungrounded(text, THREE_MATTERS), (name, text)
        for quote in _quoted(text):
            assert quote in THREE_MATTERS, (name, quote)  # a quote is the owner's own clause
    assert "物业的管理和服务" not in "".join(stages.values())  # the meta matter is not named by its label


def test_the_meta_complaint_comes_after_the_concrete_matters() -> None:
    act = _stages(THREE_MATTERS)["act"]
    assert act.index("垃圾") < act.index("项目经理"), act


def test_two_matters_with_the_same_answer_are_answered_once() -> None:
    act = _stages(FEE_AND_CONDUCT)["act"]
    sentences = [s for s in re.split(r"[。]", act) if s]
    answers = [s.split("，我们", 1)[1] for s in sentences if "，我们" in s]
    assert len(answers) == len(set(answers)), act
    assert "态度很差" in act and "门禁卡" in act, act


def test_a_blocked_fire_exit_is_cleared_not_unlocked() -> None:
    stages = _stages(BLOCKED_EXIT)
    assert "锁" not in stages["act"], stages["act"]
    assert "清" in stages["act"].split("。")[0], stages["act"]


def test_supplies_we_cut_ourselves_are_restored_not_replaced_by_a_water_truck() -> None:
    stages = _stages(CUT_BY_US)
    assert "恢复" in stages["act"].split("。")[0] and "送水" not in stages["act"], stages["act"]
    assert "临时保障" not in stages["listen"], stages["listen"]


def test_quotes_carry_no_list_numbering_or_connective() -> None:
    assert tidy_quote("二、医院污水怎么处理") == "医院污水怎么处理"
    assert tidy_quote("（3）楼道灯坏了半年") == "楼道灯坏了半年"
    assert tidy_quote("第一这是违章搭建") == "这是违章搭建"
    assert tidy_quote(".空调外机架生锈") == "空调外机架生锈"
    assert tidy_quote("由于楼道灯坏了半年") == "楼道灯坏了半年"
    assert tidy_quote("第三次报修没人来") == "第三次报修没人来"  # an ordinal of the count is kept
    assert tidy_quote("1.5米的裂缝") == "1.5米的裂缝"


RUDE_AT_THE_DESK = ("我爸昨天拿着缴费单去服务中心问为什么这个月的水费多了八十块，前台的人一直玩手机，"
                    "还冲我爸翻白眼，说看不懂就别来问。我爸回家气得饭都没吃。钱的事可以慢慢核对，"
                    "但这种态度我接受不了，请那位前台给我爸道歉。")


def test_an_owner_asking_for_an_apology_gets_the_conduct_answered_in_act() -> None:
    stages = _stages(RUDE_AT_THE_DESK)
    assert "道歉" in stages["empathize"], stages["empathize"]
    assert "按公司制度处理" in stages["act"], stages["act"]
    assert stages["act"].index("按公司制度处理") < stages["act"].index("收费"), stages["act"]  # the conduct first
    for quote in _quoted(stages["act"]):
        assert quote in RUDE_AT_THE_DESK, quote


LEAK_NO_PLACE = ("关于房屋漏水的投诉。 尊敬的领导：我家从上个月开始漏水，墙面都发霉了，找物业反映了好几次，"
                 "物业一直说会派人来看，到现在也没有人来，希望尽快帮忙解决，谢谢。")
WHAT_IF_LEAK = ("关于水表改造的疑问。 尊敬的领导：小区正在做水表改造，每户要出七百元，我们不明白收费的依据，"
                "而且以后如果总表到分表之间的管子漏水怎么办，多出来的水费谁负责？希望给个说法。")


def test_the_question_asks_what_the_matter_still_needs() -> None:
    ask = _stages(LEAK_NO_PLACE)["ask"]
    assert "漏" in ask and "位置" in ask, ask


def test_a_hypothetical_leak_is_not_treated_as_a_real_one() -> None:
    stages = _stages(WHAT_IF_LEAK)
    assert "漏水点" not in stages["act"], stages["act"]
    assert all(line not in stages["empathize"] for line in EMPATHY_ISSUE["leak"]), stages["empathize"]
    assert "漏" not in stages["ask"] and "渗" not in stages["ask"], stages["ask"]
