"""Prometheus metrics, one registry per app (so several apps in one process never collide).

With several worker processes (``wuye serve --workers N``) every process writes its values to
``PROMETHEUS_MULTIPROC_DIR`` (``wuye serve`` creates and empties it) and ``/metrics`` adds up all
workers' files, so any worker answers for the whole instance. Several instances are scraped one
by one; Prometheus labels each with its ``instance``.
"""

from __future__ import annotations

import os
import time
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from agent.drafting.usage import ModelUsage

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter("wuye_http_requests_total", "HTTP requests by route and status",
                                ["method", "route", "status"], registry=self.registry)
        self.latency = Histogram("wuye_http_request_seconds", "HTTP request latency by route",
                                 ["method", "route"], registry=self.registry,
                                 buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
        self.drafts = Counter("wuye_drafts_total", "Draft sets created, by status",
                              ["status"], registry=self.registry)
        self.decisions = Counter("wuye_decisions_total", "Decisions and reviews, by action and result status",
                                 ["action", "status"], registry=self.registry)
        self.violations = Counter("wuye_guard_violations_total", "Guardrail violations in drafts, by category",
                                  ["category"], registry=self.registry)
        self.fallbacks = Counter("wuye_model_fallbacks_total",
                                 "Draft sets produced by the offline fallback because the model failed",
                                 registry=self.registry)

        self.model_calls = Counter("wuye_model_calls_total", "Model calls (each attempt and fallback) by model "
                                   "and outcome", ["model", "outcome"], registry=self.registry)
        self.model_tokens = Counter("wuye_model_tokens_total", "Tokens by model and kind (prompt, completion), "
                                    "from the provider's usage", ["model", "kind"], registry=self.registry)
        self.model_cost = Counter("wuye_model_cost_usd_total", "Model cost in USD by model (litellm's price map)",
                                  ["model"], registry=self.registry)
        self.model_latency = Histogram("wuye_model_call_seconds", "Model call latency by model", ["model"],
                                       registry=self.registry, buckets=(0.25, 0.5, 1, 2, 4, 8, 15, 30, 60))

    def record_model_call(self, usage: ModelUsage) -> None:
        """One litellm call (installed as litellm's callback sink by the app when a model is set)."""
        self.model_calls.labels(model=usage.model, outcome="success" if usage.ok else "failure").inc()
        self.model_latency.labels(model=usage.model).observe(usage.seconds)
        if usage.prompt_tokens:
            self.model_tokens.labels(model=usage.model, kind="prompt").inc(usage.prompt_tokens)
        if usage.completion_tokens:
            self.model_tokens.labels(model=usage.model, kind="completion").inc(usage.completion_tokens)
        if usage.cost_usd:
            self.model_cost.labels(model=usage.model).inc(usage.cost_usd)

    def record_draft(self, data: dict[str, Any]) -> None:
        self.drafts.labels(status=str(data.get("status", "unknown"))).inc()
        if data.get("drafter") == "offline_fallback":
            self.fallbacks.inc()
        for stage in data.get("stages") or []:
            for violation in ((stage or {}).get("guardrail") or {}).get("violations") or []:
                self.violations.labels(category=str(violation.get("category", "unknown"))).inc()

    def render(self) -> tuple[bytes, str]:
        if os.environ.get(MULTIPROC_ENV):  # every worker of this instance, from their files
            from prometheus_client import multiprocess

            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)
            return generate_latest(registry), CONTENT_TYPE_LATEST
        return generate_latest(self.registry), CONTENT_TYPE_LATEST


class MetricsMiddleware:
    """Counts every HTTP request by route template (not raw path, to bound label cardinality)."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            method = scope.get("method", "GET")
            self.metrics.requests.labels(method=method, route=template, status=str(status)).inc()
            self.metrics.latency.labels(method=method, route=template).observe(time.perf_counter() - start)
