"""The typed values of a draft's life (docs/CONTRACTS.md §4): what comes in (``DraftInput``,
``Decision``), who acts (``Actor``), and what is stored and returned (``DraftSet``, ``AuditEvent``).

``DraftSet.model_dump(mode="json")`` is the JSON of ``wuye draft --json`` and of the HTTP API.
``DraftInput`` is also the body of ``POST /v1/drafts``: the schema and the workflow share its limits.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from agent.guard.models import GuardResult, Violation
from agent.loop.models import Commitment
from agent.understand.models import Classification
from agent.vocab import Channel, Script, Stage

# -- limits that do not depend on settings (WUYE_MAX_COMPLAINT_CHARS / _REPLY_CHARS do; the edge checks them)
MAX_HISTORY_TURNS = 20
MAX_PROJECT_CHARS = 200
MAX_OWNER_REF_CHARS = 200
MAX_NOTE_CHARS = 2000
MAX_CONVERSATION_ID_CHARS = 200

DraftStatus = Literal["drafting", "pending_approval", "flagged", "approved", "rejected", "failed"]
WAITING: tuple[DraftStatus, ...] = ("pending_approval", "flagged")
DONE: tuple[DraftStatus, ...] = ("approved", "rejected")
Drafter = Literal["model", "offline", "offline_fallback"]
DecisionAction = Literal["approve", "edit", "reject", "override_approve", "return_to_agent"]
Role = Literal["agent", "supervisor"]


def storable(value: str) -> str:
    """Text every database can store: no NUL characters, no lone UTF-16 surrogates."""
    if "\x00" in value or any("\ud800" <= ch <= "\udfff" for ch in value):
        raise ValueError("文本中含有无效字符(NUL 或不成对的代理字符) / the text contains invalid characters "
                         "(NUL or a lone surrogate)")
    return value


# -- in ---------------------------------------------------------------------------------------------
class DraftPending(BaseModel):
    """A draft set that is not ready: still ``drafting`` (asynchronous request), or ``failed``."""

    id: str
    status: Literal["drafting", "failed"]
    created_at: datetime
    error: str | None = None


class HistoryTurn(BaseModel):
    """One earlier message of the conversation, as the caller sends it (raw: masked at the edge)."""

    model_config = ConfigDict(extra="forbid")

    role: Literal["owner", "staff"] = Field(description="owner 业主 / staff 客服")
    text: str = Field(min_length=1, description="长度上限同 WUYE_MAX_COMPLAINT_CHARS")

    @field_validator("text")
    @classmethod
    def _text(cls, value: str) -> str:
        return storable(value)


class DraftInput(BaseModel):
    """An owner's complaint to draft replies for. Raw: validated and masked once, at the edge
    (``agent.workflow.intake.accept``), before anything is stored."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "complaint": "楼上漏水一个多星期了,报修三次都没人来,天花板都发霉了,你们物业到底管不管?",
        "project": "翠湖苑",
        "history": [{"role": "owner", "text": "上周就打过电话了。"}],
        "channel": "phone",
        "owner_ref": "3-1502",
    }]})

    complaint: str = Field(min_length=1, description="业主原话;长度上限见 WUYE_MAX_COMPLAINT_CHARS(默认 4000 字)")
    project: str = Field(min_length=1, max_length=MAX_PROJECT_CHARS, description="物业项目(小区)名称")
    history: list[HistoryTurn] | None = Field(None, max_length=MAX_HISTORY_TURNS, description="此前的对话(可选)")
    channel: Channel | None = Field(None, description="来源渠道")
    owner_ref: str | None = Field(None, max_length=MAX_OWNER_REF_CHARS,
                                  description="业主/房号的内部编号;只以带密钥的哈希保存,从不原样返回")
    conversation_id: str | None = Field(
        None, min_length=1, max_length=MAX_CONVERSATION_ID_CHARS,
        description="会话编号(可选):服务保存该会话已脱敏的历史,后续消息只需发送本条内容;"
                    "只以带密钥的哈希保存 / optional: the service keeps this conversation's masked history")

    @field_validator("complaint", "owner_ref", "conversation_id")
    @classmethod
    def _text(cls, value: str | None) -> str | None:
        return value if value is None else storable(value)

    @field_validator("project")
    @classmethod
    def _project(cls, value: str) -> str:
        if not storable(value).strip():
            raise ValueError("项目名称不能为空 / the project must not be empty")
        return value.strip()


class Decision(BaseModel):
    """A human decision on a waiting draft set (``agent.workflow.decisions.decide``)."""

    model_config = ConfigDict(extra="forbid")

    action: DecisionAction
    stages: dict[Stage, str] | None = Field(None, description="edit: the new text per edited stage")
    reason: str | None = Field(None, max_length=MAX_NOTE_CHARS, description="reject: why (required)")
    note: str | None = Field(None, max_length=MAX_NOTE_CHARS,
                             description="override_approve / return_to_agent / override edit")
    override: bool = Field(False, description="edit: a supervisor accepts block violations")


class Actor(BaseModel):
    """Who decides: an API key id (or ``cli``) and the role it acts in."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(min_length=1, max_length=40)
    role: Role = "agent"


# -- stored and returned ----------------------------------------------------------------------------
class TechniqueRef(BaseModel):
    """A playbook technique a stage draft cites: corpus entry id, its title, and its seed source."""

    id: str
    title: str
    source: str


class StageDraft(BaseModel):
    stage: Stage
    text: str
    techniques: list[TechniqueRef] = Field(default_factory=list)
    guardrail: GuardResult


class PromptRef(BaseModel):
    id: str
    version: str


class FollowUp(BaseModel):
    """回访 reminder created when a draft set is approved."""

    due_at: datetime
    note: str


class DraftEvent(BaseModel):
    """One entry of a draft's own history (drafting steps and decisions)."""

    at: datetime
    actor: str
    action: str
    detail: dict[str, Any] = Field(default_factory=dict)


class DraftSet(BaseModel):
    """One suggested reply per 六字诀 stage, with its guard results, waiting for (or past) approval.
    ``version`` grows with every change; a decision applies only to the version it was made on."""

    id: str
    version: int = 1
    status: DraftStatus
    script: Script
    complaint_masked: str
    classification: Classification
    stages: list[StageDraft]
    model: str
    drafter: Drafter
    prompt: PromptRef
    llm_calls: int = 0
    timings_ms: dict[str, float] = Field(default_factory=dict)
    final: dict[Stage, str] | None = None
    follow_up: FollowUp | None = None
    commitments: list[Commitment] = Field(default_factory=list, description="采纳时回复中的承诺(承诺台账)")
    created_at: datetime
    events: list[DraftEvent] = Field(default_factory=list)
    meta: dict[str, str | None] = Field(default_factory=dict,
                                        description="project, agent, channel, owner_ref (a keyed hash)")
    conversation_id: str | None = Field(None, description="the conversation (a keyed hash), when it has one")
    conversation_seq: int | None = Field(None, description="which owner message of the conversation it answers")
    stale: bool = Field(False, description="the conversation received a newer owner message: this draft cannot be "
                                           "approved; refresh it (POST /v1/drafts/{id}/refresh)")
    facts_used: list[dict[str, Any]] = Field(
        default_factory=list, description="the complaint's facts the drafts may state: kind, value, span "
        "(offsets into the Simplified masked complaint) — agent/understand/facts.extract_facts")

    def reply(self) -> str:
        """The approved reply as sent to the owner: the final stage texts in 六字诀 order (empty
        before approval)."""
        return "".join(self.final[s] for s in Stage if s in self.final) if self.final else ""

    def stage(self, stage: Stage | str) -> StageDraft:
        return next(item for item in self.stages if item.stage == Stage(stage))

    def texts(self) -> dict[Stage, str]:
        return {item.stage: item.text for item in self.stages}


class RuleHit(BaseModel):
    """A guard violation as the audit log keeps it (its excerpt masked)."""

    stage: Stage | None = None
    rule_id: str
    category: str
    severity: str
    excerpt: str = ""

    @classmethod
    def of(cls, stage: Stage, violation: Violation) -> RuleHit:
        return cls(stage=stage, rule_id=violation.rule_id, category=violation.category.value,
                   severity=violation.severity.value, excerpt=violation.excerpt)


class AuditEvent(BaseModel):
    """One row of the append-only audit log: who did what to which draft, the texts before and
    after (masked) and the rules involved (hit, blocked or overridden)."""

    draft_id: str
    actor_key_id: str
    role: str
    action: str
    at: datetime
    before: dict[str, str] | None = None
    after: dict[str, str] | None = None
    rule_hits: list[RuleHit] = Field(default_factory=list)
    note: str | None = None


class DraftSummary(BaseModel):
    """A row of a queue or list (no stage texts)."""

    id: str
    status: str
    project: str
    agent_key_id: str
    category: str | None
    severity: str | None
    escalate: bool = False
    escalate_reason: str | None = None
    drafter: str | None
    rule_ids: list[str]
    violation_categories: list[str]
    created_at: datetime
    updated_at: datetime


class DraftPage(BaseModel):
    items: list[DraftSummary]
    next_cursor: str | None = Field(None, description="传给 cursor 参数以获取下一页;为空表示没有更多")
