"""General major / urgency cues (issue 12, written-letters dev misses): danger now, someone hurt, group action
organised for a named day or hour — and their look-alikes that are not live (hearsay, a matter that is over,
an ordinary errand, an ordinary meeting). All cases in our own words."""

from __future__ import annotations

import pytest

from agent.understand import severity_model as sm
from agent.understand.classify import classify_offline
from agent.vocab import Severity, Urgency


@pytest.mark.parametrize(
    "text",
    [
        # someone hurt now: an ambulance has been called
        "我爸刚在地库坡道上滑了一跤,现在起不来,已经打了120,你们的人赶紧过来看看!",
        # a lift that endangers its users: moving with its door open, or dropping with people inside
        "12号楼那台电梯门没关就直接往下走,我女儿的书包差点卷进去,电梯还在照常用!",
        "我和孩子在电梯里,电梯刚才突然往下掉了一段,现在停着,按钮没反应,快来!",
        # someone following a resident home, still around
        "有个陌生男人一直跟着我上了楼,现在还站在我家门口不走,我一个人在家,快来人!",
    ],
)
def test_danger_happening_now_is_major_and_urgent(text: str) -> None:
    result = classify_offline(text)
    assert result.severity is Severity.major, result.reason
    assert result.urgency is Urgency.urgent
    assert result.escalate


@pytest.mark.parametrize(
    "text",
    [
        # a rumour asked about, not a fact the owner states
        "听群里说前天有个老人在5栋电梯里被困了两个小时,是真的吗?你们电梯到底有没有年检?",
        # an incident referred to as a matter that is over
        "之前7栋电梯困人那件事,你们给个调查结果吧,维保记录也贴出来。",
        # an errand to a hospital is not someone hurt
        "我家车位被一辆白色轿车堵了,我九点要带老人去医院拿药,麻烦联系一下车主。",
    ],
)
def test_hearsay_a_closed_matter_and_an_errand_are_not_live_danger(text: str) -> None:
    result = classify_offline(text)
    assert result.severity is not Severity.major, result.reason
    if "堵" not in text:
        assert result.urgency is Urgency.normal


def test_a_group_action_organised_for_a_named_day_is_major_an_ordinary_meeting_is_not() -> None:
    organised = classify_offline("物业擅自涨停车费,三十多户业主已经说好,下周一早上一起去住建局反映。")
    assert organised.severity is Severity.major, organised.reason
    meeting = classify_offline("业委会通知明天晚上7点在会所集合开会,讨论电梯更换的事,物业能不能把会所的灯修一下?")
    assert meeting.severity is not Severity.major, meeting.reason


def test_the_letter_cues_read_organised_group_action_and_harm_done() -> None:
    group, harmed = sm.FEATURES.index("group_live"), sm.FEATURES.index("harmed_live")
    filler = "我们多次向物业反映,一直没有答复。" * 8
    planned = "业主们已经约定本周五下午两点集体到开发商售楼处讨说法。" + filler
    errand = "明天上午10点集合参加社区组织的义务植树。" + filler
    assert sm.cues(planned, "")[group] == 1.0 and sm.cues(errand, "")[group] == 0.0
    scuffle = "新旧两家物业的保安昨天在大门口推搡起来。" + filler
    assert sm.cues(scuffle, "")[group] == 1.0
    cut = "小区健身器材的螺丝松了,我儿子手被划开,流了很多血,到社区医院缝了四针。" + filler
    feared = "健身器材螺丝松了,要是有孩子被划到怎么办。" + filler
    assert sm.cues(cut, "")[harmed] == 1.0 and sm.cues(feared, "")[harmed] == 0.0
    called = "我婆婆在单元门口结冰的台阶上摔了,腿动不了,邻居已经打了120。" + filler
    held_up = "消防通道停满了车,救护车在门口被堵了十几分钟才开进来。" + filler
    assert sm.cues(called, "")[harmed] == 1.0 and sm.cues(held_up, "")[harmed] == 0.0


def test_escalation_reads_staff_misconduct_kickbacks_audits_and_penalty_claims() -> None:
    misconduct, money = sm.FEATURES.index("misconduct"), sm.FEATURES.index("demand_money")
    filler = "我们多次向物业反映,一直没有答复,请领导重视。" * 6
    staff = "上周五物业的保安在岗亭前辱骂我母亲,还推了她一把。" + filler
    kickback = "我们怀疑物业从广告公司那里拿了好处,才让电梯里贴满广告。" + filler
    audit = "我们请求街道委托会计师事务所对业委会近三年的账目进行审计。" + filler
    polite = "物业的保安每天都很认真地巡逻,我们很感谢。" + filler
    for text in (staff, kickback, audit):
        assert sm.cues(text, "")[misconduct] == 1.0, text[:20]
    assert sm.cues(polite, "")[misconduct] == 0.0
    penalty = "请督促开发商按购房合同支付逾期交房的违约金。" + filler
    assert sm.cues(penalty, "")[money] == 1.0 and sm.cues(polite, "")[money] == 0.0


# our own words: a public-board letter about a danger happening now (title, then the body)
_DANGER_LETTER = (
    "临江市松涛苑6栋102住户装修拆除承重墙。 尊敬的领导:我们是松涛苑6栋的住户,102户装修时把客厅的承重墙拆掉了一大半,"
    "楼上几户的墙面已经出现裂缝,全楼一百多户都很害怕,老人孩子晚上睡不踏实。我们找了物业三次,物业只是口头劝了劝,"
    "装修队还在施工。恳请住建部门派人制止并责令恢复原状。"
)


def test_a_major_letter_asking_for_action_within_hours_is_urgent() -> None:
    asked = classify_offline(_DANGER_LETTER + "请今天之内就派人来制止!")
    assert asked.severity is Severity.major and asked.urgency is Urgency.urgent
    calm = classify_offline(_DANGER_LETTER)
    assert calm.severity is Severity.major and calm.urgency is Urgency.normal
    alarmed = classify_offline(_DANGER_LETTER + "情况十分紧急,恳请领导重视!")
    assert alarmed.urgency is Urgency.urgent
    # an emergency button is equipment, not the writer's alarm
    equipment = classify_offline(_DANGER_LETTER + "另外楼道里的紧急照明灯也坏了很久。")
    assert equipment.severity is Severity.major and equipment.urgency is Urgency.normal


def test_a_scuffle_between_two_sides_is_a_group_incident_one_guard_pushing_one_owner_is_not() -> None:
    group = sm.FEATURES.index("group_live")
    filler = "我们多次向物业反映,一直没有答复。" * 8
    sides = "业主们和物业的人在车库入口推搡成一团,有人报了警。" + filler
    one = "昨天保安推搡我母亲,还骂了难听的话。" + filler
    assert sm.cues(sides, "")[group] == 1.0 and sm.cues(one, "")[group] == 0.0
    assert classify_offline("昨天下午门岗保安推搡我,我要求物业给个说法!").severity is not Severity.major
