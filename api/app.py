"""``create_app(settings, core=None)``: the FastAPI application, a thin adapter over ``DraftCore``.

Start-up: ``DraftCore.open`` (store migrated, index, guard, model access) → warm-up in a thread →
re-draft requests a dead process left unanswered (``app.state.recovery``), then sweep for such
requests again every half lease (``app.state.sweeper``): with several instances, the requests of one
that died are finished by the others.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import random
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from agent import __version__
from agent.loop.service import Loop
from agent.settings import Settings
from agent.workflow.core import DraftCore
from agent.workflow.webhooks import Dispatcher

from .docs import install_docs
from .errors import install_error_handlers
from .limits import BodySizeLimit, RateLimits
from .metrics import Metrics, MetricsMiddleware
from .routes import drafts, health, loop, qa, review, webhooks
from .shared import open_shared_state

log = logging.getLogger("wuye.api")

DESCRIPTION = """物业客服回复助手 API:为业主投诉按六字诀(听、同、问、办、议、谢)起草回复,
每条回复引用话术手册中的技巧并经过护栏检查,由人工确认后才能发出。

认证:`Authorization: Bearer <API 密钥>`(用 `wuye keys create` 创建)。
错误统一为 `{"error": {"code", "message_zh", "message_en", "details"}}`。"""


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


def _document_transport_errors(app: FastAPI) -> None:
    """Every operation can also answer 400 (NUL in the URL, bad Content-Length), 413 and 431 from
    the limits middleware; say so in the OpenAPI document."""
    from fastapi.openapi.utils import get_openapi

    from .errors import error_responses

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, description=app.description,
                                 routes=app.routes, webhooks=app.webhooks.routes)
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

    return create_app(get_settings(), serving=True)  # every worker sweeps; claims are conditional


def create_app(settings: Settings, core: DraftCore | None = None, *, recover: bool = True,
               serving: bool = False, deliver: bool = True) -> FastAPI:
    """The API app. ``core``: a DraftCore opened by the caller (tests), else opened at start-up.
    ``recover``: re-draft requests whose process died (their lease ran out), at start-up and every
    half lease after (any number of processes may sweep: each request is claimed once). ``deliver``: run
    the webhook dispatcher (every instance may: each delivery is claimed once). ``serving``: this
    process is the server (``wuye serve``): freeze the start-up heap once warm."""
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = core is None
        app.state.core = the_core = await DraftCore.open(settings) if owned else core
        app.state.shared = shared = open_shared_state(settings)  # rate limits, console sign-outs
        app.state.rate_limits = RateLimits(shared, settings.rate_limit_per_minute)
        uninstall_usage = _count_model_usage(settings, metrics)
        app.state.warmup = asyncio.create_task(asyncio.to_thread(the_core.warm_up), name="wuye-warm-up")
        if serving:
            app.state.warmup.add_done_callback(_freeze_start_up_heap)
        app.state.recovery = asyncio.create_task(_recover(the_core) if recover else asyncio.sleep(0),
                                                 name="wuye-recover")
        app.state.sweeper = asyncio.create_task(_sweep(the_core) if recover else asyncio.sleep(0), name="wuye-sweep")
        app.state.loop = Loop(the_core)
        app.state.overdue = asyncio.create_task(_overdue(app.state.loop) if recover else asyncio.sleep(0),
                                                name="wuye-overdue")
        app.state.dispatcher = dispatcher = Dispatcher(settings, the_core.db, the_core.instance)
        the_core.on_outbox = dispatcher.kick  # a delivery this process enqueued goes out at once
        the_core.on_drafted = lambda draft: metrics.record_draft(draft.model_dump(mode="json"))
        app.state.deliveries = asyncio.create_task(dispatcher.run() if deliver else asyncio.sleep(0),
                                                   name="wuye-webhooks")
        try:
            yield
        finally:
            tasks = (app.state.deliveries, app.state.sweeper, app.state.recovery, app.state.warmup, app.state.overdue)
            for task in tasks:
                if not task.done():
                    task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await dispatcher.aclose()
            uninstall_usage()
            await shared.aclose()
            if owned:
                await the_core.aclose()

    app = FastAPI(title="wuye-copilot 物业客服回复助手", version=__version__, description=DESCRIPTION,
                  lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.settings = settings
    app.state.metrics = metrics
    install_error_handlers(app)
    for router in (drafts.router, review.router, qa.router, health.router, loop.router, webhooks.router):
        app.include_router(router)
    webhooks.document(app)
    from .console import router as console_router  # supervisor console: HTML pages under /console

    app.include_router(console_router)
    install_docs(app)
    _document_transport_errors(app)
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)  # outermost: refuse early
    return app


async def _sweep(core: DraftCore) -> None:
    """Every half lease (± 20 %, so instances do not sweep in step): re-draft what a dead process left."""
    period = core.lease.total_seconds() / 2
    while True:
        await asyncio.sleep(period * random.uniform(0.8, 1.2))
        await _recover(core)


async def _overdue(loop_service: Loop, period: float = 60.0) -> None:
    """Every minute: raise ``commitment.overdue`` for commitments that just passed their due time
    (each once, whichever instance claims it first)."""
    while True:
        await asyncio.sleep(period * random.uniform(0.8, 1.2))
        try:
            await loop_service.sweep_overdue()
        except Exception:  # noqa: BLE001 - the sweep must not stop the service
            log.exception("overdue commitments sweep failed")


async def _recover(core: DraftCore) -> int:
    try:
        return await core.recover()
    except Exception:  # noqa: BLE001 - recovery must not stop the service
        log.exception("recovery of unfinished requests failed")
        return 0
