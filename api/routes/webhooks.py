"""Webhook subscriptions (admin) and the delivery log; the webhook payloads in OpenAPI ``webhooks``.

``POST /v1/admin/webhooks`` subscribes a URL to events of a project; ``GET`` lists them (never the
secret); ``DELETE`` removes one (pending deliveries to it stop); ``GET /v1/admin/webhooks/deliveries``
is the delivery log (status, attempts, last HTTP status, error). The same with ``wuye webhooks …``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from fastapi import APIRouter, FastAPI, Header, Path, Query
from pydantic import BaseModel, ConfigDict, Field, field_validator

from agent.workflow.models import DraftSet
from agent.workflow.store import webhooks as outbox

from ..deps import AdminDep, DbDep
from ..errors import ApiError, error_responses
from .common import cursor_param, parse_cursor

router = APIRouter(prefix="/v1/admin/webhooks", tags=["webhooks 推送"])
Event = Literal["draft.ready", "draft.flagged", "draft.escalated", "draft.approved"]


def check_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("请填写 http:// 或 https:// 开头的完整地址 / the URL must be http(s)://host/…")
    return url


class WebhookIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "project": "翠湖苑", "url": "https://helpdesk.example.com/wuye-hook",
        "events": ["draft.ready", "draft.approved"], "secret": "一个足够长的随机字符串"}]})
    project: str = Field(min_length=1, max_length=200, description="项目名称,* 表示全部项目")
    url: str = Field(min_length=8, max_length=2000)
    events: list[Event] = Field(min_length=1)
    secret: str = Field(min_length=16, max_length=200, description="签名密钥:X-Wuye-Signature = sha256=HMAC(密钥, 请求体)")

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        return check_url(value)


class WebhookOut(BaseModel):
    id: str
    project: str
    url: str
    events: list[str]
    created_at: datetime
    revoked_at: datetime | None = None


class DeliveryOut(BaseModel):
    id: str = Field(description="投递编号(X-Wuye-Delivery),接收方据此去重")
    webhook_id: str
    project: str
    url: str
    event: str
    draft_id: str | None
    status: Literal["pending", "delivered", "failed"]
    attempts: int
    next_attempt_at: datetime
    last_status: int | None
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None


class DeliveryPage(BaseModel):
    items: list[DeliveryOut]
    next_cursor: str | None = None


class WebhookPayload(BaseModel):
    """The JSON body of every delivery (signed as sent: verify the raw bytes, then parse)."""

    id: str = Field(description="投递编号,同 X-Wuye-Delivery;重试时不变 / the delivery id, the same on every retry")
    event: Event
    created_at: datetime
    project: str
    draft_id: str
    status: str
    draft: DraftSet = Field(description="草稿(已脱敏),与 GET /v1/drafts/{id} 相同")


def _projects(principal: Any) -> tuple[str, ...] | None:
    return None if principal.all_projects else tuple(principal.projects)


@router.post("", status_code=201, response_model=WebhookOut, summary="订阅 Subscribe a URL",
             responses=error_responses(401, 403, 422, 429))
async def add_webhook(body: WebhookIn, principal: AdminDep, db: DbDep) -> WebhookOut:
    if not (principal.all_projects or (body.project != "*" and principal.may_use_project(body.project))):
        raise ApiError(403, "project_forbidden", f"当前密钥未绑定项目「{body.project}」。",
                       f"This key is not bound to project {body.project!r}.")
    async with db.begin() as conn:
        webhook_id = await outbox.add(conn, project=body.project, url=body.url, events=list(body.events),
                                      secret=body.secret)
        row = await outbox.get(conn, webhook_id=webhook_id)
    return WebhookOut.model_validate(row, from_attributes=True)


@router.get("", response_model=list[WebhookOut], summary="订阅列表 List subscriptions",
            responses=error_responses(401, 403, 429))
async def list_webhooks(principal: AdminDep, db: DbDep) -> list[WebhookOut]:
    async with db.connect() as conn:
        rows = await outbox.listing(conn)
    allowed = _projects(principal)
    return [WebhookOut.model_validate(r, from_attributes=True) for r in rows if allowed is None or r.project in allowed]


@router.delete("/{webhook_id}", status_code=204, summary="取消订阅 Remove a subscription",
               responses=error_responses(401, 403, 404, 429))
async def remove_webhook(webhook_id: Annotated[str, Path(max_length=32)], principal: AdminDep, db: DbDep) -> None:
    async with db.begin() as conn:
        row = await outbox.get(conn, webhook_id=webhook_id)
        allowed = _projects(principal)
        if row is None or (allowed is not None and row.project not in allowed) or not await outbox.remove(
                conn, webhook_id=webhook_id):
            raise ApiError(404, "webhook_not_found", f"找不到订阅 {webhook_id}。", f"No subscription {webhook_id}.")


@router.get("/deliveries", response_model=DeliveryPage, summary="投递记录 Delivery log",
            responses=error_responses(401, 403, 422, 429))
async def deliveries(principal: AdminDep, db: DbDep,
                     webhook_id: Annotated[str | None, Query(max_length=32)] = None,
                     draft_id: Annotated[str | None, Query(max_length=40)] = None,
                     status: Literal["pending", "delivered", "failed"] | None = None,
                     cursor: cursor_param = None, limit: Annotated[int, Query(ge=1, le=200)] = 50) -> DeliveryPage:
    """最新的在前;`status=failed` 查看用尽重试仍失败的投递。"""
    async with db.connect() as conn:
        rows, nxt = await outbox.log(conn, webhook_id=webhook_id, draft_id=draft_id, status=status,
                                     projects=_projects(principal), cursor=parse_cursor(cursor), limit=limit)
    return DeliveryPage(items=[DeliveryOut.model_validate(r, from_attributes=True) for r in rows],
                        next_cursor=str(nxt) if nxt else None)


def document(app: FastAPI) -> None:
    """The deliveries as OpenAPI ``webhooks`` (one per event): what a receiver gets and must answer."""
    for name in ("draft.ready", "draft.flagged", "draft.escalated", "draft.approved"):
        def receiver(body: WebhookPayload,
                     x_wuye_signature: Annotated[str, Header(description="sha256=<HMAC-SHA256(密钥, 原始请求体) 的十六进制>")],
                     x_wuye_delivery: Annotated[str, Header(description="投递编号:重试时不变,用于去重")],
                     x_wuye_event: Annotated[str, Header(description="事件名")]) -> None:
            """返回 2xx 表示收到;其他状态或超时会按指数退避重试(投递编号不变)。
            Answer 2xx; anything else (or a timeout) is retried with exponential backoff, same delivery id."""

        app.webhooks.post(name, summary=f"{name} 推送", status_code=204)(receiver)
