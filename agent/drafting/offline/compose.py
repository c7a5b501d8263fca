"""Write one stage of the offline draft: fitting playbook phrasings + our own concrete sentences.

Each stage has one job (see ``templates``): the callback time is promised once (act), questions are
asked once (ask, at most two), the 回访 is promised once (thank). A playbook phrasing is quoted only
when it fits the complaint (``fit``), suits a written reply for this stage (``_STAGE_BLOCK``) and was
not used by an earlier stage (``used``).
"""

from __future__ import annotations

import re

from agent.drafting.offline import templates as T
from agent.drafting.offline.fit import Candidate, candidates
from agent.drafting.offline.questions import questions
from agent.understand.facts import Facts
from agent.vocab import Category, Stage

MAX_CHARS = 110
_TIME_RE = re.compile(r"小时|分钟|半天|一天之内|今天|明天|上午|下午|点前|当天|每两天|下班前|第一时间")
_DEADLINE_RE = re.compile(r"小时|分钟|半天|一天之内|今天|明天|上午|下午|点前|当天|下班前|周[一二三四五六日]前")
_CALLBACK_RE = re.compile(r"回电话|告诉您|答复|回复|联系您|通知您|跟您确认|发给您|发消息")
_INVITES = re.compile(r"？|您看|意见|想法|要求|建议|告诉我")
_COVERS = {Category.facilities: re.compile(r"师傅|工程部|维修"), Category.environment: re.compile(r"保洁")}
# what a stage must not quote from the playbook (it belongs to another stage or reads oddly in writing)
_STAGE_BLOCK = {
    # listen: our restatement already says 记下了; requests (photos, details) belong to ask
    Stage.listen: re.compile(r"？|工单|派单|记录里|一是|要点|您看还有|记|照片|确认"),
    Stage.empathize: re.compile(r"？|工单|登记|录入|记录|报给主管|清单|联系|交代|跟进到底|说清楚"),
    Stage.ask: re.compile(r"."),  # questions come from agent/drafting/offline/questions.py
    Stage.act: re.compile(r"？|演示|使用|谢谢"),
    Stage.negotiate: re.compile(r"？|回电话|回复|答复|联系我|由我负责|" + _DEADLINE_RE.pattern),
    Stage.thank: re.compile(r"."),  # thanks + apology + improvement + 回访 are ours (templates)
}
# the techniques our own sentences follow, best first, when no phrasing is quoted
_OWN_TECHNIQUE = {
    Stage.listen: ("procedure.accept", "listen.no_evasion", "listen.overview"),
    Stage.empathize: ("empathize.acknowledge", "empathize.owner_perspective", "empathize.overview"),
    Stage.ask: ("ask.focus_on_core", "ask.think_while_listening", "ask.guided_questions", "checklist.ask_clearly",
                "ask.why", "ask.overview"),
    Stage.act: ("act.overview", "act.record_and_commit", "checklist.feedback_clearly", "procedure.judge_handle",
                "escalation.next_level"),
    Stage.negotiate: ("negotiate.overview", "negotiate.owner_proposes_first", "negotiate.show_authority"),
    Stage.thank: ("thank.for_criticism", "thank.commit_improve", "thank.sincere_apology", "thank.overview"),
}


def situation(facts: Facts) -> str:
    """The one situation that shapes the tone most (danger first)."""
    if facts.major and facts.has("danger"):
        return "danger" if facts.classification.urgency.value == "urgent" else "incident"
    if facts.has("group"):
        return "group"
    if facts.major and facts.has("media"):
        return "media"
    if facts.mindset.value == "respect":
        return "respect"
    if facts.mindset.value == "compensation" and facts.has("loss"):
        return "compensation"
    if facts.has("repeated"):
        return "repeated"
    if facts.category is Category.service_attitude:
        return "service"
    return "default"


def fee_topic(facts: Facts) -> str | None:
    """The fee sub-topic that decides act / negotiate / thank wording, or None."""
    if facts.category is not Category.fees:
        return None
    return next((t for t in ("paid", "deposit", "late_fee", "increase") if facts.has(t)), None)


def _bigrams(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1) if "\u4e00" <= text[i] <= "\u9fff"}


def _distinct(options: list, said: str, seed: int, avoid: str = "") -> object:
    """The option (seed order) that repeats ``said`` least and, on a re-ask, is not in the rejected draft."""
    key = lambda o: o if isinstance(o, str) else "".join(o)  # noqa: E731
    ordered = [options[(seed + i) % len(options)] for i in range(len(options))]
    fresh = [o for o in ordered if key(o)[:8] not in avoid] or ordered
    words = _bigrams(said)
    return min(fresh, key=lambda o: len(_bigrams(key(o)) & words) / max(1, len(_bigrams(key(o)))))


def _seeded(options: list[str], seed: int, avoid: str = "") -> str:
    """The seed's option (spread evenly over complaints); on a re-ask, one not in the rejected draft."""
    ordered = [options[(seed + i) % len(options)] for i in range(len(options))]
    return next((o for o in ordered if o[:8] not in avoid), ordered[0])


def _pick(options: list, seed: int) -> object:
    return options[seed % len(options)]


def _fill(template: str, facts: Facts, variant: int) -> str:
    span = facts.span
    times = (T.URGENT_TIMES if facts.classification.urgency.value == "urgent"
             else T.AFTER_WORK_TIMES if facts.has("after_work") else T.REPLY_TIMES)
    return template.format(issue=facts.issue, issue_q=facts.issue_q, span=span,
                           span_mid=(span + "，") if span else "",
                           where=facts.specifics.where or "这个位置", time=_pick(times, variant))


def _choose(stage: Stage, techniques: list[dict], facts: Facts, variant: int, used: set[str],
            want=None, avoid: str = "") -> Candidate | None:  # noqa: ANN001 - want: text -> bool
    block = _STAGE_BLOCK[stage]
    pool = [c for c in candidates(techniques, facts) if not block.search(c.text) and c.text not in used]
    if avoid:  # a re-ask: never reuse a phrasing of the rejected draft
        pool = [c for c in pool if c.text not in avoid]
    if want is not None:
        pool = [c for c in pool if want(c.text)]
    if not pool:
        return None
    best_rank = min(c.rank for c in pool)
    top = [c for c in pool if c.rank == best_rank]
    ordered = top + [c for c in pool if c.rank != best_rank]
    return ordered[variant % len(ordered)] if variant >= len(top) else top[variant % len(top)]


def _own_technique(stage: Stage, techniques: list[dict], facts: Facts) -> list[str]:
    """The technique our own sentences follow: a preferred one, else the best one of this stage's
    family (listen.*), else the best retrieved one whose assumptions the complaint supports."""
    ids = [t.get("id") for t in techniques if isinstance(t.get("id"), str)]
    if not ids:
        return []
    fitting = {c.technique for c in candidates(techniques, facts)}
    domain = {"repair.": facts.category is Category.facilities, "fee.": facts.category is Category.fees,
              "group.": facts.has("group")}
    related = [i for i in ids if all(ok or not i.startswith(prefix) for prefix, ok in domain.items())]
    return [next((i for i in _OWN_TECHNIQUE[stage] if i in ids), None)
            or next((i for i in ids if i.startswith(stage.value + ".")), None)
            or next((i for i in related if i in fitting), None)
            or (related or ids)[0]]


def _join(parts: list[str], required: int) -> str:
    """Join sentences; drop optional ones (index >= required) from the end while too long."""
    parts = [p for p in parts if p]
    while len("".join(parts)) > MAX_CHARS and len(parts) > required:
        parts.pop()
    return "".join(parts)


def compose_stage(stage: Stage, techniques: list[dict], facts: Facts, shift: int = 0,
                  avoid: str = "", used: set[str] | None = None) -> tuple[str, list[str]]:
    """(text, technique ids) for one stage. ``shift`` > 0 chooses other variants and ``avoid`` is the
    rejected draft of a re-ask; ``used`` holds phrasings earlier stages quoted (never quoted twice)."""
    used = used if used is not None else set()
    variant = facts.seed // 7 + shift + list(Stage).index(stage)
    sit = situation(facts)
    own_ids = _own_technique(stage, techniques, facts)
    fill = lambda tpl: _fill(tpl, facts, variant)  # noqa: E731

    def quote(want=None) -> tuple[str, list[str]]:  # noqa: ANN001
        cand = _choose(stage, techniques, facts, variant, used, want, avoid)
        if cand is None:
            return "", own_ids
        used.add(cand.text)
        return cand.text, [cand.technique]

    if stage is Stage.listen:
        if sit == "danger":
            bank = T.LISTEN_RESTATE_MAJOR
        elif sit == "respect" and facts.category is Category.service_attitude:
            bank = T.LISTEN_RESTATE_RESPECT
        elif facts.category is Category.fees:
            bank = T.LISTEN_RESTATE_FEES
        else:
            bank = T.LISTEN_RESTATE if facts.known_issue else T.LISTEN_RESTATE_UNKNOWN
        phrasing, cited = quote() if facts.seed % 5 == 0 else ("", own_ids)  # a stock line only now and then
        restate = fill(_distinct(bank, phrasing, variant, avoid))
        return _join([restate, phrasing or _seeded(T.LISTEN_OWN, facts.seed // 11 + shift, avoid)], 2), cited

    if stage is Stage.empathize:  # someone who was mistreated is hurt, not "着急"
        unfit = {"respect": r"着急|揪心|害怕|担心",  # in danger, no talk of "不舒服" or criticism
                 "danger": r"不舒服|有道理|考虑周全|不满意|批评|消消气", "incident": r"不舒服|有道理|考虑周全|消消气"}.get(sit)
        fits = (lambda t: not re.search(unfit, t)) if unfit else None
        # a playbook line in two drafts of three: the same stock sentence must not open every reply
        phrasing, cited = quote(fits) if facts.seed % 3 else ("", own_ids)
        bank = T.EMPATHIZE.get(sit) or T.EMPATHIZE_DEFAULT[facts.category]
        own = fill(_distinct(bank, phrasing, variant, avoid))
        return _join([phrasing, own], 1 if not phrasing else 2), cited

    if stage is Stage.ask:
        variants = questions(facts, sit)
        chosen = _distinct(variants, "", variant, avoid)
        return "".join(fill(q) for q in chosen), own_ids

    if stage is Stage.act:
        return _compose_act(stage, techniques, facts, sit, variant, quote, own_ids)

    if stage is Stage.negotiate:
        topic = "relief" if facts.has("relief") and facts.category is Category.fees else fee_topic(facts)
        special = T.NEGOTIATE_SPECIAL.get(sit)
        if sit == "repeated" and facts.category is not Category.facilities:
            special = None
        if topic and sit not in ("danger", "incident", "group"):
            special = T.NEGOTIATE_FEES["paid_after_work" if topic == "paid" and facts.has("after_work") else topic]
        phrasing, cited = quote() if facts.seed % 2 == 0 else ("", own_ids)
        option = fill(_distinct(special or T.NEGOTIATE[facts.category], phrasing, variant, avoid))
        if phrasing:
            close = phrasing
        elif _INVITES.search(option):  # the option already asks for the owner's view: no second invitation
            close = ""
        else:
            close = _seeded(T.NEGOTIATE_CLOSE, facts.seed // 13 + shift, avoid)
        return _join([option, close], 1), cited

    # thank: thanks + apology, the improvement, the 回访 — all ours, so nothing generic slips in
    opening = _seeded(T.THANK_OPEN.get(sit, T.THANK_OPEN["default"]) if sit != "incident"
                      else T.THANK_OPEN["danger"], facts.seed // 19 + shift, avoid)
    topic = fee_topic(facts)
    key = ("danger" if sit in ("danger", "incident") else "group" if sit == "group"
           else topic if topic in ("paid", "increase") else "no_staff" if _no_staff(facts) else facts.category)
    improve = _pick(T.THANK_IMPROVE[key], variant)
    physical = facts.category in (Category.facilities, Category.environment, Category.security)
    follow_bank = (T.THANK_FOLLOW_DANGER if sit == "danger"
                   else T.THANK_FOLLOW_FIX if physical and facts.specifics.what else T.THANK_FOLLOW)
    follow = fill(_seeded(follow_bank, facts.seed // 17 + shift, avoid))
    return _join([opening, improve, follow], 3), own_ids


def _no_staff(facts: Facts) -> bool:
    return facts.no_staff


def _service_fix(facts: Facts) -> bool:
    """A service complaint whose real subject is a repair nobody followed up (漏水拖了一个月没人管)."""
    return facts.category is Category.service_attitude and facts.repair_subject


_CLAIMS = ((r"押金", "退押金的要求"), (r"滞纳金", "退还滞纳金的要求"), (r"退", "退费要求"))

_HAZARDS = (
    ("gas", r"燃气|煤气|天然气"), ("trapped", r"被困|困在|关在"),
    ("electric", r"触电|漏电|电线|配电箱|电箱"),
    ("fire", r"(?<!真)(?<!万一)(?<!要是)(?<!如果)(着火|起火|冒烟|火灾)"),
    ("intruder", r"拧门把手|撬门|可疑|有个男的|不敢出声|跟踪|尾随"),
    ("health", r"拉肚子|腹泻|中毒|呕吐|能不能喝"),
    ("falling", r"坠|砸|扔.{0,8}下来|往下扔|掉下|塌|脱落|跌"),
    ("injury", r"咬|受伤|流血|划伤|口子|抓破|动手|打人|跣|摔"),
)


def _hazard(facts: Facts) -> str:
    return next((key for key, pattern in _HAZARDS if re.search(pattern, facts.complaint)), "default")


def _compose_act(stage: Stage, techniques: list[dict], facts: Facts, sit: str, variant: int,
                 quote, own_ids: list[str]) -> tuple[str, list[str]]:  # noqa: ANN001
    claim = ""
    if facts.mindset.value == "compensation":
        claim = _pick(T.ACT_COMPENSATION, facts.seed // 5)
        if facts.category is Category.fees:  # relief is answered in negotiate (审批), refunds here
            ask_for = next((w for p, w in _CLAIMS if re.search(p, facts.complaint)), "")
            claim = T.ACT_REFUND.format(claim=ask_for) if ask_for and not facts.has("relief") else ""
    if sit in ("danger", "incident"):  # safety first: no phrasing quoted, cite the escalation technique
        ids = [t.get("id") for t in techniques if isinstance(t.get("id"), str)]
        cited = [next((i for i in ids if "authority" in i or "escalat" in i or "emergency" in i), ids[0])] if ids else []
        if sit == "incident":  # it already happened: investigate and report, no alarm
            return _join([_fill(T.ACT_INCIDENT, facts, variant), claim], 1), cited
        hazard = _hazard(facts)
        dispatch = T.ACT_DANGER_DISPATCH.format(team=T.DANGER_TEAM.get(hazard, "值班工程人员和秩序维护员"),
                                                time="十五分钟内")
        return _join([T.ACT_DANGER[hazard], dispatch, claim], 2), cited
    topic = fee_topic(facts)
    key = ("no_staff" if _no_staff(facts) else "service_fix" if _service_fix(facts) else facts.category)
    template = _pick(T.ACT_SERVICE, facts.seed // 5) if key is Category.service_attitude else T.ACT_ACTION[key]
    action = T.ACT_FEES[topic] if topic else _fill(template, facts, variant)
    cover = _COVERS.get(facts.category)
    escalated = bool(re.search(r"主管|经理|领导|请示", action))

    def carries_time(text: str) -> bool:  # the phrasing gives the one callback time and fits the action
        if facts.has("after_work") or not (_DEADLINE_RE.search(text) and _CALLBACK_RE.search(text)):
            return False
        if escalated and re.search(r"主管|经理|领导|请示|汇报|报给", text):
            return False
        return bool(cover) or not re.search(r"师傅|工程部|维修|保洁|上门|现场", text)

    parts: list[str] = []
    phrasing, cited = quote(lambda t: bool(cover and cover.search(t) and _DEADLINE_RE.search(t))
                            and not facts.has("after_work"))  # the owner said when to call: our time
    if phrasing:  # "我先安排工程部的师傅今天下午到现场查看…" already says who and when
        parts.append(_lead_with_issue(phrasing, facts))
    else:
        phrasing, cited = quote(carries_time)
        parts += [action, phrasing or _fill(_pick(T.ACT_TIME, variant), facts, variant)]
    if facts.side_issue:  # a fee complaint that also lists broken things: those get fixed too
        parts.append(T.ACT_SIDE_ISSUE.format(side=facts.side_issue))
    required = len(parts)
    if sit == "group":
        parts.append(T.ACT_GROUP)
    elif claim:
        parts.append(claim)
    elif facts.classification.escalate and not re.search(r"主管|经理|领导|请示", "".join(parts)):
        parts.append(T.ACT_ESCALATE)
    return _join(parts, required), cited


def _lead_with_issue(phrasing: str, facts: Facts) -> str:
    issue = facts.issue
    phrasing = re.sub(r"^(情况我清楚了|谢谢您及时告诉我们)[，。]?(接下来是这样安排的[:：])?", "", phrasing)
    if phrasing.startswith("这件事"):
        return issue + phrasing
    if phrasing.startswith("这个问题"):
        return f"{issue}的问题" + phrasing[4:]
    return f"关于{issue}，{phrasing}"
