"""Write one stage of the offline draft: a fitting playbook phrasing + our own concrete sentences."""

from __future__ import annotations

import re

from agent.offline import templates as T
from agent.offline.facts import Facts
from agent.offline.fit import Candidate, candidates
from agent.vocab import Category, Stage

MAX_CHARS = 150
_TIME_RE = re.compile(r"小时|分钟|今天|明天|上午|下午|点前|当天|每两天|下班前|第一时间")
_ONE_QUESTION = re.compile(r"^[^？]*？?[^？]*$")
_COVERS = {Category.facilities: re.compile(r"师傅|工程部|维修"), Category.environment: re.compile(r"保洁")}
_FALLBACK_PHRASING = {  # only used when no retrieved technique has a fitting phrasing
    Stage.listen: "您慢慢说，我都在认真听。",
    Stage.empathize: "您的心情我完全理解。",
    Stage.ask: "我这样理解您看对不对？",
    Stage.act: "这件事由我负责跟进。",
    Stage.negotiate: "您的想法我都记下了，我们一起商量。",
    Stage.thank: "谢谢您告诉我们这件事。",
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


def _bigrams(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1) if "\u4e00" <= text[i] <= "\u9fff"}


def _distinct(options: list[str], phrasing: str, seed: int, avoid: str = "") -> str:
    """The option (seed order) that repeats the phrasing least — no question asked twice — and,
    on a re-ask, is not the one the rejected draft used."""
    said = _bigrams(phrasing)
    ordered = [options[(seed + i) % len(options)] for i in range(len(options))]
    fresh = [o for o in ordered if o[:8] not in avoid] or ordered
    return min(fresh, key=lambda o: len(_bigrams(o) & said) / max(1, len(_bigrams(o))))


def _pick(options: list, seed: int) -> object:
    return options[seed % len(options)]


def _fill(template: str, facts: Facts, variant: int) -> str:
    span = facts.span
    times = T.URGENT_TIMES if facts.classification.urgency.value == "urgent" else T.REPLY_TIMES
    return template.format(
        issue=facts.issue,
        issue_q=facts.issue_q,
        span=span,
        span_mid=(span + "，") if span else "",
        where=facts.specifics.where or "这个位置",
        time=_pick(times, variant),
    )


def _choose(stage: Stage, techniques: list[dict], facts: Facts, variant: int,
            want: re.Pattern[str] | None = None, avoid: str = "") -> Candidate | None:
    pool = candidates(techniques, facts)
    if avoid:  # a re-ask: never reuse a phrasing of the rejected draft
        pool = [c for c in pool if c.text not in avoid]
    if want is not None:
        preferred = [c for c in pool if want.search(c.text)]
        pool = preferred or pool
    if not pool:
        return None
    best_rank = min(c.rank for c in pool)
    # the best technique's phrasings first; a re-ask (variant shift) walks on to the next ones
    ordered = [c for c in pool if c.rank == best_rank] + [c for c in pool if c.rank != best_rank]
    top = [c for c in ordered if c.rank == best_rank]
    if variant >= len(top):
        return ordered[variant % len(ordered)]
    return top[variant % len(top)]


def _join(parts: list[str], optional_from: int) -> str:
    """Join sentences; drop optional ones (index >= optional_from) from the end while too long."""
    parts = [p for p in parts if p]
    while len("".join(parts)) > MAX_CHARS and len(parts) > optional_from:
        parts.pop()
    return "".join(parts)


def compose_stage(stage: Stage, techniques: list[dict], facts: Facts, shift: int = 0,
                  avoid: str = "") -> tuple[str, list[str]]:
    """(text, technique ids) for one stage. ``shift`` > 0 chooses other variants and ``avoid`` is the
    rejected draft of a re-ask: its phrasing and sentences are not reused."""
    variant = facts.seed // 7 + shift
    sit = situation(facts)
    want = _COVERS.get(facts.category) if stage is Stage.act else None
    if stage is Stage.act and not want:
        want = _TIME_RE
    if stage is Stage.ask:
        want = _ONE_QUESTION
    cand = _choose(stage, techniques, facts, variant + list(Stage).index(stage), want, avoid)
    phrasing = cand.text if cand else _FALLBACK_PHRASING[stage]
    cited = [cand.technique] if cand else []
    fill = lambda tpl: _fill(tpl, facts, variant)  # noqa: E731

    if stage is Stage.listen:
        if sit == "danger":
            bank = T.LISTEN_RESTATE_MAJOR
        elif sit == "respect" and facts.category is Category.service_attitude:
            bank = T.LISTEN_RESTATE_RESPECT
        else:
            bank = T.LISTEN_RESTATE if facts.known_issue else T.LISTEN_RESTATE_UNKNOWN
        restate = fill(_distinct(bank, phrasing, variant, avoid))
        parts = [restate, phrasing] if phrasing.endswith("？") or variant % 2 else [phrasing, restate]
        return _join(parts, 2), cited

    if stage is Stage.empathize:
        own = fill(_distinct(T.EMPATHIZE[sit], phrasing, variant, avoid))
        return _join([phrasing, own], 2), cited

    if stage is Stage.ask:
        special = T.ASK_SPECIAL.get(sit)
        if special is None and facts.classification.urgency.value == "urgent" and facts.has("repair"):
            special = T.ASK_SPECIAL["urgent_repair"]
        if special is None and facts.category is Category.service_attitude and not facts.has("staff"):
            special = T.ASK_SPECIAL["no_staff"]
        question = fill(_distinct(special or T.ASK[facts.category], phrasing, variant, avoid))
        return _join([phrasing, question], 2), cited

    if stage is Stage.act:
        if sit in ("danger", "incident"):  # safety first: no phrasing quoted, cite the escalation technique
            ids = [t.get("id") for t in techniques if isinstance(t.get("id"), str)]
            cited = [next((i for i in ids if "authority" in i or "escalat" in i), ids[0])] if ids else cited
        return _compose_act(facts, sit, phrasing, variant), cited

    if stage is Stage.negotiate:
        special = T.NEGOTIATE_SPECIAL.get(sit)
        if sit == "repeated" and facts.category is not Category.facilities:
            special = None
        option = fill(_distinct(special or T.NEGOTIATE[facts.category], phrasing, variant, avoid))
        return _join([option, phrasing], 1), cited

    # thank
    physical = facts.category in (Category.facilities, Category.environment, Category.security)
    bank = T.THANK_NEXT_FIX if physical and facts.specifics.what else T.THANK_NEXT
    nxt = fill(_distinct(T.THANK_NEXT_DANGER if sit == "danger" else bank, phrasing, variant, avoid))
    close = _distinct(T.THANK_CLOSE, phrasing, variant + 1, avoid)
    if "随时" in phrasing:
        close = ""
    if "回访" in phrasing:
        nxt = ""
    return _join([phrasing, nxt, close], 2), cited


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


def _compose_act(facts: Facts, sit: str, phrasing: str, variant: int) -> str:
    claim = ""
    if facts.mindset.value == "compensation":
        claim = T.ACT_REFUND if re.search(r"退|减免|押金", facts.complaint) else T.ACT_COMPENSATION
    if sit == "incident":  # it already happened: investigate and report, no alarm
        return _join([_fill(T.ACT_INCIDENT, facts, variant), claim], 1)
    if sit == "danger":
        hazard = _hazard(facts)
        team = T.DANGER_TEAM.get(hazard, "值班工程人员和秩序维护员")
        dispatch = T.ACT_DANGER_DISPATCH.format(team=team, time="十五分钟内")
        return _join([T.ACT_DANGER[hazard], dispatch, claim], 2)
    parts: list[str] = []
    cover = _COVERS.get(facts.category)
    if not (cover and cover.search(phrasing)):
        no_staff = facts.category is Category.service_attitude and not facts.has("staff")
        parts.append(_fill(T.ACT_ACTION["no_staff" if no_staff else facts.category], facts, variant))
        parts.append(phrasing)
    else:
        parts.append(_lead_with_issue(phrasing, facts))
    if not _TIME_RE.search(phrasing):
        parts.append(_fill(_pick(T.ACT_TIME, variant), facts, variant))
    required = len(parts)
    if sit == "group":
        parts.append(T.ACT_GROUP)
    elif claim:
        parts.append(claim)
    elif facts.classification.escalate and not re.search(r"主管|经理|领导|请示", "".join(parts)):
        parts.append(T.ACT_ESCALATE)
    return _join(parts, required)


def _lead_with_issue(phrasing: str, facts: Facts) -> str:
    issue = facts.issue
    if phrasing.startswith("这件事"):
        return issue + phrasing
    if phrasing.startswith("这个问题"):
        return f"{issue}的问题" + phrasing[4:]
    return f"关于{issue}，{phrasing}"
