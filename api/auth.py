"""The caller (``Principal``) and the errors of authentication and role checks (the dependencies that
authenticate live in api/deps.py).

``Authorization: Bearer wuye_…``. Missing or unknown key → 401; wrong role → 403; a draft outside
the caller's scope (another agent's, another project's) → 404, exactly like a missing one.
Every authenticated request counts in its key's rate-limit window; a request without a valid key
counts in its client address's window (→ 429 once it is full).
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi.security import HTTPBearer

from agent.workflow.models import Actor
from agent.workflow.store.drafts import Scope
from agent.workflow.store.keys import ALL_PROJECTS, KeyInfo

from .errors import ApiError

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

    @property
    def actor(self) -> Actor:
        """The key as the core's decider (agent / supervisor; routes admit no other role to decide)."""
        return Actor(id=self.id, role="supervisor" if self.role == "supervisor" else "agent")


def unauthorized() -> ApiError:
    return ApiError(401, "unauthorized", "缺少或无效的 API 密钥(请在请求头中提供 Authorization: Bearer <密钥>)。",
                    "Missing or unknown API key (send Authorization: Bearer <key>).",
                    headers={"WWW-Authenticate": "Bearer"})


def forbidden(role: str, allowed: tuple[str, ...]) -> ApiError:
    return ApiError(403, "forbidden", f"角色 {role} 无权执行此操作(需要:{'、'.join(allowed)})。",
                    f"Role {role!r} may not do this (needs: {', '.join(allowed)}).")
