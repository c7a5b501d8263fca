"""Long letters are answered on their own main point: the owner's words first, a stop-gap before
anything else when someone's safety is at stake, our own conduct owned, no stock filler lines and no
question the letter already answers. Complaints below are written for these tests."""

from __future__ import annotations

import pytest

from agent.drafting.offline.drafter import draft
from agent.drafting.request import DraftRequest
from agent.guard.grounding import ungrounded
from agent.understand.classify import classify_offline
from agent.understand.gist import gist_of
from agent.vocab import Stage

LOCKED_EXITS = ("翠湖苑物业把各层的消防通道门全锁了。 物业嫌大家在楼梯间堆杂物，干脆把整栋楼各层的消防通道门都用铁链锁死，"
                "二十多层的楼万一着火人往哪里跑？请领导督促物业马上整改，还我们安全。")
GUARDS_HIT = ("某小区保安动手殴打业主。 尊敬的领导：上周五晚上因为进车库的事，物业的几个保安围住一位业主动手殴打，"
              "业主被打伤住院，打人的保安现在还在岗。物业一直不管不问，请有关部门还我们一个公道。")
NO_WATER = ("某小区全小区停水五天了。 尊敬的领导：我们小区全小区停水已经五天，几千户人家没法做饭洗澡，"
            "物业只说是市政的原因，也没有任何临时办法，请有关部门尽快解决。")
DISABLED = ("关于商铺油烟的求助。 尊敬的领导：我本人是残疾人，没有稳定收入，靠楼下一个小铺面生活，隔壁饭店的油烟管道"
            "正对我的铺面，油烟很大，生意受影响，找过社区几次都没有结果，请领导帮忙协调解决。")
LISTED_FEES = ("对物业收费的几点意见。 尊敬的领导：物业今年的收费有以下问题：1、停车费比周边贵一倍；2、电梯费按面积收不合理；"
               "3、收了钱不给发票。附件是缴费单的照片。请有关部门核查。")

STOCK = ("写进日常的管理制度", "列进每周的检查重点", "确认您满意才算办完", "不会只挑一件", "开发商方面的问题",
         "执法部门的权力", "还不够")


def _stages(complaint: str) -> dict[str, str]:
    answer = draft(DraftRequest(complaint=complaint, classification=classify_offline(complaint)))
    return {s["stage"]: s["text"] for s in answer["stages"]}


def _all(stages: dict[str, str]) -> str:
    return "".join(stages.values())


@pytest.mark.parametrize("complaint", [LOCKED_EXITS, GUARDS_HIT, NO_WATER, DISABLED, LISTED_FEES])
def test_letters_stay_grounded_and_free_of_stock_lines(complaint: str) -> None:
    stages = _stages(complaint)
    assert set(stages) == {s.value for s in Stage}
    for name, text in stages.items():
        assert not ungrounded(text, complaint), (name, text)
    assert not [line for line in STOCK if line in _all(stages)], _all(stages)


def test_the_reply_opens_with_the_owners_own_words_not_a_label() -> None:
    listen = _stages(NO_WATER)["listen"]
    quote = gist_of(NO_WATER).quote
    assert quote and "停水" in quote and quote in NO_WATER
    assert f"“{quote}”" in listen and "供水的问题" not in listen, listen


def test_locked_fire_exits_we_locked_are_unlocked_today_and_owned() -> None:
    gist = gist_of(LOCKED_EXITS)
    assert gist.hazard == "fire_exit" and "locked" in gist.accused
    stages = _stages(LOCKED_EXITS)
    act = stages["act"]
    assert act.index("今天") < 20 and "打开" in act.split("。")[0], act  # the stop-gap is the first thing done
    assert "限期整改" not in act and "逐项检查" not in act, act
    assert "我们" in stages["empathize"] and ("错" in stages["empathize"] or "责任在我们" in stages["empathize"])
    assert "执法部门" not in stages["negotiate"] and "转" not in stages["negotiate"], stages["negotiate"]


def test_our_guards_hitting_an_owner_comes_before_anything_about_parking() -> None:
    gist = gist_of(GUARDS_HIT)
    assert gist.hazard == "assault" and "assault" in gist.accused
    stages = _stages(GUARDS_HIT)
    first = stages["act"].split("。")[0]
    assert "停岗" in first or "停止上岗" in first, stages["act"]
    assert "巡查" not in stages["act"] and "门岗" not in stages["act"], stages["act"]
    assert "道歉" in stages["empathize"] and "我们的人" in stages["empathize"], stages["empathize"]
    assert "被打" in stages["ask"], stages["ask"]  # asks after the injured owner, not "which issue first"


def test_an_estate_wide_water_cut_gets_temporary_water_and_no_where_question() -> None:
    stages = _stages(NO_WATER)
    assert "送水" in stages["act"].split("。")[0], stages["act"]
    assert "水" in stages["empathize"], stages["empathize"]  # the empathy names the harm itself
    assert "哪一栋" not in stages["ask"] and "哪一处" not in stages["ask"] and "位置" not in stages["ask"], stages["ask"]


def test_the_owner_is_never_called_by_a_disability_label() -> None:
    assert gist_of(DISABLED).disabled_self
    text = _all(_stages(DISABLED))
    assert "残疾" not in text, text


def test_no_question_about_what_the_letter_already_gives() -> None:
    gist = gist_of(LISTED_FEES)
    assert gist.listed and gist.attached
    ask = _stages(LISTED_FEES)["ask"]
    assert "哪几项" not in ask and "哪几笔" not in ask and "照片" not in ask and "单据" not in ask, ask


def test_a_letter_that_only_pays_the_fee_does_not_accuse_us() -> None:
    assert not gist_of("物业费我已经按时交了。 尊敬的领导：我们楼下的路灯坏了三个月，晚上很黑，请尽快修好。").accused


def test_a_rejected_opening_quote_is_not_offered_again() -> None:
    complaint = NO_WATER
    classification = classify_offline(complaint)
    first = draft(DraftRequest(complaint=complaint, classification=classification))
    listen = next(s["text"] for s in first["stages"] if s["stage"] == "listen")
    again = draft(DraftRequest(complaint=complaint, classification=classification, only_stages=[Stage.listen],
                               rejected={Stage.listen: listen}))
    text = next(s["text"] for s in again["stages"] if s["stage"] == "listen")
    assert gist_of(complaint).quote not in text and text != listen, text


def test_a_fight_recounted_deep_in_a_letter_about_something_else_does_not_lead() -> None:
    letter = ("关于小区违建迟迟不拆的问题。 尊敬的领导：我们小区原来的售楼部一直没有拆除，现在被改成了饭店对外营业，"
              "油烟很大，业主反映了好几年都没有结果。" + "我们找过街道、城管和住建部门，每次都说不归自己管。" * 20
              + "多年前还发生过物业保安殴打业主的事情，最后也不了了之。")
    gist = gist_of(letter)
    assert "assault" not in gist.hazards and not gist.accused, gist
    assert "停岗" not in _stages(letter)["act"]


def test_locked_parking_spaces_are_not_called_a_door() -> None:
    letter = ("小区空车位都被物业锁住了。 尊敬的领导：我们小区所有空余车位都被物业锁住，临时停车都没有地方，"
              "只能停到马路边上，请有关部门管一管。")
    stages = _stages(letter)
    assert "locked" in gist_of(letter).accused
    assert "门" not in stages["empathize"] and "门" not in stages["act"].split("。")[0], stages
