"""PII in context (issue 12): names by role, title, list and first word; ordinary words never masked;
every mention of a value masked alike; all room formats; bank cards, WeChat, QQ, passports."""

from __future__ import annotations

import pytest

from agent.understand.pii import mask_pii, unmask
from tests.language.pii_helpers import assert_masked_as, kinds_of, values


@pytest.mark.parametrize(
    ("text", "value", "kind"),
    [
        ("张伟昨天找过你们,说今天来修,到现在没人", "张伟", "name"),
        ("隔壁刘建国家天天半夜剁东西", "刘建国", "name"),
        ("周晓东:小区门口的路灯坏了一个月", "周晓东", "name"),
        ("我们的物业管家李梦瑶从来不回消息", "李梦瑶", "name"),
        ("业委会主任赵光明私自跟物业续签了合同", "赵光明", "name"),
        ("尊敬的钱书记:您好,我们小区停水三天了", "钱书记", "name"),
        ("物业的孟经理答应上周给答复", "孟经理", "name"),
        ("听说是一位邹姓领导的亲戚开的店", "邹姓领导", "name"),
        ("物业公司负责人韩宇航说不归他们管", "韩宇航", "name"),
        ("卡号6222021234567890128,退款请打到这里", "6222021234567890128", "bank_card"),
        ("退到这张卡 6222 0212 3456 7890 128", "6222 0212 3456 7890 128", "bank_card"),
        ("加我微信 zhangwei_8848 发照片给你", "zhangwei_8848", "wechat"),
        ("我的QQ号是 2847561930", "2847561930", "qq"),
        ("护照号 E12345678 已经登记", "E12345678", "passport"),
        ("住3栋1202,楼上天天漏水", "3栋1202", "room"),
        ("2-1-2单元1916的业主又在阳台烧东西", "2-1-2单元1916", "room"),
        ("16-923门口堆满了纸箱", "16-923", "room"),
        ("我家在5栋18楼,电梯天天坏", "5栋18楼", "room"),
        ("1502室的狗一直叫", "1502室", "room"),
        ("二期B区16-923的空调外机滴水", "二期B区16-923", "room"),
        ("我是七栋一单元的住户", "七栋一单元", "room"),
        ("联系电话：******** 请尽快回复", "********", "phone"),
    ],
)
def test_context_kinds_are_masked(text: str, value: str, kind: str) -> None:
    assert_masked_as(text, value, kind)


@pytest.mark.parametrize(
    "text",
    [
        "希望业主解决这个问题的诉求能被听到",
        "业主车辆停在地库经常被刮",
        "还业主安宁和谐的生活环境",
        "本人曾多次向物业反映,没有结果",
        "7栋160户近千人的吃水问题到现在没解决",
        "物业热线400-820-1234一直占线,我又打了12345",
        "我们业主是按揭贷款买的房",
        "我已经向市长热线反映过",
        "保安师傅很负责",
        "请施工队晚上别再干了",
        "开发商董事长出来说句话",
        "小区有300多户,交了5000余元",
        "5号楼3楼楼道里有人拉电线",
        "打物业电话0731-84561234没人接",
        "银行卡号我就不留了",
    ],
)
def test_ordinary_words_and_numbers_stay(text: str) -> None:
    masked = mask_pii(text)
    assert masked.text == text, masked.mapping


def test_every_mention_of_a_room_gets_the_same_placeholder() -> None:
    text = ("我家2-1-2单元1916,楼上漏水。2-1-2单元1916的天花板已经泡坏了,"
            "物业来看过1916三次,1916的损失谁来赔?")
    masked = mask_pii(text)
    assert "1916" not in masked.text
    assert masked.text.count("〔房号1〕") == 2
    assert unmask(masked.text, masked.mapping) == text


def test_every_mention_of_a_name_and_a_list_of_signatories() -> None:
    text = "联名签字:沈玉洁、蔡振华、陶文静。沈玉洁负责和物业对接。"
    masked = mask_pii(text)
    for name in ("沈玉洁", "蔡振华", "陶文静"):
        assert name not in masked.text
    assert masked.text.count("〔姓名1〕") == 2


def test_concatenated_signatures_are_split_into_names() -> None:
    text = "业主联名签字：范志刚吕婷婷孔令辉薛梅2024年5月"
    assert values(text, "name") == ["范志刚", "吕婷婷", "孔令辉", "薛梅"]


def test_a_card_that_fails_luhn_is_not_a_bank_card() -> None:
    assert "bank_card" not in kinds_of("订单 6222021234567890123 已经支付")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("当天值班的保安队长韩某竟然威胁我们", "韩某"),
        ("街道办的蒋某某一直没有回复", "蒋某某"),
        ("我们去找了殷建国主任,他说下周答复", "殷建国"),
        ("负责此事的邵文静经理后来再没出现", "邵文静"),
    ],
)
def test_anonymised_names_and_full_names_before_a_title(text: str, value: str) -> None:
    masked = mask_pii(text)
    assert value not in masked.text, masked.text


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("我家住三楼302室,楼下二楼202的住户把水管弄坏了", "202"),
        ("我住在5栋3单元12层,电梯天天坏", "5栋3单元12层"),
    ],
)
def test_a_floor_and_its_room_are_rooms(text: str, value: str) -> None:
    assert value not in mask_pii(text).text


@pytest.mark.parametrize(
    "text",
    [
        "这些包工头天天在小区里拉活",
        "维修师傅查原因时发现是主管道堵了",
        "水池到底是200吨还是500吨,物业自己都说不清",
        "8栋2单元西边电梯这个月坏了两次",
        "检测单位对8栋2单元进行沉降监测",
        "某些业主不交费,某天物业就停了电梯",
        "住建局物管科科长说会派人来看",
    ],
)
def test_ordinary_words_near_names_and_rooms_stay(text: str) -> None:
    masked = mask_pii(text)
    assert masked.text == text, masked.mapping


def test_a_name_with_and_without_its_title_gets_one_placeholder() -> None:
    masked = mask_pii("我们找过郝志诚经理。郝志诚当时答应一周内修好。")
    assert "郝志诚" not in masked.text
    assert masked.text.count("〔姓名1〕") == 2


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("多次去找开发公司法定代表人葛振宇都被拒绝", "葛振宇"),
        ("该公司董事长闵浩然至今没有露面", "闵浩然"),
        ("此致。报告人：柯雨桐", "柯雨桐"),
    ],
)
def test_a_role_before_a_full_name(text: str, value: str) -> None:
    assert value not in mask_pii(text).text


@pytest.mark.parametrize(
    ("text", "value", "kind"),
    [
        ("那位姜姓物业经理一句话就把停车费涨了", "姜姓物业经理", "name"),
        ("接电话的是一位邵姓的值班领导,说明天再看", "邵姓的值班领导", "name"),
        ("唐领导说这事不归他们管", "唐领导", "name"),
        ("街道的冼主任来看过一次就走了", "冼主任", "name"),
        ("我（宋明远）和妻子（许小雯）一起签的购房合同", "宋明远", "name"),
        ("我（宋明远）和妻子（许小雯）一起签的购房合同", "许小雯", "name"),
        ("盼早日解决。13912345678 彭志强", "彭志强", "name"),
        ("此致。韩振宇 13912345678", "韩振宇", "name"),
        ("请回电。*********谭晓峰", "谭晓峰", "name"),
        ("门口那辆湘A***8K天天堵住消防通道", "湘A***8K", "plate"),
        ("3栋801-806都被同一个老板租走了", "3栋801-806", "room"),
        ("5、6栋302的业主都反映过", "5、6栋302", "room"),
        ("我住B4栋顶楼,下雨天天漏水", "B4栋顶楼", "room"),
        ("租了XY栋AB房间的是一对老人", "XY栋AB房间", "room"),
    ],
)
def test_more_name_room_and_plate_forms(text: str, value: str, kind: str) -> None:
    assert_masked_as(text, value, kind)


def test_a_masked_person_called_by_the_surname_alone_later() -> None:
    text = "我们找了物业经理邵文清。邵回复说下周修,到现在,邵却一直没来。邵阳的亲戚也来看过。"
    assert values(text, "name").count("邵") == 2
    assert "邵阳" in mask_pii(text).text  # a place name (a dictionary word) stays


@pytest.mark.parametrize(
    "text",
    [
        "谢谢领导关心我们小区",
        "坚持党领导一切,物业也要守规矩",
        "祝领导们身体健康,工作顺利",
        "这栋楼有近300住户,电梯却只有一部",
        "今天是2020.5.12,已经过去一周了",
        "3栋105商铺天天放音乐到半夜",
        "我在5栋二楼有个小商铺,租金一直按时交",
        "售后投诉电话0731-88886666一直打不通",
        "规划的是*********米的垃圾站,建的却是房子",
    ],
)
def test_thanks_counts_dates_shops_and_measures_stay(text: str) -> None:
    masked = mask_pii(text)
    assert masked.text == text, masked.mapping
