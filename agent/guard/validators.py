"""guardrails-ai validators: one per violation category. Imported lazily (guardrails is heavy).

The value validated is the batch's texts joined by a separator (a six-stage draft set, or a chunk
of CLI lines), so guardrails-ai's per-call overhead is paid once; ``metadata["items"]`` says where
each text starts and which stage it is. Each category validator (``wuye/arguing`` …
``wuye/pii_leak``) runs ``category_hits`` (agent/guard/categories.py: the category's rules after the
clause analysis, then the learned classifier) on every item, and returns

* ``FailResult.error_spans`` — native ``ErrorSpan``s whose ``start``/``end`` are offsets into the
  validated value and whose ``reason`` is the human message shown to agents;
* ``FailResult.metadata["hits"]`` — one structured record per span: item, offsets inside the
  item's own text, rule id, category, severity, source (``rule`` | ``learned`` | ``llm_judge``),
  the playbook entries, and for learned hits the probability, threshold and nearest example.

``on_fail`` of every validator comes from the policy (``on_fail`` in guardrails/policy.yaml:
``reask`` = the stage is re-drafted, ``noop`` = flag for the reviewer only), so the Guard's history
shows what happened. The checker, not guardrails-ai, turns the hits into ``GuardResult``s.
"""

from __future__ import annotations

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

from agent.guard.categories import category_hits  # noqa: E402
from agent.guard.engine import Engine  # noqa: E402
from agent.guard.learned import LearnedModel  # noqa: E402
from agent.vocab import RuleSeverity, Stage, ViolationCategory  # noqa: E402
from guardrails import Guard, OnFailAction  # noqa: E402

SEPARATOR = "\n\u241e\n"  # between the texts of a batch (␞ never occurs in a reply we check)


def join_items(items: list[tuple[str, Stage]]) -> tuple[str, list[dict[str, Any]]]:
    """The validated value and ``metadata["items"]`` (stage, start, end of each text in the value)."""
    parts, meta, pos = [], [], 0
    for text, stage in items:
        parts.append(text)
        meta.append({"stage": stage.value, "start": pos, "end": pos + len(text)})
        pos += len(text) + len(SEPARATOR)
    return SEPARATOR.join(parts), meta


class CategoryValidator(Validator):
    """Rules + learned classifier of one violation category, over every text of the batch."""

    category: ViolationCategory

    def __init__(self, engine: Engine, learned: LearnedModel | None, learned_severity: RuleSeverity,
                 on_fail: Any, **kwargs: Any) -> None:
        super().__init__(on_fail=on_fail, use_local=True, **kwargs)
        self._engine = engine
        self._learned = learned
        self._learned_severity = learned_severity

    def _validate(self, value: Any, metadata: dict[str, Any]) -> ValidationResult:
        spans: list[ErrorSpan] = []
        hits: list[dict[str, Any]] = []
        for i, item in enumerate(metadata["items"]):
            base = item["start"]
            for hit in category_hits(self._engine, self._learned, self._learned_severity, self.category,
                                     value[base:item["end"]], Stage(item["stage"])):
                spans.append(ErrorSpan(start=base + hit["start"], end=base + hit["end"], reason=hit["message"]))
                hits.append({"item": i, **hit})
        if not spans:
            return PassResult()
        # guardrails-ai hands a FailResult's metadata to the next validator: keep the batch's items in it
        return FailResult(error_message=f"{len(spans)} {self.category.value} hit(s)", error_spans=spans,
                          metadata={**metadata, "category": self.category.value, "hits": hits})


VALIDATORS: dict[ViolationCategory, type[CategoryValidator]] = {}
for _category in ViolationCategory:
    _cls = type(f"{_category.value.title().replace('_', '')}Validator", (CategoryValidator,),
                {"category": _category, "__doc__": f"wuye/{_category.value}: rules + learned classifier."})
    VALIDATORS[_category] = register_validator(name=f"wuye/{_category.value}", data_type="string")(_cls)


@register_validator(name="wuye/llm-judge", data_type="string")
class LLMJudge(Validator):
    """Optional: asks the configured model about subtle cases (off unless ``settings.llm_judge``)."""

    def __init__(self, judge: Any, **kwargs: Any) -> None:
        super().__init__(on_fail=OnFailAction.NOOP, use_local=True, **kwargs)
        self._judge = judge

    def _validate(self, value: Any, metadata: dict[str, Any]) -> ValidationResult:
        items = [{"stage": it["stage"], "text": value[it["start"]:it["end"]]} for it in metadata["items"]]
        spans: list[ErrorSpan] = []
        hits: list[dict[str, Any]] = []
        for hit in self._judge.judge(items):
            base = metadata["items"][hit["item"]]["start"]
            spans.append(ErrorSpan(start=base + hit["start"], end=base + hit["end"], reason=hit["reason"]))
            hits.append({"item": hit["item"], "start": hit["start"], "end": hit["end"], "rule_id": hit["rule_id"],
                         "category": hit["category"], "severity": RuleSeverity.warn.value, "source": "llm_judge",
                         "reason": hit["reason"]})
        if not spans:
            return PassResult()
        return FailResult(error_message=f"{len(spans)} LLM-judge hit(s)", error_spans=spans,
                          metadata={**metadata, "category": "llm_judge", "hits": hits})


def policy_on_fail(action: str):  # type: ignore[no-untyped-def]
    """The policy's on_fail for a category, as a guardrails-ai custom handler.

    guardrails-ai's built-in ``REASK`` returns a ``ReAsk`` that ends the validator chain at the first
    failing validator, which would hide every other category's hits in the batch (and a batch holds
    six stages). So the decision is recorded on the ``FailResult`` (``metadata["on_fail"]``: ``reask``
    = the workflow's revise node re-drafts the stage; ``noop`` = flag for the reviewer) and the
    value passes on unchanged to the next validator; the Guard's history keeps every FailResult.
    """

    def on_fail(value: Any, fail_result: FailResult) -> Any:
        fail_result.metadata = {**(fail_result.metadata or {}), "on_fail": action}
        return value

    on_fail.__name__ = f"on_fail_{action}"
    return on_fail


def build_guard(engine: Engine, learned: LearnedModel | None, judge: Any | None = None) -> Guard:
    """One Guard with a validator per category (+ the judge when enabled); telemetry off.

    OpenTelemetry tracing of guardrails-ai is switched off as well: nothing about an owner's
    reply should be exported.
    """
    guardrails_settings.disable_tracing = True
    spec = engine.policy.spec
    validators: list[Validator] = [
        VALIDATORS[c](engine, learned, spec.learned.severity, policy_on_fail(spec.on_fail.get(c, "reask")))
        for c in ViolationCategory
    ]
    if judge is not None:
        validators.append(LLMJudge(judge))
    guard = Guard(name="wuye-guardrails", history_max_length=1).use(*validators)
    guard.configure(allow_metrics_collection=False)
    return guard
