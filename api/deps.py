"""FastAPI dependencies as ``Annotated`` aliases — the one way routes get what they need.
Tests swap them with ``app.dependency_overrides``; routes never reach into ``app.state``."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials

from agent.settings import Settings
from agent.workflow.core import DraftCore
from agent.workflow.store.database import Database
from agent.workflow.store.keys import authenticate

from .auth import Principal, bearer, forbidden, unauthorized
from .errors import ApiError
from .limits import RateLimiter
from .metrics import Metrics


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_core(request: Request) -> DraftCore:
    """The app's DraftCore, opened once at start-up."""
    return request.app.state.core


def get_db(request: Request) -> Database:
    return request.app.state.core.db


def get_metrics(request: Request) -> Metrics:
    return request.app.state.metrics


def get_limiter(request: Request) -> RateLimiter:
    return request.app.state.rate_limiter


SettingsDep = Annotated[Settings, Depends(get_settings)]
CoreDep = Annotated[DraftCore, Depends(get_core)]
DbDep = Annotated[Database, Depends(get_db)]
MetricsDep = Annotated[Metrics, Depends(get_metrics)]
LimiterDep = Annotated[RateLimiter, Depends(get_limiter)]



async def current_principal(
    request: Request, db: DbDep, limiter: LimiterDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)] = None,
) -> Principal:
    """The caller's active API key (401 otherwise); spends one token of its rate limit (429)."""
    if credentials is None or not credentials.credentials:
        raise unauthorized()
    async with db.connect() as conn:
        key = await authenticate(conn, token=credentials.credentials)
    if key is None:
        raise unauthorized()
    principal = Principal(**asdict(key))
    wait = limiter.take(principal.id)
    if wait > 0:
        raise ApiError(429, "rate_limited", "请求过于频繁,请稍后再试。", "Too many requests; retry later.",
                       headers={"Retry-After": RateLimiter.retry_after(wait)}, retry_after_seconds=round(wait, 2))
    request.state.principal = principal
    return principal


def require_roles(*roles: str) -> Callable[..., Coroutine[Any, Any, Principal]]:
    """A dependency: the caller, who must hold one of ``roles`` (else 403)."""

    async def dependency(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        if principal.role not in roles:
            raise forbidden(principal.role, roles)
        return principal

    dependency.__name__ = "require_" + "_or_".join(roles)
    return dependency


CallerDep = Annotated[Principal, Depends(current_principal)]
AgentDep = Annotated[Principal, Depends(require_roles("agent"))]
DeciderDep = Annotated[Principal, Depends(require_roles("agent", "supervisor"))]
ReaderDep = Annotated[Principal, Depends(require_roles("agent", "supervisor", "admin"))]
SupervisorDep = Annotated[Principal, Depends(require_roles("supervisor"))]
OversightDep = Annotated[Principal, Depends(require_roles("supervisor", "admin"))]
StatsDep = Annotated[Principal, Depends(require_roles("supervisor", "qa", "admin"))]
QaDep = Annotated[Principal, Depends(require_roles("qa", "supervisor", "admin"))]
