"""What the draft and revise nodes share: the ``DraftRequest`` built from the state, and the
model's answer turned into stage drafts (placeholders rephrased, citations checked, 简/繁).
"""

from __future__ import annotations

import re
from typing import Any

from agent.drafting.answer import DraftAnswer
from agent.drafting.request import DraftRequest, HistoryTurn, Technique
from agent.understand.models import Classification
from agent.vocab import Severity, Stage, Urgency
from agent.workflow.nodes.common import event

_SEVERITY_RANK = {Severity.general: 0, Severity.important: 1, Severity.major: 2}

# A placeholder left in a draft is rephrased, never unmasked (kind label -> neutral words).
_NAME_PLACEHOLDER = re.compile(
    r"〔姓名\d+〕(?:先生|女士|小姐|阿姨|太太|大爷|大爺|大妈|大媽|奶奶|爷爷|爺爺|叔叔|老师|老師)?")
_NEUTRAL = {"电话": "您的联系电话", "電話": "您的联系电话", "身份证": "您的证件信息", "身份證": "您的证件信息",
            "车牌": "您的车辆", "車牌": "您的车辆", "邮箱": "您的邮箱", "郵箱": "您的邮箱",
            "房号": "您家", "房號": "您家"}
_ANY_PLACEHOLDER = re.compile(r"〔([^〕\d]{1,6})\d*〕")


def scrub_placeholders(text: str) -> tuple[str, int]:
    """Rephrase any PII placeholder a draft still contains; returns (text, how many were replaced)."""
    count = len(_NAME_PLACEHOLDER.findall(text)) + len(_ANY_PLACEHOLDER.findall(_NAME_PLACEHOLDER.sub("", text)))
    if not count:
        return text, 0
    text = _NAME_PLACEHOLDER.sub("您", text)
    text = _ANY_PLACEHOLDER.sub(lambda m: _NEUTRAL.get(m.group(1), ""), text)
    text = re.sub(r"您(?:您)+", "您", text).replace("〔", "").replace("〕", "")
    return text.strip(), count


def stage_drafts(state: dict[str, Any], answer: DraftAnswer) -> tuple[dict[str, dict[str, Any]], list[dict]]:
    """Answer → {stage: {"source" (Simplified), "text" (owner's script), "techniques" [refs]}}."""
    from agent.understand.script import to_script

    drafts: dict[str, dict[str, Any]] = {}
    events: list[dict[str, Any]] = []
    for item in answer.stages:
        stage = item.stage.value
        offered = {tech["id"]: tech for tech in state["techniques"].get(stage, [])}
        cited = [offered[tid] for tid in dict.fromkeys(item.techniques) if tid in offered]
        if not cited and offered:
            cited = [next(iter(offered.values()))]
            events.append(event("citation_defaulted", stage=stage, cited=item.techniques[:5]))
        source, scrubbed = scrub_placeholders(item.text.strip())
        if scrubbed:
            events.append(event("placeholder_rephrased", stage=stage, count=scrubbed))
        drafts[stage] = {
            "source": source,
            "text": to_script(source, state["script"], state.get("script_variant", "tw")),
            "techniques": [{"id": t["id"], "title": t["title"], "source": t["source"]} for t in cited],
        }
    return drafts, events


def merge_classification(rules: dict[str, Any], model: Classification | None) -> dict[str, Any]:
    """The model refines the rules, but never lowers severity/urgency or drops an escalation."""
    if model is None:
        return rules
    base = Classification.model_validate(rules)
    severity = max(base.severity, model.severity, key=_SEVERITY_RANK.__getitem__)
    escalate = base.escalate or model.escalate
    merged = Classification(
        category=model.category, severity=severity, mindset=model.mindset, escalate=escalate,
        urgency=Urgency.urgent if Urgency.urgent in (base.urgency, model.urgency) else Urgency.normal,
        reason=(model.reason or base.reason) if escalate else "",
    )
    return merged.model_dump(mode="json")


def draft_request(state: dict[str, Any], failing: list[str] | None = None) -> DraftRequest:
    """The drafter's input for this state: all six stages, or (re-ask) only ``failing`` with the
    broken rules' fix hints and the drafts that failed."""
    hints = state.get("fix_hints") or {}
    return DraftRequest(
        complaint=state["complaint_model"], script=state["script"],
        classification=Classification.model_validate(state["classification"]),
        techniques={Stage(stage): [Technique(**item) for item in items]
                    for stage, items in state["techniques"].items()},
        history=[HistoryTurn(**turn) for turn in state.get("history_masked") or []],
        only_stages=[Stage(s) for s in failing] if failing else None,
        fix_hints={Stage(s): list(hints.get(s, [])) for s in failing or ()},
        rejected={Stage(s): state["drafts"][s]["source"] for s in failing or ()},
        channel=state.get("channel"),
    )


def llm_events(raw: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [event(item["action"], **item["detail"]) for item in raw]
