"""The drafting expectations, on plain DraftSet-shaped dicts (no model, no service)."""

from __future__ import annotations

from evals.kinds.drafting_checks import evaluate, request_text


def draft(**overrides):
    stages = []
    for stage in ("listen", "empathize", "ask", "act", "negotiate", "thank"):
        stages.append({"stage": stage, "text": f"{stage} 的回复。", "techniques": [{"id": f"{stage}.overview"}],
                       "guardrail": {"passed": True, "violations": []}})
    data = {"status": "pending_approval", "script": "simplified", "drafter": "model", "llm_calls": 1,
            "classification": {"category": "facilities", "severity": "major", "urgency": "urgent",
                               "mindset": "vent", "escalate": True}, "stages": stages}
    data.update(overrides)
    return data


def with_violation(data, stage, category, text, start, end, passed=False):
    for s in data["stages"]:
        if s["stage"] == stage:
            s["text"] = text
            s["guardrail"] = {"passed": passed, "violations": [
                {"category": category, "rule_id": f"{category}.x", "severity": "block", "start": start, "end": end,
                 "excerpt": text[start:end], "message": "m"}]}
    return data


def test_everything_matching_passes():
    expect = {"classification": {"category": "facilities", "severity": "major"}, "status": "pending_approval",
              "llm_calls": 1, "drafter": "model", "script": "simplified", "techniques_cited": ["act.overview"],
              "guardrail": {"all": {"passed": True, "must_not": "all"}}, "contains": ["act 的回复"],
              "not_contains": ["13812345678"], "regex": {"thank": ["^thank"]}}
    checks, mismatches = evaluate(expect, draft(), [])
    assert mismatches == [] and all(checks.values()) and len(checks) >= 10


def test_each_field_mismatch_is_named_with_expected_and_actual():
    expect = {"classification": {"severity": "general"}, "status": "flagged", "llm_calls": 2,
              "drafter": "offline_fallback", "script": "traditional", "techniques_cited": ["act.missing"]}
    checks, mismatches = evaluate(expect, draft(), [])
    got = {m.check: (m.expected, m.actual) for m in mismatches}
    assert got["classification.severity"] == ("general", "major")
    assert got["status"] == ("flagged", "pending_approval")
    assert got["llm_calls"] == (2, 1)
    assert got["drafter"] == ("offline_fallback", "model")
    assert got["script"] == ("traditional", "simplified")
    assert "act.missing" in next(m.detail for m in mismatches if m.check == "techniques")
    assert not any(checks.values())


def test_guardrail_must_and_must_not_per_stage():
    data = with_violation(draft(), "act", "buck_passing", "这事您找开发商吧", 2, 7)
    ok, _ = evaluate({"guardrail": {"act": {"must": ["buck_passing"], "passed": False}}}, data, [])
    assert ok == {"guardrail.act": True}
    bad, mismatches = evaluate({"guardrail": {"act": {"must_not": ["buck_passing"]}}}, data, [])
    assert bad == {"guardrail.act": False}
    assert "buck_passing" in mismatches[0].detail and mismatches[0].actual == {"act": ["buck_passing"]}
    anywhere, _ = evaluate({"guardrail": {"any": {"must": ["buck_passing"]}, "all": {"passed": True}}}, data, [])
    assert anywhere == {"guardrail.any": True, "guardrail.all": False}


def test_text_assertions_whole_set_and_per_stage():
    data = draft()
    checks, mismatches = evaluate({"contains": {"ask": ["listen"]}, "not_contains": ["empathize 的"],
                                   "regex": [r"\d{11}"]}, data, [])
    assert checks == {"contains": False, "not_contains": False, "regex": False}
    assert "empathize 的" in mismatches[1].detail


def test_request_not_contains_reads_message_contents():
    body = '{"model": "m", "messages": [{"role": "user", "content": "\\u7535\\u8bdd 13812345678"}]}'
    assert "电话 13812345678" in request_text(body.encode())
    checks, mismatches = evaluate({"request_not_contains": ["13812345678"]}, draft(), [request_text(body)])
    assert checks == {"request_not_contains": False} and mismatches[0].actual == ["13812345678"]
