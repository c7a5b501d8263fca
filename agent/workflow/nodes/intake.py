"""intake: validate and normalise the complaint (and optional history), detect 简/繁."""

from __future__ import annotations

import re
from typing import Any

from agent.errors import InvalidInput
from agent.settings import Settings

# The prompt delimits data with these tags; an owner's text must not be able to close them.
_DELIMITER_TAGS = re.compile(r"<\s*/?\s*(complaint|context_json|history)\s*>", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MAX_HISTORY_TURNS = 20


def clean_text(text: str) -> str:
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    return _DELIMITER_TAGS.sub(" ", text).strip()


def validate_complaint(complaint: object, settings: Settings) -> str:
    if not isinstance(complaint, str):
        raise InvalidInput("投诉内容必须是文本。", "The complaint must be a string.")
    text = clean_text(complaint)
    if not text:
        raise InvalidInput("投诉内容为空,请粘贴业主的原话。", "The complaint is empty; paste the owner's words.")
    if len(text) > settings.max_complaint_chars:
        raise InvalidInput(
            f"投诉内容过长({len(text)} 字),上限 {settings.max_complaint_chars} 字,请删减后再试。",
            f"The complaint is too long ({len(text)} chars; limit {settings.max_complaint_chars}).",
        )
    return text


def validate_history(history: object, settings: Settings) -> list[dict[str, str]]:
    if history is None:
        return []
    if not isinstance(history, list) or len(history) > MAX_HISTORY_TURNS:
        raise InvalidInput(
            f"沟通记录必须是列表,最多 {MAX_HISTORY_TURNS} 条。",
            f"history must be a list of at most {MAX_HISTORY_TURNS} turns.",
        )
    turns: list[dict[str, str]] = []
    for index, turn in enumerate(history, 1):
        if not isinstance(turn, dict) or turn.get("role") not in ("owner", "staff") \
                or not isinstance(turn.get("text"), str) or not turn["text"].strip():
            raise InvalidInput(
                f"第 {index} 条沟通记录格式不对,应为 {{\"role\": \"owner\"|\"staff\", \"text\": \"…\"}}。",
                f"history turn {index} must be {{\"role\": \"owner\"|\"staff\", \"text\": \"…\"}}.",
            )
        text = clean_text(turn["text"])
        if len(text) > settings.max_complaint_chars:
            raise InvalidInput(f"第 {index} 条沟通记录过长。", f"history turn {index} is too long.")
        turns.append({"role": turn["role"], "text": text})
    return turns


def intake(state: dict[str, Any], runtime: Any) -> dict[str, Any]:
    from agent.understand.script import detect_script, detect_variant

    settings = runtime.context.settings
    complaint = validate_complaint(state.get("complaint"), settings)
    history = validate_history(state.get("history"), settings)
    return {"complaint": complaint, "history": history, "script": detect_script(complaint).value,
            "script_variant": detect_variant(complaint)}
