"""The draft-set models owned by the drafting workflow (docs/CONTRACTS.md §4).

``DraftSet.model_dump(mode="json")`` is the JSON of ``wuye draft --json`` and of the HTTP API.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from agent.understand.models import Classification
from agent.vocab import Script, Stage

DraftStatus = Literal["pending_approval", "flagged", "approved", "rejected"]
Drafter = Literal["model", "offline", "offline_fallback"]
DecisionAction = Literal["approve", "edit", "reject", "override_approve", "return_to_agent"]
Role = Literal["agent", "supervisor"]


class TechniqueRef(BaseModel):
    """A playbook technique a stage draft cites: corpus entry id, its title, and its seed source."""

    id: str
    title: str
    source: str


class GuardOutcome(BaseModel):
    """`GuardResult.model_dump()` of agent.guard, kept as plain data."""

    passed: bool
    violations: list[dict[str, Any]] = Field(default_factory=list)


class StageDraft(BaseModel):
    stage: Stage
    text: str
    techniques: list[TechniqueRef] = Field(default_factory=list)
    guardrail: GuardOutcome


class PromptRef(BaseModel):
    id: str
    version: str


class FollowUp(BaseModel):
    """回访 reminder created when a draft set is approved."""

    due_at: datetime
    note: str


class AuditEvent(BaseModel):
    at: datetime
    actor: str
    action: str
    detail: dict[str, Any] = Field(default_factory=dict)


class DraftSet(BaseModel):
    """One suggested reply per 六字诀 stage, with its guard results, waiting for (or past) approval."""

    id: str
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
    created_at: datetime
    events: list[AuditEvent] = Field(default_factory=list)
    meta: dict[str, Any] = Field(default_factory=dict)

    def stage(self, stage: Stage | str) -> StageDraft:
        return next(item for item in self.stages if item.stage == Stage(stage))


class Decision(BaseModel):
    """A human decision on a waiting draft set (see DraftingService.decide)."""

    model_config = ConfigDict(extra="forbid")

    action: DecisionAction
    stages: dict[Stage, str] | None = Field(None, description="edit: the new text per edited stage")
    reason: str | None = Field(None, description="reject: why (required)")
    note: str | None = Field(None, description="override_approve / return_to_agent / override edit")
    override: bool = Field(False, description="edit: a supervisor accepts block violations")
