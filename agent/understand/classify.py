"""Offline, rule-based complaint classifier (category, severity, urgency, mindset, escalate).

The rules are data: ``agent/understand/classify_rules.yaml`` (keywords / regexes with weights). The same
``Classification`` schema comes from a model when one is configured; this is the embedded default
and the fallback. Report accuracy on a labelled set with::

    python -m agent.understand.classify_eval --eval evals/drafting/complaints.jsonl
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from agent.errors import InvalidInput
from agent.understand.models import Classification
from agent.understand.script import to_simplified
from agent.vocab import Category, Mindset, Severity, Urgency

RULES_PATH = Path(__file__).parent / "classify_rules.yaml"
_PLACEHOLDER = re.compile(r"〔[^〕]{1,6}〕")


def _term(term: str) -> re.Pattern[str]:
    return re.compile(term[3:] if term.startswith("re:") else re.escape(term))


@dataclass(frozen=True)
class _Rules:
    categories: dict[Category, list[tuple[re.Pattern[str], float]]]
    tie_order: list[Category]
    majors: list[tuple[str, list[re.Pattern[str]]]]
    repeat: re.Pattern[str]
    damage: re.Pattern[str]
    repeated_damage_label: str
    important: list[re.Pattern[str]]
    urgent: list[re.Pattern[str]]
    compensation: re.Pattern[str]
    respect: re.Pattern[str]
    compensation_not_fees: bool
    respect_strong: re.Pattern[str]
    ignore_for_important: re.Pattern[str]
    escalate: list[tuple[re.Pattern[str], str]]


@lru_cache(maxsize=4)
def load_rules(path: Path = RULES_PATH) -> _Rules:
    """Compile the rule file once (cached). A broken file raises ``InvalidInput`` naming it."""
    import yaml

    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        categories = {
            Category(name): [(_term(t), float(w)) for t, w in (terms or {}).items()]
            for name, terms in raw["categories"].items()
        }
        sev = raw["severity"]
        majors = [(sev[k]["label"], [_term(t) for t in sev[k]["terms"]]) for k in ("danger", "group", "media")]
        return _Rules(
            categories=categories,
            tie_order=[Category(c) for c in raw["tie_order"]],
            majors=majors,
            repeat=_term(sev["repeated_damage"]["repeat"]),
            damage=_term(sev["repeated_damage"]["damage"]),
            repeated_damage_label=sev["repeated_damage"]["label"],
            important=[_term(t) for t in sev["important"]],
            urgent=[_term(t) for t in raw["urgency"]["urgent"]],
            compensation=_term(raw["mindset"]["compensation"]),
            respect=_term(raw["mindset"]["respect"]),
            compensation_not_fees=bool(raw["important_mindset"]["compensation_not_fees"]),
            respect_strong=_term(raw["important_mindset"]["respect_strong"]),
            ignore_for_important=_term(raw["important_mindset"]["ignore_for_important"]),
            escalate=[(_term(e["terms"]), e["reason"]) for e in raw["escalate"]],
        )
    except (OSError, KeyError, TypeError, ValueError, re.error, yaml.YAMLError) as exc:
        raise InvalidInput(
            f"分类规则文件有误:{path}({exc})", f"invalid classifier rules file {path}: {exc}"
        ) from exc


def _category(text: str, rules: _Rules) -> Category:
    scores = {cat: sum(w for pattern, w in terms if pattern.search(text)) for cat, terms in rules.categories.items()}
    best = max(scores.values(), default=0)
    if best <= 0:
        return Category.other
    return next(cat for cat in rules.tie_order if scores.get(cat, 0) == best)


def _first_match(patterns: list[re.Pattern[str]], text: str) -> re.Match[str] | None:
    for pattern in patterns:
        match = pattern.search(text)
        if match:
            return match
    return None


def classify_offline(text: str) -> Classification:
    """Classify a (masked) complaint with the rule file; Simplified or Traditional input."""
    if not isinstance(text, str) or not text.strip():
        raise InvalidInput("投诉内容为空,无法分类。", "The complaint is empty; nothing to classify.")
    rules = load_rules()
    plain = _PLACEHOLDER.sub(" ", to_simplified(text))

    category = _category(plain, rules)
    if rules.compensation.search(plain):
        mindset = Mindset.compensation
    elif rules.respect.search(plain):
        mindset = Mindset.respect
    else:
        mindset = Mindset.vent

    severity, reasons = Severity.general, []
    for label, patterns in rules.majors:
        match = _first_match(patterns, plain)
        if match:
            severity = Severity.major
            reasons.append(f"{label}({match.group(0)})")
    if rules.repeat.search(plain) and rules.damage.search(plain):
        severity = Severity.major
        reasons.append(rules.repeated_damage_label)
    if severity is not Severity.major and (
        _first_match(rules.important, rules.ignore_for_important.sub(" ", plain))
        or (mindset is Mindset.compensation and rules.compensation_not_fees and category is not Category.fees)
        or (mindset is Mindset.respect and rules.respect_strong.search(plain))
    ):
        severity = Severity.important
    urgency = Urgency.urgent if _first_match(rules.urgent, plain) else Urgency.normal

    if severity is Severity.major:
        reason = ";".join(reasons) + ",需立即上报主管/项目经理并跟进处置"
    elif severity is Severity.important and mindset is Mindset.compensation:
        reason = "业主提出赔偿诉求,需主管核实定损后答复"
    elif severity is Severity.important and mindset is Mindset.respect:
        reason = "业主对工作人员的态度不满并要求说法,需主管出面处理"
    else:
        reason = next((why for pattern, why in rules.escalate if pattern.search(plain)), "")
    return Classification(
        category=category, severity=severity, urgency=urgency, mindset=mindset,
        escalate=bool(reason), reason=reason,
    )
