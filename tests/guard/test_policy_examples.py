"""Every rule in guardrails/policy.yaml: its must-fail examples fail with its category, its
near-misses pass, in every stage the rule applies to."""

from __future__ import annotations

import pytest

from agent.guard.policy import load_policy
from agent.settings import Settings
from agent.vocab import COMPLAINT_CHECKS, Stage, ViolationCategory

POLICY = load_policy(Settings().guardrails_dir)


def _stages(rule) -> list[Stage]:  # type: ignore[no-untyped-def]
    return list(Stage) if rule.stages == "all" else list(rule.stages)


FAILS = [(r.id, ex) for r in POLICY.spec.rules for ex in r.examples.fail]
PASSES = [(r.id, ex, st) for r in POLICY.spec.rules for ex in r.examples.pass_ for st in _stages(r)]


def test_every_rule_has_failing_and_passing_examples():
    for rule in POLICY.spec.rules:
        assert rule.examples.fail, rule.id
        assert rule.examples.pass_, rule.id


def test_every_category_has_a_rule_and_block_severity():
    blocking = {r.category for r in POLICY.spec.rules if r.severity == "block"}
    assert blocking == set(ViolationCategory) - COMPLAINT_CHECKS  # ungrounded: agent/guard/grounding.py


def test_non_textual_items_are_listed_with_reasons():
    assert len(POLICY.spec.non_textual) >= 5
    for item in POLICY.spec.non_textual:
        assert item.reason.strip() and item.source.file.endswith(".txt")


@pytest.mark.parametrize(("rule_id", "text"), FAILS, ids=[f"{r}:{i}" for i, (r, _) in enumerate(FAILS)])
def test_must_fail_examples_fail(checker, rule_id, text):
    rule = POLICY.by_id[rule_id]
    for stage in _stages(rule):
        result = checker.check(text, stage)
        cats = {v.category for v in result.violations}
        assert rule.category in cats, (stage, text, result.violations)
        if rule.severity == "block":
            assert not result.passed


@pytest.mark.parametrize(("rule_id", "text", "stage"), PASSES,
                         ids=[f"{r}:{s}:{i}" for i, (r, _, s) in enumerate(PASSES)])
def test_near_misses_pass(checker, rule_id, text, stage):
    result = checker.check(text, stage)
    assert result.passed and result.violations == [], [v.model_dump() for v in result.violations]
