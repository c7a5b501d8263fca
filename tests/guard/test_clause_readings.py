"""The rule layer alone (no learned layer): who speaks, to whom, about whom (issue 11).

Every pattern here was a false alarm or a miss on replies we did not write; the texts are our own
wording of those patterns. The rules run through ``Engine`` directly so these tests do not depend on
the learned layer's weights.
"""

from __future__ import annotations

import pytest

from agent.guard.clauses import analyse
from agent.guard.engine import Engine
from agent.guard.policy import load_policy
from agent.guard.text import prepare
from agent.settings import Settings
from agent.vocab import Stage


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(load_policy(Settings().guardrails_dir))


def categories(engine: Engine, text: str, stage: str = "act") -> set[str]:
    return {v.category.value for v in engine.run(prepare(text), Stage(stage))}


# --------------------------------------------------------------------------- must pass (clean)
CLEAN = [
    # the replier helps the owner report, rather than telling them to
    ("电瓶车被偷的事,我们已经协助您报警,昨晚的监控片段也拷给了派出所。", "buck_passing"),
    ("我已经帮您打了12345登记,受理编号发您微信了,进度我每天看一次。", "buck_passing"),
    # a thank-you for calling is not sending the owner elsewhere
    ("谢谢您打电话过来,漏水的位置我记下了,王师傅下午两点上门。", "buck_passing"),
    # 12345 offered as a right beside our own action with a time
    ("维修师傅今天下午四点上门。如果您对处理结果不满意,也可以拨打12345反映,这是您的权利。", "buck_passing"),
    # police pointer with our own support
    ("有人撬车锁的话建议您报警,我们今晚就把监控导出来,民警来了直接交给他们。", "buck_passing"),
    # honest escalation: not my call, but I report to the manager with a time
    ("停车费减免我做不了主,我下午三点前报给经理,五点前给您回话。", "buck_passing"),
    ("停车费减免我做不了主,我下午三点前报给经理,五点前给您回话。", "refusing"),
    # a scope statement followed by our own action
    ("小区外的人行道属于市政管理范围,我们今天上午已经通过热线替您报修,工单号发您手机了。", "buck_passing"),
    # a conceded scope ("虽然…但…") followed by our own action
    ("虽然户内管道属业主自行维护范围,但管理处已安排师傅周三上午先帮您查一下漏点。", "buck_passing"),
    # a transfer with a tracking number / a named follow-up person / evidence handed over
    ("该诉求已转交区市场监管局,转办编号SJ-0711,办理结果我们会同步告诉您。", "buck_passing"),
    ("理赔材料我们会转交保险公司,由客服部刘小姐全程跟进。", "buck_passing"),
    ("我们已把当晚的录像交给派出所,门岗从今晚起加派一人值守。", "buck_passing"),
    # the owner's own words narrated
    ("您说门卫那天对您很不客气,我们调了录音,确实是我们的问题。", "blaming"),
    ("您之前跟楼上说过一次,对方没有改,这次我们出面去谈。", "buck_passing"),
    # the owner's stance, not our refusal
    ("我理解您不接受这个补偿方案,我把您的意见报给经理,明天上午回复您。", "refusing"),
    # a refusal aimed at a third party, in the owner's favour
    ("对违规搭建的那户,街道已作出不予备案的决定,并要求其七日内拆除。", "refusing"),
    # the owner's own unit: addressee line / read back for confirmation
    ("尊敬的6栋2单元903室业主:您申请的门禁卡已办好,请到服务中心领取。", "pii_leak"),
    ("跟您确认一下上门地址:11栋1单元702室,师傅明早九点到,对吧?", "pii_leak"),
    ("您是3号楼1203的业主对吧?我这边给您登记报修。", "pii_leak"),
    # the owner's own name read back, a staff member named in role
    ("跟您核对一下,您是4栋的户主邵一鸣先生对吧?", "pii_leak"),
    ("明天上午由维修班的蒋师傅上门,他会先给您打电话。", "pii_leak"),
    # a unit in a shopping mall is not a private home
    ("经查,万象商业中心二期7栋1005、1006两间商铺的招牌已按要求整改。", "pii_leak"),
    # another party's promise reported, not our own vague words
    ("施工方表示将继续加大夜间巡查力度,我们每晚十点会去现场抽查。", "vague"),
    # a finding that clears a third party, then an admitted fault: not a rebuttal of the owner
    ("收费标准与备案一致,没有私自提价;但公示栏未及时更新,已要求物业今天补贴。", "arguing"),
    # other people's objection, narrated: they are the subject of 不同意
    ("协调会上,几位业委会委员反对使用维修基金,街道下周会再开一次协调会。", "arguing"),
    # the owner is spoken to: the words judged are the guard's, not the owner's
    ("那天门岗跟您说话的口气确实不对,我已经当面批评了他。", "arguing"),
    # moving out as a fact about others, not a sneer at the owner
    ("堆在楼道的旧家具,我们已通知那户今天傍晚前搬走。", "disrespect"),
    # a request to the owner and a neighbour to pause use is not a referral
    ("明早九点师傅来换管子,期间请您和楼上住户先别用卫生间。", "buck_passing"),
    # our own monitoring room's number is our line
    ("下次车位再被占,您直接打监控室电话,我们十五分钟内到场。", "buck_passing"),
]


@pytest.mark.parametrize(("text", "category"), CLEAN)
def test_clean_readings_pass(engine, text, category):
    assert category not in categories(engine, text)


# --------------------------------------------------------------------------- must still be caught
CAUGHT = [
    # polite buck passing: advice to go elsewhere, with a third party in front of it
    ("这个问题属于业主之间的纠纷,建议您直接和邻居协商处理,他们更清楚情况。", "buck_passing"),
    ("您好,自来水公司负责水质监测,建议您向他们咨询。", "buck_passing"),
    ("建议您直接联系开发商,他们会给您更专业的答复。", "buck_passing"),
    # telling the owner to go to the police themselves
    ("这种事您自己去报警吧,我们管不了。", "buck_passing"),
    # a hand-off to "the relevant department" is still not ownership
    ("该事项不属于本局职责范围,我们已将来信转送市里相关部门。", "buck_passing"),
    # "您说的这个" is a topic, not the owner's narrated words
    ("您说的这个去找居委会,我这边管不了。", "buck_passing"),
    # the owner is the object of 说: our own reproach
    ("早就跟您说过别把电动车推进楼道。", "blaming"),
    # the owner's own cost / cause
    ("因您自身原因延误了交房手续,产生的费用应由您个人承担。", "blaming"),
    ("卫生间漏水是因为您家自己改了下水管,费用只能您自己出。", "blaming"),
    # formal rebuttals
    ("经核实,情况而并非您所称的那样,当天保洁已按时清运。", "arguing"),
    ("门禁卡押金在退房时已经退还,所以不存在退押金的问题。", "arguing"),
    # a transfer as the whole answer, to a body with a long name
    ("您好,您说的情况已转市交通管理部门调查处理。", "buck_passing"),
    # the owner sent to the developer first, then to arbitration / the courts / "the departments"
    ("若确属质量问题,您可以直接跟开发单位沟通,沟通不成可依法申请仲裁。", "buck_passing"),
    ("停车费实行市场调节价,如有异议,可依法向有关部门投诉或向法院起诉。", "buck_passing"),
    # denying an accusation against ourselves
    ("租金调整符合规定,不存在恶意刁难商户的情况。", "arguing"),
    # lecturing the owner on duties
    ("请广大业主在本月二十日之前及时进行缴费。", "blaming"),
    ("小区已加装摄像头,业主自身也要加强防范。", "blaming"),
    # a private person's full name (another owner, a buyer, a contractor)
    ("物业已与业主代表蒋立群进行了座谈,下月再议。", "pii_leak"),
    ("该房屋已出售给自然人韩梦溪,装修手续正在补办。", "pii_leak"),
    # a rebuttal about a third party's conduct is still our rebuttal
    ("经查,某地产公司在5号楼一层建的会所是按规划审批后建设的。", "arguing"),
    ("开发商出售沿街铺面符合规划,不存在欺骗购房人的问题。", "arguing"),
    # point-by-point official denials and lectures
    ("经现场核查,该餐馆并没有占用公共通道,排烟口也符合要求。", "arguing"),
    ("希望业主以后不要把滴水的垃圾袋拎进电梯。", "blaming"),
    # contempt about other owners is still our tone
    ("那个业主就是无理取闹,您别理他。", "disrespect"),
    # a promise on someone else's behalf is still over-promising
    ("您去找开发商吧,他们肯定给您全额赔偿。", "overpromising"),
    # a third party's private home
    ("吵您的是隔壁1803的住户,姓赵。", "pii_leak"),
    ("经核实,楼上是5栋2101的钱先生家在装修。", "pii_leak"),
    ("您反映的2栋1单元402那户,我们已经上门提醒了。", "pii_leak"),
]


@pytest.mark.parametrize(("text", "category"), CAUGHT)
def test_violations_still_caught(engine, text, category):
    assert category in categories(engine, text)


# --------------------------------------------------------------------------- the readings themselves
@pytest.mark.parametrize(
    ("text", "number", "kind"),
    [
        ("尊敬的8栋603室业主,您好。", "8栋603室", "room_own"),
        ("您住的是12栋1单元1101吧?", "12栋1单元1101", "room_own"),
        ("噪音来自楼上1502的住户。", "1502", "room_third"),
        ("是1102室的孙女士家。", "1102室", "room_third"),
        ("华联商业广场3栋2015、2016的店铺已整改。", "2015、2016", "room_commercial"),
        ("全小区共有1200户。", "1200", "count"),
    ],
)
def test_number_kinds(text, number, kind):
    prep = prepare(text)
    start = prep.norm.index(number)
    assert analyse(prep).number_kind(start, start + len(number)) == kind


def test_commitment_needs_the_replier_and_a_time_or_number():
    assert analyse(prepare("这事我定不了。我今天下班前问经理,明早回您。")).commitment()
    assert analyse(prepare("您的工单号是A1203,我们会跟进。")).commitment()
    assert not analyse(prepare("这事我定不了,您等通知吧。")).commitment()


def test_directive_to_owner_is_read_from_the_hit():
    prep = prepare("楼上住户的水管坏了,建议您和楼上协商。")
    a = analyse(prep)
    start = prep.norm.index("建议")
    assert a.directive_to_owner(start, start + 8)


@pytest.mark.parametrize(("text", "expected"), [
    ("对于小区道路破损的问题，开发公司承诺于今年10月底前保证3栋、6栋周边道路全部修复到位。", True),
    ("经街道协调，该商户表示晚上十点后停止营业并加装隔音设施。", True),
    ("我们保证马上全部赔给您，您放心。", False),
    ("我局承诺一个月内解决到位。", False),
])
def test_a_learned_sentence_that_narrates_a_third_partys_commitment_is_reported_speech(text, expected):
    """An official reply's account of what the developer or a shop committed to is not the replier's
    own over-promise; the replier's own promise ("我们保证…", "我局承诺…") still counts."""
    from agent.guard.clauses import excuse

    prep = prepare(text)
    reason = excuse("overpromising", "learned.overpromising", analyse(prep), 0, len(text))
    assert (reason == "reported_speech") is expected, reason


OFFICIAL_ANSWERS = [
    # a decision with its reason, then the standard closing thanks
    "网友您好！您的来信已收悉。您申请在商场四楼开办托管班一事，经审查，该场地不符合消防要求，我局决定不予批准。感谢您对我局工作的支持！",
    # findings by several bodies and a shop's commitment: not a vague answer
    "您好！针对您反映的问题，区城管局和街道很重视，当天就去调查处理。经调查，楼下烧烤摊没有办理证照，已经停业。经社区协调，摊主承诺以后不再占道经营。感谢您对我们工作的理解和支持！",
    # a numbered answer whose last point adds "下一步将进一步加大…力度" after dated actions
    "1、关于电梯故障的问题。经调查，3号电梯主板老化，维保单位已于6月2日更换。2、关于楼道堆物的问题。物业已于6月5日清理完毕，但由于个别住户反复堆放，导致屡清屡堆。下一步，将进一步加大巡查力度，保持楼道畅通。感谢您的监督！",
]


@pytest.mark.parametrize("text", OFFICIAL_ANSWERS)
def test_an_official_answer_closing_with_thanks_or_next_steps_is_not_empty_or_vague(engine, text):
    from agent.guard.clauses import excuse

    assert not categories(engine, text) & {"vague", "empty_thanks"}
    if "经审查" not in text:  # two findings or more: the learned whole-text reading of vague is excused too
        assert excuse("vague", "learned.vague", analyse(prepare(text)), 0, len(text)) == "boilerplate_after_answer"


def test_a_hand_off_with_next_step_boilerplate_is_still_vague(engine):
    assert "vague" in categories(engine, "您好，来信收到。经了解，有关部门很重视。下一步将进一步加强管理，请您耐心等待。")
