"""Names known by where they stand (issue 12, second writer): a chat's speakers, a person before their flat
in brackets, a labelled field (记录人：…), names that are ordinary words in those places, compound and
minority names, familiar names after a role, English names — and the labels, roles and words that stay.
Invented text only."""

from __future__ import annotations

import pytest

from agent.understand.pii import find_pii, mask_pii, unmask
from tests.language.pii_helpers import assert_no_names, values


@pytest.mark.parametrize(
    ("text", "value"),
    [
        # a chat's speakers, familiar or named by a word
        ("业主群：\n老钱：电梯又不动了\n客服：马上派人", "老钱"),
        ("群消息：\n阿明：有人捡到钥匙吗\n客服：放前台了", "阿明"),
        ("群聊：\n金秋：楼下谁在烧东西？\n物业：我们去看看", "金秋"),
        ("群聊：\n保洁-老孙：垃圾桶已经清了", "老孙"),
        ("群聊记录：\n小谭 3-1202：快递柜坏了", "小谭"),
        ("微信群：\n慕容雪（新搬来的）：请问停车怎么办", "慕容雪"),
        # a person before their flat in brackets
        ("联名业主：\n方舟（2-1-802）\n白露（5-2-301）", "方舟"),
        ("联名业主：\n方舟（2-1-802）\n白露（5-2-301）", "白露"),
        ("群聊：\n格桑（8栋）：谁家的车挡路了", "格桑"),
        # a labelled field, even when the name is an ordinary word
        ("会议记录人：金鑫。下次会议另行通知。", "金鑫"),
        ("报修单\n姓名：夏至\n地址：3栋502", "夏至"),
        ("我叫林海，住在9栋。", "林海"),
        ("我是三号楼六零二的向阳，想问个事", "向阳"),
        ("我姓白，叫白雪，家里停水了", "白雪"),
        # compound and minority names
        ("联名：南宫婉（1-902）、端木青（2-1101）", "端木青"),
        ("报修人：阿依古丽·买买提\n房号：5-302", "阿依古丽·买买提"),
        ("市民次仁多吉来电，反映小区门口积水", "次仁多吉"),
        # familiar names after a role, and a person's relation
        ("社区民警小汤来过两次了", "小汤"),
        ("坐席：怎么称呼您？\n市民：叫我小樊就行", "小樊"),
        ("隔壁邻居小金在群里说她家也漏水", "小金"),
        ("他的侄子孙浩然从来不上班", "孙浩然"),
        ("外卖骑手黄磊在小区门口被拦", "黄磊"),
        ("负责登记的委员为邹晓梅（3-1-701）", "邹晓梅"),
        ("数学老师说，班主任范老师要收钱", "范老师"),
        ("業主：第五座二十樓C室 溫家寶", "溫家寶"),
        # a surname the list lacks, said so; a name that is a place, with a note on it; a long English name
        ("接线员：贵姓？\n市民：我姓郜，郜振邦，住在东门", "郜振邦"),
        ("坐席：您贵姓？\n市民：我姓禤，禤国华，电话等下给你", "禤国华"),
        ("投诉人：业主武汉（是人名），住5栋", "武汉"),
        ("我是B座的住户 Tran Thi Mai，楼上太吵", "Tran Thi Mai"),
        # a list goes on through names that are words
        ("业委会委员：程刚、金山、白雪", "金山"),
        ("业委会委员：程刚、金山、白雪", "白雪"),
        ("联名签字：蒋涛、邓非凡、孔丽", "邓非凡"),
        # a chat's mention
        ("群聊：\n物业：@邓丽君 您家的快递到了", "邓丽君"),
        ("楼长：@老韦 明天记得交表", "老韦"),
        # English names
        ("Hello, I'm Daniel from flat 8B. The lift is noisy.", "Daniel"),
        ("Dear Mr Chan, the water bill is wrong.", "Mr Chan"),
        ("My name is Maria Lopez and I rent flat 2-7-C.", "Maria Lopez"),
        ("The pipe burst again. Regards, Peter Olsen", "Peter Olsen"),
        ("Chat (residents):\nJenny Ho: is the gym open?\nStaff: yes", "Jenny Ho"),
        ("Thanks to my neighbour Oliver for the help.", "Oliver"),
    ],
)
def test_names_where_they_stand_are_masked(text: str, value: str) -> None:
    masked = mask_pii(text)
    assert value in values(text, "name"), find_pii(text)
    assert value not in masked.text
    assert unmask(masked.text, masked.mapping) == text


@pytest.mark.parametrize(
    "text",
    [
        "通话记录：\n客服：您好\n业主：电梯坏了\n坐席：好的",
        "群聊：\n小雨：今天好热\n物业：注意防暑",
        "陳情書：隔壁養狗太吵\n陳情人：（略）",
        "報告：\n管理處：已安排維修",
        "依合同第五条（三）的约定，交接程序（2）另行说明。",
        "请住户关好门窗，注意安全。",
        "该小区总居民数近万人，停车位不足。",
        "我是新业主，刚收房。",
        "我是5栋的，门口有个坑。",
        "Caller: the lift is broken.\nAgent: we will send someone.",
        "Building 3 is noisy. Management said nothing.",
        "市民要求整改。",
        "你叫我小心点，我知道了",
        "群主：@所有人 明天停水，@物业 请通知",
        "物业：@全体 业主，明天停电",
        "最近黄金、白银都涨了，物业费也涨",
        "登记表\n车牌：湘A12345\n房号：3-502",
        "本人单位（A座十八楼6室）墙身开裂。",
        "本人房屋（8栋2单元1401）漏水。",
        "我姓什么，不重要。",
    ],
)
def test_labels_roles_and_words_stay(text: str) -> None:
    assert_no_names(text)


def test_an_address_after_a_listed_name_is_no_name() -> None:
    text = "提交人：业主武汉（是人名），房号三栋一二零四"
    assert values(text, "name") == ["武汉"], find_pii(text)
    assert values(text, "room") == ["三栋一二零四"], find_pii(text)
