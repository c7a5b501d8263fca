"""FastAPI dependencies as ``Annotated`` aliases. Tests swap them with ``app.dependency_overrides``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from agent.settings import Settings

from .auth import Principal, current_principal, require_roles
from .metrics import Metrics
from .store import Database


def get_app_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_db(request: Request) -> Database:
    return request.app.state.db


def get_service(request: Request) -> Any:
    """The app's DraftingService (agent.workflow.core), built once at start-up."""
    return request.app.state.service


def get_metrics(request: Request) -> Metrics:
    return request.app.state.metrics


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
DbDep = Annotated[Database, Depends(get_db)]
ServiceDep = Annotated[Any, Depends(get_service)]
MetricsDep = Annotated[Metrics, Depends(get_metrics)]

CallerDep = Annotated[Principal, Depends(current_principal)]
AgentDep = Annotated[Principal, Depends(require_roles("agent"))]
DeciderDep = Annotated[Principal, Depends(require_roles("agent", "supervisor"))]
ReaderDep = Annotated[Principal, Depends(require_roles("agent", "supervisor", "admin"))]
SupervisorDep = Annotated[Principal, Depends(require_roles("supervisor"))]
OversightDep = Annotated[Principal, Depends(require_roles("supervisor", "admin"))]
StatsDep = Annotated[Principal, Depends(require_roles("supervisor", "qa", "admin"))]
QaDep = Annotated[Principal, Depends(require_roles("qa", "supervisor", "admin"))]
