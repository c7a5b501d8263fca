"""Retrieval that follows the understood situation, not only the complaint's words.

A leak should cite the repair-ticket procedure, a fee dispute the fee explanations, a real group
incident the group-incident playbook — and a complaint that is not a group incident never gets
the group-incident playbook just because its words resemble one. ``search_situated`` runs the
usual hybrid search per stage with a query built from the situation (issue summaries, category,
demands) and puts the technique of the complaint's primary topic first where a stage has one.

``TOPIC_TECHNIQUES`` is the one table of which techniques belong to which primary topic; the
offline drafter's citations and ``wuye draft --report fit`` read it too.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from agent.understand.models import Classification
from agent.vocab import Severity, Stage

if TYPE_CHECKING:
    from agent.retrieval.search import Hit, Retriever

# primary topic -> technique ids (any stage), preferred first
TOPIC_TECHNIQUES: dict[str, tuple[str, ...]] = {
    "repair": ("repair.receive", "repair.dispatch", "repair.track", "repair.feedback"),
    "fees": ("fee.dispute", "fee.record", "fee.notice", "duty.fee_collection"),
    "group": ("group.emergency_response", "group.coordinate", "group.early_warning", "group.follow_up"),
    "service": ("mindset.respect", "act.own_mistake", "thank.sincere_apology", "empathize.accept_humbly",
                "emotion.agitated_owner"),
    "outside": ("act.beyond_authority", "escalation.next_level", "checklist.feedback_clearly", "duty.coordinate"),
    "order": ("act.case_by_case", "duty.coordinate", "act.fair", "procedure.judge_handle"),
}
_BY_CATEGORY = {"facilities": "repair", "fees": "fees", "service_attitude": "service", "other": "outside",
                "environment": "order", "security": "order", "neighbor": "order"}
NEVER_UNLESS_OWED = ("fee.overdue", "fee.reminder")
# topic techniques the playbook files under no stage, and the stage whose job they describe
STAGELESS_HOME: dict[str, Stage] = {
    "fee.record": Stage.act,  # 对照缴费记录逐项核对: what the act stage does for a fee dispute
    "group.early_warning": Stage.listen,  # 集中诉求: taking in what many owners raise together
    "group.follow_up": Stage.thank,  # 跟踪评估、公布进展: the follow-up after a group incident
    "emotion.agitated_owner": Stage.empathize,
}


def home_stage(technique_id: str, stage: Stage | None) -> Stage | None:
    """The stage a technique serves: its own, or for a stage-less topic technique its home."""
    return stage or STAGELESS_HOME.get(technique_id)


def primary_topic(category: str, *, group: bool) -> str:
    """The playbook topic a complaint's primary category calls for."""
    return "group" if group else _BY_CATEGORY.get(category, "order")


def topics_for(category: str, scope: str = "ours", *, group: bool = False) -> list[str]:
    """The topics an issue brings: its category's topic; plus outside-scope handling when another
    body decides (``shared``), or only that when it is wholly outside our remit (``outside``)."""
    base = primary_topic(category, group=group)
    if scope == "outside" and base in ("order", "outside"):
        return ["outside", "order"] if base == "order" else ["outside"]
    return [base, "outside"] if scope != "ours" and base != "outside" else [base]


def situation_topics(complaint: str, classification: Classification, *, group: bool | None = None) -> list[str]:
    """The playbook topics a complaint brings, most important first: the group-incident playbook for
    a real group incident, the topics of the first two issues the letter answers (primary first),
    then the topic of the classified category (the understanding's view of the primary topic,
    which may differ from the issue a long letter happens to open with)."""
    from agent.understand.facts import situation_of

    sit = situation_of(complaint, classification)
    if group is None:
        group = group_playbook(complaint, classification)
    issues = [(i.category, i.scope) for i in sit.issues[:2]] if sit.long else []
    topics = ["group"] if group else []
    for category, scope in [*issues[:1], (classification.category.value, "ours"), *issues[1:]]:
        topics += topics_for(category, scope)
    return list(dict.fromkeys(topics))


_ORGANISED = re.compile(r"围堵|堵门|堵路|堵住.{0,4}(入口|出口|大门)|拉横幅|横幅|聚集|静坐|游行|群体事件|冲突")


def is_group_incident(complaint: str, classification: Classification) -> bool:
    """A group incident: a major complaint where people act together on the spot (横幅, 堵门, 聚集,
    冲突 …); a petition (联名), a major danger to one household, or many households merely
    affected is not one."""
    from agent.understand.script import to_simplified

    return classification.severity is Severity.major and bool(_ORGANISED.search(to_simplified(complaint)))


def group_playbook(complaint: str, classification: Classification) -> bool:
    """Whether the group-incident playbook (on-site response, owners' meeting) is ours to follow: a
    group incident whose primary matter the property company handles. When owners gather over
    something another body decides (业委会选聘, 开发商, 规划 …: scope ``outside``), the reply
    refers and coordinates instead of running the emergency playbook."""
    if not is_group_incident(complaint, classification):
        return False
    from agent.understand.facts import situation_of

    primary = situation_of(complaint, classification).primary
    return primary is None or primary.scope != "outside"


def situation_query(complaint: str, classification: Classification, max_chars: int = 400) -> str:
    """The words retrieval scores: the issue summaries and demands first, then the complaint."""
    from agent.understand.facts import situation_of

    sit = situation_of(complaint, classification)
    head = "；".join(i.summary for i in sit.issues)
    demands = {"apology": "要求道歉", "compensation": "要求赔偿", "refund": "退费 减免", "replace": "更换物业",
               "information": "要求说明依据", "punish": "要求查处"}
    asks = " ".join(demands[d] for d in sorted(sit.demands) if d in demands)
    return f"{head} {asks} {complaint}"[:max_chars]


def search_situated(retriever: Retriever, complaint: str, classification: Classification,
                    k: int = 3, max_chars: int = 400) -> dict[Stage, list[Hit]]:
    from agent.understand.facts import owes_fees

    group = group_playbook(complaint, classification)
    owes = owes_fees(complaint)
    topics = situation_topics(complaint, classification, group=group)
    hits = retriever.search_stages(situation_query(complaint, classification, max_chars), stages=list(Stage), k=k + 3)
    out: dict[Stage, list[Hit]] = {}
    for stage, stage_hits in hits.items():
        keep = [h for h in stage_hits if (group or not h.id.startswith("group."))
                and (owes or h.id not in NEVER_UNLESS_OWED)]
        first = []
        for topic in topics[:3 if stage is Stage.act else 2]:  # the act stage answers every issue
            hit = next((retriever.hit(i) for i in TOPIC_TECHNIQUES[topic]
                        if retriever.has(i) and home_stage(i, retriever.get(i).stage) is stage), None)
            if hit is not None and all(hit.id != f.id for f in first):
                first.append(hit)
        merged = first + [h for h in keep if all(h.id != f.id for f in first)]
        out[stage] = merged[:k]
    return out
