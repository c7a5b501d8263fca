"""What the understanding step knows about a complaint: its classification and specifics.

The same ``Classification`` schema comes from the offline rules (agent/understand/classify.py) and,
refined, from a configured model (see agent/workflow/nodes/drafting.merge_classification).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from agent.vocab import Category, Mindset, Severity, Urgency


class Issue(BaseModel):
    """One distinct issue of a complaint (real complaints often raise several)."""

    category: Category
    summary: str = Field("", description="the issue in a few words, from the (masked) complaint")
    span: tuple[int, int] | None = Field(None, description="where it is said in the masked complaint (start, end)")


class Classification(BaseModel):
    """What kind of complaint this is and how it must be handled (same schema offline and from a model)."""

    model_config = ConfigDict(extra="ignore")

    category: Category = Category.other
    severity: Severity = Severity.general
    urgency: Urgency = Urgency.normal
    mindset: Mindset = Mindset.vent
    escalate: bool = False
    reason: str = Field("", description="Why it escalates (Chinese); empty when it does not.")
    issues: list[Issue] = Field(default_factory=list, description="every issue, the primary (= category) first")
    language: str = Field("zh-Hans", description="the owner's language: zh-Hans, zh-Hant, en or mixed")


class Specifics(BaseModel):
    """The concrete facts of a complaint that make a reply specific: what, where, since when."""

    what: str | None = Field(None, description="the problem, e.g. 电梯故障、楼上漏水")
    where: str | None = Field(None, description="the place, e.g. 3号楼电梯、地下车库")
    since: str | None = Field(None, description="when it started, e.g. 上周、昨晚")
    duration: str | None = Field(None, description="how long it has lasted, e.g. 三天、一个多月")
    repeated: bool = Field(False, description="the owner says it happened before (又、第三次、反复)")
