"""Request and response bodies of the HTTP API (OpenAPI examples in Chinese).

Request bodies forbid unknown fields. The draft set itself is ``agent.workflow.models.DraftSet``; the
create body is ``agent.workflow.models.DraftInput`` (the core's input, with its limits)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from agent.vocab import Stage
from agent.workflow.models import DraftInput, storable

SafeStr = Annotated[str, AfterValidator(storable)]


def _not_blank(value: str, zh: str, en: str) -> str:
    if not value.strip():
        raise ValueError(f"{zh} / {en}")
    return value


DraftCreate = DraftInput  # the body of POST /v1/drafts is the core's own input type (one set of limits)


class ApproveBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: Literal["approve"]


class EditBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: Literal["edit"]
    stages: dict[Stage, Annotated[SafeStr, Field(min_length=1)]] = Field(
        min_length=1, description="要修改的阶段及新文本,例如 {\"act\": \"…\"};修改后会重新检查护栏")
    override: bool = Field(False, description="仅主管可用:接受被拦截的违规并放行")
    note: SafeStr | None = Field(None, max_length=2000, description="主管放行时的说明")


class RejectBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: Literal["reject"]
    reason: SafeStr = Field(min_length=1, max_length=2000, description="驳回原因(必填)")

    @field_validator("reason")
    @classmethod
    def _reason(cls, value: str) -> str:
        return _not_blank(value, "驳回原因不能为空", "a reject needs a reason")


DecisionBody = Annotated[ApproveBody | EditBody | RejectBody, Field(discriminator="action")]
DECISION_EXAMPLES = {
    "approve": {"summary": "采纳", "value": {"action": "approve"}},
    "edit": {"summary": "修改后采纳", "value": {"action": "edit", "stages": {
        "act": "我已经给您登记了加急维修单,师傅今天下午三点前上门查看漏水点,处理完我再给您回个电话。"}}},
    "reject": {"summary": "驳回", "value": {"action": "reject", "reason": "业主已来电说明问题已解决,无需回复。"}},
}


class OverrideApproveBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: Literal["override_approve"]
    note: SafeStr = Field(min_length=1, max_length=2000, description="放行说明(必填)")

    @field_validator("note")
    @classmethod
    def _note(cls, value: str) -> str:
        return _not_blank(value, "放行说明不能为空", "an override needs a note")


class ReviewRejectBody(RejectBody):
    pass


class ReturnBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: Literal["return_to_agent"]
    note: SafeStr = Field(min_length=1, max_length=2000, description="给客服的修改意见(必填)")

    @field_validator("note")
    @classmethod
    def _note(cls, value: str) -> str:
        return _not_blank(value, "退回时请写明修改意见", "return_to_agent needs a note")


ReviewBody = Annotated[OverrideApproveBody | ReviewRejectBody | ReturnBody, Field(discriminator="action")]
REVIEW_EXAMPLES = {
    "override_approve": {"summary": "主管放行", "value": {
        "action": "override_approve", "note": "“一定”指已确认的上门时间,并非承诺结果,可以发送。"}},
    "reject": {"summary": "驳回", "value": {"action": "reject", "reason": "推诿口吻明显,请重新起草。"}},
    "return_to_agent": {"summary": "退回客服修改", "value": {
        "action": "return_to_agent", "note": "“办”这一步请写清楚维修时间和负责人。"}},
}


class AuditEventOut(BaseModel):
    id: int
    draft_id: str
    actor_key_id: str
    role: str
    action: str
    at: datetime
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    rule_hits: list[dict[str, Any]]
    note: str | None


class AuditPage(BaseModel):
    items: list[AuditEventOut]
    next_cursor: str | None = None


class DayViolations(BaseModel):
    date: date
    category: str
    count: int


class Stats(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "total": 120, "by_status": {"approved": 80, "pending_approval": 20, "flagged": 8, "rejected": 12},
        "decided": 92, "approval_rate": 0.87, "edit_rate": 0.25, "reject_rate": 0.13, "flag_rate": 0.2,
        "violations_per_day": [{"date": "2026-11-23", "category": "overpromising", "count": 3}],
    }]})

    total: int
    by_status: dict[str, int]
    decided: int
    approval_rate: float | None
    edit_rate: float | None
    reject_rate: float | None
    flag_rate: float | None = Field(description="起草完成时即被标记(需主管审核)的比例,不论之后如何处理")
    violations_per_day: list[DayViolations]


class Health(BaseModel):
    status: Literal["ok"]


class Readiness(BaseModel):
    status: Literal["ok", "degraded"]
    checks: dict[str, dict[str, Any]]


# -- live channels (issue 16) ---------------------------------------------------------------------
STREAM_DESCRIPTION = """`Accept: text/event-stream`:服务器推送事件 (SSE),按顺序:

- `accepted` `{"id","status":"drafting"}`
- `classification` `{"classification": {...}}`
- `stage` `{"stage","text","techniques","guardrail"}`:每个环节写完并通过护栏检查后立即发送
- `revise` `{"stages": [...]}`:这些环节触犯拦截规则,正在重写(随后再发它们的 `stage`)
- `done` `{"draft": <DraftSet>}`:与 JSON 响应相同的草稿(已保存)
- `error` `{"code","message_zh","message_en"}`:起草失败

Streamed: events in this order; a client that disconnects loses nothing (the draft is stored)."""

RewriteStyle = Literal["warmer", "more_formal", "shorter", "more_specific", "traditional", "simplified"]


class RewriteBody(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"stage": "act", "style": "warmer"}]})
    stage: Stage
    style: RewriteStyle = Field(description="warmer 更温暖 · more_formal 更正式 · shorter 更简短 · more_specific 更具体 · "
                                            "traditional 繁体 · simplified 简体")


class RewriteOut(BaseModel):
    draft_id: str
    version: int = Field(description="改写所基于的草稿版本;采纳时用 edit 提交该文本")
    stage: Stage
    style: str
    before: str
    text: str
    guardrail: dict[str, Any]
    drafter: str = Field(description="model | offline")
