"""/healthz, /readyz, /metrics and the OpenAPI document."""

from __future__ import annotations

import asyncio

import pytest

from .conftest import make_settings, running


async def test_healthz_needs_no_key(api):
    r = await api.client.get("/healthz")
    assert r.status_code == 200 and r.json() == {"status": "ok"}


async def test_readyz_reports_a_missing_index_as_503(api):
    r = await api.client.get("/readyz")
    assert r.status_code == 503
    body = r.json()
    assert body["status"] == "degraded"
    assert body["checks"]["database"] == {"ok": True, "dialect": "sqlite"}
    assert body["checks"]["index"]["ok"] is False and "wuye corpus build" in body["checks"]["index"]["detail"]
    assert body["checks"]["model"]["model"] == "openai/test-model" and not body["checks"]["model"]["offline"]


@pytest.mark.slow  # builds the corpus index
async def test_readyz_ok_with_an_index(tmp_path, shared_clients):
    from agent.retrieval.index import build_index

    settings = make_settings(tmp_path, model="openai/gpt-x", api_base="http://llm.test/v1")
    build_index(settings, progress=False)
    async with running(settings, shared_clients) as api:
        await api.app.state.warmup  # not ready while warming up (below)
        r = await api.client.get("/readyz")
    assert r.status_code == 200, r.text
    assert r.json()["checks"]["warm_up"] == {"ok": True}
    checks = r.json()["checks"]
    assert checks["index"]["ok"] and checks["index"]["entries"] > 0
    assert checks["model"] == {"ok": True, "model": "openai/gpt-x", "offline": False, "fallbacks": []}


async def test_metrics_count_requests_drafts_and_violations(api):
    agent = await api.key("agent")
    await api.draft(agent, complaint="FLAG 保安态度太差")
    await api.client.get("/v1/drafts/nope", headers=agent)
    text = (await api.client.get("/metrics")).text
    assert 'wuye_http_requests_total{method="POST",route="/v1/drafts",status="201"} 1.0' in text
    assert 'wuye_http_requests_total{method="GET",route="/v1/drafts/{draft_id}",status="404"} 1.0' in text
    assert 'wuye_drafts_total{status="flagged"} 1.0' in text
    assert 'wuye_guard_violations_total{category="buck_passing"} 1.0' in text
    assert "wuye_http_request_seconds_bucket" in text


async def test_openapi_has_chinese_examples_and_documented_errors(api):
    schema = (await api.client.get("/openapi.json")).json()
    create = schema["paths"]["/v1/drafts"]["post"]
    assert {"201", "401", "403", "409", "413", "422", "429"} <= set(create["responses"])
    example = schema["components"]["schemas"]["DraftInput"]["examples"][0]
    assert "漏水" in example["complaint"] and schema["components"]["schemas"]["DraftInput"]["additionalProperties"] is False
    assert schema["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"


@pytest.mark.slow  # compiles the guardrails policy
async def test_guardrails_check_item_contract(api):
    from .conftest import guard_ready

    if not guard_ready():
        pytest.skip("agent.guard.GuardChecker is not importable yet")
    qa = await api.key("qa")
    r = await api.client.post("/v1/guardrails/check", headers=qa, json={"items": [
        {"id": "c1", "stage": "act", "text": "这事不归我们管,您自己去找开发商吧。"},
        {"id": 2, "stage": "thank", "text": "谢谢您及时告诉我们,维修结果我明天上午给您回电。"}]})
    assert r.status_code == 200, r.text
    body = r.json()
    first, second = body["results"]
    assert first["id"] == "c1" and first["passed"] is False and not body["passed"]
    assert {v["category"] for v in first["violations"]} & {"buck_passing", "refusing"}
    v = first["violations"][0]
    assert "这事不归我们管,您自己去找开发商吧。"[v["start"]:v["end"]] == v["excerpt"]
    assert second == {"id": 2, "stage": "thank", "passed": True, "violations": []}
    too_long = await api.client.post("/v1/guardrails/check", headers=qa,
                                     json={"items": [{"stage": "act", "text": "好" * 2001}]})
    assert too_long.status_code == 422 and too_long.json()["error"]["code"] == "text_too_long"
    bad_stage = await api.client.post("/v1/guardrails/check", headers=qa,
                                      json={"items": [{"stage": "greet", "text": "您好"}]})
    assert bad_stage.status_code == 422


async def test_served_app_freezes_its_start_up_heap_once_warm(tmp_path, shared_clients):
    """``wuye serve`` moves the start-up heap out of the collector's reach once warm (full
    collections would otherwise walk ≈ 600,000 objects, stalling the loop); test apps do not."""
    import gc

    import httpx

    from agent.workflow.core import DraftCore
    from api.app import create_app

    gc.unfreeze()
    try:
        for serving in (False, True):
            settings = make_settings(tmp_path / str(serving), model=None)
            core = await DraftCore.open(settings, retriever=shared_clients[0], checker=shared_clients[1])
            app = create_app(settings, core, serving=serving)
            async with app.router.lifespan_context(app):
                await app.state.warmup
                await asyncio.sleep(0)  # the warm-up's done-callbacks run on the next loop turn
                async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
                    assert (await c.get("/healthz")).status_code == 200
                assert (gc.get_freeze_count() > 0) is serving
            await core.aclose()
    finally:
        gc.unfreeze()


async def test_docs_work_offline(api):
    """Swagger UI's files are served by the app itself: nothing is loaded from a CDN."""
    page = await api.client.get("/docs")
    assert page.status_code == 200 and "swagger-ui-bundle.js" in page.text
    assert "cdn" not in page.text.lower() and "https://" not in page.text
    for asset in ("/docs-assets/swagger-ui-bundle.js", "/docs-assets/swagger-ui.css"):
        r = await api.client.get(asset)
        assert r.status_code == 200 and len(r.content) > 10_000


async def test_readyz_is_503_while_warming_up(api):
    """A load balancer must not send owners' complaints to an instance still loading (≈ 1 s of work
    a first request would otherwise wait for)."""
    import asyncio

    release = asyncio.Event()
    api.app.state.warmup = asyncio.create_task(release.wait())
    r = await api.client.get("/readyz")
    assert r.status_code == 503 and not r.json()["checks"]["warm_up"]["ok"]
    release.set()
    await api.app.state.warmup
    assert (await api.client.get("/readyz")).json()["checks"]["warm_up"] == {"ok": True}
