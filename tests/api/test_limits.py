"""Limits and bad input: always a 4xx with the bilingual error body, never a 5xx."""

from __future__ import annotations

import asyncio
import socket

import httpx
import pytest

from .conftest import make_settings, running


def _is_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _assert_error(r: httpx.Response, status: int, code: str | None = None) -> dict:
    assert r.status_code == status, r.text
    err = r.json()["error"]
    assert set(err) == {"code", "message_zh", "message_en", "details"}
    assert _is_chinese(err["message_zh"]) and err["message_en"]
    if code:
        assert err["code"] == code
    return err


async def test_body_size_limit_by_length_and_by_stream(tmp_path, shared_clients):
    async with running(make_settings(tmp_path, max_body_bytes=2048), shared_clients) as api:
        agent = await api.key("agent")
        big = {"complaint": "漏水" * 2000, "project": "翠湖苑"}
        _assert_error(await api.client.post("/v1/drafts", json=big, headers=agent), 413, "body_too_large")

        async def chunks():
            for _ in range(10):
                yield b"x" * 1000

        r = await api.client.post("/v1/drafts", content=chunks(),
                                  headers={**agent, "Content-Type": "application/json"})
        _assert_error(r, 413, "body_too_large")
        assert api.model.calls == 0
        ok = await api.client.post("/v1/drafts", json={"complaint": "漏水", "project": "翠湖苑"}, headers=agent)
        assert ok.status_code == 201


async def test_complaint_length_limit(tmp_path, shared_clients):
    async with running(make_settings(tmp_path, max_complaint_chars=50), shared_clients) as api:
        agent = await api.key("agent")
        r = await api.client.post("/v1/drafts", json={"complaint": "吵" * 51, "project": "翠湖苑"}, headers=agent)
        err = _assert_error(r, 422, "complaint_too_long")
        assert err["details"]["limit"] == 50
        assert api.model.calls == 0


async def test_rate_limit_429_with_retry_after(tmp_path, shared_clients):
    async with running(make_settings(tmp_path, rate_limit_per_minute=3), shared_clients) as api:
        agent, other = await api.key("agent"), await api.key("agent")
        for _ in range(3):
            assert (await api.client.get("/v1/drafts", headers=agent)).status_code == 200
        r = await api.client.get("/v1/drafts", headers=agent)
        _assert_error(r, 429, "rate_limited")
        assert int(r.headers["Retry-After"]) >= 1
        assert (await api.client.get("/v1/drafts", headers=other)).status_code == 200  # per key


async def test_unknown_keys_are_rate_limited_by_address(tmp_path, shared_clients):
    async with running(make_settings(tmp_path, rate_limit_per_minute=3), shared_clients) as api:
        guesses = [await api.client.get("/v1/drafts", headers={"Authorization": f"Bearer wuye_guess{i}"})
                   for i in range(3)]
        assert [r.status_code for r in guesses] == [401, 401, 401]
        r = await api.client.get("/v1/drafts", headers={"Authorization": "Bearer wuye_guess4"})
        _assert_error(r, 429, "rate_limited")
        _assert_error(await api.client.get("/v1/drafts"), 429, "rate_limited")  # no key at all: same address
        agent = await api.key("agent")  # a valid key has its own window
        assert (await api.client.get("/v1/drafts", headers=agent)).status_code == 200


async def test_moving_window_gives_the_wait_until_the_oldest_request_leaves():
    from api.limits import RateLimits
    from api.shared import LocalState

    limits = RateLimits(LocalState(), 2)
    assert [await limits.key("k") for _ in range(2)] == [0.0, 0.0]
    wait = await limits.key("k")
    assert 58 < wait <= 60
    assert await limits.key("other") == 0.0 and await limits.address("k") == 0.0  # separate windows
    assert RateLimits.retry_after(0.2) == "1" and RateLimits.retry_after(59.1) == "60"


BAD_BODIES = [
    ("unknown field", {"complaint": "漏水", "project": "翠湖苑", "priority": "high"}, "extra_forbidden"),
    ("wrong type", {"complaint": 123, "project": "翠湖苑"}, "string_type"),
    ("empty complaint", {"complaint": "", "project": "翠湖苑"}, "string_too_short"),
    ("missing project", {"complaint": "漏水"}, "missing"),
    ("bad channel", {"complaint": "漏水", "project": "翠湖苑", "channel": "telegram"}, "enum"),
    ("too many history turns", {"complaint": "漏水", "project": "翠湖苑",
                                "history": [{"role": "owner", "text": "又漏了"}] * 21}, "too_long"),
    ("history not a list", {"complaint": "漏水", "project": "翠湖苑", "history": "上次说过"}, "list_type"),
    ("not an object", ["漏水"], "model_attributes_type"),
]


@pytest.mark.parametrize("complaint", ["   \n", "\u200b\u200b\u200c\ufeff", " \u2060 \u200d "],
                         ids=["blank", "zero-width", "word-joiners"])
async def test_blank_or_invisible_complaints_are_refused_at_the_edge(api, complaint):
    agent = await api.key("agent")
    r = await api.client.post("/v1/drafts", json={"complaint": complaint, "project": "翠湖苑"}, headers=agent)
    err = _assert_error(r, 422, "complaint_empty")
    assert "empty" in err["message_en"]
    assert api.model.calls == 0 and (await api.client.get("/v1/drafts", headers=agent)).json()["items"] == []


@pytest.mark.parametrize(("label", "body", "kind"), BAD_BODIES, ids=[b[0] for b in BAD_BODIES])
async def test_bad_bodies_are_bilingual_422(api, label, body, kind):
    agent = await api.key("agent")
    r = await api.client.post("/v1/drafts", json=body, headers=agent)
    err = _assert_error(r, 422, "invalid_input")
    assert err["details"]["errors"][0]["type"] == kind
    assert api.model.calls == 0


@pytest.mark.parametrize("raw", [b'{"complaint": "\xff\xfe\xe6", "project": "x"}', b"{not json", b"", b"\x00" * 10])
async def test_invalid_utf8_and_broken_json_are_4xx(api, raw):
    agent = await api.key("agent")
    r = await api.client.post("/v1/drafts", content=raw, headers={**agent, "Content-Type": "application/json"})
    assert 400 <= r.status_code < 500, r.text
    _assert_error(r, r.status_code)


async def test_wrong_content_type_and_methods_and_routes(api):
    agent = await api.key("agent")
    r = await api.client.post("/v1/drafts", content="complaint=漏水", headers={**agent, "Content-Type": "text/plain"})
    _assert_error(r, 422)
    _assert_error(await api.client.get("/v1/nope", headers=agent), 404, "not_found")
    _assert_error(await api.client.delete("/v1/drafts", headers=agent), 405, "method_not_allowed")
    _assert_error(await api.client.get("/v1/drafts", params={"cursor": "abc"}, headers=agent), 422, "bad_cursor")
    _assert_error(await api.client.get("/v1/drafts", params={"status": "done"}, headers=agent), 422)


async def test_oversized_authorization_header_is_401(api):
    r = await api.client.get("/v1/drafts", headers={"Authorization": "Bearer wuye_" + "a" * 8000})
    _assert_error(r, 401, "unauthorized")


async def test_huge_headers_are_431_in_process(api):
    agent = await api.key("agent")
    r = await api.client.get("/v1/drafts", headers={**agent, "X-Junk": "a" * 20_000})
    _assert_error(r, 431, "headers_too_large")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_huge_headers_are_refused_by_the_server(tmp_path, shared_clients):
    """Over uvicorn's h11 limit (16 KiB, as `wuye serve` configures it) → 4xx before the app runs."""
    import uvicorn

    from agent.workflow.core import DraftCore
    from api.app import create_app

    port = _free_port()
    settings = make_settings(tmp_path, model=None)
    core = await DraftCore.open(settings, retriever=shared_clients[0], checker=shared_clients[1])
    app = create_app(settings, core)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error",
                                           http="h11", h11_max_incomplete_event_size=16 * 1024))
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            await asyncio.sleep(0.05)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            assert (await client.get("/healthz")).status_code == 200
            try:
                r = await client.get("/healthz", headers={"X-Junk": "a" * 256 * 1024})
                assert 400 <= r.status_code < 500
            except httpx.RemoteProtocolError:
                pass  # the server closed the connection: also a refusal, not a 5xx
    finally:
        server.should_exit = True
        await task
        await core.aclose()


async def test_local_windows_expire_without_a_worker_thread(monkeypatch):
    """The in-process storage sweeps expired window entries on the event loop (the library's own
    sweep hands each key to a thread); it still overrides the library's sweep, and still expires."""
    from limits import RateLimitItemPerSecond
    from limits.aio.storage import MemoryStorage
    from limits.aio.strategies import MovingWindowRateLimiter

    from api.shared import _InlineExpiryMemoryStorage

    assert hasattr(MemoryStorage, "_MemoryStorage__expire_events")  # the method overridden still exists

    async def no_thread(*args, **kwargs):
        raise AssertionError("the expiry sweep must not use a worker thread")

    monkeypatch.setattr(asyncio, "to_thread", no_thread)
    storage = _InlineExpiryMemoryStorage()
    limiter, item = MovingWindowRateLimiter(storage), RateLimitItemPerSecond(2)
    assert [await limiter.hit(item, "k") for _ in range(3)] == [True, True, False]
    await asyncio.sleep(1.1)
    assert await limiter.hit(item, "k")
    await asyncio.sleep(0.05)  # the sweep started by that hit has run
    assert [len(entries) for entries in storage.events.values()] == [1]
