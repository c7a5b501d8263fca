"""guardrails-ai validators compiled from the policy. Imported lazily (guardrails costs ~2.5 s).

The value validated is one JSON document holding a whole batch ``[{"stage", "text"}, …]`` so a
six-stage draft set (or a chunk of CLI lines) pays guardrails-ai's per-call overhead once. Each
rule family is one registered ``Validator``; every hit comes back as a ``FailResult.error_spans``
entry whose ``start``/``end`` are offsets into that item's original text and whose ``reason`` is
JSON ``{"item": i, "rule_id": …}``. ``on_fail`` is NOOP: the validators only report, the checker
decides (``passed`` is false iff a block-severity rule fired).
"""

from __future__ import annotations

import json
import os
from typing import Any

os.environ.setdefault("GUARDRAILS_RUN_SYNC", "true")  # no per-call event loop + thread pool

from guardrails.settings import settings as guardrails_settings  # noqa: E402
from guardrails.validators import (  # noqa: E402
    ErrorSpan,
    FailResult,
    PassResult,
    ValidationResult,
    Validator,
    register_validator,
)

from agent.guard.engine import Engine  # noqa: E402
from agent.guard.text import prepare  # noqa: E402
from agent.vocab import Stage, ViolationCategory  # noqa: E402
from guardrails import Guard, OnFailAction  # noqa: E402

# Rule families: which violation categories each registered validator evaluates.
FAMILIES: dict[str, frozenset[ViolationCategory]] = {
    "tone": frozenset(
        {
            ViolationCategory.arguing,
            ViolationCategory.blaming,
            ViolationCategory.disrespect,
            ViolationCategory.grudging_apology,
        }
    ),
    "commitment": frozenset(
        {
            ViolationCategory.overpromising,
            ViolationCategory.refusing,
            ViolationCategory.buck_passing,
            ViolationCategory.vague,
            ViolationCategory.empty_thanks,
        }
    ),
    "privacy": frozenset({ViolationCategory.privacy_probing, ViolationCategory.pii_leak}),
}


def _items(value: Any) -> list[dict]:
    return json.loads(value) if isinstance(value, str) else value


class _PolicyFamily(Validator):
    """Evaluates the compiled policy rules of one family on every item of the batch."""

    family = ""

    def __init__(self, engine: Engine, **kwargs: Any) -> None:
        super().__init__(on_fail=OnFailAction.NOOP, use_local=True, **kwargs)
        self._engine = engine
        self._categories = FAMILIES[self.family]

    def _validate(self, value: Any, metadata: dict[str, Any]) -> ValidationResult:
        spans: list[ErrorSpan] = []
        for i, item in enumerate(_items(value)):
            for v in self._engine.run(prepare(item["text"]), Stage(item["stage"]), self._categories):
                spans.append(ErrorSpan(start=v.start, end=v.end, reason=json.dumps({"item": i, "rule_id": v.rule_id})))
        if not spans:
            return PassResult()
        return FailResult(error_message=f"{len(spans)} guardrail hit(s) in family {self.family}", error_spans=spans)


@register_validator(name="wuye/tone", data_type="string")
class ToneRules(_PolicyFamily):
    """arguing, blaming, disrespect, grudging_apology."""

    family = "tone"


@register_validator(name="wuye/commitment", data_type="string")
class CommitmentRules(_PolicyFamily):
    """overpromising, refusing, buck_passing, vague, empty_thanks."""

    family = "commitment"


@register_validator(name="wuye/privacy", data_type="string")
class PrivacyRules(_PolicyFamily):
    """privacy_probing, pii_leak."""

    family = "privacy"


@register_validator(name="wuye/llm-judge", data_type="string")
class LLMJudge(Validator):
    """Optional: asks the configured model about subtle cases (off unless ``settings.llm_judge``)."""

    def __init__(self, judge: Any, **kwargs: Any) -> None:
        super().__init__(on_fail=OnFailAction.NOOP, use_local=True, **kwargs)
        self._judge = judge

    def _validate(self, value: Any, metadata: dict[str, Any]) -> ValidationResult:
        spans: list[ErrorSpan] = []
        for hit in self._judge.judge(_items(value)):
            spans.append(
                ErrorSpan(
                    start=hit["start"],
                    end=hit["end"],
                    reason=json.dumps({"item": hit["item"], "rule_id": hit["rule_id"], "category": hit["category"],
                                       "reason": hit["reason"]}, ensure_ascii=False),
                )
            )
        if not spans:
            return PassResult()
        return FailResult(error_message=f"{len(spans)} LLM-judge hit(s)", error_spans=spans)


def build_guard(engine: Engine, judge: Any | None = None) -> Guard:
    """One Guard with the three policy families (+ the judge when enabled); telemetry off.

    OpenTelemetry tracing of guardrails-ai is switched off as well: nothing about an owner's
    reply should be exported, and its span serialisation re-parses the payload (≈ 1/3 of a call).
    """
    guardrails_settings.disable_tracing = True
    validators: list[Validator] = [ToneRules(engine), CommitmentRules(engine), PrivacyRules(engine)]
    if judge is not None:
        validators.append(LLMJudge(judge))
    guard = Guard(name="wuye-guardrails", history_max_length=1).use(*validators)
    guard.configure(allow_metrics_collection=False)
    return guard
