"""PII read out or written in other formats (issue 12, second writer): numbers and plates spoken digit by
digit, homes read out in words, Taiwan 樓之, flats written in English, a hidden ID number, LINE ids — and
the public numbers and mailboxes that stay. Invented text only."""

from __future__ import annotations

import pytest

from agent.understand.pii import find_pii
from tests.language.pii_helpers import assert_masked_as, kinds_of


@pytest.mark.parametrize(
    ("text", "value", "kind"),
    [
        ("他留的座机是零二一，六六七，八八，九零三，晚上打", "零二一，六六七，八八，九零三", "phone"),
        ("接线员：请问号码？市民：六二五八，三三九一。", "六二五八，三三九一", "phone"),
        ("手机幺八九三三零七六五二一四，白天都在", "幺八九三三零七六五二一四", "phone"),
        ("You can call me on nine-one-two-three, four-five-six-seven anytime.",
         "nine-one-two-three, four-five-six-seven", "phone"),
        ("车牌是粤B，三，七，Q，九，一，白色轿车", "粤B，三，七，Q，九，一", "plate"),
        ("我那辆电动车的车牌号是株洲C70215，丢了三天", "株洲C70215", "plate"),
        ("证件号码我只说前后几位：4302**********5518，其他保密", "4302**********5518", "id_card"),
        ("有事加我 LINE ID：meiling_88 聯絡", "meiling_88", "wechat"),
        ("我住五栋一三零二，楼上天天漏水", "五栋一三零二", "room"),
        ("地址是十一号楼二单元七零四，请派人来", "十一号楼二单元七零四", "room"),
        ("业主：九栋，三单元，一一零五。", "九栋，三单元，一一零五", "room"),
        ("本人住城南村18栋6号。房子漏雨", "18栋6号", "room"),
        ("我住在八樓之二，樓下每天燒香", "八樓之二", "room"),
        ("I live in Flat 14D and the lift is broken again.", "Flat 14D", "room"),
        ("This is about Block 2, unit 1703 of the estate.", "Block 2, unit 1703", "room"),
        ("The leak is coming from 12B every night.", "12B", "room"),
        ("业主为8栋2单元顶楼1902的住户", "8栋2单元顶楼1902", "room"),
        ("群聊：\n李姐 6-1101：电梯又停了", "6-1101", "room"),
        ("我住7号楼3门402，暖气一直不热", "7号楼3门402", "room"),
        ("联系电话１５９２２３３４４５６，晚上打", "１５９２２３３４４５６", "phone"),
        ("那辆车是浙Ｂ７Ｋ２２９，天天占道", "浙Ｂ７Ｋ２２９", "plate"),
        ("两地牌粤Z8842港的车停在消防通道", "粤Z8842港", "plate"),
        ("家住8栋C单元1501，楼道灯坏了", "8栋C单元1501", "room"),
        ("业主：我是三单元六零三的，漏水了", "三单元六零三", "room"),
        ("房东把押金扣了（幸福公寓C-0806）不给退", "C-0806", "room"),
    ],
)
def test_spoken_and_other_formats_are_masked(text: str, value: str, kind: str) -> None:
    assert_masked_as(text, value, kind)


@pytest.mark.parametrize(
    "text",
    [
        "小区物业服务热线：0731-86661234（24小时），有问题请拨打",
        "物业服务中心24小时值班电话：0755-23456789。",
        "意见请发投诉邮箱 service@lanting-wy.com ，我们会回复。",
        "工单号：KF-2031-0457 已受理",
        "自行车车架号 GT20231102 已登记",
        "当班保安（工号K-23）没有登记",
        "二零二四年三月五日，三栋楼道灯坏了",
        "他家三栋三十多户都没水",
        "3栋12号电梯又坏了",
        "会议定在12樓大堂。",
        "5号楼2门口堆满了纸箱",
        "客服热线４００６６６８８９９，工作日接听",
    ],
)
def test_public_numbers_dates_and_counts_stay(text: str) -> None:
    assert not find_pii(text), kinds_of(text)
