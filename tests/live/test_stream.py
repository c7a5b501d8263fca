"""Streaming (issue 16): POST /v1/drafts with Accept: text/event-stream over a real server.

The model's streamed answer is mocked with respx; each stage's event must reach the client before
the model has sent the next stage (the mock waits for it), so stages really stream."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx

from agent.vocab import Stage
from tests.live.conftest import COMPLAINT, answer_pieces, chunk, final_chunk, live_app, read_events, streamed
from tests.workflow.conftest import BAD_ACT, CLEAN, answer_for, chat

STAGES = [s.value for s in Stage]
SSE = {"Accept": "text/event-stream"}


class StreamedModel:
    """Streams a well-formed answer; before each new stage it waits until the client has seen the
    previous stage's event (``seen``), so a test fails if stages are held back until the end."""

    def __init__(self, texts: dict[str, str] | None = None, revise: dict[str, str] | None = None) -> None:
        self.texts, self.revise = texts or {}, revise or {}
        self.seen: dict[str, asyncio.Event] = {}
        self.waited_out: list[str] = []
        self.calls = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        texts = self.texts if self.calls == 1 else self.revise
        answer = answer_for(request, texts)
        if not json.loads(request.content).get("stream"):  # the re-ask of a failing stage is not streamed
            assert self.calls > 1, "the first drafting call of a streamed request streams the model"
            return httpx.Response(200, json=chat(json.dumps(answer, ensure_ascii=False)))
        pieces = answer_pieces(answer)
        wait_for = [s["stage"] for s in answer["stages"]] if self.calls == 1 else []

        async def body():  # noqa: ANN202
            stage_index = 0
            for index, piece in enumerate(pieces):
                # a piece that starts a new stage (index 1, 3, 5, …) waits for the previous stage's event
                if self.calls == 1 and index >= 3 and index % 2 == 1 and stage_index < len(wait_for):
                    previous = wait_for[stage_index]
                    stage_index += 1
                    try:
                        await asyncio.wait_for(self.seen.setdefault(previous, asyncio.Event()).wait(), 10)
                    except TimeoutError:
                        self.waited_out.append(previous)
                yield chunk(piece)
                await asyncio.sleep(0.01)
            yield final_chunk()

        return streamed(body())


async def _stream(live: Any, headers: dict[str, str], body: dict[str, Any], model: StreamedModel | None = None
                  ) -> list[tuple[str, dict[str, Any]]]:
    events = []
    async with live.client.stream("POST", "/v1/drafts", json=body, headers={**headers, **SSE}) as response:
        assert response.status_code == 200, await response.aread()
        assert response.headers["content-type"].startswith("text/event-stream")
        async for name, data in read_events(response):
            events.append((name, data))
            if name == "stage" and model is not None:
                model.seen.setdefault(data["stage"], asyncio.Event()).set()
    return events


async def test_events_in_order_with_payloads_and_done_equals_stored(live_settings, shared_clients) -> None:
    model = StreamedModel()
    async with live_app(live_settings(), shared_clients, model) as live:
        headers = await live.key()
        events = await _stream(live, headers, {"complaint": COMPLAINT, "project": "翠湖苑"}, model)
        names = [n for n, _ in events]
        assert names == ["accepted", "classification", *["stage"] * 6, "done"], names
        assert model.waited_out == [], "stage events must arrive while the model is still streaming"
        stages = [d for n, d in events if n == "stage"]
        assert [s["stage"] for s in stages] == STAGES
        for item in stages:
            assert set(item) == {"stage", "text", "techniques", "guardrail"}
            assert item["text"] == CLEAN[item["stage"]] and item["guardrail"]["passed"] is True
            assert item["techniques"] and {"id", "title", "source"} <= set(item["techniques"][0])
        assert events[1][1]["classification"]["category"] == "facilities"
        done = events[-1][1]["draft"]
        assert done["status"] == "pending_approval" and done["drafter"] == "model"
        assert [s["text"] for s in done["stages"]] == [s["text"] for s in stages]
        stored = (await live.client.get(f"/v1/drafts/{done['id']}", headers=headers)).json()
        assert stored == done
        assert events[0][1] == {"id": done["id"], "status": "drafting"}


async def test_a_failing_stage_is_sent_then_revised(live_settings, shared_clients) -> None:
    model = StreamedModel(texts={"act": BAD_ACT}, revise={})
    async with live_app(live_settings(), shared_clients, model) as live:
        headers = await live.key()
        events = await _stream(live, headers, {"complaint": COMPLAINT, "project": "翠湖苑"}, model)
        names = [n for n, _ in events]
        assert names == ["accepted", "classification", *["stage"] * 6, "revise", "stage", "done"], names
        first_act = next(d for n, d in events if n == "stage" and d["stage"] == "act")
        assert first_act["text"] == BAD_ACT and first_act["guardrail"]["passed"] is False
        hit = first_act["guardrail"]["violations"][0]
        assert BAD_ACT[hit["start"]:hit["end"]] == hit["excerpt"] and hit["severity"] == "block"
        assert events[8] == ("revise", {"stages": ["act"]})
        assert events[9][1]["stage"] == "act" and events[9][1]["text"] == CLEAN["act"]
        assert events[9][1]["guardrail"]["passed"] is True
        assert events[-1][1]["draft"]["stages"][3]["text"] == CLEAN["act"]
        assert model.calls == 2


async def test_offline_drafter_streams_the_same_events(live_settings, shared_clients) -> None:
    async with live_app(live_settings(model=None), shared_clients) as live:
        headers = await live.key()
        events = await _stream(live, headers, {"complaint": COMPLAINT, "project": "翠湖苑"})
        names = [n for n, _ in events]
        assert names[:8] == ["accepted", "classification", *["stage"] * 6] and names[-1] == "done", names
        assert [d["stage"] for n, d in events[2:8]] == STAGES
        done = events[-1][1]["draft"]
        assert done["drafter"] == "offline"
        final = {s["stage"]: s["text"] for s in done["stages"]}
        last_sent = {d["stage"]: d["text"] for n, d in events if n == "stage"}
        assert last_sent == final


async def test_a_client_that_disconnects_loses_nothing(live_settings, shared_clients) -> None:
    model = StreamedModel()
    async with live_app(live_settings(), shared_clients, model) as live:
        headers = await live.key()
        draft_id = None
        async with live.client.stream("POST", "/v1/drafts", json={"complaint": COMPLAINT, "project": "翠湖苑"},
                                      headers={**headers, **SSE}) as response:
            async for name, data in read_events(response):
                if name == "accepted":
                    draft_id = data["id"]
                if name == "stage":
                    break  # the agent closed the tab after the first stage
        assert draft_id
        for stage in STAGES:  # the model goes on without the reader
            model.seen.setdefault(stage, asyncio.Event()).set()
        await live.settle()
        stored = (await live.client.get(f"/v1/drafts/{draft_id}", headers=headers)).json()
        assert stored["status"] == "pending_approval"
        assert [s["text"] for s in stored["stages"]] == [CLEAN[s] for s in STAGES]


async def test_the_blocking_call_is_unchanged(live_settings, shared_clients) -> None:
    async with live_app(live_settings(), shared_clients) as live:
        headers = await live.key()
        response = await live.client.post("/v1/drafts", json={"complaint": COMPLAINT, "project": "翠湖苑"},
                                          headers=headers)
        assert response.status_code == 201 and response.headers["content-type"] == "application/json"
        assert response.json()["status"] == "pending_approval"
        assert live.model.calls == 1  # ScriptedModel answers only non-streamed requests (JSON body, not SSE)


async def test_a_stream_that_breaks_midway_falls_back_and_resends_what_changed(live_settings, shared_clients) -> None:
    """Two stages arrive, then the model connection breaks: the offline drafter answers, and every
    stage whose text differs from what was sent is sent again, so the last event per stage is final."""

    def breaking(request: httpx.Request) -> httpx.Response:
        pieces = answer_pieces(answer_for(request))

        async def body():  # noqa: ANN202
            for piece in pieces[:5]:  # the head and the first two stages
                yield chunk(piece)
            raise httpx.ReadError("connection reset by the model host")

        return streamed(body())

    async with live_app(live_settings(retries=0), shared_clients, breaking) as live:
        headers = await live.key()
        events = await _stream(live, headers, {"complaint": COMPLAINT, "project": "翠湖苑"})
        names = [n for n, _ in events]
        assert names[-1] == "done", names
        done = events[-1][1]["draft"]
        assert done["drafter"] == "offline_fallback"
        sent = [d for n, d in events if n == "stage"]
        assert [d["stage"] for d in sent[:2]] == ["listen", "empathize"] and sent[0]["text"] == CLEAN["listen"]
        last = {d["stage"]: d["text"] for d in sent}
        assert last == {s["stage"]: s["text"] for s in done["stages"]}
