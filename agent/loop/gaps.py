"""Knowledge gaps (issue 17, item 5): the "missing playbook topics" report — complaints whose
retrieval confidence was low or whose drafts were heavily edited (or rejected), grouped by topic, so
domain people know what to write next (``wuye corpus gaps``, ``GET /v1/analytics/gaps``, the console's
缺口 page).

- topic: the complaint's problem as the understanding step names it (``extract_specifics``: 楼上漏水,
  电梯故障, 充电桩故障 …); a complaint it cannot name is grouped as 「未识别·<category>」 — often the
  clearest sign of a topic nobody wrote about;
- retrieval confidence: the best cosine similarity between the masked complaint and any playbook
  entry against the playbook as it is *now* (``Retriever.confidence``), so a topic written since
  stops showing as a gap; "low" is below ``LOW_CONFIDENCE`` (built-in embedding: the bottom ≈ 7 %
  of our own 82 drafting complaints, docs/closing-the-loop.md);
- heavily edited: the set was rejected, or approved after edits of at least ``HEAVY_EDIT_CHARS``
  characters (``decision_facts``, the latest approve / reject of the draft);
- per topic also: the stages agents edited most, and the techniques those edited stages cited
  ("cited, then edited away"), the playbook entry that comes closest, and a few masked examples.

Pure once the rows are read: ``report(inputs, confidence, ...)``; ``load`` reads the store.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from pydantic import BaseModel, Field

from agent.workflow.store.loop import LoopScope, gap_rows

__all__ = ["LoopScope", "GapInput", "GapsReport", "load", "report", "retriever_confidence"]
from agent.workflow.store.tables import STAGE_NAMES

LOW_CONFIDENCE = 0.08
HEAVY_EDIT_CHARS = 30
DEFAULT_LIMIT = 5000  # newest complaints read per report (≈ 0.3 ms of retrieval scoring each)
EXAMPLES = 3
CATEGORY_ZH = {"facilities": "设施设备", "environment": "环境卫生", "security": "安全秩序", "fees": "收费",
               "service_attitude": "服务态度", "neighbor": "邻里纠纷", "other": "其他"}

# confidence(masked complaint) -> (best cosine, id and title of the closest entry); None = not scorable
Confidence = Callable[[str], tuple[float, str, str] | None]


@dataclass(frozen=True)
class GapInput:
    """One drafted complaint and, when decided, what became of its drafts."""

    draft_id: str
    complaint: str  # masked, as stored
    category: str | None
    outcome: str | None = None  # approved / rejected / None (not decided yet)
    edit_chars: int = 0
    stage_chars: dict[str, int] = field(default_factory=dict)
    techniques: dict[str, str] = field(default_factory=dict)  # stage -> first technique cited


class Count(BaseModel):
    key: str
    n: int


class GapExample(BaseModel):
    draft_id: str
    excerpt: str = Field(description="脱敏后的投诉开头(最多 80 字)")
    confidence: float | None
    outcome: str | None
    edit_chars: int


class GapTopic(BaseModel):
    topic: str
    category: str
    complaints: int
    decided: int
    low_retrieval: int = Field(description="检索置信度低的投诉数")
    heavily_edited: int = Field(description="被驳回或大幅修改的投诉数")
    rejected: int
    gaps: int = Field(description="检索置信度低或大幅修改(任一)的投诉数")
    gap_rate: float
    mean_confidence: float | None
    closest_entry: str | None = Field(None, description="与该主题最接近的话术条目 id(标题)")
    edited_stages: list[Count] = Field(description="被修改最多的环节")
    techniques_edited_away: list[Count] = Field(description="被修改的环节所引用的话术")
    examples: list[GapExample]


class GapsReport(BaseModel):
    since: datetime | None
    until: datetime | None
    complaints: int
    truncated: bool = Field(description="窗口内投诉超过上限,只读了最新的部分")
    low_confidence: float
    heavy_edit_chars: int
    topics: list[GapTopic]


def topic_of(complaint: str, category: str | None) -> str:
    from agent.understand.specifics import extract_specifics

    what = extract_specifics(complaint).what
    return what or f"未识别·{CATEGORY_ZH.get(category or 'other', category or '其他')}"


def report(inputs: list[GapInput], confidence: Confidence, *, since: datetime | None = None,
           until: datetime | None = None, truncated: bool = False, low_confidence: float = LOW_CONFIDENCE,
           heavy_edit_chars: int = HEAVY_EDIT_CHARS, min_gaps: int = 1, top: int = 50) -> GapsReport:
    groups: dict[str, list[tuple[GapInput, float | None, tuple[str, str] | None]]] = defaultdict(list)
    for item in inputs:
        scored = confidence(item.complaint)
        groups[topic_of(item.complaint, item.category)].append(
            (item, None if scored is None else round(scored[0], 4), None if scored is None else scored[1:]))
    topics = []
    for topic, items in groups.items():
        low = heavy = rejected = decided = 0
        stages: Counter[str] = Counter()
        techniques: Counter[str] = Counter()
        closest: Counter[str] = Counter()
        scores = [c for _, c, _ in items if c is not None]
        flagged = []
        for item, conf, best in items:
            is_low = conf is not None and conf < low_confidence
            is_heavy = item.outcome == "rejected" or (item.outcome == "approved" and item.edit_chars >= heavy_edit_chars)
            decided += item.outcome is not None
            rejected += item.outcome == "rejected"
            low += is_low
            heavy += is_heavy
            if best is not None:
                closest[f"{best[0]}({best[1]})"] += 1
            if item.outcome == "approved":
                for stage in STAGE_NAMES:
                    if item.stage_chars.get(stage):
                        stages[stage] += 1
                        if item.techniques.get(stage):
                            techniques[item.techniques[stage]] += 1
            if is_low or is_heavy:
                flagged.append((item, conf))
        if len(flagged) < min_gaps:
            continue
        flagged.sort(key=lambda pair: (pair[1] if pair[1] is not None else 1.0, -pair[0].edit_chars))
        category = Counter(item.category or "other" for item, _, _ in items).most_common(1)[0][0]
        topics.append(GapTopic(
            topic=topic, category=category, complaints=len(items), decided=decided, low_retrieval=low,
            heavily_edited=heavy, rejected=rejected, gaps=len(flagged), gap_rate=round(len(flagged) / len(items), 4),
            mean_confidence=round(sum(scores) / len(scores), 4) if scores else None,
            closest_entry=closest.most_common(1)[0][0] if closest else None,
            edited_stages=[Count(key=k, n=n) for k, n in sorted(stages.items(), key=lambda kv: (-kv[1], kv[0]))],
            techniques_edited_away=[Count(key=k, n=n)
                                    for k, n in sorted(techniques.items(), key=lambda kv: (-kv[1], kv[0]))[:5]],
            examples=[GapExample(draft_id=item.draft_id, excerpt=_excerpt(item.complaint), confidence=conf,
                                 outcome=item.outcome, edit_chars=item.edit_chars)
                      for item, conf in flagged[:EXAMPLES]]))
    topics.sort(key=lambda t: (-t.gaps, -t.gap_rate, t.topic))
    return GapsReport(since=since, until=until, complaints=len(inputs), truncated=truncated,
                      low_confidence=low_confidence, heavy_edit_chars=heavy_edit_chars, topics=topics[:top])


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= 80 else flat[:79] + "…"


def retriever_confidence(retriever) -> Confidence:  # type: ignore[no-untyped-def]
    """``Retriever.confidence`` as a ``Confidence``; a complaint it cannot score gives None."""
    from agent.errors import WuyeError

    def score(text: str) -> tuple[float, str, str] | None:
        try:
            value, hit = retriever.confidence(text)
        except WuyeError:
            return None
        return value, hit.id, hit.title

    return score


async def load(conn, *, scope: LoopScope, since: datetime | None, until: datetime | None,  # type: ignore[no-untyped-def]
               project: str | None, limit: int = DEFAULT_LIMIT) -> tuple[list[GapInput], bool]:
    """The report's inputs from the store, newest first; ``truncated`` when the window holds more."""
    rows, facts = await gap_rows(conn, scope=scope, since=since, until=until, project=project, limit=limit + 1)
    out = []
    for row in rows[:limit]:
        fact = facts.get(row.id)
        out.append(GapInput(
            draft_id=row.id, complaint=(row.request or {}).get("complaint_masked", ""), category=row.category,
            outcome=fact.outcome if fact is not None else None, edit_chars=fact.edit_chars if fact is not None else 0,
            stage_chars={s: getattr(fact, f"e_{s}") for s in STAGE_NAMES} if fact is not None else {},
            techniques={s: getattr(fact, f"t_{s}") for s in STAGE_NAMES if getattr(fact, f"t_{s}")}
            if fact is not None else {}))
    return out, len(rows) > limit
