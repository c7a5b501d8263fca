"""Fixtures for the drafting workflow: the real retriever (Chroma index built once per session),
the real guard checker, and an OpenAI-compatible model host mocked at HTTP level with respx."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from agent.settings import Settings

LLM_URL = "http://llm.test/v1/chat/completions"

# Replies a skilled 物业客服 would write; they pass the guardrail policy.
CLEAN = {
    "listen": "您先别着急,慢慢说,您反映的情况我都一条条记下来了,您看还有哪些细节需要补充?",
    "empathize": "这件事确实给您添了不少麻烦,换作是我也会着急,真的很抱歉让您久等了。",
    "ask": "想跟您确认一下,问题大概是从什么时候开始的?您看今天下午还是明天上午方便师傅上门查看?",
    "act": "我现在就给您登记工单,安排维修师傅今天下午上门查看,处理进展我会在今天下班前电话告诉您。",
    "negotiate": "维修方案出来后我先跟您商量,您看哪个时间段施工对您家影响最小,我们按您方便的时间来安排。",
    "thank": "谢谢您及时告诉我们,也谢谢您的耐心,问题处理好后我会再回访,确认您满意。",
}
# Breaks block rules: shifting the blame to the owner and refusing.
BAD_ACT = "这是你们自己家的问题,我们物业管不了,你自己去找开发商吧。"


def chat(content: str) -> dict[str, Any]:
    """An OpenAI chat-completion body carrying ``content``."""
    return {"id": "chatcmpl-test", "object": "chat.completion", "created": 1, "model": "test-model",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 100, "completion_tokens": 100, "total_tokens": 200}}


def request_json(request: httpx.Request) -> dict[str, Any]:
    return json.loads(request.content)


def user_message(request: httpx.Request) -> str:
    return next(m["content"] for m in request_json(request)["messages"] if m["role"] == "user")


def context_of(request: httpx.Request) -> dict[str, Any]:
    match = re.search(r"<context_json>\s*(.*?)\s*</context_json>", user_message(request), re.S)
    assert match, "the user message must carry <context_json>"
    return json.loads(match.group(1))


def answer_for(request: httpx.Request, texts: dict[str, str] | None = None) -> dict[str, Any]:
    """A well-formed answer for the stages the request asks for, citing the first offered technique."""
    texts = {**CLEAN, **(texts or {})}
    context = context_of(request)
    stages = context["only_stages"] or list(CLEAN)
    return {"stages": [{"stage": s, "text": texts[s], "techniques": [context["stages"][s][0]["id"]]}
                       for s in stages]}


def responder(*answers: dict[str, str] | str | int | Exception | None) -> Callable[[httpx.Request], httpx.Response]:
    """respx side effect: per call, a dict of stage texts (answered as JSON for the asked stages),
    a raw string (sent as the message content), an HTTP status code, or an exception to raise."""
    queue = list(answers)

    def respond(request: httpx.Request) -> httpx.Response:
        item = queue.pop(0) if queue else None
        if isinstance(item, Exception):
            raise item
        if isinstance(item, int):
            return httpx.Response(item, json={"error": {"message": "upstream trouble", "type": "server_error"}},
                                  headers={"Retry-After": "0"})
        if isinstance(item, str):
            return httpx.Response(200, json=chat(item))
        return httpx.Response(200, json=chat(json.dumps(answer_for(request, item), ensure_ascii=False)))

    return respond


@pytest.fixture
def model_settings(_isolated_data_dir) -> Settings:  # noqa: ANN001 - conftest fixture
    return Settings(data_dir=_isolated_data_dir, model="openai/test-model", api_base="http://llm.test/v1",
                    api_key="sk-test", retries=2, timeout=5)


@pytest.fixture
def offline_settings(_isolated_data_dir) -> Settings:  # noqa: ANN001
    return Settings(data_dir=_isolated_data_dir)


@pytest.fixture
async def make_core(shared_clients):  # noqa: ANN001, ANN201
    """``await make_core(settings)``: a DraftCore over the shared retriever and guard, closed afterwards."""
    from agent.workflow.core import DraftCore

    opened: list[Any] = []

    async def make(settings: Settings, **kwargs: Any) -> DraftCore:
        retriever, checker = shared_clients
        core = await DraftCore.open(settings, retriever=retriever, checker=checker, **kwargs)
        opened.append(core)
        return core

    yield make
    for core in opened:
        await core.aclose()


async def create(core: Any, complaint: str, history: list[dict[str, str]] | None = None, **fields: Any) -> Any:
    """One draft set through the core, as an agent's API call would make it."""
    from agent.workflow.models import Actor, DraftInput

    raw = DraftInput(complaint=complaint, project=fields.pop("project", "翠湖苑"), history=history, **fields)
    return (await core.create(raw, Actor(id="key-7"))).draft
