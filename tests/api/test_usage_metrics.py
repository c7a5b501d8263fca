"""Model calls, tokens and cost per model, from litellm's own usage accounting (its success and
failure callbacks), into the API's Prometheus metrics."""

from __future__ import annotations

import asyncio

import pytest
from prometheus_client.parser import text_string_to_metric_families

from agent.drafting.usage import ModelUsage, install_usage_callback, usage_from_callback
from api.metrics import Metrics

pytestmark = pytest.mark.slow  # imports litellm


def _value(metrics: Metrics, name: str, **labels: str) -> float:
    text = metrics.render()[0].decode()
    return sum(s.value for f in text_string_to_metric_families(text) for s in f.samples
               if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()))


async def _until(check, seconds: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    for _ in range(int(seconds / 0.05)):
        if check():
            return
        await asyncio.sleep(0.05)  # litellm runs its callbacks in the background


async def test_a_priced_model_call_is_counted_with_tokens_and_cost() -> None:
    import litellm

    metrics = Metrics()
    uninstall = install_usage_callback(metrics.record_model_call)
    try:
        await litellm.acompletion(model="deepseek/deepseek-chat", api_key="sk-local-test-key",
                                  messages=[{"role": "user", "content": "您好"}], mock_response="您好,请讲。")
        await _until(lambda: _value(metrics, "wuye_model_calls_total") >= 1)
    finally:
        uninstall()
    model = {"model": "deepseek/deepseek-chat"}
    assert _value(metrics, "wuye_model_calls_total", outcome="success", **model) == 1
    assert _value(metrics, "wuye_model_tokens_total", kind="prompt", **model) > 0
    assert _value(metrics, "wuye_model_tokens_total", kind="completion", **model) > 0
    assert _value(metrics, "wuye_model_cost_usd_total", **model) > 0  # litellm's local price map

    await litellm.acompletion(model="deepseek/deepseek-chat", api_key="sk-local-test-key",
                              messages=[{"role": "user", "content": "您好"}], mock_response="您好。")
    await asyncio.sleep(0.3)
    assert _value(metrics, "wuye_model_calls_total") == 1  # uninstalled: no longer counted


def test_a_failed_call_counts_as_a_failure_without_tokens() -> None:
    usage = usage_from_callback({"litellm_params": {"model": "x"}, "standard_logging_object": {
        "custom_llm_provider": "openai", "prompt_tokens": 0, "response_cost": 1.0}}, ok=False)
    assert usage == ModelUsage(model="openai/x", ok=False)  # no cost for a failure
    metrics = Metrics()
    metrics.record_model_call(usage)
    assert _value(metrics, "wuye_model_calls_total", model="openai/x", outcome="failure") == 1
    assert _value(metrics, "wuye_model_tokens_total") == 0
