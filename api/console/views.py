"""View models: turn stored draft sets, audit events and query strings into what templates show."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from agent.settings import Settings
from agent.vocab import Category, Severity, ViolationCategory

from . import highlight, playbook
from .labels import RULE_SEVERITY, STAGE, STAGE_HINT, VIOLATION, label
from .queries import QueueQuery

MAX_DAYS = 92


def _enum(value: str | None, enum: type, name: str, errors: list[str]) -> str | None:
    if not value:
        return None
    if value in {m.value for m in enum}:
        return value
    errors.append(f"筛选条件“{name}”的取值无效,已忽略。")
    return None


def _date(value: str | None, name: str, errors: list[str]) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors.append(f"{name}格式应为 2026-11-23 这样的日期,已忽略。")
        return None


def _text(value: str | None, limit: int) -> str | None:
    value = (value or "").strip()
    return value[:limit] if value else None


def parse_queue(params: Any, settings: Settings) -> tuple[QueueQuery, list[str]]:
    errors: list[str] = []
    rule = _text(params.get("rule"), 200)
    if rule and rule not in playbook.rules(settings):
        errors.append("没有这条护栏规则,已忽略规则筛选。")
        rule = None
    since, until = _date(params.get("from"), "起始日期", errors), _date(params.get("to"), "截止日期", errors)
    if since and until and since > until:
        errors.append("起始日期晚于截止日期,已对调。")
        since, until = until, since
    return QueueQuery(
        category=_enum(params.get("category"), Category, "投诉类别", errors),
        violation=_enum(params.get("violation"), ViolationCategory, "违规类别", errors),
        rule=rule, severity=_enum(params.get("severity"), Severity, "严重程度", errors),
        agent=_text(params.get("agent"), 32), project=_text(params.get("project"), 200),
        since=since, until=until,
    ), errors


def parse_int(value: str | None) -> int | None:
    if value and value.isascii() and value.isdigit() and len(value) <= 18:
        return int(value)
    return None


def stats_range(params: Any, today: date) -> tuple[date, date, list[str]]:
    errors: list[str] = []
    until = _date(params.get("to"), "截止日期", errors) or today
    since = _date(params.get("from"), "起始日期", errors) or until - timedelta(days=13)
    if since > until:
        since, until = until, since
        errors.append("起始日期晚于截止日期,已对调。")
    if (until - since).days >= MAX_DAYS:
        since = until - timedelta(days=MAX_DAYS - 1)
        errors.append(f"一次最多查看 {MAX_DAYS} 天,已从 {since.isoformat()} 起显示。")
    return since, until, errors


def stage_views(settings: Settings, data: dict[str, Any]) -> list[dict[str, Any]]:
    rules = playbook.rules(settings)
    tip_rules = {rid: {"source": r.source, "description": r.description} for rid, r in rules.items()}
    out = []
    for item in data.get("stages") or []:
        stage = str(item.get("stage"))
        guard = item.get("guardrail") or {}
        violations = [v for v in guard.get("violations") or [] if isinstance(v, dict)]
        prefix = f"s-{stage}"
        listed = []
        for i, v in enumerate(violations):
            rule = rules.get(str(v.get("rule_id")))
            listed.append({
                "id": highlight.violation_id(prefix, i), "rule_id": v.get("rule_id"),
                "category": v.get("category"), "category_zh": label(VIOLATION, v.get("category")),
                "severity": v.get("severity"), "severity_zh": label(RULE_SEVERITY, v.get("severity")),
                "excerpt": v.get("excerpt", ""), "message": v.get("message", ""),
                "fix_hint": v.get("fix_hint") or (rule.fix_hint if rule else ""),
                "description": rule.description if rule else "", "source": rule.source if rule else "",
            })
        cited = playbook.cited(settings, list(item.get("techniques") or []))
        instead = playbook.instead(settings, stage, violations, exclude={str(c["id"]) for c in cited})
        out.append({
            "stage": stage, "zh": label(STAGE, stage), "hint": label(STAGE_HINT, stage),
            "passed": bool(guard.get("passed", True)), "html": highlight.render(
                str(item.get("text", "")), violations, prefix, tip_rules),
            "violations": listed, "cited": cited, "instead": instead,
        })
    return out


def legend(stages: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(category, label) of every category in ViolationCategory order, present ones only."""
    present = {v["category"] for s in stages for v in s["violations"]}
    return [(c.value, VIOLATION[c]) for c in ViolationCategory if c.value in present]


def event_views(events: list[Any], names: dict[str, str]) -> list[dict[str, Any]]:
    out = []
    for e in events:
        before, after = e.before or {}, e.after or {}
        changes = [{"stage": k, "zh": label(STAGE, k), "before": before.get(k), "after": after.get(k)}
                   for k in sorted(set(before) | set(after), key=lambda s: list(STAGE).index(s) if s in STAGE else 9)]
        out.append({"id": e.id, "draft_id": e.draft_id, "at": e.at, "actor": names.get(e.actor_key_id, e.actor_key_id),
                    "actor_id": e.actor_key_id, "role": e.role, "action": e.action, "note": e.note,
                    "changes": changes, "hits": list(e.rule_hits or [])})
    return out
