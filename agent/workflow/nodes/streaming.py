"""Stage events for a streamed draft (``POST /v1/drafts`` with ``Accept: text/event-stream``).

The nodes emit them through LangGraph's stream writer (``runtime.stream_writer``; a no-op unless the
graph runs with ``stream_mode="custom"``), so the events come from the graph itself:

- understand → ``classification``
- draft → ``stage`` for each stage as soon as its JSON object is complete in the streamed model
  output (or the offline drafter's answer) and it has passed through the guard (``LiveStages``)
- guard → ``stage`` for every stage it checks that was not already sent (e.g. a re-asked stage)
- revise → ``revise`` with the stages being re-asked

``done`` (the stored draft set) is sent by the core once the set is stored.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from agent.drafting.answer import DraftAnswer, StageAnswer

if TYPE_CHECKING:
    from langgraph.types import StreamWriter

    from agent.guard import GuardChecker

_DECODER = json.JSONDecoder()
_SKIP = " \t\r\n,"


def stage_event(stage: str, draft: dict[str, Any], result: dict[str, Any]) -> dict[str, Any]:
    """The payload of one ``stage`` event: ``{"stage", "text", "techniques", "guardrail"}``."""
    return {"event": "stage", "stage": stage, "text": draft["text"], "techniques": draft["techniques"],
            "guardrail": result}


class StageScanner:
    """Finds the complete objects of the ``"stages": [...]`` array in a JSON answer that is still
    arriving, each once and in order (``feed`` takes the whole text so far)."""

    def __init__(self) -> None:
        self.pos: int | None = None

    def feed(self, text: str) -> list[dict[str, Any]]:
        if self.pos is None:
            key = text.find('"stages"')
            bracket = text.find("[", key) if key >= 0 else -1
            if bracket < 0:
                return []
            self.pos = bracket + 1
        found: list[dict[str, Any]] = []
        while True:
            i = self.pos
            while i < len(text) and text[i] in _SKIP:
                i += 1
            if i >= len(text) or text[i] != "{":
                return found
            try:
                item, end = _DECODER.raw_decode(text, i)
            except json.JSONDecodeError:
                return found  # not complete yet
            self.pos = end
            if isinstance(item, dict):
                found.append(item)


class LiveStages:
    """The draft node's listener on the model output: every stage that completes is turned into a
    stage draft (``stage_drafts``), checked by the guard (``check``) and sent as a ``stage`` event.
    ``kept(drafts)`` then gives the guard results still valid for the final drafts, so the guard
    node checks (and sends) only what changed."""

    def __init__(self, state: dict[str, Any], checker: GuardChecker, expected: list[str],
                 writer: StreamWriter) -> None:
        self.state, self.checker, self.expected, self.writer = state, checker, set(expected), writer
        self.scanner = StageScanner()
        self.sent: dict[str, tuple[str, dict[str, Any], list[str]]] = {}  # stage -> (text, result, hints)

    def feed(self, text: str) -> None:
        from agent.workflow.nodes.drafting import stage_drafts
        from agent.workflow.nodes.guard import check

        for raw in self.scanner.feed(text):
            try:
                item = StageAnswer.model_validate(raw)
            except ValidationError:
                continue  # the final parse reports it (and the repair request fixes it)
            stage = item.stage.value
            if stage not in self.expected or stage in self.sent:
                continue
            drafts, _ = stage_drafts(self.state, DraftAnswer(stages=[item]))
            results, hints = check(self.checker, self.state, {stage: drafts[stage]["text"]})
            self.sent[stage] = (drafts[stage]["text"], results[stage], hints[stage])
            self.writer(stage_event(stage, drafts[stage], results[stage]))

    def kept(self, drafts: dict[str, dict[str, Any]]) -> tuple[dict[str, dict[str, Any]], dict[str, list[str]]]:
        results, hints = {}, {}
        for stage, (text, result, stage_hints) in self.sent.items():
            if stage in drafts and drafts[stage]["text"] == text:
                results[stage], hints[stage] = result, stage_hints
        return results, hints
