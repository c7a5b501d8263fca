"""Plain data the runner passes between loader, kinds and reporters."""

from __future__ import annotations

import traceback
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from agent.errors import WuyeError

Kind = Literal["drafting", "guardrail", "retrieval"]
CaseStatus = Literal["passed", "failed", "tolerated", "error"]

# Metrics where a smaller number is better (thresholds given as a bare number are a maximum,
# and a baseline regression is an increase).
LOWER_IS_BETTER = frozenset({"fp_rate", "error_rate", "pii_echo", "mean_llm_calls"})


@dataclass
class Suite:
    name: str
    kind: Kind
    path: Path
    cases: list[dict[str, Any]]
    description: str = ""
    source: Path | None = None
    k: int = 3
    thresholds: dict[str, dict[str, float]] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)
    case_lines: list[int] = field(default_factory=list)  # line of each case in its file
    case_file: Path | None = None  # the file the cases came from (source or the suite itself)


@dataclass
class LoadIssue:
    """An unusable suite file (or entry in it): reported, then the other suites still run."""

    path: Path
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f" [{self.field}]" if self.field else ""
        return f"{self.path}:{self.line}:{where} {self.message}"


@dataclass
class Mismatch:
    """One failed expectation: what the suite wanted vs what the run produced."""

    check: str
    expected: Any
    actual: Any
    detail: str = ""


@dataclass
class Span:
    """A guardrail violation in an output text (for highlighting)."""

    stage: str
    category: str
    start: int
    end: int
    rule_id: str = ""
    severity: str = ""
    message: str = ""


@dataclass
class CaseResult:
    suite: str
    case_id: str
    status: CaseStatus
    seconds: float = 0.0
    mismatches: list[Mismatch] = field(default_factory=list)
    error: str | None = None
    # kind-specific facts the metrics and the HTML report use
    facts: dict[str, Any] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)  # stage (or "text") → output text
    spans: list[Span] = field(default_factory=list)
    line: int = 0
    file: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "passed"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ThresholdCheck:
    metric: str
    bound: Literal["min", "max"]
    limit: float
    actual: float | None
    passed: bool


@dataclass
class SuiteResult:
    suite: str
    kind: Kind
    path: str
    description: str
    cases: list[CaseResult]
    metrics: dict[str, float]
    groups: dict[str, dict[str, float]]  # per-category / per-tag metrics
    thresholds: list[ThresholdCheck]
    seconds: float = 0.0
    mode: str = "mocked"

    @property
    def gated(self) -> bool:
        """True when thresholds (not per-case strictness) decide the suite's pass."""
        return bool(self.thresholds)

    @property
    def passed(self) -> bool:
        if any(case.status == "error" for case in self.cases):
            return False
        if self.gated:
            return all(check.passed for check in self.thresholds)
        return all(case.status == "passed" for case in self.cases)

    def counts(self) -> dict[str, int]:
        out = {"passed": 0, "failed": 0, "tolerated": 0, "error": 0}
        for case in self.cases:
            out[case.status] += 1
        return out


def describe_error(exc: BaseException) -> str:
    """One readable line (bilingual for our own errors) plus the innermost frame for the rest."""
    if isinstance(exc, WuyeError):
        return exc.message
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" (at {Path(frames[-1].filename).name}:{frames[-1].lineno})" if frames else ""
    return f"用例运行出错 / case crashed: {type(exc).__name__}: {exc}{where}"
