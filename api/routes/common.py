"""Helpers shared by the route modules."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request

from ..drafting import Runtime
from ..errors import ApiError
from ..schemas import DraftSummary
from ..store import Draft

cursor_param = Annotated[str | None, Query(max_length=20, description="上一页返回的 next_cursor")]


def runtime(request: Request) -> Runtime:
    return request.app.state.runtime


def parse_cursor(cursor: str | None) -> int | None:
    if cursor is None or cursor == "":
        return None
    if not (cursor.isascii() and cursor.isdigit()) or len(cursor) > 18:
        raise ApiError(422, "bad_cursor", "分页游标无效,请使用上一页返回的 next_cursor。",
                       "Invalid cursor; pass the next_cursor of the previous page.")
    return int(cursor)


def _split(joined: str) -> list[str]:
    return [part for part in joined.split(",") if part]


def summary(row: Draft) -> DraftSummary:
    return DraftSummary(
        id=row.id, status=row.status, project=row.project, agent_key_id=row.agent_key_id,
        category=row.category, severity=row.severity, drafter=row.drafter,
        rule_ids=_split(row.rule_ids), violation_categories=_split(row.violation_categories),
        created_at=row.created_at, updated_at=row.updated_at,
    )
