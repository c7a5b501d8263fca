"""Which playbook phrasings suit this complaint.

A phrasing often assumes something ("您提供的照片…", "家里有老人孩子…", "前两次…"). It is used
only when the complaint supports that assumption; a few cues are never used offline because they
would promise something only a person may decide (compensation, who pays).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from agent.understand.facts import Facts
from agent.vocab import Stage

NEVER = "never"
# (cue in the phrasing, situation tag the complaint must have)
_CUES: list[tuple[str, str]] = [
    (r"补偿|赔偿|赔给", NEVER),
    (r"由业主承担|您这边承担|户内设施|维修费用|超出了我们的责任范围", NEVER),
    # asks for contact details (privacy) or speaks of them
    (r"联系方式|怎么联系您|联系您比较方便", NEVER),
    # dangling enumerations / facts we do not have (results, causes, dates, parts, other parties)
    (r"这几项|分三点|三点|两种情况|已经处理好了|已经修好了|修好了|查到原因|核实了一下|检查后发现|调查结果出来了", NEVER),
    (r"开发商|水阀|演示|使用说明|用法|使用上|操作|卫生和维修问题|现在就能帮您办|两分钟", NEVER),
    (r"周[一二三四五六日]|星期|下个月|月底|本月|一日到", NEVER),
    (r"请问有什么可以帮您|欢迎您|请坐|您请说|有什么需要我帮忙|久等了|确实有难度", NEVER),
    # words the guard reads as refusing / blaming out of context
    (r"没办法|要不是|是谁的原因|责任弄清楚|不管最后查出来", NEVER),
    # spoken-only lines: right on the phone or at the counter, odd in a written reply
    (r"慢慢说|慢慢讲|接着说|继续说|您说，|别挂电话|不打断|想说的都可以说|按您的节奏|我在听|我听着|听着呢|都听着|"
     r"这边听着|放心说|手上的事|没听太|再说一遍|从头跟我说|说出来会好受|今天先跟您说到这里|打电话给我|"
     r"随时打客服中心|打电话过来|您稍等", NEVER),
    # mind-reading the owner, or claiming a history we do not know
    (r"不是计较|没人把您的话当回事|最在意的是|最着急的是|最担心的是|还是有期待|最不满意的是|之前也碰到过|"
     r"这么做，肯定|您的意思是问题反复", NEVER),
    # filler that only announces talk ("接下来的安排是这样的…") or asks how to reply
    (r"暂时没能让您满意|接下来的安排是这样|规定上的要求是这样|我想先弄清楚|用电话还是微信|每到一个环节|"
     r"不用一直打电话|不用分别去找|内部协调都由我|权限|诉求我都记下了|想法我都记下了|要求我记下了|"
     r"一起商量一个|还有一个方案|当场记录|今天谈定|不走过场|有任何不清楚的|不用再从头说", NEVER),
    # arrears lines only when the owner says they owe; relief lines only when relief is asked for
    (r"没缴|缴清|分期|欠费|缴费安排", "owes"),
    (r"减免|审批", "relief"),
    (r"花了钱没享受", "service_value"),
    (r"家里有人|家里方便", "in_home"),
    (r"等了这么久", "span"),
    (r"之前的处理", "repeated"),
    (r"该我们承担|我们不会推|负责到底", NEVER),  # sounds like accepting liability before any check
    # presumes something already agreed, done or checked
    (r"说好的|按刚才说好|开工|处理好了|还满意吗|修好以后|用着|进进出出|一直在盯着|核对过了|已经做了复盘", NEVER),
    (r"处理太慢|不是一天两天", "span"),
    # slow, probing or self-critical lines that do not belong in an emergency / a liability claim
    (r"没听太清|再说一遍|从头跟我说|原因引起|最让您不满意|哪几件事|拍张照片|具体位置和开始的时间", "not_danger"),
    (r"疏忽|是我们没做到位|失误是我们的|确实是我们", "not_compensation"),
    (r"先不争|把“对”让给", "dispute"),
    (r"花了钱|欠费|没缴|缴费|分期|账单|物业费|收费标准|维修基金", "fees"),
    (r"各位业主|大家|整栋楼|好几户|所有业主|业主代表|协调会", "group"),
    (r"电梯困人|扒门|对讲按钮", "trapped"),
    (r"燃气", "gas"),
    (r"监控|巡查记录", "security"),
    (r"邻里|楼上住户", "neighbor"),
    (r"服务态度", "service"),
    (r"设施维修类", "facilities"),
    (r"十五分钟|紧急报修|紧急情况", "urgent"),
    (r"每次都要|有没有反复", "repeated"),
    (r"您提供的照片|照片帮了", "photo"),
    (r"配件|厂家|调货", "parts"),
    (r"老人孩子|家人|您和家人", "family"),
    (r"第三次|前两次|反复出现|又出现了|一直就没好", "repeated"),
    (r"晚上|夜里", "night"),
    (r"有人来看过|来看过", "visited"),
    (r"群里", "group_chat"),
    (r"损失", "loss"),
    (r"工程部|维修|师傅|报修|施工|开工|配件|修好|检修|完工|巡检|这一处", "repair"),
    (r"您提的这个办法|您的方案", "proposal"),
    (r"上门|现场|整改", "onsite"),
    (r"保洁", "clean"),
    (r"别的住户|每一户", "compare"),
    (r"您家里|您家的情况|您家就能", "in_home"),
    (r"上班", "work"),
    (r"拖了太久|拖得", "span"),
    (r"费了不少心|这几天您|这几天师傅|这几天您也", "span"),
    (r"发现得早", "early_report"),
    (r"合同|条款|责任划分|规矩|规定", "rules"),
    (r"明天|明早|今天下午", "not_urgent"),
    (r"什么时候开始|从什么时候|什么时候发现|开始的时间", "no_span"),
    (r"哪个位置|什么位置", "no_where"),
    (r"几点到几点", "night"),
]
_CUE_RE = [(re.compile(cue), tag) for cue, tag in _CUES]


@dataclass(frozen=True)
class Candidate:
    technique: str
    rank: int  # retrieval rank of the technique (0 = best)
    text: str


def _supported(tag: str, facts: Facts) -> bool:
    if tag == NEVER:
        return False
    if tag == "span":
        return bool(facts.span) or facts.has("repeated")
    if tag == "no_span":
        return not facts.span
    if tag == "no_where":
        return not facts.specifics.where
    if tag == "rules":
        return not facts.major and facts.category.value in ("fees", "neighbor", "security")
    if tag == "not_danger":
        return not (facts.major and facts.has("danger"))
    if tag == "not_compensation":
        return not facts.has("compensation")
    if tag == "not_urgent":
        return facts.classification.urgency.value != "urgent"
    if tag == "early_report":
        return facts.major or facts.has("loss")
    return facts.has(tag)


def fits(phrasing: str, facts: Facts) -> bool:
    """True when every assumption the phrasing makes is supported by the complaint, and an agent may
    make its promises whenever the draft is approved."""
    return (all(_supported(tag, facts) for pattern, tag in _CUE_RE if pattern.search(phrasing))
            and within_authority_any_hour(phrasing))


@lru_cache(maxsize=4096)
def within_authority_any_hour(phrasing: str) -> bool:
    """No promise of ``phrasing`` needs a supervisor (guardrails/authority.yaml), even when approved
    just after midnight on a Monday — when "明天上午十点前" is furthest away (34 hours: beyond a
    24-hour call-back) and "两个工作日内" is as well. A playbook example may say that; our draft may not."""
    from agent.loop import authority
    from agent.loop.commitments import extract
    from agent.settings import content_dir

    policy = authority.load(content_dir("guardrails"))
    worst = datetime(2026, 1, 5, 0, 5, tzinfo=policy.zone)  # a Monday, 00:05
    return all(c.within_authority for c in extract({Stage.act: phrasing}, worst, policy))


def candidates(techniques: list[dict], facts: Facts) -> list[Candidate]:
    """Fitting phrasings of the retrieved techniques, best technique first."""
    out: list[Candidate] = []
    for rank, technique in enumerate(techniques):
        tech_id = technique.get("id")
        if not isinstance(tech_id, str):
            continue
        for phrasing in technique.get("phrasings") or []:
            if isinstance(phrasing, str) and phrasing.strip() and fits(phrasing, facts):
                out.append(Candidate(tech_id, rank, phrasing.strip()))
    return out
