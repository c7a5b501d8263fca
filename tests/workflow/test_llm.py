"""Model access (litellm's Router) at HTTP level: retries (timeout, 5xx, 429 + Retry-After), no
retry on 4xx, the one repair attempt, configured fallbacks, and the cooldown that makes a dead
model cost later requests nothing. The model host is mocked with respx."""

from __future__ import annotations

import json
import time

import httpx
import pytest
import respx

from agent.drafting.model import ModelAccess, OutputInvalid
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


def client(settings, **changes) -> ModelAccess:
    return ModelAccess(settings.model_copy(update=changes))


async def test_one_clean_call(model_settings):
    with respx.mock(assert_all_called=False) as mock:
        route = mock.post(LLM_URL).mock(return_value=ok())
        result = await client(model_settings).complete(MESSAGES, parse, repair)
    assert result.value == {"ok": True}
    assert (result.calls, route.call_count, result.model, result.drafter) == (1, 1, "openai/test-model", "model")
    body = json.loads(route.calls[0].request.content)
    assert body["response_format"] == {"type": "json_object"}
    assert route.calls[0].request.headers["authorization"] == "Bearer sk-test"


async def test_timeout_then_success_is_retried(model_settings):
    with respx.mock(assert_all_called=False) as mock:
        route = mock.post(LLM_URL).mock(side_effect=[httpx.ReadTimeout("slow"), ok()])
        result = await client(model_settings).complete(MESSAGES, parse, repair)
    assert route.call_count == 2 and result.calls == 2 and result.drafter == "model"
    assert [e["action"] for e in result.events] == ["model_retry"]


async def test_429_honours_retry_after(model_settings):
    limited = httpx.Response(429, json={"error": {"message": "rate limited"}}, headers={"Retry-After": "2"})
    with respx.mock(assert_all_called=False) as mock:
        route = mock.post(LLM_URL).mock(side_effect=[limited, ok()])
        started = time.perf_counter()
        result = await client(model_settings).complete(MESSAGES, parse, repair)
        waited = time.perf_counter() - started
    assert route.call_count == 2 and result.value == {"ok": True}
    assert 2.0 <= waited < 4.0  # the Router waited what the host asked for


async def test_5xx_is_retried(model_settings):
    error = httpx.Response(503, json={"error": {"message": "busy"}})
    with respx.mock(assert_all_called=False) as mock:
        mock.post(LLM_URL).mock(side_effect=[error, error, ok()])
        result = await client(model_settings).complete(MESSAGES, parse, repair)
    assert result.calls == 3 and result.drafter == "model"
    assert [e["action"] for e in result.events] == ["model_retry", "model_retry"]


async def test_auth_error_is_not_retried(model_settings):
    with respx.mock(assert_all_called=False) as mock:
        route = mock.post(LLM_URL).mock(return_value=httpx.Response(401, json={"error": {"message": "bad key"}}))
        with pytest.raises(ModelError) as caught:  # no DraftRequest: no offline answer either
            await client(model_settings).complete(MESSAGES, parse, repair)
    assert route.call_count == 1
    assert "离线起草器" in caught.value.zh


async def test_malformed_answer_gets_one_repair_request(model_settings):
    with respx.mock(assert_all_called=False) as mock:
        route = mock.post(LLM_URL).mock(side_effect=[ok("好的,这是回复:{not json"), ok()])
        result = await client(model_settings).complete(MESSAGES, parse, repair)
    assert route.call_count == 2 and result.value == {"ok": True}
    second = json.loads(route.calls[1].request.content)["messages"]
    assert second[-2] == {"role": "assistant", "content": "好的,这是回复:{not json"}
    assert second[-1]["content"].startswith("你上一次的回答无效:invalid JSON")
    assert [e["action"] for e in result.events] == ["repair"]


async def test_configured_fallback_model_is_tried_next(model_settings):
    with respx.mock(assert_all_called=False) as mock:
        route = mock.post(LLM_URL).mock(side_effect=[httpx.Response(500, json={})] * 3 + [ok()])
        result = await client(model_settings, fallbacks=["openai/backup-model"]).complete(MESSAGES, parse, repair)
    assert route.call_count == 4 and result.calls == 4
    assert (result.model, result.drafter) == ("openai/backup-model", "model")
    assert json.loads(route.calls[3].request.content)["model"] == "backup-model"
    assert [e["action"] for e in result.events] == ["model_retry", "model_retry"]


async def test_a_failing_model_cools_down_and_later_requests_skip_it(model_settings):
    """After a request used up its retries, the next ones go straight to the fallback."""
    request_models: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        model = json.loads(request.content)["model"]
        request_models.append(model)
        return ok() if model == "backup-model" else httpx.Response(500, json={"error": {"message": "down"}})

    access = client(model_settings, fallbacks=["openai/backup-model"])
    with respx.mock(assert_all_called=False) as mock:
        mock.post(LLM_URL).mock(side_effect=answer)
        first = await access.complete(MESSAGES, parse, repair)
        request_models.clear()
        later = [await access.complete(MESSAGES, parse, repair) for _ in range(3)]
    assert first.calls == 4 and all(r.calls == 1 and r.model == "openai/backup-model" for r in later)
    assert request_models == ["backup-model"] * 3  # the failing model is not asked again


async def test_fallbacks_setting_accepts_the_documented_comma_form(monkeypatch, _isolated_data_dir):
    from agent.settings import get_settings

    monkeypatch.setenv("WUYE_FALLBACKS", "openai/a, openai/b")
    assert get_settings().fallbacks == ["openai/a", "openai/b"]
    get_settings.cache_clear()
    monkeypatch.setenv("WUYE_FALLBACKS", '["openai/a"]')
    assert get_settings().fallbacks == ["openai/a"]


@pytest.mark.parametrize("key", ["sk-…", "sk-...", "your-key", "<key>", "sk-xxx", "changeme", "YOUR_API_KEY"])
def test_placeholder_keys_are_refused(key, monkeypatch, _isolated_data_dir):
    from agent.errors import InvalidInput
    from agent.settings import get_settings

    monkeypatch.setenv("WUYE_API_KEY", key)
    with pytest.raises(InvalidInput, match="WUYE_API_KEY") as caught:
        get_settings()
    assert caught.value.exit_code == 2 and "占位密钥" in caught.value.zh


@pytest.mark.parametrize(("model", "api_base", "url"), [
    ("deepseek/deepseek-chat", "http://deepseek.test", "http://deepseek.test/chat/completions"),
    ("dashscope/qwen-plus", "http://dashscope.test/compatible-mode/v1",
     "http://dashscope.test/compatible-mode/v1/chat/completions"),
    ("hosted_vllm/Qwen2.5-7B-Instruct", "http://vllm.test/v1", "http://vllm.test/v1/chat/completions"),
    ("openai/qwen2.5:7b", "http://ollama.test:11434/v1", "http://ollama.test:11434/v1/chat/completions"),
])
async def test_documented_providers_reach_their_endpoint_in_json_mode(model, api_base, url, _isolated_data_dir):
    from agent.settings import Settings

    settings = Settings(data_dir=_isolated_data_dir, model=model, api_base=api_base, api_key="sk-test", retries=0)
    with respx.mock(assert_all_called=False) as mock:
        route = mock.post(url).mock(return_value=ok())
        result = await ModelAccess(settings).complete(MESSAGES, parse, repair)
    assert route.call_count == 1 and (result.model, result.drafter) == (model, "model")
    assert json.loads(route.calls[0].request.content)["response_format"] == {"type": "json_object"}
