"""Optional LLM judge (``WUYE_LLM_JUDGE=true`` and a configured ``WUYE_MODEL``).

One request per batch through ``agent.drafting.model.ModelAccess`` (the project's only litellm caller, same
model settings and retries). Its findings are advisory: they come back as ``warn`` violations
with rule ids ``llm_judge.<category>``; a failing or confused model never blocks a check.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from agent.errors import WuyeError
from agent.settings import Settings
from agent.vocab import ViolationCategory

log = logging.getLogger(__name__)
_CATEGORIES = {c.value for c in ViolationCategory}


def parse_answer(raw: str) -> list[dict[str, Any]]:
    """The model's JSON → ``[{"index", "category", "excerpt", "reason"}]``; raises OutputInvalid."""
    from agent.drafting.model import OutputInvalid

    try:
        data = json.loads(raw.strip().removeprefix("```json").removesuffix("```"))
        items = data["items"]
        if not isinstance(items, list):
            raise TypeError("items is not a list")
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise OutputInvalid(f"expected {{\"items\": [...]}} JSON: {exc}") from exc
    found = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("index"), int):
            continue
        for v in item.get("violations") or []:
            if isinstance(v, dict) and v.get("category") in _CATEGORIES and isinstance(v.get("excerpt"), str):
                found.append({"index": item["index"], "category": v["category"], "excerpt": v["excerpt"],
                              "reason": str(v.get("reason", ""))[:200]})
    return found


class LLMJudgeClient:
    def __init__(self, settings: Settings) -> None:
        from agent.drafting.model import ModelAccess

        self.settings = settings
        self.client = ModelAccess(settings)
        self.instructions = (Path(settings.guardrails_dir) / "judge_prompt.txt").read_text(encoding="utf-8")

    def judge(self, items: list[dict[str, str]]) -> list[dict[str, Any]]:
        payload = [{"index": i, "stage": it["stage"], "text": it["text"]} for i, it in enumerate(items)]
        messages = [
            {"role": "system", "content": self.instructions},
            {"role": "user", "content": json.dumps(payload, ensure_ascii=False)},
        ]
        try:
            result = _wait(self.client.complete(
                messages, parse_answer,
                lambda error: f"上一次的回答不是要求的 JSON({error}),请只输出 {{\"items\": [...]}} 对象。",
            ))
        except WuyeError as exc:  # advisory only: the offline verdict stands
            log.warning("LLM judge unavailable: %s", exc.en)
            return []
        hits = []
        for found in result.value:
            i = found["index"]
            if not 0 <= i < len(items) or not found["excerpt"]:
                continue
            start = items[i]["text"].find(found["excerpt"])
            if start < 0:  # the model did not quote the text: mark the whole reply
                start, end = 0, len(items[i]["text"])
            else:
                end = start + len(found["excerpt"])
            hits.append({"item": i, "start": start, "end": end, "category": found["category"],
                         "rule_id": f"llm_judge.{found['category']}", "reason": found["reason"]})
        return hits


def _wait(call: Any) -> Any:
    """Run the model call to completion from this sync check (on a loop of its own, in a helper
    thread, so it also works when the caller is inside an event loop)."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, call).result()
