"""The knowledge-gaps report (agent/loop/gaps.py) on a scripted history, with a scripted confidence:
grouping by topic, low retrieval, heavy edits and rejections, stages and techniques edited away,
examples, thresholds — every figure hand-computed."""

from __future__ import annotations

from agent.loop.gaps import HEAVY_EDIT_CHARS, LOW_CONFIDENCE, GapInput, report, topic_of

LEAK = "楼上漏水三天了,天花板都泡坏了"
LEAK2 = "楼上又漏水了,卫生间顶上一直滴水"
CHARGER = "小区充电桩坏了一个月了没人修"
ELEVATOR = "电梯坏了三天了,一直没人修!"
UNNAMED = "你们这个收据上的章怎么是另一家公司的"

SCORES = {LEAK: (0.30, "repair.receive", "受理报修"), LEAK2: (0.25, "repair.receive", "受理报修"),
          CHARGER: (0.05, "repair.track", "跟踪进度"), ELEVATOR: (0.26, "repair.dispatch", "派单"),
          UNNAMED: (0.07, "fee.dispute", "收费争议")}


def confidence(text: str) -> tuple[float, str, str] | None:
    return SCORES.get(text)


def edited(stage_chars: dict[str, int]) -> dict[str, int]:
    return {s: stage_chars.get(s, 0) for s in ("listen", "empathize", "ask", "act", "negotiate", "thank")}


HISTORY = [
    GapInput("d1", LEAK, "facilities", "approved", 0, edited({}), {"act": "act.repair"}),
    GapInput("d2", LEAK2, "facilities", "approved", 45, edited({"act": 40, "thank": 5}),
             {"act": "act.repair", "thank": "thank.sincere"}),
    GapInput("d3", LEAK, "facilities", "approved", 12, edited({"act": 12}), {"act": "act.other"}),  # light edit
    GapInput("d4", CHARGER, "facilities", "rejected", 0, edited({}), {"act": "act.repair"}),
    GapInput("d5", CHARGER, "facilities", None),  # drafted, not decided: low retrieval still counts
    GapInput("d6", ELEVATOR, "facilities", "approved", 0, edited({})),
    GapInput("d7", UNNAMED, "fees", None),
    GapInput("d8", "〔电话1〕", "other", None),  # nothing to score: no confidence, no gap
]


def test_topics_are_the_problem_the_complaint_names() -> None:
    assert topic_of(LEAK, "facilities") == topic_of(LEAK2, "facilities") == "楼上漏水"
    assert topic_of(CHARGER, "facilities") == "充电桩故障"
    assert topic_of(UNNAMED, "fees") == "未识别·收费"


def test_report_on_a_scripted_history() -> None:
    r = report(HISTORY, confidence)
    assert (r.complaints, r.low_confidence, r.heavy_edit_chars) == (8, LOW_CONFIDENCE, HEAVY_EDIT_CHARS)
    by = {t.topic: t for t in r.topics}
    # 充电桩: both low (0.05); d4 rejected → heavy; gaps 2 of 2. 未识别·收费: low 0.07, 1 of 1.
    # 楼上漏水: d2 heavy (45 ≥ 30), d3 light (12), d1 unchanged → 1 of 3. 电梯, 未识别·其他: no gap.
    assert [t.topic for t in r.topics] == ["充电桩故障", "未识别·收费", "楼上漏水"]
    charger = by["充电桩故障"]
    assert (charger.complaints, charger.decided, charger.low_retrieval, charger.heavily_edited, charger.rejected,
            charger.gaps, charger.gap_rate, charger.mean_confidence) == (2, 1, 2, 1, 1, 2, 1.0, 0.05)
    assert charger.closest_entry == "repair.track(跟踪进度)" and charger.edited_stages == []
    assert [e.draft_id for e in charger.examples] == ["d4", "d5"]
    leak = by["楼上漏水"]
    assert (leak.complaints, leak.decided, leak.low_retrieval, leak.heavily_edited, leak.gaps) == (3, 3, 0, 1, 1)
    assert leak.gap_rate == round(1 / 3, 4) and leak.mean_confidence == round((0.30 + 0.25 + 0.30) / 3, 4)
    # edited stages and the techniques they cited, over every approved edit of the topic (d2, d3)
    assert [(c.key, c.n) for c in leak.edited_stages] == [("act", 2), ("thank", 1)]
    assert [(c.key, c.n) for c in leak.techniques_edited_away] == [("act.other", 1), ("act.repair", 1),
                                                                   ("thank.sincere", 1)]
    assert [e.draft_id for e in leak.examples] == ["d2"] and leak.examples[0].edit_chars == 45
    assert "未识别·其他" not in by and "电梯故障" not in by


def test_thresholds_and_minimum() -> None:
    strict = report(HISTORY, confidence, low_confidence=0.28, heavy_edit_chars=10)
    leak = next(t for t in strict.topics if t.topic == "楼上漏水")
    # d2: low (0.25 < 0.28) and heavy; d3: heavy (12 ≥ 10); d1: neither
    assert (leak.low_retrieval, leak.heavily_edited, leak.gaps) == (1, 2, 2)
    assert any(t.topic == "电梯故障" for t in strict.topics)  # 0.26 < 0.28
    assert [t.topic for t in report(HISTORY, confidence, min_gaps=2).topics] == ["充电桩故障"]
    assert report([], confidence).topics == []


def test_the_cli_defaults_are_the_reports() -> None:
    """`wuye corpus gaps` keeps its defaults as literals (the corpus CLI must not import the store);
    they must stay the report's."""
    import inspect

    from agent.loop.cli import gaps
    from agent.loop.gaps import DEFAULT_LIMIT

    defaults = {name: p.default for name, p in inspect.signature(gaps).parameters.items()}
    assert (defaults["min_confidence"], defaults["heavy_edit_chars"], defaults["limit"]) == (
        LOW_CONFIDENCE, HEAVY_EDIT_CHARS, DEFAULT_LIMIT)
