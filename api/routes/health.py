"""Liveness, readiness and Prometheus metrics (no API key needed)."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from agent.settings import Settings

from ..deps import DbDep, MetricsDep, SettingsDep, SharedDep
from ..schemas import Health, Readiness

router = APIRouter(tags=["health 运行状态"])


@router.get("/healthz", response_model=Health, summary="存活检查 Liveness")
async def healthz() -> Health:
    return Health(status="ok")


def _index_check(settings: Settings) -> dict[str, Any]:
    from agent.retrieval.store import entries_collection_name, get_client, open_collection

    client = get_client(settings, create=False)
    collection = open_collection(client, entries_collection_name(settings))
    count = collection.count() if collection is not None else 0
    if not count:
        return {"ok": False, "detail": "collection missing or empty; run `wuye corpus build`"}
    return {"ok": True, "entries": count}


def _warm_up_check(task: asyncio.Task | None) -> dict[str, Any]:
    if task is None or not task.done():
        return {"ok": False, "detail": "预热中 warming up (jieba, the guard, the models' clients)"}
    if task.cancelled() or task.exception() is not None:
        error = "cancelled" if task.cancelled() else f"{type(task.exception()).__name__}: {task.exception()}"
        return {"ok": False, "detail": f"预热失败 warm-up failed: {error}"[:300]}
    return {"ok": True}


async def _checked(coro: Any) -> dict[str, Any]:
    try:
        return await asyncio.wait_for(coro, timeout=5)
    except Exception as exc:  # noqa: BLE001 - readiness reports any failure as data
        message = getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"
        return {"ok": False, "detail": str(message)[:300]}


@router.get("/readyz", response_model=Readiness, summary="就绪检查 Readiness",
            responses={503: {"model": Readiness, "description": "A dependency is not ready"}})
async def readyz(request: Request, settings: SettingsDep, db: DbDep, shared: SharedDep) -> Any:
    """数据库、共享状态(Redis)、Chroma 检索索引、模型配置、预热是否就绪;任一项不可用时返回 503。
    Not ready until the warm-up has loaded what a first request would otherwise pay for (≈ 1 s)."""

    async def database() -> dict[str, Any]:
        await db.ping()
        return {"ok": True, "dialect": db.dialect}

    checks = {
        "database": await _checked(database()),
        "shared_state": await _checked(shared.check()),
        "index": await _checked(asyncio.to_thread(_index_check, settings)),
        "warm_up": _warm_up_check(getattr(request.app.state, "warmup", None)),
        "model": {"ok": True, "model": settings.model or "wuye-offline/drafter",
                  "offline": settings.offline, "fallbacks": list(settings.fallbacks)},
    }
    ok = all(c["ok"] for c in checks.values())
    body = Readiness(status="ok" if ok else "degraded", checks=checks)
    return JSONResponse(body.model_dump(mode="json"), status_code=200 if ok else 503)


@router.get("/metrics", summary="Prometheus 指标", response_class=Response,
            responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}})
async def metrics(metrics: MetricsDep) -> Response:
    payload, content_type = metrics.render()
    return Response(payload, media_type=content_type)
