"""FastAPI dependencies as ``Annotated`` aliases — the one way routes get what they need.
Tests swap them with ``app.dependency_overrides``; routes never reach into ``app.state``.

The getters are ``async def`` although they only read ``app.state``: FastAPI runs a plain ``def``
dependency in its thread pool, a thread hand-off per dependency per request (four for POST
/v1/drafts)."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials

from agent.loop.service import Loop
from agent.settings import Settings
from agent.workflow.core import DraftCore
from agent.workflow.store.database import Database
from agent.workflow.store.keys import authenticate

from .auth import Principal, bearer, forbidden, unauthorized
from .limits import RateLimits, rate_limited
from .metrics import Metrics
from .shared import SharedState


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_core(request: Request) -> DraftCore:
    """The app's DraftCore, opened once at start-up."""
    return request.app.state.core


async def get_db(request: Request) -> Database:
    return request.app.state.core.db


async def get_loop(request: Request) -> Loop:
    """The loop's operations (commitments, follow-ups, analytics, export) over the app's core."""
    return request.app.state.loop


async def get_metrics(request: Request) -> Metrics:
    return request.app.state.metrics


async def get_rate_limits(request: Request) -> RateLimits:
    return request.app.state.rate_limits


async def get_shared(request: Request) -> SharedState:
    """What every instance shares (Redis with WUYE_REDIS_URL): rate-limit windows, console sign-outs."""
    return request.app.state.shared


SettingsDep = Annotated[Settings, Depends(get_settings)]
CoreDep = Annotated[DraftCore, Depends(get_core)]
DbDep = Annotated[Database, Depends(get_db)]
MetricsDep = Annotated[Metrics, Depends(get_metrics)]
LoopDep = Annotated[Loop, Depends(get_loop)]
RateLimitsDep = Annotated[RateLimits, Depends(get_rate_limits)]
SharedDep = Annotated[SharedState, Depends(get_shared)]



async def current_principal(
    request: Request, db: DbDep, limits: RateLimitsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)] = None,
) -> Principal:
    """The caller's active API key (401 otherwise), counted in its key's rate-limit window (429);
    a request without a valid key is counted in its client address's window instead."""
    key = None
    if credentials is not None and credentials.credentials:
        async with db.connect() as conn:
            key = await authenticate(conn, token=credentials.credentials)
    if key is None:
        wait = await limits.address(request.client.host if request.client else "unknown")
        if wait > 0:
            raise rate_limited(wait)
        raise unauthorized()
    principal = Principal(**asdict(key))
    wait = await limits.key(principal.id)
    if wait > 0:
        raise rate_limited(wait)
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
AdminDep = Annotated[Principal, Depends(require_roles("admin"))]
QaDep = Annotated[Principal, Depends(require_roles("qa", "supervisor", "admin"))]
