"""``GuardChecker``: the Python API of the guardrails (docs/CONTRACTS.md §3).

Compiles the policy once (cached per guardrails folder), validates input, and runs every batch
through ONE guardrails-ai ``Guard.validate`` call whose validators evaluate the compiled rules.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path

from agent.errors import InvalidInput, WuyeError
from agent.guard.engine import Engine
from agent.guard.learned import load_model
from agent.guard.models import GuardResult, Violation
from agent.guard.policy import Policy, load_policy
from agent.settings import Settings
from agent.vocab import RuleSeverity, Stage, ViolationCategory

_STAGES = ", ".join(s.value for s in Stage)
_ZH = {"arguing": "争辩", "blaming": "指责业主", "overpromising": "过度承诺", "refusing": "生硬拒绝",
       "buck_passing": "推诿", "privacy_probing": "打探隐私", "disrespect": "不尊重", "grudging_apology": "敷衍道歉",
       "empty_thanks": "空洞感谢", "vague": "含糊其辞", "pii_leak": "泄露隐私"}


@lru_cache(maxsize=8)
def _cached_policy(folder: str, stamp: tuple[float, ...]) -> Policy:
    return load_policy(Path(folder))


def _policy_for(folder: Path) -> Policy:
    """Cached per folder; a changed policy or lexicon file (mtime) is recompiled."""
    files = [folder / "policy.yaml", *sorted((folder / "lexicons").glob("*.yaml"))]
    stamp = tuple(f.stat().st_mtime if f.exists() else 0.0 for f in files)
    return _cached_policy(str(folder.resolve()), stamp)


def validate_item(text: object, stage: object, max_chars: int) -> tuple[str, Stage]:
    """Raise ``InvalidInput`` for anything that cannot be checked."""
    if not isinstance(stage, str) or stage not in Stage.__members__:
        raise InvalidInput(
            f"未知的阶段 {stage!r},可选:{_STAGES}",
            f"unknown stage {stage!r}; expected one of: {_STAGES}",
            code="unknown_stage",
        )
    if not isinstance(text, str):
        raise InvalidInput(
            f"回复文本必须是字符串,收到的是 {type(text).__name__}",
            f"reply text must be a string, got {type(text).__name__}",
            code="not_a_string",
        )
    if not text.strip():
        raise InvalidInput("回复文本为空", "reply text is empty", code="empty_text")
    if len(text) > max_chars:
        raise InvalidInput(
            f"回复文本过长({len(text)} 字,上限 {max_chars} 字)",
            f"reply text is too long ({len(text)} characters, limit {max_chars})",
            code="text_too_long",
        )
    return text, Stage(stage)


class GuardChecker:
    def __init__(self, policy: Policy, settings: Settings, *, via_guardrails: bool = True) -> None:
        """``via_guardrails=False`` (``wuye check``) runs the same category checks without the
        guardrails-ai Guard and its heavy import — unless the LLM judge is on, which needs the Guard."""
        self.policy = policy
        self.settings = settings
        self.via_guardrails = via_guardrails or bool(settings.llm_judge and settings.model)
        self.engine = Engine(policy)
        self.learned = load_model(Path(settings.guardrails_dir)) if policy.spec.learned.enabled else None
        if self.learned is not None:
            spec = policy.spec.learned
            self.learned.configure([c.value for c in spec.sentence], [c.value for c in spec.whole], spec.whole_max_chars)
        self._guard = None
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings, *, via_guardrails: bool = True) -> GuardChecker:
        return cls(_policy_for(Path(settings.guardrails_dir)), settings, via_guardrails=via_guardrails)

    # -- guardrails-ai ---------------------------------------------------------------------
    def _get_guard(self):  # type: ignore[no-untyped-def]
        if self._guard is None:
            from agent.guard.validators import build_guard  # heavy import, on first use only

            judge = None
            if self.settings.llm_judge and self.settings.model:
                from agent.guard.judge import LLMJudgeClient

                judge = LLMJudgeClient(self.settings)
            self._guard = build_guard(self.engine, self.learned, judge)
        return self._guard

    def warm_up(self) -> None:
        """Load what a first check (and a first learned hit) would otherwise load: the Guard and its
        validators, the learned layer's lookup tables. Local work only."""
        if self.via_guardrails:
            self._get_guard()
        if self.learned is not None:
            self.learned.warm_up()

    def _run(self, items: list[tuple[str, Stage]]) -> list[GuardResult]:
        if not self.via_guardrails:
            return self._run_direct(items)
        from agent.guard.validators import join_items

        value, meta = join_items(items)
        try:
            with self._lock:
                guard = self._get_guard()
                outcome = guard.validate(value, metadata={"items": meta})
                logs = guard.history.last.iterations.last.outputs.validator_logs if guard.history.last else []
        except Exception as exc:  # noqa: BLE001 - surfaced as a typed, bilingual error
            raise WuyeError("护栏检查内部出错,请联系管理员", f"guardrail check failed: {type(exc).__name__}: {exc}",
                            code="guard_error") from exc
        if getattr(outcome, "error", None):
            raise WuyeError("护栏检查内部出错,请联系管理员", f"guardrail check failed: {outcome.error}",
                            code="guard_error")
        found: list[list[Violation]] = [[] for _ in items]
        for log in logs:
            result = log.validation_result
            for hit in (getattr(result, "metadata", None) or {}).get("hits", []) if result is not None else []:
                found[hit["item"]].append(self._violation(hit, items[hit["item"]][0]))
        return [GuardResult.from_violations(v) for v in found]

    def _run_direct(self, items: list[tuple[str, Stage]]) -> list[GuardResult]:
        """The Guard's validators' work without the Guard: each category in the validators' order."""
        from agent.guard.categories import category_hits

        severity = self.policy.spec.learned.severity
        found: list[list[Violation]] = [[] for _ in items]
        for category in ViolationCategory:
            for i, (text, stage) in enumerate(items):
                found[i] += [self._violation(hit, text)
                             for hit in category_hits(self.engine, self.learned, severity, category, text, stage)]
        return [GuardResult.from_violations(v) for v in found]

    def _violation(self, hit: dict, text: str) -> Violation:
        start, end = hit["start"], hit["end"]
        excerpt = text[start:end]
        if hit["source"] == "rule":
            return self.policy.by_id[hit["rule_id"]].violation(text, start, end)
        category = ViolationCategory(hit["category"])
        if hit["source"] == "learned":
            message = (f"“{excerpt}”:分类器认为这句属于{_ZH.get(category.value, category.value)}"
                       f"(概率 {hit['score']:.2f},阈值 {hit['threshold']:.2f});最相近的标注例句"
                       f"〔{hit['example_id']}〕:“{hit['example_text']}”(依据 {self._citation(category.value)})")
        else:  # LLM judge: advisory, reviewed by a human
            message = f"“{excerpt}”:模型评审认为{hit.get('reason', '')}"
        return Violation(
            category=category,
            rule_id=hit["rule_id"],
            severity=RuleSeverity(hit["severity"]),
            start=start,
            end=end,
            excerpt=excerpt,
            message=message,
            fix_hint=self.policy_fix_hint(category.value),
        )

    def _citation(self, category: str) -> str:
        for rule in self.policy.spec.rules:
            if rule.category == category:
                return rule.citation
        return ""

    def policy_fix_hint(self, category: str) -> str:
        for rule in self.policy.spec.rules:
            if rule.category == category:
                return rule.fix_hint
        return "请按六字诀的要求改写这句话。"

    # -- public API (CONTRACTS §3) -------------------------------------------------------------
    def check(self, text: str, stage: str, *, complaint: str | None = None) -> GuardResult:
        """``complaint`` (masked) adds the ``ungrounded`` check; without it that check never runs."""
        item = validate_item(text, stage, self.settings.max_reply_chars)
        return self._grounded(self._run([item])[0], text, complaint)

    def check_set(self, texts: Mapping[str, str], *, complaint: str | None = None) -> dict[str, GuardResult]:
        """One guardrails pass for a whole draft set ``{stage: text}`` (+ ``ungrounded`` when the
        complaint is given)."""
        if not isinstance(texts, Mapping) or not texts:
            raise InvalidInput("草稿集为空或格式不对", "draft set must be a non-empty {stage: text} mapping")
        items = [validate_item(t, s, self.settings.max_reply_chars) for s, t in texts.items()]
        results = self._run(items)
        return {s: self._grounded(r, t, complaint) for (s, t), r in zip(texts.items(), results, strict=True)}

    @staticmethod
    def _grounded(result: GuardResult, text: str, complaint: str | None) -> GuardResult:
        if not complaint:
            return result
        from agent.guard import grounding

        found = [Violation(category=ViolationCategory.ungrounded, rule_id=grounding.RULE_ID,
                           severity=RuleSeverity.block, start=m.start, end=m.end, excerpt=m.excerpt,
                           message=grounding.message(m), fix_hint=grounding.FIX_HINT)
                 for m in grounding.ungrounded(text, complaint)]
        return GuardResult.from_violations([*result.violations, *found]) if found else result

    def check_many(self, items: Iterable[tuple[str, str]]) -> list[GuardResult]:
        """``(text, stage)`` pairs in one guardrails pass (the CLI and evals call it per chunk);
        any unusable pair raises ``InvalidInput``."""
        batch = [validate_item(t, s, self.settings.max_reply_chars) for t, s in items]
        return self._run(batch) if batch else []

    @staticmethod
    def fix_hints(violations: Iterable[Violation]) -> list[str]:
        seen: dict[str, None] = {}
        for v in violations:
            seen.setdefault(v.fix_hint, None)
        return list(seen)
