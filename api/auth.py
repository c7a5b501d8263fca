"""API-key authentication and role checks.

``Authorization: Bearer wuye_…``. Missing or unknown key → 401; wrong role → 403; a draft outside
the caller's scope (another agent's, another project's) → 404, exactly like a missing one.
Every authenticated request counts in its key's rate-limit window; a request without a valid key
counts in its client address's window (→ 429 once it is full, before the key is even looked up).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import asdict, dataclass
from typing import Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from .errors import ApiError
from .limits import RateLimits, rate_limited
from .store import ALL_PROJECTS, Scope
from .store.fastpath import authenticate_sync
from .store.keys import KeyInfo

bearer = HTTPBearer(auto_error=False, description="API key from `wuye keys create`, e.g. `wuye_…`")


@dataclass(frozen=True)
class Principal(KeyInfo):
    """The caller: an active API key, with what it may see and do."""

    @property
    def all_projects(self) -> bool:
        return ALL_PROJECTS in self.projects

    def may_use_project(self, project: str) -> bool:
        return self.all_projects or project in self.projects

    @property
    def scope(self) -> Scope:
        """What this key may read: an agent sees only its own drafts; others their projects."""
        projects = None if self.all_projects else self.projects
        return Scope(agent_key_id=self.id if self.role == "agent" else None, projects=projects)


def unauthorized() -> ApiError:
    return ApiError(401, "unauthorized", "缺少或无效的 API 密钥(请在请求头中提供 Authorization: Bearer <密钥>)。",
                    "Missing or unknown API key (send Authorization: Bearer <key>).",
                    headers={"WWW-Authenticate": "Bearer"})


def forbidden(role: str, allowed: tuple[str, ...]) -> ApiError:
    return ApiError(403, "forbidden", f"角色 {role} 无权执行此操作(需要:{'、'.join(allowed)})。",
                    f"Role {role!r} may not do this (needs: {', '.join(allowed)}).")


async def current_principal(
    request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(bearer)
) -> Principal:
    limits: RateLimits = request.app.state.rate_limits
    if credentials is None or not credentials.credentials:
        await _count_address(request, limits)
        raise unauthorized()
    db = request.app.state.db
    key = await db.read(authenticate_sync, token=credentials.credentials)
    if key is None:
        await _count_address(request, limits)
        raise unauthorized()
    principal = Principal(**asdict(key))
    wait = await limits.key(principal.id)
    if wait > 0:
        raise rate_limited(wait)
    request.state.principal = principal
    return principal


async def _count_address(request: Request, limits: RateLimits) -> None:
    """A request without a valid key counts against its address (→ 429 instead of 401 when full)."""
    wait = await limits.address(request.client.host if request.client else "unknown")
    if wait > 0:
        raise rate_limited(wait)


def require_roles(*roles: str) -> Callable[..., Coroutine[Any, Any, Principal]]:
    """A dependency: the caller, who must hold one of ``roles`` (else 403)."""

    async def dependency(principal: Principal = Depends(current_principal)) -> Principal:
        if principal.role not in roles:
            raise forbidden(principal.role, roles)
        return principal

    dependency.__name__ = "require_" + "_or_".join(roles)
    return dependency
