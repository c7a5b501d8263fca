"""agent.drafting.model at HTTP level: retries (timeout, 5xx, 429 + Retry-After), no retry on 4xx, the one
repair attempt, configured fallbacks. The model host is mocked with respx."""

from __future__ import annotations

import json

import httpx
import pytest
import respx

from agent.drafting.model import LLMClient, OutputInvalid, _Attempts
from agent.errors import ModelError
from tests.workflow.conftest import LLM_URL, chat

MESSAGES = [{"role": "system", "content": "只输出 JSON"}, {"role": "user", "content": "<complaint>x</complaint>"}]


def parse(text: str) -> dict:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise OutputInvalid(f"invalid JSON: {exc.msg}") from exc
    if "ok" not in value:
        raise OutputInvalid("missing key ok")
    return value


def repair(error: str) -> str:
    return f"你上一次的回答无效:{error}"


def ok(content: str = '{"ok": true}', **headers: str) -> httpx.Response:
    return httpx.Response(200, json=chat(content), headers=headers)


def client(settings, waits: list[float] | None = None, **changes) -> LLMClient:
    sleep = waits.append if waits is not None else (lambda _s: None)
    return LLMClient(settings.model_copy(update=changes), sleep=sleep)


def test_one_clean_call(model_settings):
    with respx.mock(assert_all_called=False) as mock:
        route = mock.post(LLM_URL).mock(return_value=ok())
        result = client(model_settings).complete(MESSAGES, parse, repair)
    assert result.value == {"ok": True}
    assert (result.calls, route.call_count, result.model, result.drafter) == (1, 1, "openai/test-model", "model")
    body = json.loads(route.calls[0].request.content)
    assert body["response_format"] == {"type": "json_object"}
    assert route.calls[0].request.headers["authorization"] == "Bearer sk-test"


def test_timeout_then_success_is_retried(model_settings):
    with respx.mock(assert_all_called=False) as mock:
        route = mock.post(LLM_URL).mock(side_effect=[httpx.ReadTimeout("slow"), ok()])
        result = client(model_settings).complete(MESSAGES, parse, repair)
    assert route.call_count == 2 and result.calls == 2 and result.drafter == "model"
    assert [e["action"] for e in result.events] == ["model_retry"]


def test_429_honours_retry_after_capped(model_settings):
    waits: list[float] = []
    limited = httpx.Response(429, json={"error": {"message": "rate limited"}}, headers={"Retry-After": "7"})
    long_wait = httpx.Response(429, json={"error": {"message": "rate limited"}}, headers={"Retry-After": "120"})
    with respx.mock(assert_all_called=False) as mock:
        route = mock.post(LLM_URL).mock(side_effect=[limited, long_wait, ok()])
        result = client(model_settings, waits, retry_max_wait=10.0).complete(MESSAGES, parse, repair)
    assert route.call_count == 3 and result.value == {"ok": True}
    assert waits == [7.0, 10.0]


def test_5xx_backoff_doubles_without_retry_after(model_settings):
    waits: list[float] = []
    error = httpx.Response(503, json={"error": {"message": "busy"}})
    with respx.mock(assert_all_called=False) as mock:
        mock.post(LLM_URL).mock(side_effect=[error, error, ok()])
        result = client(model_settings, waits, retry_backoff=0.5).complete(MESSAGES, parse, repair)
    assert result.calls == 3 and waits == [0.5, 1.0]


def test_auth_error_is_not_retried(model_settings):
    with respx.mock(assert_all_called=False) as mock:
        route = mock.post(LLM_URL).mock(return_value=httpx.Response(401, json={"error": {"message": "bad key"}}))
        with pytest.raises(ModelError) as caught:
            client(model_settings)._ask_with_repair("openai/test-model", MESSAGES, parse, repair, _Attempts())
    assert route.call_count == 1
    assert "AuthenticationError" in caught.value.en and "调用模型" in caught.value.zh


def test_malformed_answer_gets_one_repair_request(model_settings):
    with respx.mock(assert_all_called=False) as mock:
        route = mock.post(LLM_URL).mock(side_effect=[ok("好的,这是回复:{not json"), ok()])
        result = client(model_settings).complete(MESSAGES, parse, repair)
    assert route.call_count == 2 and result.value == {"ok": True}
    second = json.loads(route.calls[1].request.content)["messages"]
    assert second[-2] == {"role": "assistant", "content": "好的,这是回复:{not json"}
    assert second[-1]["content"].startswith("你上一次的回答无效:invalid JSON")
    assert [e["action"] for e in result.events] == ["repair"]


def test_configured_fallback_model_is_tried_next(model_settings):
    with respx.mock(assert_all_called=False) as mock:
        route = mock.post(LLM_URL).mock(side_effect=[httpx.Response(500, json={})] * 3 + [ok()])
        result = client(model_settings, fallbacks=["openai/backup-model"]).complete(MESSAGES, parse, repair)
    assert route.call_count == 4 and result.calls == 4
    assert (result.model, result.drafter) == ("openai/backup-model", "model")
    assert json.loads(route.calls[3].request.content)["model"] == "backup-model"
    assert [e["action"] for e in result.events] == ["model_retry", "model_retry", "model_failed"]


@pytest.mark.parametrize(("model", "api_base", "url"), [
    ("deepseek/deepseek-chat", "http://deepseek.test", "http://deepseek.test/chat/completions"),
    ("dashscope/qwen-plus", "http://dashscope.test/compatible-mode/v1",
     "http://dashscope.test/compatible-mode/v1/chat/completions"),
    ("hosted_vllm/Qwen2.5-7B-Instruct", "http://vllm.test/v1", "http://vllm.test/v1/chat/completions"),
    ("openai/qwen2.5:7b", "http://ollama.test:11434/v1", "http://ollama.test:11434/v1/chat/completions"),
])
def test_documented_providers_reach_their_endpoint_in_json_mode(model, api_base, url, _isolated_data_dir):
    from agent.settings import Settings

    settings = Settings(data_dir=_isolated_data_dir, model=model, api_base=api_base, api_key="sk-test", retries=0)
    with respx.mock(assert_all_called=False) as mock:
        route = mock.post(url).mock(return_value=ok())
        result = LLMClient(settings).complete(MESSAGES, parse, repair)
    assert route.call_count == 1 and (result.model, result.drafter) == (model, "model")
    assert json.loads(route.calls[0].request.content)["response_format"] == {"type": "json_object"}
