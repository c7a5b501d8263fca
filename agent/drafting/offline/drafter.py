"""The embedded offline drafter: ``draft(request)`` answers a ``DraftRequest`` without any network.

With no model configured (or when the configured ones fail) model access hands the very same
``DraftRequest`` a prompt is rendered from to ``draft``. It answers with the JSON object a real
model must give (docs/CONTRACTS.md §4): ``{"classification": {...}, "stages": [{"stage", "text",
"techniques": [ids]}], "facts_used": [...]}`` — all six stages, or only ``only_stages`` on a re-ask
(then with other sentence variants, so the fix hints are met).

Two writers share the facts of the complaint (agent/understand/facts.py):
- short messages (a WeChat line, a phone note) → ``compose`` (one concrete problem, chat length);
- long written complaints (letters, hotline posts) → ``letter`` (every issue, primary first,
  out-of-scope matters answered honestly, demands answered).
Deterministic for a given request.
"""

from __future__ import annotations

from typing import Any

from agent.drafting.channel import fit as channel_fit
from agent.drafting.offline.compose import compose_stage
from agent.drafting.offline.letter import compose_letter
from agent.drafting.request import DraftRequest
from agent.retrieval.situated import group_playbook, situation_topics
from agent.understand.facts import gather_facts, situation_of
from agent.understand.gist import gist_of
from agent.understand.script import to_simplified
from agent.vocab import Stage

MODEL = "wuye-offline/drafter"  # the name drafts report in `model`

def cite(stage: Stage, offered: list[str], topics: list[str], *, group: bool, owes: bool) -> list[str]:
    """The techniques a stage follows: one per topic the stage covers (``topics``: the complaint's
    playbook topics, most important first, from agent/retrieval/situated.situation_topics; the act
    stage acts on up to three of them, the others take two) — never a group-incident technique for
    a complaint that is not one, never arrears lines for a dispute. Falls back to the stage's own
    family."""
    from agent.retrieval.situated import NEVER_UNLESS_OWED, TOPIC_TECHNIQUES

    allowed = [i for i in offered if (group or not i.startswith("group.")) and (owes or i not in NEVER_UNLESS_OWED)]
    if not allowed:
        return []
    width = 3 if stage is Stage.act else 2
    chosen: list[str] = []
    for name in topics[:width]:
        hit = next((i for i in TOPIC_TECHNIQUES[name] if i in allowed and i not in chosen), None)
        if hit:
            chosen.append(hit)
    own = next((i for i in allowed if i.startswith(stage.value + ".")), None)
    return chosen[:width] or [own or allowed[0]]


def draft(request: DraftRequest) -> dict[str, Any]:
    """The JSON answer (as a dict) for one request. Pure and deterministic."""
    classification = request.classification
    known = "\n".join([request.complaint, *(t.text for t in request.history if t.role == "业主")])
    facts = gather_facts(request.complaint, classification)
    sit = situation_of(known, classification)
    group = group_playbook(known, classification)
    topics = situation_topics(known, classification, group=group)
    stages = []
    used: set[str] = set()  # playbook phrasings already quoted: never twice in one draft
    for stage in request.stages:
        techniques = [t.model_dump() for t in request.techniques.get(stage, [])]
        hints = request.fix_hints.get(stage)
        shift = (1 + len(hints or [])) if hints is not None or request.only_stages else 0
        avoid = request.rejected.get(stage, "")
        offered = [t["id"] for t in techniques]
        if sit.long:
            text = compose_letter(stage, sit, facts.seed // 7 + shift * 3, group=group,
                                  escalate=classification.escalate, avoid=avoid,
                                  gist=gist_of(request.complaint), plain=to_simplified(known))
            cited = cite(stage, offered, topics, group=group, owes=facts.has("owes"))
        else:
            text, quoted = compose_stage(stage, techniques, facts, shift=shift, avoid=avoid, used=used)
            topical = cite(stage, offered, topics, group=group, owes=facts.has("owes"))
            cited = list(dict.fromkeys([*quoted, *topical]))[:2] if quoted else topical
        stages.append({"stage": stage.value, "text": channel_fit(stage, text, request.channel),
                       "techniques": cited})
    return {"classification": classification.model_dump(mode="json"), "stages": stages,
            "facts_used": [f.as_dict() for f in sit.facts]}
