"""Typed values of the loop: a commitment (a promise in an approved reply), a 回访 follow-up and
its outcome. ``Commitment`` is part of an approved ``DraftSet`` (``commitments``)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from agent.vocab import Stage

CommitmentKind = Literal["compensation", "fee_adjustment", "visit", "repair", "callback", "follow_up"]
CommitmentStatus = Literal["open", "done"]
FollowUpOutcome = Literal["satisfied", "not_satisfied"]


class Commitment(BaseModel):
    """One promise of an approved reply: what, who carries it out, by when, the quoted span."""

    kind: CommitmentKind
    what: str = Field(description="该承诺的中文名,如「回电答复」")
    party: str = Field("agent", description="谁来办:agent 客服本人 / engineering 工程维修 / housekeeper 管家 …")
    stage: Stage
    start: int = Field(description="quote 在该环节回复中的起始位置(字符)")
    end: int
    quote: str = Field(description="回复中承诺的原文(已脱敏)")
    due_at: datetime
    due_text: str | None = Field(None, description="回复中的时间说法;为空表示未说时间,按政策默认时限")
    within_authority: bool = True
    authority_reason: str | None = None
    authorized_by: str | None = Field(None, description="超出客服权限时,批准该承诺的主管密钥编号")


class FollowUpOutcomeIn(BaseModel):
    """The outcome of a 回访: satisfied, or not satisfied (reopens the case) with a note."""

    model_config = ConfigDict(extra="forbid")

    outcome: FollowUpOutcome
    note: str | None = Field(None, max_length=2000, description="回访记录;不满意时必填")
