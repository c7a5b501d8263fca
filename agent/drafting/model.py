"""The only module that talks to chat models (through litellm).

``LLMClient.complete`` sends one structured request and returns a parsed value:

1. the configured model (``WUYE_MODEL`` with ``WUYE_API_BASE`` / ``WUYE_API_KEY``), retried on
   timeouts, connection errors, 429 and 5xx (exponential backoff, ``Retry-After`` honoured, both
   capped at ``WUYE_RETRY_MAX_WAIT``); other errors (401, 400 …) are not retried;
2. an answer that does not parse gets ONE repair request ("your last answer was not valid JSON …");
3. when that still fails, each model in ``WUYE_FALLBACKS`` gets the same treatment;
4. finally the embedded offline drafter (``wuye-offline/drafter``), which is given the
   ``DraftRequest`` itself (no prompt, no litellm), labelled ``drafter="offline_fallback"``. With no
   model configured the offline drafter is the model (``drafter="offline"``).

``calls`` counts every completion request sent (first ask, repair, retries, fallbacks), so it
equals what an HTTP mock of the model host sees, plus one per offline-drafter call.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from agent.drafting.answer import OutputInvalid
from agent.drafting.offline.drafter import MODEL as OFFLINE_MODEL
from agent.drafting.offline.drafter import draft as draft_offline
from agent.drafting.request import DraftRequest
from agent.errors import ModelError
from agent.settings import Settings

__all__ = ["OFFLINE_MODEL", "LLMClient", "LLMResult", "OutputInvalid", "litellm_module"]
T = TypeVar("T")

_litellm: Any = None


def litellm_module() -> Any:
    """Import litellm once (≈ 3 s), quietly."""
    global _litellm
    if _litellm is None:
        import logging

        import litellm

        for name in ("LiteLLM", "LiteLLM Router", "LiteLLM Proxy"):
            logging.getLogger(name).setLevel(logging.WARNING)  # no per-call INFO lines in our logs
        litellm.suppress_debug_info = True
        litellm.disable_aiohttp_transport = True
        litellm.telemetry = False
        _litellm = litellm
    return _litellm


@dataclass
class LLMResult(Generic[T]):
    value: T
    model: str
    drafter: str  # "model" | "offline" | "offline_fallback"
    calls: int
    llm_ms: float
    events: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class _Attempts:
    calls: int = 0
    llm_ms: float = 0.0
    events: list[dict[str, Any]] = field(default_factory=list)


class LLMClient:
    def __init__(self, settings: Settings, *, sleep: Callable[[float], None] = time.sleep) -> None:
        self.settings = settings
        self._sleep = sleep

    def warm_up(self) -> None:
        """Import litellm now, not inside the first request (only when a model is configured)."""
        if not self.settings.offline:
            litellm_module()

    @property
    def primary_model(self) -> str:
        return self.settings.model or OFFLINE_MODEL

    def complete(
        self,
        messages: list[dict[str, str]],
        parse: Callable[[str], T],
        repair_message: Callable[[str], str],
        *,
        request: DraftRequest | None = None,
        offline_only: bool = False,
    ) -> LLMResult[T]:
        """Ask for one structured answer; see the module docstring for retries and fallbacks.
        A drafting call passes its ``request`` (``messages`` is that request rendered for a model): the
        offline drafter answers it when no model is configured or every model failed; without a
        ``request`` (e.g. the guard's judge) there is no offline answer and that is a ModelError.
        ``offline_only`` skips the configured model (it already failed for this draft set)."""
        tally = _Attempts()
        if self.settings.offline or offline_only:
            value = self._offline(request, parse, tally)
            drafter = "offline" if self.settings.offline else "offline_fallback"
            return LLMResult(value, OFFLINE_MODEL, drafter, tally.calls, tally.llm_ms, tally.events)
        primary = self.settings.model or ""
        for model in [primary, *[m for m in self.settings.fallbacks if m != primary]]:
            try:
                value = self._ask_with_repair(model, messages, parse, repair_message, tally)
            except ModelError as exc:
                tally.events.append({"action": "model_failed", "detail": {"model": model, "error": exc.en}})
                continue
            return LLMResult(value, model, "model", tally.calls, tally.llm_ms, tally.events)
        tally.events.append({"action": "fallback", "detail": {"model": OFFLINE_MODEL}})
        value = self._offline(request, parse, tally)
        return LLMResult(value, OFFLINE_MODEL, "offline_fallback", tally.calls, tally.llm_ms, tally.events)

    async def acomplete(
        self,
        messages: list[dict[str, str]],
        parse: Callable[[str], T],
        repair_message: Callable[[str], str],
        *,
        request: DraftRequest | None = None,
        offline_only: bool = False,
    ) -> LLMResult[T]:
        """``complete`` for the event loop: the configured model is awaited (``litellm.acompletion``),
        so concurrent drafts wait on it together without a thread each; the offline drafter is local
        CPU work and runs in a worker thread."""
        if self.settings.offline or offline_only:
            return await asyncio.to_thread(self.complete, messages, parse, repair_message, request=request,
                                           offline_only=offline_only)
        tally = _Attempts()
        primary = self.settings.model or ""
        for model in [primary, *[m for m in self.settings.fallbacks if m != primary]]:
            try:
                value = await self._aask_with_repair(model, messages, parse, repair_message, tally)
            except ModelError as exc:
                tally.events.append({"action": "model_failed", "detail": {"model": model, "error": exc.en}})
                continue
            return LLMResult(value, model, "model", tally.calls, tally.llm_ms, tally.events)
        tally.events.append({"action": "fallback", "detail": {"model": OFFLINE_MODEL}})
        value = await asyncio.to_thread(self._offline, request, parse, tally)
        return LLMResult(value, OFFLINE_MODEL, "offline_fallback", tally.calls, tally.llm_ms, tally.events)

    # -- the offline drafter: structured input, the same answer format ------------------------------
    @staticmethod
    def _offline(request: DraftRequest | None, parse: Callable[[str], T], tally: _Attempts) -> T:
        if request is None:
            raise ModelError("没有可用的模型(离线起草器只能起草回复)。",
                             "no model answered, and the offline drafter only drafts replies.")
        tally.calls += 1
        started = time.perf_counter()
        text = json.dumps(draft_offline(request), ensure_ascii=False)
        tally.llm_ms += (time.perf_counter() - started) * 1000
        return _parse_again(OFFLINE_MODEL, parse, text)

    # -- one model: ask, then one repair -----------------------------------------------------
    def _ask_with_repair(self, model, messages, parse, repair_message, tally: _Attempts):  # type: ignore[no-untyped-def]
        text = self._send(model, messages, tally)
        try:
            return parse(text)
        except OutputInvalid as first:
            text = self._send(model, _repair(model, messages, text, first, repair_message, tally), tally)
            return _parse_again(model, parse, text)

    async def _aask_with_repair(self, model, messages, parse, repair_message, tally: _Attempts):  # type: ignore[no-untyped-def]
        text = await self._asend(model, messages, tally)
        try:
            return parse(text)
        except OutputInvalid as first:
            text = await self._asend(model, _repair(model, messages, text, first, repair_message, tally), tally)
            return _parse_again(model, parse, text)

    # -- one request, with retries ---------------------------------------------------------------
    def _send(self, model: str, messages: list[dict[str, str]], tally: _Attempts) -> str:
        litellm = litellm_module()
        kwargs, attempts = self._request(model, messages)
        for attempt in range(attempts):
            tally.calls += 1
            started = time.perf_counter()
            try:
                response = litellm.completion(**kwargs)
            except Exception as exc:  # noqa: BLE001 - classified in _failed
                self._sleep(self._failed(litellm, model, exc, attempt, attempts, started, tally))
                continue
            tally.llm_ms += (time.perf_counter() - started) * 1000
            return _content(response)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _asend(self, model: str, messages: list[dict[str, str]], tally: _Attempts) -> str:
        litellm = litellm_module()
        kwargs, attempts = self._request(model, messages)
        for attempt in range(attempts):
            tally.calls += 1
            started = time.perf_counter()
            try:
                response = await litellm.acompletion(**kwargs)
            except Exception as exc:  # noqa: BLE001 - classified in _failed
                await self._asleep(self._failed(litellm, model, exc, attempt, attempts, started, tally))
                continue
            tally.llm_ms += (time.perf_counter() - started) * 1000
            return _content(response)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _asleep(self, seconds: float) -> None:
        if self._sleep is time.sleep:
            await asyncio.sleep(seconds)
        else:  # an injected clock (tests) is called as is
            self._sleep(seconds)

    def _request(self, model: str, messages: list[dict[str, str]]) -> tuple[dict[str, Any], int]:
        """litellm keyword arguments for one request, and how many attempts it gets."""
        settings = self.settings
        kwargs: dict[str, Any] = {
            "model": model, "messages": messages, "timeout": settings.timeout, "num_retries": 0,
            "max_retries": 0, "temperature": settings.temperature, "drop_params": True,
            "response_format": {"type": "json_object"},
        }
        if _provider(model) == _provider(settings.model or ""):
            if settings.api_base:
                kwargs["api_base"] = settings.api_base
            if settings.api_key:  # SecretStr; a plain str when a caller used model_copy(update=…)
                key = settings.api_key
                kwargs["api_key"] = key.get_secret_value() if hasattr(key, "get_secret_value") else str(key)
        return kwargs, settings.retries + 1

    def _failed(self, litellm: Any, model: str, exc: Exception, attempt: int, attempts: int, started: float,
                tally: _Attempts) -> float:
        """Book a failed attempt; raise ModelError when it is final, else return the wait before the next."""
        tally.llm_ms += (time.perf_counter() - started) * 1000
        if not _retryable(litellm, exc) or attempt == attempts - 1:
            raise ModelError(
                f"调用模型 {model} 失败({type(exc).__name__})",
                f"calling model {model} failed: {type(exc).__name__}: {str(exc)[:200]}",
            ) from exc
        wait = self._wait(exc, attempt)
        tally.events.append({"action": "model_retry", "detail": {
            "model": model, "error": type(exc).__name__, "attempt": attempt + 1, "wait_s": wait}})
        return wait

    def _wait(self, exc: Exception, attempt: int) -> float:
        cap = self.settings.retry_max_wait
        headers = getattr(exc, "litellm_response_headers", None) or {}
        retry_after = headers.get("retry-after") if hasattr(headers, "get") else None
        if retry_after is not None:
            try:
                return max(0.0, min(float(retry_after), cap))
            except ValueError:
                pass
        return min(self.settings.retry_backoff * (2**attempt), cap)


def _content(response: Any) -> str:
    try:
        return response.choices[0].message.content or ""
    except (AttributeError, IndexError):
        return ""


def _repair(model: str, messages: list[dict[str, str]], text: str, error: OutputInvalid,
            repair_message: Callable[[str], str], tally: _Attempts) -> list[dict[str, str]]:
    """The conversation for the one repair request after an answer that did not parse."""
    tally.events.append({"action": "repair", "detail": {"model": model, "error": str(error)[:300]}})
    return [*messages, {"role": "assistant", "content": text[:4000]},
            {"role": "user", "content": repair_message(str(error)[:500])}]


def _parse_again(model: str, parse: Callable[[str], T], text: str) -> T:
    try:
        return parse(text)
    except OutputInvalid as second:
        raise ModelError(
            f"模型 {model} 连续两次返回的内容不符合要求的 JSON 格式:{second}",
            f"model {model} returned invalid structured output twice: {second}",
        ) from second


def _provider(model: str) -> str:
    return model.split("/", 1)[0] if "/" in model else model


def _retryable(litellm: Any, exc: Exception) -> bool:
    retry_types = (litellm.Timeout, litellm.RateLimitError, litellm.ServiceUnavailableError,
                   litellm.InternalServerError, litellm.APIConnectionError, litellm.BadGatewayError)
    if isinstance(exc, retry_types):
        return True
    status = getattr(exc, "status_code", None)
    return isinstance(status, int) and (status == 429 or status >= 500)


def count_tokens(model: str, messages: list[dict[str, str]]) -> int:
    """Prompt size in tokens as litellm counts it (tiktoken cl100k for models it does not know)."""
    return int(litellm_module().token_counter(model=model, messages=messages))
