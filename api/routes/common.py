"""Helpers shared by the route modules."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from ..errors import ApiError

cursor_param = Annotated[str | None, Query(max_length=20, description="上一页返回的 next_cursor")]


def parse_cursor(cursor: str | None) -> int | None:
    if cursor is None or cursor == "":
        return None
    if not (cursor.isascii() and cursor.isdigit()) or len(cursor) > 18:
        raise ApiError(422, "bad_cursor", "分页游标无效,请使用上一页返回的 next_cursor。",
                       "Invalid cursor; pass the next_cursor of the previous page.")
    return int(cursor)
