"""The questions of the ask (问) stage: only what a good agent still needs to know for THIS complaint.

At most two questions, never about something the owner already told us (when, where, who), and
never a generic "您再说一遍" — the written complaint is clear. Each entry below is one question
(a sentence ending in ？, sometimes followed by a short reason).
"""

from __future__ import annotations

import re
from functools import partial

from agent.understand.facts import Facts
from agent.vocab import Category

Q: dict[str, str | list[str]] = {
    # when / where / evidence
    "when": "这个情况大概是从什么时候开始的？",
    "where": "具体是哪个位置最明显？",
    "when_event": "事情大概发生在几点钟？我们好调取那个时段的监控。",
    "where_event": "事情发生在哪个位置？我们好对照那一片的监控去查。",
    "seen": "当时有没有看清对方的样子，或者往哪个方向走了？",
    "strangers": "这几天有没有发现陌生人趁机进出？有的话我们重点调看那个时段的监控。",
    "others": "除了{where}，楼里其他地方还有没有类似的情况？",
    "visit": "师傅需要进门查看，到时家里方便有人在吗？",
    "history": "之前报修大概是什么时候？有工单号的话也请发给我，我好对照维修记录。",
    "photo": "方便的话拍几张照片发给我们吗？保洁到现场能直接找准位置。",
    "worst_time": "每天大概什么时候最严重？",
    # neighbours
    "neighbor_when": "这种情况一般在什么时间段最明显？",
    "neighbor_since": "这种情况大概持续多久了？",
    "neighbor_msg": "我们上门沟通之前，您还有什么希望我们特别转达的吗？",
    # fees
    "fee_bill": "您说的是哪一期的账单，哪一项和您预想的对不上？我们好对照明细逐项核对。",
    "fee_paid": "方便把缴费记录或转账截图发给我们吗？我们好和财务的入账记录对一下。",
    "fee_deposit": "当时提交退押金申请、做装修验收大概是什么时候？",
    "fee_late": "方便告诉我是哪个月的账单吗？我们好把计算过程核对清楚。",
    "fee_increase": "您主要是对调价的依据有疑问，还是对服务质量不满意，或者两者都有？",
    "fee_items": "您反映的这几件事里，最希望我们先解决哪一件？我们按您最着急的先安排。",
    # staff
    "staff_when": "您还记得是哪天、大概几点遇到的这位同事吗？我们好调出当时的记录核实。",
    "staff_more": ["对这件事的处理，您还有什么要求吗？我一并报给主管。",
                   "这件事您希望我们怎么处理？您的要求我会原样报给主管。"],
    "channel": "您是哪天、通过哪个渠道联系我们的？我好把记录调出来查清楚。",
    "channel_when": "留言的大概时间和内容您还记得吗？我好把记录调出来查清楚。",
    # other
    "priority": "您最希望我们先解决哪一点？我们按您最着急的先安排。",
    "other_when": "这件事具体是在什么时间、什么地方发生的？",
    # special situations
    "safe": ["您现在是否已经在安全的地方？现场还有没有其他人需要帮忙？",
             "您现在已经到安全的地方了吗？现场还有没有人需要我们帮忙？",
             "现在人都离开危险的位置了吗？现场有没有谁需要我们马上帮忙？"],
    "family": "您和家人现在都还好吗？",
    "evidence": "当时有照片或视频的话，方便发给我们吗？我们好把情况核实清楚。",
    "at_home": "现在家里有人吗？师傅到了以后方便直接进门查看吗？",
    "group": "大家最关心的是哪几点？方便的话请推选两三位邻居做代表，我们安排专人对接。",
    "loss": ["受损的东西方便拍几张照片发给我们吗？我们好一起核实情况。",
             "损坏的东西方便拍几张照片给我们吗？核实损失的时候用得上。",
             "方便把受损的情况拍下来发给我们吗？我们对照着一起核实。"],
}


def _say(key: str, seed: int) -> str:
    """One wording of a question (some have several, spread over complaints by the seed)."""
    value = Q[key]
    return value if isinstance(value, str) else value[seed % len(value)]


def _pairs(*keys: str, seed: int = 0) -> list[str]:
    return [_say(k, seed) for k in keys if k][:2]


def questions(facts: Facts, sit: str) -> list[list[str]]:
    """Variants (each a list of one or two questions) for this complaint, best first."""
    cat, spec = facts.category, facts.specifics
    _pair = partial(_pairs, seed=facts.seed // 3)  # noqa: N806 - the same helper, bound to this complaint
    knows_when = facts.has("when_known") or bool(spec.since)
    if sit == "danger":
        return [_pair("safe")]
    if sit == "incident":
        return [_pair("family", "evidence" if knows_when else "other_when")]
    if sit == "group":
        return [_pair("group")]
    if facts.classification.urgency.value == "urgent" and facts.has("repair") and facts.has("in_home"):
        return [_pair("at_home")]
    if sit == "compensation":
        return [_pair("loss")]
    if cat is Category.facilities:
        first = "history" if facts.has("repeated") else ("" if facts.span or knows_when else "when")
        second = "visit" if facts.has("in_home") else "others"
        return [_pair(first, second), _pair(second)]
    if cat is Category.environment:
        return [_pair("" if spec.where else "where", "photo"), _pair("photo", "" if knows_when else "worst_time")]
    if cat is Category.security:
        if re.search(r"坏|故障|失灵|关不[严上]|不亮", facts.complaint):  # a broken lock, not an event
            return [_pair("strangers")]
        saw = "seen" if re.search(r"看到|看见|门铃|敲门|跟踪|尾随|派传单|行嚟行去", facts.complaint) else ""
        if knows_when:
            first = "" if spec.where else "where_event"
            return [_pair(first, saw), _pair(saw or first or "where_event")]
        return [_pair("when_event", saw)]
    if cat is Category.fees:
        for tag, key in (("paid", "fee_paid"), ("deposit", "fee_deposit"), ("late_fee", "fee_late"),
                         ("increase", "fee_increase"), ("service_value", "fee_items")):
            if facts.has(tag):
                return [_pair(key)]
        return [_pair("fee_bill")]
    if cat is Category.neighbor:
        first = "" if knows_when else "neighbor_when"
        second = "" if (facts.span or not first) else "neighbor_since"
        return [_pair(first or "neighbor_msg", second), _pair("neighbor_msg")]
    if cat is Category.service_attitude and facts.repair_subject:
        return [_pair("history")]  # the subject is a repair nobody followed up
    if cat is Category.service_attitude:
        if facts.no_staff:
            return [_pair("channel_when" if knows_when or facts.span else "channel")]
        first = "" if knows_when else "staff_when"
        return [_pair(first or "staff_more"), _pair("staff_more")]
    return [_pair("priority"), _pair("other_when" if not knows_when else "priority")]
