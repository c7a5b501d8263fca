"""The ``ungrounded`` check: a draft may name a place, object, hazard, time or count only when the
complaint (or the conversation history) names it too.

Why: a reply that says "您说的5区楼道起火" to an owner who wrote about group rentals in "翠湖苑B5区" is
rejected on sight. The check works on any draft text (offline or from a model), so it also catches
a model that invents specifics. It needs the complaint, so it runs only where the complaint is
known (the workflow's guard node, ``wuye check --complaint``); a bare reply check never raises it.

How it decides, per mention found in the draft:

- **hazards and objects** (起火, 漏水, 电梯, 水管 …) belong to a concept with several surface forms
  (起火 / 着火 / 火情 / 火灾 / 冒烟 …); the mention is grounded when the complaint uses any form
  of the same concept. Concepts whose words also occur inside estate names (花园, 广场 …) need the
  complaint to use them as a place (小区花园, 花园里), not as a name (…花园小区).
- **places with a number** (3号楼, 5区, 2期, 12栋 …) must occur in the complaint as a whole token:
  "5区" is not grounded by "B5区" (a lettered zone or district code), numbers compared as digits (五 = 5).
- **times and durations about the case** (三天, 七个月, 昨天, 上周 …) must occur in the complaint;
  our own commitments (三天内回访, 半小时内, 明天上午十点前) are not facts and are not checked.
- **counts and amounts** (三十户, 两次, 200元) must occur in the complaint.

A question asks rather than asserts: inside a question only hazards are checked (是靠近岗亭还是停车场那边？
is fine; 电梯有没有起火？ to an owner who wrote about noise is not). Times and counts after 每 / 提前 / 哪
(每两周消杀, 提前一个月公示, 哪一户) and 一天天 are not facts about the case.

Matching is done on the Simplified form; spans index the ORIGINAL draft text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from agent.understand.script import to_simplified

RULE_ID = "grounding.ungrounded"
FIX_HINT = ("只写投诉里说到的地点、设施、险情、时间和数字;投诉没说的不要写,用概括的说法"
            "(如“您反映的情况”“相关设施”)。")

# concept -> (kind, forms a draft may use, evidence in the complaint; None = the forms themselves)
_CONCEPTS: dict[str, tuple[str, str, str | None]] = {
    # hazards / events
    "fire": ("hazard", r"起火|着火|火灾|火情|冒烟|失火|明火|烧起来|火警", r"起火|着火|火灾|火情|冒烟|失火|明火|烧|火警|焚"),
    "gas": ("hazard", r"燃气|煤气|天然气|漏气", None),
    "trapped": ("hazard", r"困人|被困|困在|关在电梯", r"困|关在|关人|关住|被关"),
    "electric": ("hazard", r"漏电|触电|电线外露|裸露的电线|飞线", r"漏电|触电|电线|飞线|拉线"),
    "falling": ("hazard", r"高空抛物|坠物|坠落|掉下来|砸下来|脱落", r"抛物|坠|掉|砸|脱落|落下|扔|丢|跌|落嚟"),
    "injury": ("hazard", r"受伤|伤口|流血|咬伤|摔伤|骨折|住院", r"伤|流血|咬|摔|骨折|住院|医院|口子|划破|抓破|打人|动手|跣"),
    "leak": ("hazard", r"漏水|渗水|滴水|渗漏|返水|跑水|爆管", r"漏|渗|滴水|返水|跑水|爆管|水管.{0,3}(破|裂)"),
    "flood": ("hazard", r"积水|水淹|被淹|泡水|内涝", r"积水|淹|泡|内涝|水坑"),
    "collapse": ("hazard", r"坍塌|塌陷|倒塌|垮塌", r"塌|垮"),
    "crack": ("hazard", r"裂缝|开裂|裂开|墙裂", r"裂"),
    "no_water": ("hazard", r"停水|断水|没水|水压", r"停水|断水|没水|没有水|水压|供水|用水"),
    "no_power": ("hazard", r"停电|断电|没电|跳闸", r"停电|断电|没电|没有电|跳闸|供电|用电|变压器"),
    "noise": ("hazard", r"噪音|噪声|扰民|吵闹", r"噪|吵|扰民|响|声|轰鸣|分贝|砸|跺|拖椅子|叫|闹|施工|装修|唱|蹦|电钻|敲"),
    "smell": ("hazard", r"异味|臭味|恶臭|油烟|烟味", r"味|臭|油烟|烟|气体|废气"),
    "pests": ("hazard", r"老鼠|蟑螂|蚊虫|蚊子|苍蝇", r"老鼠|蟑螂|蚊|苍蝇|虫"),
    "mould": ("hazard", r"发霉|霉斑", r"霉"),
    "theft": ("hazard", r"被盗|被偷|失窃|小偷", r"盗|偷|失窃|丢"),
    "blocked": ("hazard", r"堵塞|堵住|不通", r"堵|不通|塞|反水|往外冒"),
    # objects / facilities
    "lift": ("object", r"电梯|升降机|电悌", None),
    "pipe": ("object", r"水管|管道|下水道|地漏|排水管|污水管|化粪池", r"水管|管道|管网|下水|地漏|排水|排污|污水|化粪池|管子"),
    "door": ("object", r"门禁|单元门|防盗门|闸机|道闸|门锁", r"门禁|单元门|防盗门|闸机|道闸|门锁|大门|门卡|刷卡|人脸"),
    "light": ("object", r"路灯|(?<!对)照明|灯光|灯", r"灯|照明|光"),
    "camera": ("object", r"监控|摄像头", r"监控|摄像"),
    "charger": ("object", r"充电桩|充电", r"充电"),
    "ac": ("object", r"空调外机|空调", r"空调"),
    "heating": ("object", r"暖气|供暖", None),
    "meter": ("object", r"水表|电表|燃气表", r"表"),
    "bin": ("object", r"垃圾桶|垃圾站|垃圾房|垃圾", r"垃圾"),
    "fire_kit": ("object", r"消防栓|灭火器|消防设施|烟感|喷淋", r"消防"),
    "window": ("object", r"窗户|玻璃", r"窗|玻璃"),
    "wall": ("object", r"外墙|墙面|墙皮|瓷砖|天花板|吊顶|屋顶|楼顶|防水层", r"墙|瓷砖|天花|吊顶|屋顶|楼顶|顶楼|防水|房顶"),
    "car": ("object", r"车辆|车子|汽车|电动车|爱车", r"车"),
    "pet": ("object", r"宠物|狗|猫", None),
    "greenery": ("object", r"绿化|草坪|树木|树枝", r"绿化|草|树|花木|植物"),
    "fitness": ("object", r"健身器材|游乐设施|滑梯|秋千", r"健身|游乐|滑梯|秋千|器材"),
    "pool": ("object", r"泳池|游泳池", None),
    "delivery": ("object", r"快递柜|快递", r"快递"),
    # places
    "corridor": ("place", r"楼道|走廊|过道|楼梯间|楼梯", r"楼道|走廊|过道|楼梯"),
    "garage": ("place", r"地下车库|车库|地库|停车场", r"车库|地库|停车场|停车位|车位"),
    "lobby": ("place", r"大堂|门厅|电梯厅", r"大堂|门厅|电梯厅|大厅"),
    "roof": ("place", r"天台|楼顶", r"天台|楼顶|顶楼|屋顶|露台"),
    "gate": ("place", r"小区门口|小区大门|东门|西门|南门|北门|大门口", r"门口|大门|东门|西门|南门|北门|出入口"),
    "garden": ("place", r"花园|中庭|游乐区|儿童乐园", r"(?<!…)(?:小区|中心|楼下|楼前|楼后|屋后|屋前|公共|空中|后|前)花园|花园(?:里|内|中|旁|边|的草)|中庭|游乐区|儿童乐园"),
    "clubhouse": ("place", r"会所", None),
    "fire_lane": ("place", r"消防通道", r"消防通道|消防车道|通道"),
    "basement": ("place", r"地下室", None),
}
_PLACE_NUM = r"0-9〇零一二两三四五六七八九十百"
_NUMBERED_PLACE = re.compile(rf"(?<![A-Za-z0-9０-９{_PLACE_NUM}哪每这上下同第])([{_PLACE_NUM}]{{1,4}})(号楼|栋|幢|座|期|区|单元|号门)")
# a duration or past time about the case (not our commitment: …内 / …前 / …以后 are excluded below)
_TIME = re.compile(
    rf"(?<![{_PLACE_NUM}第这来])([{_PLACE_NUM}半几好多]{{1,4}})(个多月|多个月|个月|多年|年多|年|多天|天|个多小时|多小时|小时|分钟|周|个星期|星期|晚)(?!内|之内|以内|前|以前|后|以后|左右|的时间内)"
    r"|昨天|昨晚|前天|上周|上个?星期|上个?礼拜|上个?月|去年|前年|年初|[0-9一二三四五六七八九十]{1,2}月[0-9一二三四五六七八九十]{1,3}[号日]")
# a count the draft states as a fact (our own plans such as 一次沟通会 / 几位业主代表 are not counts)
_COUNT = re.compile(rf"(?<![{_PLACE_NUM}])(?!一次)([{_PLACE_NUM}]{{1,5}})(户|次|位业主|名业主|个业主|人|元|块钱|万元|辆)")
_OUR_ACTION = re.compile(r"(调看|调取|调出|查看|对照|不要乘坐|不要使用|不要靠近)(相关|那一片的|那个时段的)?$")
_QUESTION_WORDS = re.compile(r"吗|呢|哪|什么|几|有没有|是不是|是否|还是|多少|怎么")
_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


@dataclass(frozen=True)
class Mention:
    """A specific the draft names: ``text[start:end]`` of the ORIGINAL draft, its kind and concept."""

    start: int
    end: int
    excerpt: str
    kind: str  # hazard / object / place / time / count
    concept: str


def _number(token: str) -> str:
    """'十二' -> '12', '3' -> '3'; other tokens (几, 半, 多) stay as they are."""
    token = token.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if token.isdigit():
        return str(int(token))
    if not token or not all(ch in _DIGITS or ch in "十百" for ch in token):
        return token
    if "十" not in token and "百" not in token:
        return str(int("".join(str(_DIGITS[ch]) for ch in token)))
    total, current = 0, 0
    for ch in token:
        if ch in "十百":
            total += (current or 1) * (10 if ch == "十" else 100)
            current = 0
        else:
            current = _DIGITS[ch]
    return str(total + current)


@lru_cache(maxsize=1)
def _compiled() -> list[tuple[str, str, re.Pattern[str], re.Pattern[str]]]:
    return [(name, kind, re.compile(forms), re.compile(evidence or forms))
            for name, (kind, forms, evidence) in _CONCEPTS.items()]


def _tokens(pattern: re.Pattern[str], text: str) -> set[str]:
    return {_number(m.group(1)) + m.group(2) for m in pattern.finditer(text) if m.group(1)}


_NOT_A_SPAN_BEFORE = re.compile(r"(怀孕|怀了|身孕|孕|宝宝|孩子|婴儿|出生)[^，。,]{0,2}$")
_NOT_A_SPAN_AFTER = re.compile(r"^(大|的身孕|的宝宝|的孩子|的孕妇)")


def _time_keys(text: str) -> set[str]:
    """The times a complaint states about its case (a pregnancy month or a baby's age is not one)."""
    keys = set()
    for m in _TIME.finditer(text):
        if _NOT_A_SPAN_BEFORE.search(text[max(0, m.start() - 6):m.start()]) or _NOT_A_SPAN_AFTER.match(text[m.end():]):
            continue
        keys.add(_number(m.group(1)) + m.group(2).replace("个", "").replace("多", "") if m.group(1) else m.group(0))
    return keys


@dataclass(frozen=True)
class Evidence:
    """What a complaint names, computed once per complaint."""

    text: str
    concepts: frozenset[str]
    places: frozenset[str]
    times: frozenset[str]
    counts: frozenset[str]


@lru_cache(maxsize=256)
def evidence(complaint: str) -> Evidence:
    plain = to_simplified(complaint or "")
    concepts = frozenset(name for name, _kind, _forms, proof in _compiled() if proof.search(plain))
    return Evidence(plain, concepts, frozenset(_tokens(_NUMBERED_PLACE, plain)),
                    frozenset(_time_keys(plain)), frozenset(_tokens(_COUNT, plain)))


def _asking(plain: str, start: int) -> bool:
    """Inside a question clause: the clause (between commas and stops) asks (吗/哪/几/还是/有没有 …)
    or is the last clause before a question mark. 您说的5区起火，您还好吗？ still asserts 5区起火."""
    a = max(plain.rfind(p, 0, start) for p in "，,、。！!？?；;\n") + 1
    ends = [i for i in (plain.find(p, start) for p in "，,、。！!？?；;\n") if i >= 0]
    b = min(ends or [len(plain)])
    clause, mark = plain[a:b], plain[b:b + 1]
    return bool(_QUESTION_WORDS.search(clause)) and mark not in ("。", "！", "!") or mark in ("？", "?")


def mentions(draft: str) -> list[Mention]:
    """Every specific the draft names (places, objects, hazards, times, counts), in text order."""
    plain = to_simplified(draft or "")
    if len(plain) != len(draft):  # OpenCC is 1:1 for our text; if not, report on the converted text
        draft = plain
    found: list[Mention] = []
    taken: list[tuple[int, int]] = []

    def add(start: int, end: int, kind: str, concept: str) -> None:
        if any(s < end and start < e for s, e in taken):
            return
        if kind != "hazard" and _asking(plain, start):
            return
        if kind in ("time", "count") and (plain[max(0, start - 2):start].endswith(("每", "提前", "哪"))
                                          or plain[start:end + 1] in ("一天天", "一年年") or plain[end:end + 1] == "比"):
            return  # 每两周 / 提前一个月 (our plan), 哪一户 (a question word), 一天天 (little by little)
        taken.append((start, end))
        found.append(Mention(start, end, draft[start:end], kind, concept))

    for m in _NUMBERED_PLACE.finditer(plain):
        add(m.start(), m.end(), "place", _number(m.group(1)) + m.group(2))
    for m in _TIME.finditer(plain):
        key = (_number(m.group(1)) + m.group(2).replace("个", "").replace("多", "")) if m.group(1) else m.group(0)
        add(m.start(), m.end(), "time", key)
    for m in _COUNT.finditer(plain):
        add(m.start(), m.end(), "count", _number(m.group(1)) + m.group(2))
    for name, kind, forms, _proof in _compiled():
        for m in forms.finditer(plain):
            if _OUR_ACTION.search(plain[max(0, m.start() - 10):m.start()]):
                continue  # what we will do (调看监控) or advise (不要乘坐电梯) is not a fact about the case
            add(m.start(), m.end(), kind, name)
    return sorted(found, key=lambda x: (x.start, x.end))


@lru_cache(maxsize=256)
def _phrase_mentions(phrase: str) -> tuple[Mention, ...]:
    return tuple(mentions(phrase))


def grounded(mention: Mention, proof: Evidence) -> bool:
    if mention.kind == "place" and mention.concept[-1:] in "楼栋幢座期区元门":
        if any(ch.isdigit() for ch in mention.concept):
            return mention.concept in proof.places
    if mention.kind == "time":
        if mention.concept[:1] in "几半好多" or not any(ch.isdigit() for ch in mention.concept):
            # 几天 / 半年 / 昨天 …: the same words (or, for vague spans, the same unit) must occur
            return mention.concept in proof.times or mention.excerpt in proof.text
        return mention.concept in proof.times
    if mention.kind == "count":
        return mention.concept in proof.counts or mention.excerpt in proof.text
    return mention.concept in proof.concepts


def ungrounded(draft: str, complaint: str, history: tuple[str, ...] = ()) -> list[Mention]:
    """The draft's mentions that neither the complaint nor the history supports (empty = grounded)."""
    proof = evidence("\n".join((complaint, *history)) if history else complaint)
    return [m for m in mentions(draft) if not grounded(m, proof)]


def ungrounded_phrase(phrase: str, complaint: str) -> list[Mention]:
    """``ungrounded`` for our own fixed wording (an issue's name or action, facts.py): a few hundred
    phrases asked about in every request, so their mentions are found once per process."""
    proof = evidence(complaint)
    return [m for m in _phrase_mentions(phrase) if not grounded(m, proof)]


def message(mention: Mention) -> str:
    kinds = {"hazard": "险情/问题", "object": "设施/物品", "place": "地点", "time": "时间", "count": "数字"}
    return f"“{mention.excerpt}”:投诉里没有提到这个{kinds.get(mention.kind, '细节')},草稿不能自行添加。"
