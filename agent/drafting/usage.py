"""Model usage from litellm's own accounting: one ``ModelUsage`` per model call (each attempt,
each fallback), taken from the ``standard_logging_object`` litellm hands its success and failure
callbacks (tokens from the response's ``usage``, cost from litellm's local price map).

``install_usage_callback(sink)`` registers a litellm ``CustomLogger`` that passes each call to
``sink`` (the API's metrics); it returns the function that removes it again. litellm is imported
only inside it, so importing this module stays cheap.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class ModelUsage:
    model: str  # the deployment that answered (or failed), e.g. "deepseek/deepseek-chat"
    ok: bool
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    seconds: float = 0.0


UsageSink = Callable[[ModelUsage], None]


def _number(value: Any) -> float:
    try:
        return max(float(value or 0), 0.0)
    except (TypeError, ValueError):
        return 0.0


def _seconds(start: Any, end: Any) -> float:
    if isinstance(start, datetime) and isinstance(end, datetime):
        return max((end - start).total_seconds(), 0.0)
    if isinstance(start, int | float) and isinstance(end, int | float):
        return max(float(end) - float(start), 0.0)
    return 0.0


def usage_from_callback(kwargs: dict[str, Any], ok: bool, start: Any = None, end: Any = None) -> ModelUsage:
    """The ``ModelUsage`` of one litellm callback (``kwargs`` as litellm passes them)."""
    logged = kwargs.get("standard_logging_object") or {}
    params = kwargs.get("litellm_params") or {}
    model = str(params.get("model") or logged.get("model") or kwargs.get("model") or "unknown")
    provider = logged.get("custom_llm_provider") or params.get("custom_llm_provider")
    if provider and "/" not in model:
        model = f"{provider}/{model}"
    return ModelUsage(
        model=model[:100], ok=ok,
        prompt_tokens=int(_number(logged.get("prompt_tokens"))),
        completion_tokens=int(_number(logged.get("completion_tokens"))),
        cost_usd=_number(logged.get("response_cost")) if ok else 0.0,
        seconds=_seconds(start, end),
    )


def install_usage_callback(sink: UsageSink) -> Callable[[], None]:
    """Send every litellm model call in this process to ``sink``; returns the uninstaller."""
    import litellm
    from litellm.integrations.custom_logger import CustomLogger

    class _UsageLogger(CustomLogger):  # type: ignore[misc]
        async def async_log_success_event(self, kwargs: Any, response_obj: Any, start_time: Any,
                                          end_time: Any) -> None:
            sink(usage_from_callback(kwargs, True, start_time, end_time))

        async def async_log_failure_event(self, kwargs: Any, response_obj: Any, start_time: Any,
                                          end_time: Any) -> None:
            sink(usage_from_callback(kwargs, False, start_time, end_time))

    handler = _UsageLogger()
    litellm.logging_callback_manager.add_litellm_callback(handler)

    def uninstall() -> None:  # litellm copies callbacks into its per-event lists on first use
        for name in ("callbacks", "success_callback", "failure_callback", "_async_success_callback",
                     "_async_failure_callback"):
            entries = getattr(litellm, name, None)
            if isinstance(entries, list):
                entries[:] = [cb for cb in entries if cb is not handler]

    return uninstall
