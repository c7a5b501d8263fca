"""The weakest categories (disrespect, grudging_apology, arguing, blaming): the general patterns of
the rules disrespect.condescension, grudging_apology.conditional, grudging_apology.but_justify,
arguing.deny_claim, blaming.owners_at_large, blaming.owner_fault, refusing.flat_refusal and
buck_passing.send_elsewhere. Each pattern has a reply it must catch (by that rule) and a near-miss that
must not be flagged with that category. Wording is our own."""

from __future__ import annotations

import pytest

CAUGHT = [
    # disrespect.condescension — counting how often the owner was told
    ("disrespect.condescension", "停车的收费标准我们回复过很多次了。"),
    ("disrespect.condescension", "此事已多次答复,请勿重复留言。"),
    # … sending the owner off to study first
    ("disrespect.condescension", "建议您先把业主手册看明白了再来咨询。"),
    ("disrespect.condescension", "这是常识嘛,垃圾要分类投放。"),
    # … making the complaint small
    ("disrespect.condescension", "这点小事您也专门打个电话过来?"),
    ("disrespect.condescension", "门口放一袋垃圾也要投诉啊?"),
    ("disrespect.condescension", "您是不是太较真了?"),
    # … brushing the owner off
    ("disrespect.condescension", "嗯,记下了,还有别的事没?"),
    ("disrespect.condescension", "您催也没用,师傅就那么几个。"),
    ("disrespect.condescension", "您先别激动,这样我们没法沟通。"),
    # grudging_apology.conditional — apology on condition of the owner's feelings
    ("grudging_apology.conditional", "要是我们的答复让您觉得不愉快,那就说声抱歉吧。"),
    ("grudging_apology.conditional", "如果您一定要我们道歉,那我们道歉就是。"),
    # … apology followed at once by a justification
    ("grudging_apology.conditional", "对此我们表示歉意,但必须说明,水管是开发商埋的。"),
    ("grudging_apology.conditional", "不好意思啦,不过电梯老了出点毛病也在所难免。"),
    ("grudging_apology.conditional", "我们深表歉意,但也希望您能理解我们的难处。"),
    # arguing.deny_claim — denying what the owner reported
    ("arguing.deny_claim", "经核查,不存在您所反映的乱收费问题。"),
    ("arguing.deny_claim", "您说的保安整夜不在岗并不存在,记录都在。"),
    ("arguing.deny_claim", "您这个算法有问题,物业费按建筑面积算。"),
    ("arguing.deny_claim", "其他住户都没意见,就您一家觉得吵。"),
    ("arguing.deny_claim", "我们的处理并无不当。"),
    # blaming.owners_at_large — the cause put on the owners or on the owner himself
    ("blaming.owners_at_large", "井盖松动主要是因为部分业主乱停车压的。"),
    ("blaming.owners_at_large", "停电是因为您本人私自改了电线。"),
    ("blaming.owners_at_large", "您当时要是先来报备,就不会被罚款了。"),
    ("blaming.owners_at_large", "丢卡是您自己的事,补办费用请自理。"),
    # grudging_apology.but_justify — an apology (or regret) turned at once into reasons, nothing we will do
    ("grudging_apology.but_justify", "水管爆了给您添麻烦,我们很抱歉。不过这批管子是开发商选的,老化也正常。"),
    ("grudging_apology.but_justify", "对于您的车被蹭,我们深感遗憾,然而地库光线一向如此,各小区都差不多。"),
    # refusing.flat_refusal — formal and terse refusals
    ("refusing.flat_refusal", "关于您申请在楼顶加装太阳能一事,经研究,不予同意。"),
    ("refusing.flat_refusal", "您提出的减免要求我们无法采纳。"),
    ("refusing.flat_refusal", "门禁记录一律不提供,请知悉。"),
    ("refusing.flat_refusal", "想延期?唔得,规矩就系咁。"),
    # buck_passing.send_elsewhere — a bare "find them" or "it's their business now"
    ("buck_passing.send_elsewhere", "找燃气公司。"),
    ("buck_passing.send_elsewhere", "我们能做的都做了,剩下的就是供电公司的事了。"),
    # blaming.owner_fault — the owner's omission named as the cause
    ("blaming.owner_fault", "您当时没有留联系电话,所以师傅才找不到您。"),
    ("blaming.owner_fault", "泳池边有防滑提示,也请您多加注意脚下。"),
    # disrespect.condescension — sending the owner to read it himself, telling him to stop asking
    ("disrespect.condescension", "下次有疑问请先看看群公告再来问。"),
    ("disrespect.condescension", "扣款是按合同来的,您就别再跟我们争了。"),
    # arguing.deny_claim — doubting the owner's account
    ("arguing.deny_claim", "您说门卫不让进,您是不是记错了?"),
    ("arguing.deny_claim", "您说报修三次,我们系统里可没有记录。"),
]

NEAR_MISSES = [
    # the same words, used for the owner rather than against him
    ("disrespect", "我们已经给维修公司打过三次电话催了,今天下午五点前给您回复。"),
    ("disrespect", "规定写得比较绕,我把要点整理好发给您。"),
    ("disrespect", "换灯泡这种小事,师傅带着梯子上门就能换好。"),
    ("disrespect", "请问还有其他需要我们帮忙的吗?"),
    ("disrespect", "一周都没睡好,这不是您太敏感,我们今晚就去查噪音。"),
    ("grudging_apology", "停水给您添了麻烦,我们深表歉意,送水车下午两点到楼下。"),
    ("grudging_apology", "抱歉让您久等了,师傅明天上午九点上门。"),
    # a sentence that is only a plain apology is not grudging (clause reading "plain_apology")
    ("grudging_apology", "业主您好,真的很抱歉给您带来了麻烦。"),
    ("arguing", "您反映的情况我们今天下午到现场核实,六点前回电。"),
    ("arguing", "谢谢您指出来,公告上的日期写错了,我们马上改。"),
    ("blaming", "由于有业主反映夜里噪音,我们从今晚起加强巡查。"),
    ("blaming", "电动车是外来人员推走的,不是您没锁好的问题,视频已交给派出所。"),
    # an apology with reasons followed by what we do about it; a refusal that turns to what we can do
    ("grudging_apology", "断电给您带来不便,我们深表歉意。不过备用电源已经启动,今晚八点前恢复供电。"),
    ("refusing", "现有车位已经不能满足业主的需求,今年会增加一百个车位。"),
    # thanks that reports the work done is not empty
    ("empty_thanks", "谢谢您提醒,三楼的灯刚让电工换好了。"),
    ("empty_thanks", "谢谢您,帮您查到了,是上月的水费代扣。"),
    ("arguing", "系统里没有查到您的报修记录,我马上帮您补登,今天下午师傅上门。"),
]


@pytest.mark.parametrize(("rule_id", "text"), CAUGHT, ids=[f"{r}:{i}" for i, (r, _) in enumerate(CAUGHT)])
def test_pattern_is_caught_by_its_rule(checker, rule_id, text):
    result = checker.check(text, "act")
    assert rule_id in {v.rule_id for v in result.violations}, [v.model_dump() for v in result.violations]
    assert not result.passed


@pytest.mark.parametrize(("category", "text"), NEAR_MISSES, ids=[f"{c}:{i}" for i, (c, _) in enumerate(NEAR_MISSES)])
def test_near_miss_is_not_flagged(checker, category, text):
    result = checker.check(text, "act")
    assert category not in result.categories, [v.model_dump() for v in result.violations]


def test_plain_apology_reading_excuses_only_a_bare_apology():
    from agent.guard.clauses import _PLAIN_APOLOGY

    assert _PLAIN_APOLOGY.match("尊敬的住户您好,十分抱歉给您带来了不便。")
    assert not _PLAIN_APOLOGY.match("抱歉给您带来了不便,但这是供电局的原因。")
    assert not _PLAIN_APOLOGY.match("行吧,对不起。")


def test_refusal_that_turns_to_an_alternative_is_not_a_flat_refusal(checker):
    """The formal-refusal patterns stand back when the reply goes on to what we can do (不过…我/可以…).
    Checked on the rule alone: the learned layer may still read the refusing sentence by itself."""
    from agent.guard.text import prepare
    from agent.vocab import Stage

    engine = checker.engine
    alternative = "楼顶不能私人种菜,这个我们不能同意。不过小区东边有块空地,下周开会时我帮您提出来。"
    flat = "楼顶不能私人种菜,这个我们不能同意。"
    assert "refusing.flat_refusal" not in {v.rule_id for v in engine.run(prepare(alternative), Stage.act)}
    assert "refusing.flat_refusal" in {v.rule_id for v in engine.run(prepare(flat), Stage.act)}
