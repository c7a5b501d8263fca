"""Result types of the guardrails check (docs/CONTRACTS.md §3).

``GuardResult.model_dump()`` is the JSON contract shared by the CLI, the API and the evals.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from agent.vocab import RuleSeverity, ViolationCategory


class Violation(BaseModel):
    """One rule hit. ``start``/``end`` index the ORIGINAL text: ``text[start:end] == excerpt``."""

    category: ViolationCategory
    rule_id: str
    severity: RuleSeverity
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    excerpt: str
    message: str
    fix_hint: str


class GuardResult(BaseModel):
    """``passed`` is False iff at least one block-severity rule fired."""

    passed: bool
    violations: list[Violation] = Field(default_factory=list)

    @classmethod
    def from_violations(cls, violations: list[Violation]) -> GuardResult:
        ordered = sorted(violations, key=lambda v: (v.start, v.end, v.rule_id))
        return cls(
            passed=not any(v.severity == RuleSeverity.block for v in ordered),
            violations=ordered,
        )

    @property
    def categories(self) -> set[str]:
        return {v.category.value for v in self.violations}
