"""The prompt ↔ model contract (docs/CONTRACTS.md §4), shared by the draft and revise nodes:
build the context, render the messages, parse the answer, turn it into stage drafts.
"""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from agent.llm import OutputInvalid
from agent.models import Classification
from agent.nodes.common import event
from agent.vocab import STAGE_ZH, Severity, Stage, Urgency

MAX_STAGE_CHARS = 600
_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$", re.IGNORECASE)
_SEVERITY_RANK = {Severity.general: 0, Severity.important: 1, Severity.major: 2}

# A placeholder left in a draft is rephrased, never unmasked (kind label -> neutral words).
_NAME_PLACEHOLDER = re.compile(
    r"〔姓名\d+〕(?:先生|女士|小姐|阿姨|太太|大爷|大爺|大妈|大媽|奶奶|爷爷|爺爺|叔叔|老师|老師)?")
_NEUTRAL = {"电话": "您的联系电话", "電話": "您的联系电话", "身份证": "您的证件信息", "身份證": "您的证件信息",
            "车牌": "您的车辆", "車牌": "您的车辆", "邮箱": "您的邮箱", "郵箱": "您的邮箱",
            "房号": "您家", "房號": "您家"}
_ANY_PLACEHOLDER = re.compile(r"〔([^〕\d]{1,6})\d*〕")


class StageAnswer(BaseModel):
    stage: Stage
    text: str = Field(min_length=1, max_length=MAX_STAGE_CHARS)
    techniques: list[str] = Field(default_factory=list)


class DraftAnswer(BaseModel):
    stages: list[StageAnswer]
    classification: Classification | None = None


def build_context(state: dict[str, Any], only_stages: list[str] | None = None,
                  fix_hints: dict[str, list[str]] | None = None) -> dict[str, Any]:
    stages = {
        stage: [{key: item[key] for key in ("id", "title", "guidance", "phrasings")} for item in items]
        for stage, items in state["techniques"].items()
    }
    return {"script": state["script"], "complaint": state["complaint_model"],
            "classification": state["classification"], "stages": stages,
            "only_stages": only_stages, "fix_hints": fix_hints or {}}


def render_messages(prompts: Any, state: dict[str, Any], context: dict[str, Any],
                    failing: list[dict[str, Any]]) -> list[dict[str, str]]:
    user = prompts["user"].render(
        complaint=state["complaint_model"], context_json=json.dumps(context, ensure_ascii=False),
        history=state.get("history_masked") or [], failing=failing)
    return [{"role": "system", "content": prompts["system"].render()}, {"role": "user", "content": user}]


def parse_answer(text: str, expected: list[str]) -> DraftAnswer:
    """Validate the model's JSON; raise OutputInvalid (message fed to the repair prompt) otherwise."""
    body = _FENCE.sub("", (text or "").strip())
    start, end = body.find("{"), body.rfind("}")
    if start < 0 or end <= start:
        raise OutputInvalid("回答里没有 JSON 对象 / no JSON object in the answer")
    try:
        raw = json.loads(body[start:end + 1])
    except json.JSONDecodeError as exc:
        raise OutputInvalid(f"JSON 解析失败 / invalid JSON: {exc.msg} (pos {exc.pos})") from exc
    if not isinstance(raw, dict):
        raise OutputInvalid("顶层必须是 JSON 对象 / the top level must be an object")
    classification = raw.pop("classification", None)
    try:
        answer = DraftAnswer.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:5])
        raise OutputInvalid(f"字段不符合要求 / schema mismatch: {problems}") from exc
    try:
        answer.classification = Classification.model_validate(classification) if classification else None
    except ValidationError:
        answer.classification = None  # the rules' classification stands
    seen: dict[str, StageAnswer] = {}
    for item in answer.stages:
        seen.setdefault(item.stage.value, item)
    missing = [stage for stage in expected if stage not in seen]
    if missing:
        raise OutputInvalid(f"缺少环节 / missing stages: {', '.join(missing)}")
    answer.stages = [seen[stage] for stage in expected]
    return answer


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
    from agent.script import to_script

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


def failing_items(state: dict[str, Any], failing: list[str]) -> list[dict[str, Any]]:
    return [{"stage": stage, "zh": STAGE_ZH[Stage(stage)], "text": state["drafts"][stage]["source"],
             "hints": state.get("fix_hints", {}).get(stage, [])} for stage in failing]


def llm_events(raw: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [event(item["action"], **item["detail"]) for item in raw]
