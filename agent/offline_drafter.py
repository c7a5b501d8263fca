"""The embedded offline drafter: a litellm custom provider, ``wuye-offline/drafter``.

With no model configured (or when the configured one fails) the workflow sends the very same
prompt to this provider. It reads the ``<complaint>`` and ``<context_json>`` blocks of the last
user message that has them (CONTRACTS §4), and answers with the same JSON a real model must give:
``{"classification": {...}, "stages": [{"stage", "text", "techniques": [ids]}]}`` — all six stages,
or only ``only_stages`` on a re-ask (then with other sentence variants, so the fix hints are met).

Drafts are composed from the retrieved techniques' phrasings that fit the complaint plus the
complaint's specifics (what / where / since when); deterministic for a given complaint.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

from agent.classify import classify_offline
from agent.models import Classification
from agent.offline.compose import compose_stage
from agent.offline.facts import gather_facts
from agent.vocab import Stage

PROVIDER = "wuye-offline"
MODEL = f"{PROVIDER}/drafter"
_COMPLAINT_RE = re.compile(r"<complaint>\s*(.*?)\s*</complaint>", re.S)
_CONTEXT_RE = re.compile(r"<context_json>\s*(.*?)\s*</context_json>", re.S)
# a re-ask lists the rejected drafts: "- act(办)原稿:……" (prompts/draft.user.j2)
_REJECTED_RE = re.compile(r"^\s*-\s*(listen|empathize|ask|act|negotiate|thank)\s*[（(].[)）]\s*原稿[:：](.*)$", re.M)


class OfflineInputError(ValueError):
    """The prompt does not carry the blocks the offline drafter needs."""


def _content(message: Any) -> str:
    content = message.get("content") if isinstance(message, dict) else getattr(message, "content", "")
    if isinstance(content, list):  # OpenAI content parts
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return content or ""


def parse_prompt(messages: list) -> tuple[str, dict]:
    """(complaint, context) from the last user message carrying ``<context_json>``."""
    for message in reversed(messages or []):
        role = message.get("role") if isinstance(message, dict) else getattr(message, "role", None)
        text = _content(message)
        if role != "user" or "<context_json>" not in text:
            continue
        ctx_match = _CONTEXT_RE.search(text)
        if not ctx_match:
            raise OfflineInputError("<context_json> block is not closed")
        try:
            context = json.loads(ctx_match.group(1))
        except json.JSONDecodeError as exc:
            raise OfflineInputError(f"<context_json> is not valid JSON: {exc}") from exc
        if not isinstance(context, dict):
            raise OfflineInputError("<context_json> must be a JSON object")
        complaint_match = _COMPLAINT_RE.search(text)
        complaint = complaint_match.group(1) if complaint_match else str(context.get("complaint") or "")
        if not complaint.strip():
            raise OfflineInputError("no complaint text in the prompt")
        rejected = {m.group(1): m.group(2).strip() for m in _REJECTED_RE.finditer(text.split("<complaint>")[0])}
        if rejected:
            context = {**context, "rejected": {**rejected, **(context.get("rejected") or {})}}
        return complaint, context
    raise OfflineInputError("no user message with a <context_json> block")


def draft_from_context(complaint: str, context: dict) -> dict:
    """The JSON answer (as a dict) for one prompt. Pure and deterministic."""
    raw = context.get("classification")
    classification = (Classification.model_validate(raw) if isinstance(raw, dict) and raw
                      else classify_offline(complaint))
    facts = gather_facts(complaint, classification)
    stages_ctx = context.get("stages") or {}
    only = context.get("only_stages")
    wanted = [Stage(s) for s in only] if only else list(Stage)
    hints = context.get("fix_hints") or {}
    rejected = context.get("rejected") or {}
    stages = []
    used: set[str] = set()  # playbook phrasings already quoted: never twice in one draft
    for stage in wanted:
        techniques = [t for t in (stages_ctx.get(stage.value) or []) if isinstance(t, dict)]
        shift = (1 + len(hints.get(stage.value) or [])) if stage.value in hints or only else 0
        text, cited = compose_stage(stage, techniques, facts, shift=shift,
                                    avoid=str(rejected.get(stage.value) or ""), used=used)
        if not cited and techniques and isinstance(techniques[0].get("id"), str):
            cited = [techniques[0]["id"]]
        stages.append({"stage": stage.value, "text": text, "techniques": cited})
    return {"classification": classification.model_dump(mode="json"), "stages": stages}


def _make_handler():  # noqa: ANN202 - the class needs litellm, imported lazily
    import litellm
    from litellm.llms.custom_llm import CustomLLM, CustomLLMError

    class OfflineDrafter(CustomLLM):
        """litellm provider ``wuye-offline``: answers the drafting prompt without any network."""

        def _answer(self, model: str, messages: list, model_response: Any) -> Any:
            started = time.perf_counter()
            try:
                complaint, context = parse_prompt(messages)
                answer = draft_from_context(complaint, context)
            except (OfflineInputError, ValueError) as exc:
                raise CustomLLMError(status_code=400, message=f"offline drafter: {exc}") from exc
            content = json.dumps(answer, ensure_ascii=False)
            response = litellm.ModelResponse(
                model=model if model.startswith(PROVIDER) else f"{PROVIDER}/{model}",
                choices=[{"index": 0, "finish_reason": "stop",
                          "message": {"role": "assistant", "content": content}}],
                usage={"prompt_tokens": 0, "completion_tokens": len(content), "total_tokens": len(content)},
            )
            response._response_ms = (time.perf_counter() - started) * 1000  # noqa: SLF001
            return response

        def completion(self, model: str, messages: list, *args: Any, **kwargs: Any) -> Any:
            return self._answer(model, messages, kwargs.get("model_response"))

        async def acompletion(self, model: str, messages: list, *args: Any, **kwargs: Any) -> Any:
            return self._answer(model, messages, kwargs.get("model_response"))

    return OfflineDrafter()


def register_offline_provider() -> None:
    """Register ``wuye-offline`` with litellm (idempotent; imports litellm lazily)."""
    import litellm

    if any(item.get("provider") == PROVIDER for item in litellm.custom_provider_map):
        return
    litellm.custom_provider_map.append({"provider": PROVIDER, "custom_handler": _make_handler()})
    from litellm.utils import custom_llm_setup

    custom_llm_setup()
