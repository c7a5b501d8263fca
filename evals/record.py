"""Live mode recording: capture the model's raw HTTP answers while a suite runs against a real
model, then write ``<suite>.recorded.yaml`` whose cases replay those answers offline.

Capture happens at ``httpx.Client.send`` / ``httpx.AsyncClient.send`` (below litellm, above the
transport), so it sees exactly what the endpoint returned, whatever litellm does with it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import yaml

from evals.loader import RECORDED_SUFFIX
from evals.model import Suite

# In the replay, these expectations describe the recorded run rather than the original script.
_RUN_FACTS = ("llm_calls", "drafter")


def _item(response: httpx.Response) -> Any:
    if response.status_code != 200:
        return {"status": response.status_code}
    try:
        content = response.json()["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError):
        return response.text
    try:
        parsed = json.loads(content)
    except (TypeError, ValueError):
        return content
    return parsed if isinstance(parsed, dict) and isinstance(parsed.get("stages"), list) else content


class Recorder:
    """``with Recorder(api_base) as rec:`` … ``rec.take()`` returns the answers since the last take."""

    def __init__(self, api_base: str | None) -> None:
        self.prefix = (api_base or "").rstrip("/")
        self._items: list[Any] = []
        self._saved: tuple[Any, Any] | None = None

    def _wanted(self, request: httpx.Request) -> bool:
        url = str(request.url)
        return url.endswith("/chat/completions") and (not self.prefix or url.startswith(self.prefix))

    def __enter__(self) -> Recorder:
        original_sync, original_async = httpx.Client.send, httpx.AsyncClient.send
        recorder = self

        def send(client, request, *args, **kwargs):  # type: ignore[no-untyped-def]
            try:
                response = original_sync(client, request, *args, **kwargs)
            except httpx.TimeoutException:
                if recorder._wanted(request):
                    recorder._items.append({"timeout": True})
                raise
            if recorder._wanted(request):
                response.read()
                recorder._items.append(_item(response))
            return response

        async def asend(client, request, *args, **kwargs):  # type: ignore[no-untyped-def]
            try:
                response = await original_async(client, request, *args, **kwargs)
            except httpx.TimeoutException:
                if recorder._wanted(request):
                    recorder._items.append({"timeout": True})
                raise
            if recorder._wanted(request):
                await response.aread()
                recorder._items.append(_item(response))
            return response

        self._saved = (original_sync, original_async)
        httpx.Client.send = send  # type: ignore[method-assign]
        httpx.AsyncClient.send = asend  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc: object) -> None:
        if self._saved:
            httpx.Client.send, httpx.AsyncClient.send = self._saved  # type: ignore[method-assign]
            self._saved = None

    def take(self) -> list[Any]:
        items, self._items = self._items, []
        return items


def recorded_path(suite: Suite) -> Path:
    return suite.path.with_name(suite.path.name.removesuffix(".yaml") + RECORDED_SUFFIX)


def write_recorded(suite: Suite, recordings: dict[str, dict[str, Any]]) -> Path:
    """A copy of the suite with every case's ``model_responses`` replaced by the recorded ones.

    ``recordings``: case id → {"responses": [...], "llm_calls": n, "drafter": "model"|…}.
    Cases that crashed (no recording) are left out of the copy.
    """
    cases = []
    for case in suite.cases:
        rec = recordings.get(case["id"])
        if rec is None:
            continue
        copy = json.loads(json.dumps(case, ensure_ascii=False))
        copy["model_responses"] = rec["responses"]
        expect = copy.setdefault("expect", {})
        for fact in _RUN_FACTS:
            if fact in expect and fact in rec:
                expect[fact] = rec[fact]
        cases.append(copy)
    doc = {
        "suite": f"{suite.name}_recorded",
        "kind": suite.kind,
        "description": f"Recorded from a live run of {suite.name} / 实机录制,可离线回放。 {suite.description}".strip(),
        **({"thresholds": {k: v for k, v in suite.thresholds.items()}} if suite.thresholds else {}),
        "cases": cases,
    }
    path = recorded_path(suite)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=120), encoding="utf-8")
    return path
