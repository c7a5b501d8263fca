"""What one violation category finds in one text: its compiled policy rules (after the clause
analysis) and, where no rule already explains the category, the learned classifier.

The single owner of that decision. guardrails-ai's category validators (agent/guard/validators.py)
call it for every text of a batch; ``wuye check`` calls it directly when no LLM judge is configured,
so a one-line check does not pay guardrails-ai's import (tests/guard/test_direct_path.py shows both
paths give the same violations).
"""

from __future__ import annotations

from typing import Any

from agent.guard.clauses import analyse, excuse
from agent.guard.engine import Engine
from agent.guard.learned import LearnedModel
from agent.guard.text import prepare
from agent.vocab import RuleSeverity, Stage, ViolationCategory


def category_hits(engine: Engine, learned: LearnedModel | None, learned_severity: RuleSeverity,
                  category: ViolationCategory, text: str, stage: Stage) -> list[dict[str, Any]]:
    """Hits of ``category`` in ``text``: offsets inside ``text``, rule id, severity, source
    (``rule`` | ``learned``), the human ``message``, the playbook entries (rules) or the probability,
    threshold and nearest labelled example (learned)."""
    prep = prepare(text)
    only = frozenset({category})
    hits: list[dict[str, Any]] = []
    for v in engine.run(prep, stage, only):
        rule = engine.policy.by_id[v.rule_id]
        hits.append({"start": v.start, "end": v.end, "rule_id": v.rule_id, "category": category.value,
                     "severity": v.severity.value, "source": "rule", "message": v.message,
                     "playbook": [p.model_dump() for p in rule.playbook]})
    if learned is None or hits:  # the rule already explains this category here
        return hits
    for h in learned.hits(prep, only):
        if excuse(category.value, f"learned.{category.value}", analyse(prep), h.start, h.end):
            continue
        message = (f"“{text[h.start:h.end]}”:分类器判断这句可能属于“{category.value}”"
                   f"(概率 {h.score:.2f} ≥ 阈值 {h.threshold:.2f}),最相近的标注例句:{h.example_text}")
        hits.append({"start": h.start, "end": h.end, "rule_id": f"learned.{category.value}", "category": category.value,
                     "severity": learned_severity.value, "source": "learned", "message": message,
                     "score": round(h.score, 4), "threshold": round(h.threshold, 4), "example_id": h.example_id,
                     "example_text": h.example_text, "similarity": round(h.similarity, 4)})
    return hits
