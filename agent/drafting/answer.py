"""The model's answer (docs/CONTRACTS.md §4): one JSON object with a draft per requested stage,
validated by ``parse_answer``; ``OutputInvalid`` says why an answer is unusable (the message goes
into the one repair request)."""

from __future__ import annotations

import json
import re

from pydantic import BaseModel, Field, ValidationError

from agent.understand.models import Classification
from agent.vocab import Stage

MAX_STAGE_CHARS = 600
_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$", re.IGNORECASE)


class OutputInvalid(ValueError):
    """Raised by a ``parse`` function: the text is not an acceptable answer (message says why)."""


class StageAnswer(BaseModel):
    stage: Stage
    text: str = Field(min_length=1, max_length=MAX_STAGE_CHARS)
    techniques: list[str] = Field(default_factory=list)


class DraftAnswer(BaseModel):
    stages: list[StageAnswer]
    classification: Classification | None = None


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
