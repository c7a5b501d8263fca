"""What a long complaint is really about, read from the owner's own sentences (all grounded).

- ``quote``: the owner's strongest harm/ask clause, in their words (masked text, a short clause,
  no placeholder), so a reply can lead with the letter's own main point instead of a stock label;
- ``hazards``: safety cues (assault, locked/blocked fire exits, sewage, no water/power, lift, gas,
  structure, child safety) — a reply then opens with a stop-gap and the safety matter first;
- ``accused``: what the complaint says the property company ITSELF did (its guards beat someone,
  it locked the doors, it charges without basis…) — a reply then owns it, never forwards it;
- ``attached`` / ``estate_wide`` / ``listed``: what the letter already gives (evidence, scope, a
  numbered list), so follow-up questions never ask for it again;
- ``disabled_self``: the owner describes themself by a disability — a reply never calls them by it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from agent.understand.script import to_simplified

# hazard -> cue in the complaint (order: most urgent first)
HAZARDS: tuple[tuple[str, str], ...] = (
    ("assault", r"殴打|打人|被打|打伤|打了业主|动手打|围殴|暴力相向|往死里打"),
    ("fire_exit", r"(消防通道|安全通道|消防门|通道门|楼梯门|安全出口|疏散通道|逃生通道|消防楼梯).{0,12}(锁|堵|封|占|焊)|"
                  r"(锁|堵|封|焊).{0,12}(消防通道|安全通道|消防门|通道门|安全出口|疏散通道|逃生通道)"),
    ("gas", r"(燃气|煤气|天然气).{0,4}(泄漏|泄露|漏气|味)"),
    ("sewage", r"粪水|粪便.{0,6}(溢|漫|冒|流)|污水.{0,8}(溢|漫|倒灌|冒|流进|进了|横流)|化粪池.{0,8}(满|溢|堵|冒)|"
               r"下水道?.{0,6}(堵|溢|冒|返)|排污.{0,6}(不出|不畅|堵)|[反返]臭水"),
    ("no_water", r"停水|断水|没水|没有水|无水可用|水压.{0,4}(低|不足|小)"),
    ("no_power", r"停电|断电|没电|没有电|拉闸"),
    ("lift", r"电梯.{0,16}(困|坏|故障|停运|下坠|坠落|掉落|冲顶|胶带|隐患|关人)|困在电梯"),
    ("structure", r"开裂|裂缝|坍塌|塌陷|倒塌|承重墙|脱落|地基.{0,4}(下沉|沉降)"),
    ("child", r"(孩子|小孩|儿童|小朋友).{0,14}(安全|摔|坠|掉下|危险|受伤|夹)|钢化玻璃|防护栏|限位器"),
)
_HAZARD_RE = [(k, re.compile(p)) for k, p in HAZARDS]

# the property company (or its staff) is the subject of the wrong: who did it, what they did
_ACTOR = r"(物业(?!费|管理费|服务费)|物业公司|物业管理处|物业服务中心|管理处|保安|秩序员|管家|物业人员|物业经理)"
_ACCUSED_ACTS: tuple[tuple[str, str], ...] = (
    ("assault", rf"{_ACTOR}.{{0,16}}(殴打|打人|打伤|动手打|围殴)"),
    ("locked", rf"{_ACTOR}.{{0,20}}(锁住|锁上|锁了|上锁|封死|封住|焊死|堵死)"),
    ("cut", rf"{_ACTOR}.{{0,16}}(停水|停电|断水|断电|拉闸|关水)"),
    ("charges", rf"{_ACTOR}.{{0,20}}(乱收|多收|强行.{{0,4}}收|乱罚|罚款|锁车|违规收|私自收|擅自收|巧立名目)"),
    ("rules", rf"{_ACTOR}.{{0,16}}(违规|违法|擅自|私自|强行|侵占|挪用|出售|卖|恐吓|威胁|大字报)"),
)
_ACCUSED_RE = [(k, re.compile(p)) for k, p in _ACCUSED_ACTS]

_ATTACHED = re.compile(r"附件|附上|附图|见附|如下图|截图|照片|视频|录音|录像|证据|拍了")
_ESTATE_WIDE = re.compile(r"全小区|整个小区|小区.{0,4}(全部|所有|都)|全体业主|所有业主|整栋|整幢|成千上万|"
                          r"[0-9一二三四五六七八九十百千几]+[多余]?户|每层楼|每一层|各栋|各楼")
_LISTED = re.compile(r"(^|[。；;\s：:])(一、|二、|1、|2、|1\.|2\.|（1）|\(1\)|①|②|第一[，、,]|第二[，、,]|其一|其二)")
_DISABLED_SELF = re.compile(r"(我|本人)(是|为)?.{0,4}(残疾|残障|肢残|盲人|聋哑)")

# a clause says what matters most when it names a harm or the owner's ask
_HARM = re.compile(r"殴打|打人|被打|住院|受伤|锁|火灾|消防|粪|污水|停水|断水|没水|停电|断电|电梯|困|燃气|煤气|"
                   r"裂|塌|漏水|渗水|孩子|老人|危险|安全|隐患|威胁|恐吓|强行|乱收|多收|罚款|违规|违法|侵占|"
                   r"噪|吵|臭|油烟|堵|垃圾|坏|不管|不理|推诿|扰民|深夜|凌晨|垄断|违建|乱|不符|交付|去哪|虚报")
_ASK = re.compile(r"请求|要求|希望|恳请|请.{0,6}(领导|政府|部门|帮|解决|做主|处理)|怎么办|谁来|为什么|凭什么")
_PLACEHOLDER = re.compile(r"〔[^〕]*〕|\[[^\]]*\]")
_PLACE_PREFIX = re.compile(r"^(?:[A-Z][0-9]*[市区县镇省]|关于|有关|对|反映|投诉)+")
_ESTATE_PREFIX = re.compile(r"^[^，,。；]{0,14}?(?:小区|花园|家园|苑|公寓)的?(?=[^，,。；]{6,})")

QUOTE_MAX = 26
HEAD_CHARS = 400


@dataclass(frozen=True)
class Gist:
    quote: str | None
    hazards: tuple[str, ...]
    accused: tuple[str, ...]
    attached: bool
    estate_wide: bool
    listed: bool
    disabled_self: bool

    @property
    def hazard(self) -> str | None:
        return self.hazards[0] if self.hazards else None


def _clauses(text: str) -> list[tuple[int, str]]:
    out, start = [], 0
    for m in re.finditer(r"[，,。！!？?；;\n\s（）()“”\"：:]", text):
        out.append((start, text[start:m.start()].strip()))
        start = m.end()
    out.append((start, text[start:].strip()))
    return [(i, c) for i, c in out if c]


def _clean(clause: str) -> str:
    clause = _PLACE_PREFIX.sub("", clause.strip(" 　“”\"'"))
    clause = _ESTATE_PREFIX.sub("", clause)
    return clause.strip(" 　：:、")


def _quote(plain: str) -> str | None:
    head = re.match(r"^[^。？！?!\n]{4,60}[。？！?!]", plain)
    title_end = head.end() if head else 0
    best: tuple[float, str] | None = None
    for start, clause in _clauses(plain[:1500]):
        # the words around a masked name: the part that says the harm
        text = _clean(max(_PLACEHOLDER.split(clause), key=lambda p: (len(_HARM.findall(p)), len(p))))
        if len(text) < 5 or re.search(r"尊敬|您好|你好|此致|敬礼", text):
            continue
        harm = len(_HARM.findall(text))
        in_title = start < title_end
        if not harm and not (in_title and len(text) >= 8):
            continue  # an estate name, a greeting or a bare "请有关部门处理" is not the point
        score = 2.0 * harm + (1.5 * bool(_ASK.search(text)) if harm else 0.0)
        if in_title:  # the title says what the letter is about
            score += 3.0 + len(text) / 20 if harm else 1.0 + len(text) / 40  # a harm clause beats a bare title
        score -= start / 3000  # earlier is more central
        if score <= 0:
            continue
        if len(text) > QUOTE_MAX:  # a quote is a whole clause of the owner's, never a cut one
            continue
        if best is None or score > best[0]:
            best = (score, text)
    return best[1] if best else None


def gist_of(complaint: str) -> Gist:
    return _gist(complaint or "")


@lru_cache(maxsize=256)
def _gist(complaint: str) -> Gist:
    plain = to_simplified(complaint)
    # a hazard or an accusation leads the reply only when the letter opens with it (a past event
    # recounted deep in a letter about something else is not today's emergency)
    head = plain[:HEAD_CHARS]
    hazards = tuple(k for k, r in _HAZARD_RE if r.search(head))
    accused = tuple(k for k, r in _ACCUSED_RE if r.search(head))
    return Gist(
        quote=_quote(plain), hazards=hazards, accused=accused,
        attached=bool(_ATTACHED.search(plain)), estate_wide=bool(_ESTATE_WIDE.search(plain)),
        listed=len(_LISTED.findall(plain)) >= 2,
        disabled_self=bool(_DISABLED_SELF.search(plain)),
    )
