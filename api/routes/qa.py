"""QA endpoint: run the guardrails over texts, with the same item contract as `wuye check --jsonl`:
items ``{"id", "stage", "text"}`` in, ``{"id", "stage", "passed", "violations"}`` out. An unusable item
(e.g. longer than WUYE_MAX_REPLY_CHARS) makes the whole request a 422 naming it."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from agent.guard.models import Violation
from agent.vocab import Stage

from ..deps import CoreDep, QaDep, SettingsDep
from ..errors import ApiError, error_responses
from ..schemas import SafeStr

router = APIRouter(tags=["qa 护栏检查"])


class CheckItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: Annotated[SafeStr, Field(max_length=200)] | int | None = Field(None, description="调用方自己的编号,原样返回")
    text: SafeStr = Field(min_length=1, description="要检查的客服回复")
    stage: Stage = Field(description="六字诀阶段 listen / empathize / ask / act / negotiate / thank")


class CheckRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"items": [
        {"id": "c1", "stage": "act", "text": "这事不归我们管,您自己去找开发商吧。"},
        {"id": "c2", "stage": "thank", "text": "谢谢您及时告诉我们,维修结果我明天上午给您回电。"},
    ]}]})

    items: list[CheckItem] = Field(min_length=1, max_length=100)


class CheckResult(BaseModel):
    id: str | int | None
    stage: Stage
    passed: bool
    violations: list[Violation]


class CheckResponse(BaseModel):
    results: list[CheckResult]
    passed: bool = Field(description="全部通过时为 true")


def _run(core: CoreDep, limit: int, items: list[CheckItem]) -> list[CheckResult]:
    for index, item in enumerate(items):
        if len(item.text) > limit:
            raise ApiError(422, "text_too_long", f"第 {index + 1} 条回复过长({len(item.text)} 字,上限 {limit} 字)。",
                           f"Item {index + 1} is too long ({len(item.text)} characters; limit {limit}).",
                           item=index, id=item.id, limit=limit)
    results = core.context.checker.check_many([(item.text, item.stage.value) for item in items])
    return [CheckResult(id=item.id, stage=item.stage, passed=result.passed, violations=list(result.violations))
            for item, result in zip(items, results, strict=True)]


@router.post("/v1/guardrails/check", response_model=CheckResponse, summary="护栏检查 Check replies",
             responses=error_responses(401, 403, 413, 422, 429))
async def check(body: CheckRequest, principal: QaDep, core: CoreDep, settings: SettingsDep) -> CheckResponse:
    """逐条检查回复是否触犯“必须避免”的行为(争辩、指责、过度承诺、推诿、泄露隐私等)。"""
    results = await asyncio.to_thread(_run, core, settings.max_reply_chars, body.items)
    return CheckResponse(results=results, passed=all(r.passed for r in results))
