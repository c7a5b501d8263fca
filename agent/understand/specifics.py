"""Pull the concrete facts out of a complaint — what, where, since when, how long, again? —
so offline drafts can say "您反映的3号楼电梯故障" instead of "您反映的问题".

Works on masked text (placeholders are never returned) and on Traditional input.
"""

from __future__ import annotations

import re

from agent.understand.models import Specifics
from agent.understand.script import to_simplified

# (pattern, label): the first matching pattern names the problem; order = most specific first
_WHAT: list[tuple[str, str]] = [
    (r"(燃气|煤气|天然气).{0,4}(泄漏|泄露|漏气|味)", "燃气泄漏隐患"),
    (r"电梯.{0,8}(困|关)|困在电梯|关在电梯", "电梯困人"),
    (r"电动车.{0,6}(上楼|进电梯|充电)|飞线充电|私拉电线|拉电线", "电动车违规充电"),
    (r"电线.{0,6}(裸露|露在外面|外露|露出来)|配电箱|电箱", "配电箱电线外露隐患"),
    (r"(?<!真)(?<!万一)(?<!要是)(?<!如果)(着火|起火|火灾|冒烟)", "起火冒烟险情"),
    (r"水质|发黄|浑浊|铁锈|能不能喝|拉肚子", "自来水水质问题"),
    (r"拧门把手|撬门|可疑|有个男的|有个女的|陌生男子", "可疑人员"),
    (r"按.{0,2}门铃|敲门", "夜间有人骚扰"),
    (r"咬|动手|打起来|打人", "人身伤害"),
    (r"楼上.{0,8}(漏水|渗水|滴水)", "楼上漏水"),
    (r"(墙皮|外墙|瓷砖|纸皮石).{0,6}(脱落|掉|塌|跌)", "外墙瓷砖脱落隐患"),
    (r"(吊顶|天花板|天花).{0,6}(脱落|掉|塌|跌)", "吊顶脱落"),
    (r"高空抛物|高空坠物|往下扔|往下丢|扔.{0,8}下来", "高空抛物"),
    (r"掉下来|坠落", "高空坠物隐患"),
    (r"触电|漏电|电线.{0,4}(裸露|打火)", "漏电隐患"),
    (r"停电|没电|跳闸|断电", "停电"),
    (r"抽烟|吸烟|烟味", "公共区域吸烟"),
    (r"电梯|电悌|升降机", "电梯故障"),
    (r"(天花板|屋顶|顶棚|吊顶).{0,8}(漏水|渗水|滴水)", "天花板渗水"),
    (r"车库.{0,6}(漏水|渗水|积水)", "车库渗漏积水"),
    (r"爆管|水管.{0,4}(爆|裂|破)", "水管爆裂"),
    (r"漏水|渗水|滴水", "漏水"),
    (r"水压", "水压不足"),
    (r"停水|没水", "停水"),
    (r"下水道|地漏|返水|排水|(管道|马桶|水管|下水).{0,3}堵", "管道堵塞"),
    (r"震裂|裂缝|开裂", "墙面开裂"),
    (r"道闸|闸杆|抬杆", "道闸故障"),
    (r"欠费名单|贴.{0,6}名单", "欠费名单张贴"),
    (r"门禁(?!卡)|单元门(?!口)|防盗门|闸机|门禁卡.{0,4}(坏|失灵|刷不)", "门禁故障"),
    (r"路灯|灯.{0,3}(不亮|坏|灭|闪)|照明", "照明故障"),
    (r"充电桩", "充电桩故障"),
    (r"暖气|供暖", "供暖问题"),
    (r"游乐设施|秋千|滑梯|健身器材", "游乐设施损坏"),
    (r"(被盗|被偷|失窃|丢了|小偷|撬)", "失窃"),
    (r"陌生人|外来人员|闲杂人|推销|小广告", "外来人员进出管理"),
    (r"占用.{0,4}车位|车位.{0,6}占|占.{0,2}车位", "车位被占用"),
    (r"占用.{0,4}(楼道|过道|公共)|堆放杂物|堆杂物|杂物|消防通道.{0,4}堵", "杂物占道"),
    (r"违停|乱停|占道", "车辆乱停"),
    (r"剐蹭|刮花|被刮|砸车|砸到.{0,3}车", "车辆被损"),
    (r"空调外机|空调.{0,4}(吵|噪音|响)", "空调外机噪音"),
    (r"押金", "装修押金退还"),
    (r"装修", "装修噪音"),
    (r"狗屎|狗粪|粪便", "宠物粪便"),
    (r"狗.{0,6}叫|养狗|遛狗|宠物", "宠物扰民"),
    (r"唱K|唱歌|音响|噪音|太吵|吵得|吵死|跺脚|拖椅子|跑来跑去|蹦", "噪音扰民"),
    (r"违建|私搭|乱搭", "私搭乱建"),
    (r"空调滴水|晾衣", "楼上滴水"),
    (r"垃圾", "垃圾清运"),
    (r"异味|臭|恶臭", "异味"),
    (r"蚊子|苍蝇|蟑螂|老鼠", "蚊虫鼠害"),
    (r"绿化|草坪|树木|树枝|修剪|杂草", "绿化养护"),
    (r"卫生|保洁|打扫|清洁|脏", "公共区域卫生"),
    (r"积水", "积水"),
    (r"保安", "安保值守"),
    (r"(物业费|管理费).{0,6}(涨|贵|高)|涨价", "物业费调价"),
    (r"停车费|车位费", "停车收费"),
    (r"公摊", "公摊费用"),
    (r"水费", "水费"),
    (r"电费", "电费"),
    (r"维修基金", "维修基金使用"),
    (r"物业费|管理费", "物业费"),
    (r"多收|乱收|收费|账单|扣费|退费", "收费问题"),
    (r"态度|挂.{0,2}电话|不理人|爱答不理|敷衍|推诿|踢皮球|翻白眼|阴阳怪气", "服务态度"),
    (r"没人接|不接电话|打不通|不回复|不回|没人回|没人管|没人处理|没人来", "报事无人跟进"),
]
_WHAT_RE = [(re.compile(p), label) for p, label in _WHAT]

# which complaint categories each problem label belongs to (a draft only names a problem that fits
# the complaint's category: "关于电梯故障，我请财务同事核对收费" must never happen)
_CATEGORIES = {
    "facilities": "燃气泄漏隐患 电梯困人 外墙瓷砖脱落隐患 吊顶脱落 高空坠物隐患 漏电隐患 配电箱电线外露隐患 起火冒烟险情 停电 "
                  "电梯故障 楼上漏水 天花板渗水 车库渗漏积水 水管爆裂 漏水 水压不足 停水 管道堵塞 墙面开裂 道闸故障 门禁故障 "
                  "照明故障 充电桩故障 供暖问题 游乐设施损坏",
    "environment": "自来水水质问题 公共区域吸烟 垃圾清运 异味 蚊虫鼠害 绿化养护 公共区域卫生 积水 宠物粪便 车库渗漏积水",
    "security": "电动车违规充电 起火冒烟险情 高空抛物 高空坠物隐患 可疑人员 夜间有人骚扰 失窃 外来人员进出管理 车辆乱停 "
                "车辆被损 安保值守 门禁故障 杂物占道",
    "neighbor": "人身伤害 车位被占用 杂物占道 空调外机噪音 装修噪音 宠物扰民 噪音扰民 私搭乱建 楼上滴水 楼上漏水 墙面开裂 "
                "公共区域吸烟 高空抛物",
    "fees": "欠费名单张贴 装修押金退还 物业费调价 停车收费 公摊费用 水费 电费 维修基金使用 物业费 收费问题",
    "service_attitude": "服务态度 报事无人跟进",
}
LABEL_CATEGORIES: dict[str, set[str]] = {}
for _category, _labels in _CATEGORIES.items():
    for _label in _labels.split():
        LABEL_CATEGORIES.setdefault(_label, set()).add(_category)


def problem_labels(text: str) -> list[str]:
    """Every problem label the (masked) complaint mentions, most specific first."""
    plain = _PLACEHOLDER.sub(" ", to_simplified(text or ""))
    return [label for pattern, label in _WHAT_RE if pattern.search(plain)]

_NUM = "0-9一二三四五六七八九十两"
_BUILDING = re.compile(rf"(?<![A-Za-z0-9０-９{_NUM}])([{_NUM}]{{1,3}}(?:号楼|栋|幢|座|期|区))(?:[{_NUM}]{{1,2}}单元)?")
_PLACES = [
    "地下车库", "地库", "车库", "停车场", "电梯厅", "电梯", "楼道", "走廊", "楼梯间", "消防通道", "大堂", "天台", "楼顶",
    "小区门口", "小区大门", "东门", "西门", "南门", "北门", "大门", "花园", "绿化带", "儿童乐园", "游乐区",
    "健身区", "会所", "垃圾站", "垃圾房", "垃圾桶", "外墙", "屋顶", "快递柜",
]
_PLACE_RE = re.compile("|".join(_PLACES))
_SINCE = re.compile(
    r"(?:从|自从|打从)?(上上?个?礼拜[一二三四五六日天]?|上上?周[一二三四五六日天末]?|上上?个?星期[一二三四五六日天]?|上个?月|上周末|前天|昨天|昨晚|今早|今天早上|今天|"
    r"早上|今晚|半夜|凌晨|前几天|这几天|最近|年初|去年|入住以来|交房以来|[0-9一二三四五六七八九十]{1,2}月[0-9一二三四五六七八九十]{1,3}[号日])"
)
_DURATION = re.compile(
    rf"([{_NUM}半几好]{{1,3}}(?:个多?|多个?)?(?:天|周|星期|个月|月|年|小时)(?:多)?)(?:了|都|还|没|一直)"
    r"|(一整天|一整晚|一晚上|一个晚上|整整[^,，。]{1,4}|大半年)"
)
_REPEATED = re.compile(r"第[二三四五六七八九十两\d]+次|又|反复|每次|多次|好几次|三番五次|屡次|再次|老是|总是")
_PLACEHOLDER = re.compile(r"〔[^〕]{1,6}〕")


def _where(text: str) -> str | None:
    building = _BUILDING.search(text)
    place = _PLACE_RE.search(text)
    parts = []
    if building:
        parts.append(building.group(0))
    if place and not (building and place.group(0) in building.group(0)):
        parts.append(place.group(0))
    return "".join(parts) or None


def extract_specifics(text: str) -> Specifics:
    """What / where / since / duration / repeated, from a (masked) complaint; missing facts are None."""
    plain = _PLACEHOLDER.sub(" ", to_simplified(text or ""))
    what = next((label for pattern, label in _WHAT_RE if pattern.search(plain)), None)
    since = _SINCE.search(plain)
    duration = _DURATION.search(plain)
    return Specifics(
        what=what,
        where=_where(plain),
        since=since.group(1) if since else None,
        duration=(duration.group(1) or duration.group(2)) if duration else None,
        repeated=bool(_REPEATED.search(plain)),
    )
