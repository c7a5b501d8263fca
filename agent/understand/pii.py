"""Reversible PII masking for owners' complaints (Simplified and Traditional).

``mask_pii`` replaces phone numbers, ID-card numbers, plates, e-mails, the owner's name and
room numbers with placeholders such as 〔电话1〕; the same value always gets the same
placeholder. ``unmask`` restores them. Hotlines (400/800/95xxx/12345/110…), dates, times,
amounts and work-order numbers are left alone: the model needs them and they identify no one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# kind -> placeholder label
LABELS: dict[str, str] = {
    "phone": "电话",
    "id_card": "身份证",
    "plate": "车牌",
    "email": "邮箱",
    "name": "姓名",
    "room": "房号",
}
_LABEL_KIND = {label: kind for kind, label in LABELS.items()}
# labels as they look after a Traditional conversion, so unmask() works on converted text too
_LABEL_KIND.update({"電話": "phone", "身份證": "id_card", "車牌": "plate", "郵箱": "email"})
PLACEHOLDER_RE = re.compile(r"〔(电话|電話|身份证|身份證|车牌|車牌|邮箱|郵箱|姓名|房号|房號)(\d+)〕")

_SURNAMES = (
    "王李张張刘劉陈陳杨楊黄黃赵趙吴吳周徐孙孫马馬朱胡郭何林罗羅高郑鄭梁谢謝宋唐许許韩韓冯馮邓鄧"
    "曹彭曾萧蕭蔡潘田董袁于余叶葉蒋蔣杜苏蘇魏程吕呂丁沈任姚卢盧钟鍾姜崔谭譚陆陸汪范金石廖贾賈"
    "夏韦韋傅方邹鄒孟熊秦邱江尹薛闫閆段雷侯龙龍史陶黎贺賀顾顧毛郝龚龔邵万萬钱錢严嚴覃武戴莫孔"
    "向汤湯常温溫康施文牛樊葛邢安齐齊易乔喬伍庞龐颜顏倪庄莊聂聶章鲁魯岳翟殷詹申欧歐耿关關兰蘭"
    "焦俞左柳甘祝包宁寧尚符舒阮柯纪紀梅童凌毕畢单單季裴霍涂塗成苗谷盛曲翁冉骆駱蓝藍路游辛靳管"
    "柴蒙鲍鮑华華喻祁蒲房滕屈饶饒解牟艾尤阳陽时時穆农農司卓古吉缪繆简簡车車项項连連芦蘆麦麥褚娄婁"
    "窦竇戚岑景党黨宫宮费費卜冷晏席卫衛米柏宗瞿桂全佟应應臧闵閔苟邬鄔边邊卞姬师師仇栾欒隋商刁沙荣榮"
    "巫寇桑郎甄丛叢仲虞敖巩鞏明佘池查麻苑迟遲邝鄺"
)
_COMPOUND = "欧阳|歐陽|司马|司馬|诸葛|諸葛|上官|东方|東方|皇甫|慕容|令狐|公孙|公孫|夏侯|尉迟|尉遲|长孙|長孫|宇文|司徒"
_SUR = f"(?:{_COMPOUND}|[{_SURNAMES}])"
_HONORIFIC = "先生|女士|小姐|阿姨|太太|大爷|大爺|大妈|大媽|奶奶|爷爷|爺爺|叔叔|老师|老師"
# characters that cannot be part of a name: a captured name is cut before the first of them
_NOT_NAME_CHARS = set(
    "的了是在住家和跟与與也都就又还還说說要想从從今昨前这這那我你他她们們反投打来來去到给給被让讓啊呀吧呢"
    "物业業区區楼樓栋棟门門车車库庫电電梯水费費管群委会會面层層户戶号號室单單元"
)
_NOT_NAME = {
    "高层", "高層", "万一", "萬一", "常常", "于是", "方便", "安全", "文明", "石头", "石頭", "白天", "全部",
    "明天", "明明", "时候", "時候", "和谐", "和諧", "管理", "成都", "车库", "車庫", "业主", "業主", "物业",
    "物業", "单元", "單元", "房子", "车位", "車位", "应该", "應該", "师傅", "師傅", "全家", "江边", "江邊",
}

_BOUNDARY_L = r"(?<![0-9A-Za-z])"
_BOUNDARY_R = r"(?![0-9A-Za-z])"
_NUM_ZH = "0-9一二三四五六七八九十"
_NAME_END = r"(?=[,，。.!！?？、;；:：\s]|$|业主|業主|本人|住|家|的|啊|呀|反映|投诉|投訴|说|說|打|在|电话|電話|手机|手機)"

# (kind, priority, pattern, group holding the value). Higher priority wins an overlap of equal length.
_PATTERNS: list[tuple[str, int, re.Pattern[str], int]] = [
    ("email", 9, re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"), 0),
    # 18-digit (last may be X) or 15-digit ID numbers, optionally grouped 6-8-4 / 6-4-4-4; checksum not checked
    ("id_card", 8, re.compile(
        _BOUNDARY_L + r"(?:\d{6}[ -]?\d{8}[ -]?\d{3}[\dXx]|\d{6}[ -]?\d{4}[ -]?\d{4}[ -]?\d{3}[\dXx]|\d{15})"
        + _BOUNDARY_R), 0),
    ("phone", 7, re.compile(_BOUNDARY_L + r"(?:(?:\+|00)?86[ -]?)?1[3-9]\d(?:[ -]?\d){8}" + _BOUNDARY_R), 0),
    ("phone", 6, re.compile(
        _BOUNDARY_L + r"(?:\(0\d{2,3}\)|（0\d{2,3}）|0\d{2,3}[ -]?)\d{7,8}(?:(?:转|轉|-|ext\.?)\d{1,5})?"
        + _BOUNDARY_R), 0),
    # Taiwan mobiles 09xx-xxx-xxx (+886 9xx…), Hong Kong 8-digit numbers written 4+4
    ("phone", 7, re.compile(_BOUNDARY_L + r"(?:(?:\+|00)?886[ -]?9\d{2}|09\d{2})[ -]?\d{3}[ -]?\d{3}" + _BOUNDARY_R), 0),
    ("phone", 6, re.compile(_BOUNDARY_L + r"(?:(?:\+|00)?852[ -]?)?[569]\d{3} \d{4}" + _BOUNDARY_R), 0),
    # a bare 7-8 digit local number right after a phone word
    ("phone", 5, re.compile(r"(?:电话|電話|手机|手機|号码|號碼|联系|聯繫|聯絡|打|拨|撥)(?:是|为|為)?[:：]?\s?(\d{4}[ -]\d{4}|\d{7,8})"
                            + _BOUNDARY_R), 1),
    ("plate", 6, re.compile(
        r"[京津沪滬渝冀豫云雲辽遼黑湘皖鲁魯新苏蘇浙赣贛鄂桂甘晋晉蒙陕陝吉闽閩贵貴粤粵青藏川宁寧琼瓊]"
        r"[A-Za-z][·・.\s-]?[A-HJ-NP-Za-hj-np-z0-9]{4,5}[A-Za-z0-9挂掛学學警使领領]" + _BOUNDARY_R), 0),
    # plates written after 车牌 in any format (Taiwan ABC-5678, foreign plates), and the Taiwan format alone
    ("plate", 5, re.compile(r"(?:车牌|車牌)(?:号|號|号码|號碼)?(?:是|為|为)?[:：]?\s?([A-Za-z0-9][A-Za-z0-9·・. -]{3,9}[A-Za-z0-9])"
                            + _BOUNDARY_R), 1),
    ("plate", 4, re.compile(_BOUNDARY_L + r"(?:[A-Z]{2,3}-\d{3,4}|\d{3,4}-[A-Z]{2,3})" + _BOUNDARY_R), 0),
    # Hong Kong / Taiwan flats: 第3座18樓C室, A棟12樓之3
    ("room", 5, re.compile(
        rf"第?[0-9A-Za-z{_NUM_ZH}]{{1,3}}(?:座|栋|棟|幢|号楼|號樓)\d{{1,3}}(?:樓|楼|层|層)(?:之\d{{1,2}}|[A-Za-z0-9]{{1,2}}室|[A-Za-z](?![A-Za-z]))"
    ), 0),
    # rooms: 5栋1单元1203(室) / 3号楼2单元501 / 5栋1203 / 12-3-501 / 1203室 / 住1203 / 楼上1503
    ("room", 5, re.compile(
        rf"[{_NUM_ZH}]{{1,3}}(?:号楼|號樓|栋|棟|幢|座|号|號)[{_NUM_ZH}]{{1,2}}(?:单元|單元)\d{{3,4}}(?:室|房|号|號)?"
        r"|\d{1,3}(?:号楼|號樓|栋|棟|幢|座)\d{3,4}(?:室|房|号|號)?"
        + r"|" + _BOUNDARY_L + r"\d{1,3}-\d{1,2}-\d{3,4}" + _BOUNDARY_R
        + r"|" + _BOUNDARY_L + r"\d{3,4}(?:室|房)(?![间間租子东東])"), 0),
    ("room", 5, re.compile(r"(?:住|住在|我家|楼上|樓上|楼下|樓下|隔壁|对门|對門|是)(\d{3,4})(?![0-9A-Za-z号號元块塊天年月日])"
                           ), 1),
    # names the owner gives: 我叫张伟 / 业主王建国 / 联系人：李娜 / 我是王建国,
    ("name", 4, re.compile(r"(?:我叫|名叫|叫做|本人|业主|業主|联系人|聯繫人|名字是|名字叫|签名|簽名)[:：]?\s?("
                           + _SUR + r"[\u4e00-\u9fff]{1,2})"), 1),
    ("name", 4, re.compile(r"我是(" + _SUR + r"[\u4e00-\u9fff]{1,2}?)" + _NAME_END), 1),
    # 我姓陈 / 免贵姓王
    ("name", 4, re.compile(r"姓(" + _SUR + r")(?=[,，。的\s]|$|先生|女士|小姐|，)"), 1),
    # 李女士 / 王建国先生 / 陈阿姨
    ("name", 5, re.compile("(" + _SUR + r"[\u4e00-\u9fff]{0,2}?(?:" + _HONORIFIC + "))"), 1),
]
# numbers that must never be masked even if they look like a phone (hotlines)
_HOTLINE_RE = re.compile(r"^(?:400|800)\d{7}$|^95\d{3,6}$|^12\d{3}$|^1[12]\d$")
_WORK_ORDER_CTX = re.compile(
    r"(?:工单|工單|单号|單號|订单|訂單|编号|編號|流水号|流水號|报修号|報修號|WO|NO\.?)\s*(?:号|號)?\s*[:：#]?\s*$", re.I)


@dataclass
class Masked:
    """Masked text plus the mapping needed to reverse it (placeholder -> original, placeholder -> kind)."""

    text: str
    mapping: dict[str, str] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value)


def _accept(kind: str, value: str, text: str, start: int) -> bool:
    if kind in ("phone", "id_card", "room") and _WORK_ORDER_CTX.search(text[max(0, start - 12):start]):
        return False
    if kind == "phone" and _HOTLINE_RE.match(_digits(value)):
        return False
    if kind == "name":
        core = _HONORIFIC_RE.sub("", value) or value
        if core in _NOT_NAME or value in _NOT_NAME or any(ch in _NOT_NAME_CHARS for ch in core[1:]):
            return False
    return True


_HONORIFIC_RE = re.compile(f"(?:{_HONORIFIC})$")


def _trim_name(value: str) -> str:
    """Cut a captured name before the first character that cannot be part of a name."""
    for i, ch in enumerate(value[1:], start=1):
        if ch in _NOT_NAME_CHARS:
            return value[:i]
    return value


def _find_spans(text: str) -> list[tuple[int, int, str, str]]:
    found: list[tuple[int, int, int, str, str]] = []
    for kind, priority, pattern, group in _PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.span(group)
            value = match.group(group)
            if kind == "name" and not _HONORIFIC_RE.search(value):
                value = _trim_name(value)
                end = start + len(value)
                if len(value) < 2 and not pattern.pattern.startswith("姓"):
                    continue
            if value and _accept(kind, value, text, start):
                found.append((start, end, priority, kind, value))
    # longest first (ties: higher priority), then drop anything overlapping an accepted span
    found.sort(key=lambda s: (-(s[1] - s[0]), -s[2], s[0]))
    taken: list[tuple[int, int, str, str]] = []
    for start, end, _priority, kind, value in found:
        if all(end <= t_start or start >= t_end for t_start, t_end, _, _ in taken):
            taken.append((start, end, kind, value))
    return sorted(taken)


def mask_pii(text: str) -> Masked:
    """Replace PII in ``text`` by placeholders; the same value always maps to the same placeholder."""
    if not text:
        return Masked(text=text or "")
    spans = _find_spans(text)
    # a name the owner gave is masked wherever it appears again, even without a cue
    names = {value for _, _, kind, value in spans if kind == "name" and len(value) >= 2}
    if names:
        extra = re.compile("|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)))
        for match in extra.finditer(text):
            if all(match.end() <= s or match.start() >= e for s, e, _, _ in spans):
                spans.append((match.start(), match.end(), "name", match.group()))
        spans.sort()
    counters: dict[str, int] = {}
    by_value: dict[tuple[str, str], str] = {}
    mapping: dict[str, str] = {}
    kinds: dict[str, str] = {}
    out: list[str] = []
    last = 0
    for start, end, kind, value in spans:
        key = (kind, _digits(value) if kind in ("phone", "id_card") else value)
        placeholder = by_value.get(key)
        if placeholder is None:
            counters[kind] = counters.get(kind, 0) + 1
            placeholder = f"〔{LABELS[kind]}{counters[kind]}〕"
            by_value[key] = placeholder
            mapping[placeholder] = value
            kinds[placeholder] = kind
        out.append(text[last:start])
        out.append(placeholder)
        last = end
    out.append(text[last:])
    return Masked(text="".join(out), mapping=mapping, kinds=kinds)


def unmask(text: str, mapping: dict[str, str]) -> str:
    """Put the original values back; tolerates placeholders converted to Traditional (〔電話1〕)."""
    if not mapping or not text:
        return text

    def _restore(match: re.Match[str]) -> str:
        kind = _LABEL_KIND.get(match.group(1))
        if kind is None:
            return match.group(0)
        return mapping.get(f"〔{LABELS[kind]}{match.group(2)}〕", match.group(0))

    return PLACEHOLDER_RE.sub(_restore, text)


def has_placeholder(text: str) -> bool:
    """True when ``text`` still contains a placeholder (drafts must never)."""
    return bool(PLACEHOLDER_RE.search(text)) or "〔" in text or "〕" in text
