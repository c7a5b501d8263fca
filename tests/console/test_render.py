"""Highlighting (overlapping spans, escaping) and the SVG charts, as pure functions."""

from __future__ import annotations

import re
from datetime import date, timedelta
from xml.etree import ElementTree

from api.console import charts, highlight


def _v(start: int, end: int, category: str = "arguing", rule: str = "arguing.x", **extra: object) -> dict:
    return {"start": start, "end": end, "category": category, "rule_id": rule, "severity": "block",
            "excerpt": "", "message": "m", "fix_hint": "f", **extra}


def test_overlapping_and_nested_spans_are_cut_into_pieces() -> None:
    text = "明明是您自己没关窗,这事不归我们管。"
    violations = [_v(0, 3), _v(2, 8, "blaming"), _v(10, 17, "refusing"), _v(12, 15, "buck_passing")]
    pieces = highlight.pieces(text, violations)
    assert "".join(p.text for p in pieces) == text
    assert [(p.text, p.covering) for p in pieces] == [
        ("明明", (0,)), ("是", (0, 1)), ("您自己没关", (1,)), ("窗,", ()), ("这事", (2,)), ("不归我", (2, 3)),
        ("们管", (2,)), ("。", ()),
    ]


def test_unusable_spans_are_ignored_and_spans_are_clamped() -> None:
    text = "谢谢您"
    pieces = highlight.pieces(text, [_v(5, 9), _v(2, 2), _v(-3, 1), {"start": "x", "end": None}])
    assert [(p.text, p.covering) for p in pieces] == [("谢", (2,)), ("谢您", ())]
    assert highlight.pieces("", [_v(0, 1)]) == []


def test_render_escapes_text_and_rule_fields_and_links_every_explanation() -> None:
    text = "<b>这事不归我们管</b>"
    evil = _v(3, 10, "buck_passing", rule='r"><img src=x onerror=alert(1)>',
              message="<script>x</script>", fix_hint="<i>改</i>")
    html = str(highlight.render(text, [evil, _v(5, 8, "refusing")], "s-act",
                                {"r\"><img src=x onerror=alert(1)>": {"source": "<u>src</u>", "description": ""}}))
    assert "<b>" not in html and "&lt;b&gt;" in html
    assert "<img" not in html and "<script>" not in html and "<i>" not in html and "<u>" not in html
    assert html.count("<mark ") == 3
    refs = re.findall(r'aria-describedby="([^"]+)"', html)
    assert refs == ["s-act-v0", "s-act-v0 s-act-v1", "s-act-v0"]
    assert 'class="v v-buck_passing v-refusing v-block"' in html
    assert "依据:&lt;u&gt;src&lt;/u&gt;" in html and "改法:&lt;i&gt;改&lt;/i&gt;" in html
    ids = re.findall(r'id="(s-act-tip\d+)"', html)
    assert len(ids) == len(set(ids)) == 3


def test_render_without_violations_is_just_escaped_text() -> None:
    assert str(highlight.render("您好 & 谢谢", [], "s-thank")) == "您好 &amp; 谢谢"


def test_stacked_bars_are_valid_svg_with_a_title_per_segment() -> None:
    days = [date(2026, 11, 1) + timedelta(days=i) for i in range(20)]
    series = {"arguing": {days[0]: 2, days[19]: 1}, "vague": {days[0]: 3}}
    svg = str(charts.stacked_bars(days, series, {"arguing": "争辩顶撞", "vague": "含糊其辞"},
                                  chart_id="c1", title="每天<违规>"))
    root = ElementTree.fromstring(svg)  # well-formed XML
    ns = "{http://www.w3.org/2000/svg}"
    rects = root.findall(f"{ns}rect")
    assert len(rects) == 3
    assert [r.find(f"{ns}title").text for r in rects] == [
        "2026-11-01 争辩顶撞:2 份草稿", "2026-11-01 含糊其辞:3 份草稿", "2026-11-20 争辩顶撞:1 份草稿"]
    heights = [float(r.get("height")) for r in rects]
    assert abs(heights[1] / heights[0] - 1.5) < 0.01  # proportional to the counts
    assert root.find(f"{ns}title").text == "每天<违规>"
    labels = [t.text for t in root.findall(f"{ns}text")]
    assert "11-20" in labels  # the latest day is always labelled


def test_empty_chart_says_so() -> None:
    svg = str(charts.stacked_bars([date(2026, 11, 1)], {}, {}, chart_id="c2", title="t"))
    assert "没有违规记录" in svg
    ElementTree.fromstring(svg)


def test_rate_bars_scale_to_percent_and_show_missing_rates() -> None:
    svg = str(charts.rate_bars([("approval", "通过率", 0.5, "已处理 2 份"), ("reject", "驳回率", None, "—")],
                               chart_id="r", title="比例"))
    root = ElementTree.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    widths = [float(r.get("width")) for r in root.findall(f"{ns}rect")]
    assert widths[1] == 0.0 and widths[0] > 0
    assert "50.0%" in svg and "暂无" in svg
