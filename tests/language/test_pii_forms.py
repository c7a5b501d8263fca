"""PII forms in general (issue 12, generalisation): kinship and worker cues, 叫…, 小周/老张, a full name
as the subject of a habit, compound surnames, signature lists; Hong Kong flats (18樓B室, 座, 單位),
ranges after a unit, lists of rooms counted as homes — and the traps next to each. Invented text only."""

from __future__ import annotations

import pytest

from agent.understand.pii import find_pii, mask_pii, unmask
from tests.language.pii_helpers import assert_no_names, values


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("我婆婆刘桂兰今年八十岁了，每天要爬十八楼", "刘桂兰"),
        ("我老伴叫郭玉兰，她腿脚不便", "郭玉兰"),
        ("开发商老板之女廖欣怡负责这个项目", "廖欣怡"),
        ("保洁员何春燕每天都很辛苦", "何春燕"),
        ("维修工程师宁振波态度很差", "宁振波"),
        ("保安員陳大文經常不在崗", "陳大文"),
        ("施工队的包工头姓韩，叫韩德胜。", "韩德胜"),
        ("冯志刚多次在群里辱骂业主", "冯志刚"),
        ("负责这个片区的管家小周一直不回消息", "小周"),
        ("前台的小苗说经理不在", "小苗"),
        ("老祁家的狗又咬人了", "老祁"),
        ("开发商派来的欧阳先生说话很难听", "欧阳先生"),
        ("签名：邝建华 岑秀英 杨光明", "杨光明"),
    ],
)
def test_general_name_forms_are_masked(text: str, value: str) -> None:
    masked = mask_pii(text)
    assert value in values(text, "name"), find_pii(text)
    assert value not in masked.text
    assert unmask(masked.text, masked.mapping) == text


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("本人住在海景花園第2座18樓B室，樓上19樓B室漏水", "19樓B室"),
        ("十二座十三樓A室的住客經常深夜唱K", "十二座十三樓A室"),
        ("觀塘某大廈B座1506單位業主投訴走廊堆放雜物", "B座1506單位"),
        ("9栋1单元301至305共五户的天花板都渗水", "9栋1单元301至305"),
        ("12栋的1101、1102、1201三户被淹", "1101"),
        ("12栋的1101、1102、1201三户被淹", "1201"),
    ],
)
def test_general_room_forms_are_masked(text: str, value: str) -> None:
    assert value in values(text, "room"), find_pii(text)


def test_a_name_after_a_room_and_a_space_is_a_signature() -> None:
    assert "曹永强" in values("住户：15栋二单元802 曹永强", "name")


@pytest.mark.parametrize(
    "text",
    [
        "本人是马家湾北路的住户，门口天天堵车",  # a road after 是, not a name
        "合同里当事人应拿的材料一直没给我",  # 应 "should", not a surname
        "金盛一再拖着不交房",  # a company's short name doing something
        "小孙子今年上小学，楼下施工太吵",
        "小高层的电梯坏了一个星期",
        "一小时后保安才到",
        "老师和家长都很担心",
        "户型图上133、138户型的面积不对",  # floor plans, not rooms
        "我住的是3楼2室1厅，漏水严重",  # a layout, not a flat
        "朋友圈里都在说这件事",
    ],
)
def test_traps_next_to_the_new_forms_stay(text: str) -> None:
    masked = mask_pii(text)
    assert masked.text == text, masked.mapping


def test_a_lettered_floor_before_a_block_is_not_part_of_the_room() -> None:
    assert values("三栋五楼C座男业主把鸟笼挂在窗外", "room") == ["三栋五楼"]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("管理處何生同我講過會處理", "何生"),
        ("隔離屋黃太成日將垃圾放喺走廊", "黃太"),
        ("鄰居黃太經常把垃圾放走廊", "黃太"),  # 經常 read as 经常: the name stops before it
        ("前台的小苗説經理不在", "小苗"),
    ],
)
def test_hong_kong_and_traditional_name_forms(text: str, value: str) -> None:
    assert value in values(text, "name"), find_pii(text)


def test_a_masked_name_made_familiar_later_is_masked_too() -> None:
    text = "业主邝志明投诉楼上漏水。老邝说物业不管，邝某也没办法。"
    masked = mask_pii(text)
    assert "邝" not in masked.text, masked.text
    assert unmask(masked.text, masked.mapping) == text


@pytest.mark.parametrize("text", ["注意卫生，师生同乐", "考生和新生都在操场", "时太长了，没人来修"])
def test_short_honorific_traps_stay(text: str) -> None:
    assert mask_pii(text).text == text


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("3栋2单元5楼2号的业主天天敲墙", "3栋2单元5楼2号"),
        ("我家住5楼东户，楼上漏水", "5楼东户"),
        ("2单元501的狗一直叫", "2单元501"),
        ("7层702室的空调滴水", "7层702室"),
        ("我是某某大厦18楼7号房业主", "18楼7号房"),
    ],
)
def test_a_door_on_a_floor_and_a_unit_without_its_building(text: str, value: str) -> None:
    assert value in values(text, "room"), find_pii(text)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("楼下邱建国夫妇天天吵架", "邱建国"),
        ("李秀英（女，62岁）在楼道摔倒", "李秀英"),
        ("闹事的是孟庆华等人", "孟庆华"),
        ("尊敬的童国强：你好", "童国强"),
        ("实名举报柴永胜私占绿地", "柴永胜"),
        ("请刘晓同志核实", "刘晓同志"),
    ],
)
def test_a_person_by_what_surrounds_the_name(text: str, value: str) -> None:
    assert value in values(text, "name"), find_pii(text)


@pytest.mark.parametrize(
    "text",
    [
        "举报金茂物业乱收费",  # a company after the cue
        "楼下的李记面馆占道经营",
        "一楼一号商铺在装修",
        "楼高18层，共36户",
        "1楼东边的绿化带被占了",
        "致全体业主的一封信",
    ],
)
def test_businesses_and_building_facts_stay(text: str) -> None:
    assert mask_pii(text).text == text, find_pii(text)


def test_a_name_before_the_property_fee_is_still_a_name() -> None:
    assert "王建国" in values("业主王建国物业费交了三年", "name")


@pytest.mark.parametrize(
    ("text", "value", "kind"),
    [
        ("小区物业负责人谌立新拒不履行合同", "谌立新", "name"),  # 立新: an adverb of the word list, a given name here
        ("我儿子祁明轩今年刚上一年级", "祁明轩", "name"),  # 轩 ends names as well as buildings
        ("小区业主共同签名：江海涛 汪丽 邓志勇 卢晓峰", "江海涛", "name"),
        ("业主代表：伍建平（9栋1502）、邬红梅（11栋803）", "邬红梅", "name"),
        ("物业费收据上的经办人是管丽娟。", "管丽娟", "name"),
        ("金碧辉煌小区物业经理于海涛多次拖延维修", "于海涛", "name"),
        ("业主群里的群主严丽华一直在删帖", "严丽华", "name"),
        ("和快递员小韩没有关系", "小韩", "name"),
        ("本村村民彭明建承包了维修", "彭明建", "name"),
        ("联系人：符先生 189****5678", "189****5678", "phone"),
        ("投诉人：罗先生；房号：B3-1205", "B3-1205", "room"),
        ("住在第8座1203室的李太經常在走廊晾衫", "第8座1203室", "room"),
        ("小区C区15号楼2单元3层东户的业主在绿地种菜", "C区15号楼2单元3层东户", "room"),
    ],
)
def test_more_general_forms(text: str, value: str, kind: str) -> None:
    assert value in values(text, kind), find_pii(text)


@pytest.mark.parametrize(
    "text",
    [
        "弄得大门口人车混行，很不安全",
        "公司员工于某商场内聚众赌博",
        "负责人于本月底前答复",
        "小区物业于近日张贴了通知",
        "此致安新居全体业主",
        "本人是马家湾北路的住户",
    ],
)
def test_prepositions_and_word_pairs_stay(text: str) -> None:
    assert mask_pii(text).text == text, find_pii(text)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("钥匙交给邵景明，他说明天来修", "邵景明"),
        ("维修款由闫立伟领取后交给了别人", "闫立伟"),
        ("经理助理柏佳琪说会跟进", "柏佳琪"),
        ("楼栋长郝德明组织大家开会", "郝德明"),
        ("台北市某社區管委會主委林振宏拒絕公開帳目", "林振宏"),
    ],
)
def test_a_bare_full_name_where_a_person_fits(text: str, value: str) -> None:
    assert value in values(text, "name"), find_pii(text)


@pytest.mark.parametrize(
    "text",
    [
        "水泵带病运转，给安全带来很大隐患",  # 安全带: a word the word list calls a name
        "小区由马家湾划归杨柳街道",
        "入住以后，舒适感逐步降低",
        "车辆只能停在小区外，马路边！",
        "这是何居心？",
        "一直不肯给我们开停车费发票",
        "连草民都知道这个道理",
        "占用社区用房的启明星培训老板带人闹事",
    ],
)
def test_words_that_look_like_bare_names_stay(text: str) -> None:
    assert_no_names(text)


def test_a_name_that_also_heads_a_business_is_the_business_at_every_mention() -> None:
    text = "我们买的是金地的房子。金地昨天答应退款，但金地集团至今没有动静。"
    assert mask_pii(text).text == text, find_pii(text)


@pytest.mark.parametrize("text", ["全体300业主联名反映", "面积是1200，不是合同写的"])
def test_round_counts_are_no_rooms(text: str) -> None:
    assert mask_pii(text).text == text, find_pii(text)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("我家在2单元3楼，楼上天天漏水", "2单元3楼"),
        ("B-1203的业主把鞋柜放在走廊", "B-1203"),
        ("B1203室的狗一直叫", "B1203室"),
        ("3栋B1203的空调外机滴水", "3栋B1203"),
        ("601、602房都被淹了", "601"),
        ("16栋1802号房的业主私自改水管", "16栋1802号房"),
    ],
)
def test_lettered_doors_lists_and_unit_floors(text: str, value: str) -> None:
    assert value in values(text, "room"), find_pii(text)


@pytest.mark.parametrize(
    "text",
    [
        "小区共有4栋26层的住宅",  # four buildings of 26 floors
        "16栋3号坏了一个月",  # a lift of building 16
        "型号A-1200的空调坏了",
        "5号楼3楼楼道里堆满杂物",
        "协议里写的费用是500一个月",
    ],
)
def test_building_counts_lifts_and_models_stay(text: str) -> None:
    assert mask_pii(text).text == text, find_pii(text)


@pytest.mark.parametrize(
    ("text", "value", "kind"),
    [
        ("身份證號碼A123456(7)已登記", "A123456(7)", "id_card"),
        ("身分證字號A123456789", "A123456789", "id_card"),
        ("電話(02)2345-6789", "(02)2345-6789", "phone"),
        ("联系电话0731-8888 6666", "0731-8888 6666", "phone"),
        ("电话 (0731) 8456 1234", "(0731) 8456 1234", "phone"),
        ("我的車牌係 AB 1234", "AB 1234", "plate"),
        ("台北市某路7號8樓之2的住戶", "7號8樓之2", "room"),
    ],
)
def test_hong_kong_and_taiwan_numbers(text: str, value: str, kind: str) -> None:
    assert value in values(text, kind), find_pii(text)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("我姓白，白秀芝，住在某小区", "白秀芝"),  # 白: a common surname now in the list; 姓X，X… is the full name
        ("我是8栋1903的褚丽萍，我电话打不通", "褚丽萍"),
        ("我是702的 邰丽，邮箱发不出去", "邰丽"),
        ("——7栋2单元 101室 业主 应国栋", "应国栋"),
        ("本人為某花園第6座12樓E室業主吳國棟。", "吳國棟"),
        ("主管叫曹建业。请尊重员工。", "曹建业"),
        ("業主 姚家豪（某閣3座11樓B室）", "姚家豪"),
        ("本人马晓燕，身份证丢了", "马晓燕"),  # 人马 is a word, but 本人 is the cue
        ("我是某小区业主夏国庆，5号楼2单元1802", "夏国庆"),
        ("联系人：于海洋，电话打不通", "于海洋"),
        ("维修工是电梯公司的，叫小丁。", "小丁"),
        ("投诉绿化班长老钱，他把树枝剪了", "老钱"),
        ("屋苑穿梭巴士司機陳sir成日遲開車", "陳sir"),
        ("家属柴敏 电话打不通", "柴敏"),
        ("物业维修主管单文强上门看过", "单文强"),
    ],
)
def test_name_forms_of_owners_writing_in(text: str, value: str) -> None:
    assert value in values(text, "name"), find_pii(text)


@pytest.mark.parametrize(
    "text",
    [
        "我们楼的业主齐心协力筹备业主委员会",
        "由业主代表核对原件以后才交的房",
        "不能让这家养老公司坑害老百姓",
        "王家的狗又跑出来了",
        "我们去过张家界旅游",
        "我们仍然相信在主席领导下能解决",
    ],
)
def test_cue_words_followed_by_ordinary_words_stay(text: str) -> None:
    assert_no_names(text)


@pytest.mark.parametrize(
    ("text", "value", "kind"),
    [
        ("我1107 我老公明天要手术", "1107", "room"),
        ("楼上1703天天半夜拖椅子", "1703", "room"),  # 天天: every day, not a number of days
        ("我们在1403，请物业提醒一下", "1403", "room"),
        ("三零一的住户天天吵", "三零一", "room"),
        ("我手机一八六，一零三三，七二九一。", "一八六，一零三三，七二九一", "phone"),
        ("我住3樓A，陸太。", "3樓A", "room"),
        ("我屋企喺地下G室", "地下G室", "room"),
        ("住在别墅区A-28。隔壁在搭棚", "A-28", "room"),
        ("——7栋2单元 101室 业主", "7栋2单元 101室", "room"),
        ("东区3-1-201 的代表", "东区3-1-201", "room"),
        ("装了防盗门，1902、1903的邻居出入都要绕。我是1903的", "1902", "room"),
    ],
)
def test_rooms_and_phones_as_people_say_them(text: str, value: str, kind: str) -> None:
    assert value in values(text, kind), find_pii(text)


@pytest.mark.parametrize(
    "text",
    ["我在110报警了", "他们在300米外", "我在2019年就投诉过", "二零二零年三月开始的", "他在120急救车上", "花了300天"],
)
def test_hotlines_counts_and_years_after_a_person_stay(text: str) -> None:
    assert mask_pii(text).text == text, find_pii(text)


@pytest.mark.parametrize("text", ["店叫老钟烧烤，就在小区底商", "楼下的李记火锅油烟很大"])
def test_a_shop_named_after_a_person_stays(text: str) -> None:
    assert_no_names(text)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("管理員阿芬收咗我嘅速遞又唔通知我", "阿芬"),
        ("管理員阿May態度好差", "阿May"),
        ("管理處的職員Kelly Chan 回覆電郵", "Kelly Chan"),
        ("晚上上夜班白天要睡觉的 小柯", "小柯"),  # a familiar name signing off
        ("打麻将的主要是1楼101的老汪和他的牌友", "老汪"),
    ],
)
def test_nicknames_after_a_role_and_familiar_names_signing_off(text: str, value: str) -> None:
    assert value in values(text, "name"), find_pii(text)


def test_aunties_and_grannies_by_role_stay() -> None:
    assert mask_pii("保安阿姨很好，管理員阿婆都幫手").text == "保安阿姨很好，管理員阿婆都幫手"


@pytest.mark.parametrize("text", ["我是5栋的高中生，天天上学", "司机师傅很好，保安也负责", "主管单位是住建局"])
def test_words_after_a_role_or_a_home_stay(text: str) -> None:
    assert_no_names(text)


def test_a_full_name_before_its_home_at_the_start_of_a_sentence() -> None:
    assert "邝建国" in values("邝建国家的狗又跑出来咬人了！", "name")
    assert mask_pii("王家的狗又跑出来了").text == "王家的狗又跑出来了"


@pytest.mark.parametrize("text", ["业主齐心协力把花园收拾干净了", "保安一来大家就高枕无忧了", "楼栋长张灯结彩迎新年"])
def test_an_idiom_starting_with_a_surname_is_no_name(text: str) -> None:
    assert_no_names(text)
