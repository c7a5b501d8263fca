"""Draft-set quality metrics behind ``wuye draft --jsonl FILE --report grounding,repetition,fit``.

- **grounding**: draft sets naming a place, object, hazard, time or count the complaint does not
  (agent/guard/grounding.py), with the first examples (excerpt + stage, never complaint text).
- **repetition**: per stage, the share of draft sets each sentence appears in; the target is that
  no sentence appears in more than 10 % of the sets.
- **fit**: on labelled complaints (``--labels``: JSONL with ``id``, ``category``, ``severity``), the
  share of draft sets citing a technique of the complaint's primary topic
  (agent/retrieval/situated.TOPIC_TECHNIQUES: facilities → repair, fees → fee, service_attitude →
  service, other → outside-scope handling, environment/security/neighbor → order; a labelled
  ``major`` complaint may also be answered with the group-incident playbook), and the number of
  non-major complaints citing a group-incident technique (target 0).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

REPORTS = ("grounding", "repetition", "fit")
MAX_SENTENCE_SHARE = 0.10
MIN_FIT = 0.90
_SENTENCE = re.compile(r"[^。？！?!]+[。？！?!]?")


@dataclass
class DraftRow:
    """One draft set as the report sees it: the masked complaint and the stage texts / citations."""

    id: str
    complaint: str
    texts: dict[str, str]
    cited: dict[str, list[str]] = field(default_factory=dict)


def rows_from_results(pairs: Iterable[tuple[dict[str, Any], dict[str, Any]]]) -> list[DraftRow]:
    from agent.understand.pii import mask_pii

    rows = []
    for item, result in pairs:
        rows.append(DraftRow(str(result.get("id")), mask_pii(item["text"]).text,
                             {s["stage"]: s["text"] for s in result["stages"]},
                             {s["stage"]: [t["id"] for t in s.get("techniques", [])] for s in result["stages"]}))
    return rows


def grounding(rows: list[DraftRow], examples: int = 10) -> dict[str, Any]:
    from agent.guard.grounding import ungrounded

    bad, shown = 0, []
    for row in rows:
        hits = [(stage, m.excerpt, m.kind) for stage, text in row.texts.items() for m in ungrounded(text, row.complaint)]
        bad += bool(hits)
        if hits and len(shown) < examples:
            shown.append({"id": row.id, "ungrounded": hits[:4]})
    return {"sets": len(rows), "ungrounded_sets": bad, "examples": shown, "ok": bad == 0}


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.findall(text) if len(s.strip()) > 6]


def repetition(rows: list[DraftRow], top: int = 3) -> dict[str, Any]:
    per_stage: dict[str, Counter[str]] = {}
    for row in rows:
        for stage, text in row.texts.items():
            per_stage.setdefault(stage, Counter()).update(set(sentences(text)))
    n = max(len(rows), 1)
    stages = {}
    for stage, counts in per_stage.items():
        common = counts.most_common(top)
        stages[stage] = {"max_share": round(common[0][1] / n, 4) if common else 0.0,
                         "top": [{"sentence": s, "sets": c} for s, c in common]}
    worst = max((v["max_share"] for v in stages.values()), default=0.0)
    return {"sets": len(rows), "stages": stages, "max_share": worst, "ok": worst <= MAX_SENTENCE_SHARE}


def fit(rows: list[DraftRow], labels: dict[str, dict[str, Any]]) -> dict[str, Any]:
    from agent.retrieval.situated import TOPIC_TECHNIQUES, primary_topic

    labelled = [r for r in rows if r.id in labels]
    hits = group_misuse = 0
    by_topic: dict[str, list[int]] = {}
    misses: list[dict[str, Any]] = []
    for row in labelled:
        label = labels[row.id]
        major = label.get("severity") == "major"
        topic = primary_topic(str(label.get("category", "other")), group=False)
        wanted = set(TOPIC_TECHNIQUES[topic]) | (set(TOPIC_TECHNIQUES["group"]) if major else set())
        cited = {i for ids in row.cited.values() for i in ids}
        ok = bool(cited & wanted)
        hits += ok
        by_topic.setdefault(topic, [0, 0])
        by_topic[topic][0] += ok
        by_topic[topic][1] += 1
        if not major and any(i.startswith("group.") for i in cited):
            group_misuse += 1
        if not ok and len(misses) < 10:
            misses.append({"id": row.id, "topic": topic, "cited": sorted(cited)})
    n = len(labelled)
    rate = round(hits / n, 4) if n else None
    return {"labelled": n, "fit": rate, "by_topic": {t: f"{a}/{b}" for t, (a, b) in sorted(by_topic.items())},
            "group_for_non_major": group_misuse, "misses": misses,
            "ok": n > 0 and rate is not None and rate >= MIN_FIT and group_misuse == 0}


def parse_reports(spec: str) -> list[str]:
    from agent.errors import InvalidInput

    names = [p.strip() for p in spec.split(",") if p.strip()]
    unknown = [p for p in names if p not in REPORTS]
    if unknown or not names:
        raise InvalidInput(f"未知的报告项:{', '.join(unknown) or spec},可选:{', '.join(REPORTS)}",
                           f"unknown report(s): {', '.join(unknown) or spec}; choose from {', '.join(REPORTS)}")
    return names
