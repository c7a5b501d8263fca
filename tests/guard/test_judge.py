"""The optional LLM judge, against a mocked OpenAI-compatible host (respx)."""

from __future__ import annotations

import json

import httpx
import respx

from agent.guard import GuardChecker
from agent.settings import Settings

URL = "http://llm.test/v1/chat/completions"


def _settings(**kw) -> Settings:  # type: ignore[no-untyped-def]
    return Settings(model="openai/test-model", api_base="http://llm.test/v1", api_key="sk-test-1234",
                    llm_judge=True, retries=0, **kw)


def _reply(content: str) -> httpx.Response:
    return httpx.Response(200, json={
        "id": "x", "object": "chat.completion", "created": 0, "model": "test-model",
        "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": content}}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    })


def test_judge_adds_advisory_violations():
    text = "这个嘛,我们琢磨琢磨。"
    answer = {"items": [{"index": 0, "violations": [
        {"category": "vague", "excerpt": "我们琢磨琢磨", "reason": "没有时间和负责人"}]}]}
    with respx.mock(assert_all_called=True) as mock:
        route = mock.post(URL).mock(return_value=_reply(json.dumps(answer, ensure_ascii=False)))
        checker = GuardChecker.from_settings(_settings())
        result = checker.check(text, "act")
    sent = json.loads(route.calls.last.request.content)
    assert text in sent["messages"][1]["content"]
    judge = [v for v in result.violations if v.rule_id == "llm_judge.vague"]
    assert len(judge) == 1 and judge[0].severity == "warn"
    assert text[judge[0].start:judge[0].end] == "我们琢磨琢磨"
    assert result.passed and len(result.violations) == 1  # the offline rules see nothing; advisory only


def test_judge_failure_keeps_the_offline_verdict():
    with respx.mock() as mock:
        mock.post(URL).mock(return_value=httpx.Response(500, json={"error": {"message": "boom"}}))
        checker = GuardChecker.from_settings(_settings())
        result = checker.check("您说的根本不对。", "listen")
    assert [v.rule_id for v in result.violations] == ["arguing.contradict_owner"]


def test_judge_is_off_by_default():
    with respx.mock(assert_all_called=False) as mock:
        route = mock.post(URL)
        checker = GuardChecker.from_settings(Settings(model="openai/test-model", api_base="http://llm.test/v1"))
        checker.check("我们会尽快处理的。", "act")
    assert not route.called
