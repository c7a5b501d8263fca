"""Model access: the module that calls litellm (``usage.py`` only counts its calls), and only when a
model is configured.

``ModelAccess.complete`` sends one structured request and returns a parsed value:

1. litellm's ``Router`` over ``WUYE_MODEL`` and ``WUYE_FALLBACKS`` (one model group each, the
   fallbacks in order): it retries timeouts, connection errors, 429 and 5xx ``WUYE_RETRIES`` times
   (honouring ``Retry-After``), falls back to the next model, and puts a model that keeps failing in
   a cooldown of ``WUYE_MODEL_COOLDOWN`` seconds — so a dead endpoint costs the first request its
   retries and later requests almost nothing until the cooldown ends (with ``WUYE_REDIS_URL``, on
   every instance: the Router keeps its cooldowns in Redis);
2. an answer that does not parse gets ONE repair request to the model that gave it;
3. when no model answers usably, the embedded offline drafter answers the ``DraftRequest`` itself
   (labelled ``drafter="offline_fallback"``). With no model configured the offline drafter is the
   model (``drafter="offline"``) and litellm is never imported.

``calls`` counts every completion request sent (first ask, retries, fallbacks, repair), so it equals
what an HTTP mock of the model host sees, plus one per offline-drafter call.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar

from agent.drafting.answer import OutputInvalid
from agent.drafting.offline.drafter import MODEL as OFFLINE_MODEL
from agent.drafting.offline.drafter import draft as draft_offline
from agent.drafting.request import DraftRequest
from agent.errors import ModelError
from agent.settings import Settings

if TYPE_CHECKING:
    from litellm import Router

__all__ = ["OFFLINE_MODEL", "LLMResult", "ModelAccess", "OutputInvalid", "litellm_module"]
T = TypeVar("T")
Drafter = Literal["model", "offline", "offline_fallback"]

_litellm: Any = None


def _attempts() -> ContextVar[list[str] | None]:
    """The models one ``complete`` call has sent requests to, in order (filled by the counter that
    ``litellm_module`` installs once per process; kept on the litellm module so it stays one)."""
    return litellm_module()._wuye_attempts


def litellm_module() -> Any:
    """Import litellm once (≈ 3 s), quietly, with the request counter installed."""
    global _litellm
    if _litellm is None:
        import logging

        import litellm
        from litellm.integrations.custom_logger import CustomLogger

        for name in ("LiteLLM", "LiteLLM Router", "LiteLLM Proxy"):
            logging.getLogger(name).setLevel(logging.CRITICAL)  # failures are reported as draft events
        litellm.suppress_debug_info = True
        litellm.disable_aiohttp_transport = True
        litellm.telemetry = False

        if not hasattr(litellm, "_wuye_attempts"):
            attempts_var: ContextVar[list[str] | None] = ContextVar("wuye_model_attempts", default=None)

            class _AttemptLog(CustomLogger):
                """Counts each request the Router sends (retries and fallbacks included) for the caller."""

                def log_pre_api_call(self, model: str, messages: Any, kwargs: Any) -> None:
                    attempts = attempts_var.get()
                    if attempts is not None:
                        attempts.append(model)

            litellm._wuye_attempts = attempts_var
            litellm.input_callback = [*litellm.input_callback, _AttemptLog()]  # pre-call only: no success logging
        _litellm = litellm
    return _litellm


@dataclass
class LLMResult(Generic[T]):
    value: T
    model: str
    drafter: Drafter
    calls: int
    llm_ms: float
    events: list[dict[str, Any]] = field(default_factory=list)


def _provider(model: str) -> str:
    return model.split("/", 1)[0] if "/" in model else model


class ModelAccess:
    """One per process (the Router keeps the cooldowns — in Redis, shared by every instance, when
    ``WUYE_REDIS_URL`` is set); built cheaply, litellm imported on first use."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.models = [m for m in dict.fromkeys([settings.model or "", *settings.fallbacks]) if m]
        self._router: Router | None = None

    @property
    def primary_model(self) -> str:
        return self.settings.model or OFFLINE_MODEL

    def warm_up(self) -> None:
        """Import litellm and build the Router now, not in the first request (only with a model)."""
        if self.models:
            self.router()

    def router(self) -> Router:
        if self._router is None:
            litellm = litellm_module()
            from litellm.types.router import AllowedFailsPolicy

            s = self.settings
            model_list = []
            for index, model in enumerate(self.models):
                params: dict[str, Any] = {"model": model, "timeout": s.timeout, "max_retries": 0}
                if _provider(model) == _provider(s.model or ""):
                    params.update(api_base=s.api_base, api_key=s.api_key.get_secret_value() if s.api_key else None)
                model_list.append({"model_name": f"m{index}", "litellm_params": params})
            fails = max(s.retries, 0)  # a model cools down once a request has used up its retries
            policy = AllowedFailsPolicy(TimeoutErrorAllowedFails=fails, InternalServerErrorAllowedFails=fails,
                                        RateLimitErrorAllowedFails=fails, AuthenticationErrorAllowedFails=0)
            # With WUYE_REDIS_URL the Router keeps its failure counts and cooldowns in Redis: a model
            # that failed for one instance is skipped by every instance until the cooldown ends.
            shared = {"redis_url": s.redis_url} if s.redis_url else {}
            self._router = litellm.Router(
                model_list=model_list, num_retries=s.retries, timeout=s.timeout, allowed_fails_policy=policy,
                cooldown_time=s.model_cooldown, fallbacks=[{"m0": [f"m{i}" for i in range(1, len(self.models))]}]
                if len(self.models) > 1 else [], **shared)
        return self._router

    async def complete(
        self,
        messages: list[dict[str, str]],
        parse: Callable[[str], T],
        repair_message: Callable[[str], str],
        *,
        request: DraftRequest | None = None,
        offline_only: bool = False,
        on_text: Callable[[str], None] | None = None,
    ) -> LLMResult[T]:
        """Ask for one structured answer (see the module docstring). A drafting call passes its
        ``request`` (``messages`` is that request rendered for a model): the offline drafter answers
        it when no model is configured or none answered usably; without a ``request`` (the guard's
        judge) there is no offline answer and that is a ``ModelError``. ``offline_only`` skips the
        models (they already failed for this draft set). ``on_text`` (a streamed request) asks the
        model to stream and is called with the whole answer so far after every chunk; the offline
        drafter's answer is handed to it once, whole."""
        events: list[dict[str, Any]] = []
        if self.models and not offline_only:
            attempts: list[str] = []
            token = _attempts().set(attempts)
            started = time.perf_counter()
            try:
                value, model = await self._ask(messages, parse, repair_message, events, on_text)
            except ModelError as exc:
                events.append({"action": "model_failed", "detail": {"models": list(dict.fromkeys(attempts)),
                                                                      "error": exc.en[:300]}})
            else:
                llm_ms = (time.perf_counter() - started) * 1000
                return LLMResult(value, model, "model", _sent(attempts), llm_ms, _retries(attempts) + events)
            finally:
                _attempts().reset(token)
            calls, llm_ms = _sent(attempts), (time.perf_counter() - started) * 1000
            events[:0] = _retries(attempts)
            events.append({"action": "fallback", "detail": {"model": OFFLINE_MODEL}})
        else:
            calls, llm_ms = 0, 0.0
        if request is None:
            raise ModelError("没有可用的模型(离线起草器只能起草回复)。",
                             "no model answered, and the offline drafter only drafts replies.")
        started = time.perf_counter()
        text = json.dumps(draft_offline(request), ensure_ascii=False)
        if on_text is not None:
            on_text(text)
        value = _parse_again(OFFLINE_MODEL, parse, text)
        llm_ms += (time.perf_counter() - started) * 1000
        drafter: Drafter = "offline" if not self.models else "offline_fallback"
        return LLMResult(value, OFFLINE_MODEL, drafter, calls + 1, llm_ms, events)

    async def _ask(self, messages: list[dict[str, str]], parse: Callable[[str], T],
                   repair_message: Callable[[str], str], events: list[dict[str, Any]],
                   on_text: Callable[[str], None] | None = None) -> tuple[T, str]:
        """One answer through the Router, plus one repair request to the model that gave it."""
        text, group = await self._send("m0", messages, on_text)
        try:
            return parse(text), self._name(group)
        except OutputInvalid as first:
            events.append({"action": "repair", "detail": {"model": self._name(group), "error": str(first)[:300]}})
            attempts = _attempts().get()
            if attempts is not None:
                attempts.append(_REPAIR)  # the repair request is not a retry of the first one
            repair = [*messages, {"role": "assistant", "content": text[:4000]},
                      {"role": "user", "content": repair_message(str(first)[:500])}]
            text, group = await self._send(group, repair, on_text)
            return _parse_again(self._name(group), parse, text), self._name(group)

    async def _send(self, group: str, messages: list[dict[str, str]],
                    on_text: Callable[[str], None] | None = None) -> tuple[str, str]:
        if on_text is not None:
            return await self._stream(group, messages, on_text)
        try:
            response = await self.router().acompletion(
                model=group, messages=messages, temperature=self.settings.temperature, drop_params=True,
                response_format={"type": "json_object"})
        except Exception as exc:  # noqa: BLE001 - every model failed after the Router's retries and fallbacks
            raise ModelError(f"调用模型失败({type(exc).__name__})",
                             f"calling the model failed: {type(exc).__name__}: {str(exc)[:200]}") from exc
        headers = (getattr(response, "_hidden_params", None) or {}).get("additional_headers") or {}
        return _content(response), str(headers.get("x-litellm-model-group") or group)

    async def _stream(self, group: str, messages: list[dict[str, str]],
                      on_text: Callable[[str], None]) -> tuple[str, str]:
        """The same request, streamed (litellm ``stream=True``): ``on_text`` sees the answer grow. The
        Router retries and falls back while opening the stream; a stream that breaks midway is a
        failed call (the caller falls back to the offline drafter)."""
        parts: list[str] = []
        try:
            response = await self.router().acompletion(
                model=group, messages=messages, temperature=self.settings.temperature, drop_params=True,
                response_format={"type": "json_object"}, stream=True)
            async for chunk in response:
                delta = _delta(chunk)
                if delta:
                    parts.append(delta)
                    on_text("".join(parts))
        except Exception as exc:  # noqa: BLE001 - as in _send
            raise ModelError(f"调用模型失败({type(exc).__name__})",
                             f"calling the model failed: {type(exc).__name__}: {str(exc)[:200]}") from exc
        headers = (getattr(response, "_hidden_params", None) or {}).get("additional_headers") or {}
        return "".join(parts), str(headers.get("x-litellm-model-group") or group)

    def _name(self, group: str) -> str:
        index = int(group[1:]) if group[1:].isdigit() else 0
        return self.models[index] if index < len(self.models) else group


_REPAIR = ""  # marks where the repair request starts in the attempt list


def _sent(attempts: list[str]) -> int:
    return sum(1 for model in attempts if model != _REPAIR)


def _retries(attempts: list[str]) -> list[dict[str, Any]]:
    """A ``model_retry`` event for each request that repeated the previous one's model."""
    return [{"action": "model_retry", "detail": {"model": model, "attempt": n}}
            for n, (before, model) in enumerate(zip(attempts, attempts[1:], strict=False), 2) if model == before]


def _content(response: Any) -> str:
    try:
        return response.choices[0].message.content or ""
    except (AttributeError, IndexError):
        return ""


def _delta(chunk: Any) -> str:
    try:
        return chunk.choices[0].delta.content or ""
    except (AttributeError, IndexError):
        return ""


def _parse_again(model: str, parse: Callable[[str], T], text: str) -> T:
    try:
        return parse(text)
    except OutputInvalid as second:
        raise ModelError(
            f"模型 {model} 连续两次返回的内容不符合要求的 JSON 格式:{second}",
            f"model {model} returned invalid structured output twice: {second}",
        ) from second


def count_tokens(model: str, messages: list[dict[str, str]]) -> int:
    """Prompt size in tokens as litellm counts it (tiktoken cl100k for models it does not know)."""
    return int(litellm_module().token_counter(model=model, messages=messages))
