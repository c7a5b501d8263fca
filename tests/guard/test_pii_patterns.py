"""pii_leak: personal data written out in a reply, and the near misses that must stay clean.

Rule layer only (``Engine``, no learned layer: pii_leak is never learned). The texts are our own
wording of each pattern; every caught pattern has a clean neighbour beside it.
"""

from __future__ import annotations

import pytest

from agent.guard.engine import Engine
from agent.guard.policy import load_policy
from agent.guard.text import prepare
from agent.settings import Settings
from agent.vocab import Stage, ViolationCategory

_PII = frozenset({ViolationCategory.pii_leak})


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(load_policy(Settings().guardrails_dir))


def pii_hits(engine: Engine, text: str, stage: str = "act") -> list[str]:
    return [v.rule_id for v in engine.run(prepare(text), Stage(stage), _PII)]


LEAKS = [
    # a neighbour pointed out by locator + surname form (对门 / 楼层 / 房号 / HK 室)
    "说您家狗叫的,是斜对门的韦女士,她来过两次了。",
    "楼道里的鞋架是9楼的邝阿姨家放的,她说过几天搬走。",
    "投訴你嘅係隔籬C室嗰位馮太,你哋自己傾下啦。",
    "舉報您亂停車的是對面20樓的彭太太。",
    "吵到您的是1907的钟先生,他家最近在装修。",
    "您说的那户就是2205那位独居的老人家,我们会去看看。",
    "占您车位的就是11栋那个骆老师,他一直这么停。",
    "二十樓的陸志偉先生說那些紙箱是他的。",
    # a unit number with a bare full name, or a unit standing for its owner
    "不同意加装电梯的是402的汪海涛、603的储晓梅两户。",
    "楼上是谭凯,1804的。",
    "把垃圾放门口的是305的小蒋,您可以跟她说一声。",
    # a full name behind a naming word / as a contractor or another owner
    "查了登记,租这套房子的人叫萧景行,平时很少在家。",
    "那家店铺的经营者为詹秋菊(个人),已责令整改。",
    "外墙那段是由蓝国富个人承包的,我们已经联系他。",
    "业主霍春燕反映您家空调滴水,麻烦您看一下。",
    "对门那家,姓池,您跟他好好说说。",
    "楼上住的是一位姓卓的先生,晚上上夜班。",
    # phones / IM accounts / cards / IDs / plates in other formats
    "他家的座机是 0755-2611 3098,您可以直接打。",
    "楼上住户的电话是 0933-246-810,您自己联系。",
    "她的微信号是 rainy_day_77,加了直接说就行。",
    "邻居的QQ是 572310948。",
    "登记的身份证号 52010219900307XXXX,已经核对过。",
    "那位住户的香港身份證號碼是 K481203(6)。",
    "霸您车位嗰架车系 RT 5520,我哋已经打咗俾车主。",
    # English replies: another resident's flat
    "The smell comes from 11E; the owner there cooks late every night.",
    "It was the family in Flat 2604 who reported your dog.",
    "Ms. Lo from 9F is the one who keeps leaving boxes there.",
]

CLEAN = [
    # surname + title of staff, the shop, the complainant addressed
    "明天上午十点由楼下值班室的邱师傅上门检查。",
    "负责您这栋楼的管家姓罗,她下午会给您回电话。",
    "楼下便利店的吴老板已经答应把货物搬走。",
    "尊敬的6栋2单元的谢女士:您好,门禁卡已经补办好了。",
    "跟您确认一下,您是5栋1203的业主廖先生对吧?",
    "您好,我是物业客服钱敏,这件事由我跟进。",
    # public numbers, work orders, amounts, counts, dates, last four digits
    "如需帮助,请拨打服务中心电话:0755-2611 3000。",
    "物业服务中心电话(0571)8000 1234,二十四小时有人值班。",
    "您的工单号是WX2024061800321,师傅两小时内联系您。",
    "本次共有260余户业主参与投票,其中180余户同意。",
    "扣款已经成功,交易流水号 2024061800118,退款退回您尾号3321的银行卡。",
    "您可以关注物业公众号 hexie_wuye 在线报修。",
    "您加一下我们小区的业主微信群,群号我短信发您。",
    # rooms that are not someone's home, or words that look like names
    "1203的卫生间防水已经重做,闭水试验明早做。",
    "楼上的管家会在今晚七点前联系您。",
    "地下车库AB 12区的灯已经换好了。",
    "这次检查了安全、卫生、消防三方面。",
    "广场B座1203的奶茶店已按要求整改。",
    # English near misses
    "Our technician will come to your flat 12B at 9 a.m. tomorrow.",
    "We will call you back at 5pm today, or in 2 days at the latest.",
    "Mr. Chen from our maintenance team will come at 3pm.",
]


@pytest.mark.parametrize("text", LEAKS)
def test_personal_data_is_caught(engine, text):
    assert pii_hits(engine, text), text


@pytest.mark.parametrize("text", CLEAN)
def test_near_misses_stay_clean(engine, text):
    assert pii_hits(engine, text) == [], text


def test_named_neighbour_is_third_even_when_confirming(engine):
    """A unit followed by another person's name is that person's home, even in a "…对吧?" sentence."""
    assert pii_hits(engine, "收到,4栋1702的莫丽萍女士刚才说的垃圾桶问题,是南门那个对吧?")


def test_same_unit_named_as_a_shop_earlier_stays_commercial(engine):
    text = ("经核查,新城商业广场C栋3005、3006两间商铺存在漏水问题。"
            "我们已于6月3日约谈C栋3005、3006业主,要求本月内整改。")
    assert pii_hits(engine, text) == []
