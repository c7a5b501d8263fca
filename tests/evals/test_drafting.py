"""Drafting suites through the real workflow: the model is mocked at the HTTP level (respx inside
the runner), so litellm, retries, repair, re-ask and fallback all run for real."""

from __future__ import annotations

import json
import textwrap

import httpx
import pytest
import respx
import yaml
from pydantic import SecretStr

from agent.settings import Settings

pytestmark = pytest.mark.slow  # imports litellm + LangGraph and builds a draft service (> 5 s)

STAGES = ("listen", "empathize", "ask", "act", "negotiate", "thank")
GOOD = {
    "listen": "您别着急,慢慢说,楼道灯坏了这件事我都记下来了。",
    "empathize": "晚上回家摸黑上楼确实不安全,换成谁都会担心。",
    "ask": "方便说一下是几号楼哪一层的灯不亮吗?",
    "act": "我已经给工程部派了维修单,电工今天下午五点前到现场更换,修好后我给您回电话。",
    "negotiate": "如果您发现别的楼层也有类似情况,可以一起告诉我,我们统一排查。",
    "thank": "谢谢您提醒我们,今晚我会再去楼道确认一遍灯是否修好。",
}


def answer(**override):
    texts = {**GOOD, **override}
    return {"stages": [{"stage": s, "text": texts[s], "techniques": []} for s in STAGES]}


def suite_text(cases) -> str:
    return yaml.safe_dump({"suite": "drafting_small", "kind": "drafting", "settings": {"retries": 1},
                           "cases": cases}, allow_unicode=True, sort_keys=False)


@pytest.fixture
def base(indexed_data_dir):
    return Settings(data_dir=indexed_data_dir)


def test_mocked_paths_pass_and_a_wrong_expectation_shows_the_diff(tmp_path, run, base):
    complaint = "我们楼道的灯坏了一个多礼拜了,晚上回家黑乎乎的,老人上楼都怕摔。"
    cases = [
        {"id": "clean", "complaint": complaint, "model_responses": [answer()],
         "expect": {"llm_calls": 1, "drafter": "model", "status": "pending_approval",
                    "guardrail": {"all": {"passed": True}}, "contains": {"act": ["工程部"]}}},
        {"id": "reask", "complaint": complaint,
         "model_responses": [answer(act="这事不归我们管,您找开发商吧。"),
                             {"stages": [{"stage": "act", "text": GOOD["act"], "techniques": []}]}],
         "expect": {"llm_calls": 2, "status": "pending_approval", "not_contains": ["开发商"]}},
        {"id": "flagged", "complaint": complaint,
         "model_responses": [answer(act="这事不归我们管,您找开发商吧。"),
                             {"stages": [{"stage": "act", "text": "这个您还是去找开发商吧。", "techniques": []}]}],
         "expect": {"llm_calls": 2, "status": "flagged", "guardrail": {"act": {"must": ["buck_passing"]}}}},
        {"id": "fallback", "complaint": complaint, "model_responses": [{"status": 500}, {"timeout": True}],
         "expect": {"drafter": "offline_fallback", "llm_calls": 3}},
        {"id": "pii", "complaint": "我叫张伟,电话13812345678," + complaint, "model_responses": [answer()],
         "expect": {"request_not_contains": ["13812345678", "张伟"], "not_contains": ["13812345678"]}},
        {"id": "offline", "complaint": complaint, "expect": {"drafter": "offline", "status": "pending_approval"}},
        {"id": "wrong", "complaint": complaint, "model_responses": [answer()],
         "expect": {"status": "flagged", "guardrail": {"act": {"must": ["vague"]}}}},
    ]
    path = tmp_path / "small.yaml"
    path.write_text(suite_text(cases), encoding="utf-8")
    junit = tmp_path / "j.xml"
    code, out = run([path], settings=base, junit=junit, report=tmp_path / "r")
    assert code == 1
    document = json.loads((tmp_path / "r" / "results.json").read_text(encoding="utf-8"))
    statuses = {c["case_id"]: c["status"] for c in document["suites"][0]["cases"]}
    assert statuses == {"clean": "passed", "reask": "passed", "flagged": "passed", "fallback": "passed",
                        "pii": "passed", "offline": "passed", "wrong": "failed"}, out
    assert "✗ drafting_small · wrong" in out
    assert "expected 期望: flagged" in out and "actual   实际: pending_approval" in out
    assert "act: 应触发 must fire vague" in out
    html = (tmp_path / "r" / "index.html").read_text(encoding="utf-8")
    assert "drafting_small" in html and "check.status" in html
    assert 'tests="7"' in junit.read_text(encoding="utf-8")


def test_unscripted_model_call_is_reported(tmp_path, run, base):
    cases = [{"id": "short_script", "complaint": "电梯又坏了,困了我十分钟!",
              "model_responses": [answer(act="这事不归我们管,您找开发商吧。")],
              "expect": {"status": "pending_approval"}}]
    path = tmp_path / "s.yaml"
    path.write_text(suite_text(cases), encoding="utf-8")
    code, out = run([path], settings=base)
    assert code == 1 and "the workflow called the model more often than the case scripts" in out


def test_live_mode_records_a_replayable_suite(tmp_path, run, base):
    """--model with --record against a "live" endpoint (respx stands in for it)."""
    complaint = "楼道灯坏了一个礼拜了,晚上黑乎乎的。"
    cases = [{"id": "live1", "complaint": complaint, "expect": {"drafter": "offline", "llm_calls": 1,
                                                                 "status": "pending_approval"}}]
    path = tmp_path / "live.yaml"
    path.write_text(suite_text(cases), encoding="utf-8")
    live = base.model_copy(update={"api_base": "http://live-llm.test/v1", "api_key": SecretStr("sk-live-test"),
                                  "retries": 0})
    body = {"id": "x", "object": "chat.completion", "created": 0, "model": "live-model",
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": json.dumps(answer(), ensure_ascii=False)}}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}
    with respx.mock(assert_all_called=False) as mock:
        route = mock.post("http://live-llm.test/v1/chat/completions").mock(return_value=httpx.Response(200, json=body))
        code, out = run([path], settings=live, model="openai/live-model", record=True)
    assert route.call_count == 1, out
    assert code == 0, out  # drafter/llm_calls/status describe a script: not checked live
    recorded = tmp_path / "live.recorded.yaml"
    assert f"recorded: {recorded}" in textwrap.dedent(out).replace("\n", "")
    doc = yaml.safe_load(recorded.read_text(encoding="utf-8"))
    assert doc["suite"] == "drafting_small_recorded"
    case = doc["cases"][0]
    assert case["model_responses"][0]["stages"][3]["text"] == GOOD["act"]
    assert case["expect"]["drafter"] == "model" and case["expect"]["llm_calls"] == 1
    code, out = run([recorded], settings=base)  # replays offline through the mock
    assert code == 0, out


def test_jobs_run_drafting_cases_in_worker_processes(tmp_path, run, base):
    complaint = "楼道的灯坏了一个多礼拜了,晚上回家黑乎乎的。"
    cases = [{"id": f"c{i}", "complaint": complaint, "model_responses": [answer()],
              "expect": {"llm_calls": 1, "status": "pending_approval"}} for i in range(5)]
    cases.append({"id": "wrong", "complaint": complaint, "model_responses": [answer()], "expect": {"llm_calls": 3}})
    path = tmp_path / "p.yaml"
    path.write_text(suite_text(cases), encoding="utf-8")
    code, out = run([path], settings=base, jobs=2, report=tmp_path / "r")
    assert code == 1
    document = json.loads((tmp_path / "r" / "results.json").read_text(encoding="utf-8"))
    cases_out = document["suites"][0]["cases"]
    assert [c["case_id"] for c in cases_out] == ["c0", "c1", "c2", "c3", "c4", "wrong"]  # suite order kept
    assert [c["status"] for c in cases_out] == ["passed"] * 5 + ["failed"]
    assert cases_out[-1]["line"] > cases_out[0]["line"] > 0
    assert "expected 期望: 3" in out and "actual   实际: 1" in out
