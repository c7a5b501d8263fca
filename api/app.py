"""``create_app(settings)``: the FastAPI application.

Start-up: Alembic ``upgrade head`` → open the database → build the DraftingService → re-run
requests that were accepted but never answered (background task ``app.state.recovery``).
"""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from agent import __version__
from agent.settings import Settings

from .drafting import Runtime, recover_pending
from .errors import install_error_handlers
from .limits import BodySizeLimit, RateLimits
from .metrics import Metrics, MetricsMiddleware
from .routes import drafts, health, qa, review
from .shared import open_shared_state
from .store import Database, run_migrations

log = logging.getLogger("wuye.api")

DESCRIPTION = """物业客服回复助手 API:为业主投诉按六字诀(听、同、问、办、议、谢)起草回复,
每条回复引用话术手册中的技巧并经过护栏检查,由人工确认后才能发出。

认证:`Authorization: Bearer <API 密钥>`(用 `wuye keys create` 创建)。
错误统一为 `{"error": {"code", "message_zh", "message_en", "details"}}`。"""


def _build_service(settings: Settings) -> Any:
    from agent.workflow.core import DraftingService

    return DraftingService(settings)


def _warm_up(service: Any) -> None:
    """Pay the first-use costs (guardrails, litellm imports) before the first request does."""
    context = getattr(service, "context", None)
    checker = getattr(context, "checker", None)
    if checker is not None:
        checker.check("您好,您反映的情况我已经记下了。", "listen")
    if context is not None:  # the real DraftingService: import litellm now when a model is configured
        context.llm.warm_up()


def _freeze_start_up_heap(_task: asyncio.Task[Any] | None = None) -> None:
    """Move what start-up allocated (≈ 600,000 objects: litellm, guardrails, LangGraph, Chroma,
    the playbook) out of the garbage collector's reach. Otherwise every full collection walks all
    of it (≈ 150 ms with the event loop stalled) and bursts of requests pay for the scans;
    measured on the 64-request burst: 15.2 → 12.7 ms of CPU per request (bench/bench_api.py)."""
    gc.collect()
    gc.freeze()


def _count_model_usage(settings: Settings, metrics: Metrics) -> Callable[[], None]:
    """Model calls, tokens and cost per model into the metrics (litellm's callback); litellm is
    not imported when no model is configured."""
    if settings.offline:
        return lambda: None
    from agent.drafting.usage import install_usage_callback

    return install_usage_callback(metrics.record_model_call)


async def _close(service: Any) -> None:
    for name in ("aclose", "close"):
        closer = getattr(service, name, None)
        if callable(closer):
            result = closer()
            if asyncio.iscoroutine(result):
                await result
            return


def _document_transport_errors(app: FastAPI) -> None:
    """Every operation can also answer 400 (NUL in the URL, bad Content-Length), 413 and 431 from
    the limits middleware; say so in the OpenAPI document."""
    from fastapi.openapi.utils import get_openapi

    from .errors import error_responses

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, description=app.description,
                                 routes=app.routes)
            extra = {str(k): v for k, v in error_responses(400, 413, 431).items()}
            for path_item in schema.get("paths", {}).values():
                for operation in path_item.values():
                    for status, response in extra.items():
                        operation.setdefault("responses", {}).setdefault(status, {
                            "description": response["description"],
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}},
                        })
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def app_from_env() -> FastAPI:
    """uvicorn factory for ``wuye serve --workers N``: each worker reads the settings itself."""
    from agent.settings import get_settings

    return create_app(get_settings(), recover=False, serving=True)  # the parent process recovered before forking


async def recover_once(settings: Settings) -> int:
    """Finish requests a dead process left unanswered, with a temporary DraftingService.
    ``wuye serve --workers N`` calls it once before the workers start."""
    run_migrations(settings)
    db = Database.from_settings(settings)
    service = await asyncio.to_thread(_build_service, settings)
    try:
        return await recover_pending(Runtime(settings=settings, db=db, service=service, metrics=Metrics()))
    finally:
        await _close(service)
        await db.dispose()


def create_app(settings: Settings, *, service: Any = None, recover: bool = True, serving: bool = False) -> FastAPI:
    """The API app. ``service`` replaces the DraftingService (tests); default: built at start-up.
    ``recover``: re-run requests accepted before this start-up but never answered (one process
    only — with several workers the parent does it once, see ``recover_once``). ``serving``: this
    process is the server (``wuye serve``): freeze the start-up heap once warm (not in tests, which
    build many apps in one process)."""
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Drafting runs natively async on this loop (DraftingService.acreate); the default pool is
        # for the store's and start-up's to_thread calls, which must not queue behind each other.
        asyncio.get_running_loop().set_default_executor(
            ThreadPoolExecutor(max_workers=max(settings.worker_threads, 4), thread_name_prefix="wuye-worker"))
        await asyncio.to_thread(run_migrations, settings)
        db = Database.from_settings(settings)
        app.state.shared = shared = open_shared_state(settings)  # rate limits, console sign-outs
        app.state.rate_limits = RateLimits(shared, settings.rate_limit_per_minute)
        owned = service is None
        svc = await asyncio.to_thread(_build_service, settings) if owned else service
        rt = Runtime(settings=settings, db=db, service=svc, metrics=metrics)
        app.state.runtime = rt
        app.state.db = db
        app.state.service = svc
        uninstall_usage = _count_model_usage(settings, metrics)
        app.state.warmup = asyncio.create_task(asyncio.to_thread(_warm_up, svc), name="wuye-warm-up")
        if serving:
            app.state.warmup.add_done_callback(_freeze_start_up_heap)
        app.state.recovery = asyncio.create_task(recover_pending(rt) if recover else asyncio.sleep(0),
                                                 name="wuye-recover-pending")
        try:
            yield
        finally:
            for task in (app.state.recovery, app.state.warmup):
                if not task.done():
                    task.cancel()
            await asyncio.gather(app.state.recovery, app.state.warmup, return_exceptions=True)
            if owned:
                await _close(svc)
            uninstall_usage()
            await shared.aclose()
            await db.dispose()

    app = FastAPI(
        title="wuye-copilot 物业客服回复助手", version=__version__, description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.metrics = metrics
    install_error_handlers(app)
    for router in (drafts.router, review.router, qa.router, health.router):
        app.include_router(router)
    from .console import router as console_router  # supervisor console: HTML pages under /console

    app.include_router(console_router)
    _document_transport_errors(app)
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)  # outermost: refuse early
    return app
