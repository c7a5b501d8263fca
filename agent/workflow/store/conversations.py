"""Conversations: the masked history the service keeps, so a follow-up message needs only its text.

A conversation row is keyed by a keyed hash of (project, the caller's ``conversation_id``). Every
change is a conditional update on its ``version`` (retried by the caller on a lost race), so two
messages arriving at once are both kept, in a definite order.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from agent.workflow.store.tables import conversations, utcnow


async def get(conn: AsyncConnection, *, conversation_id: str) -> Any:
    return (await conn.execute(select(conversations).where(conversations.c.id == conversation_id))).first()


async def append(conn: AsyncConnection, *, conversation_id: str, project: str, turn: dict[str, Any],
                 owner: bool) -> tuple[int, list[dict[str, Any]]]:
    """Append one turn; returns (the number of owner messages now, the turns BEFORE this one)."""
    for _ in range(20):
        row = await get(conn, conversation_id=conversation_id)
        now = utcnow()
        if row is None:
            try:
                async with conn.begin_nested():
                    await conn.execute(insert(conversations).values(
                        id=conversation_id, project=project, turns=[turn], owner_messages=int(owner), version=1,
                        created_at=now, updated_at=now))
                return int(owner), []
            except IntegrityError:
                continue  # created concurrently: append to it
        turns = list(row.turns or [])
        count = row.owner_messages + int(owner)
        stmt = (update(conversations).where(conversations.c.id == conversation_id,
                                            conversations.c.version == row.version)
                .values(turns=[*turns, turn], owner_messages=count, version=row.version + 1, updated_at=now))
        if (await conn.execute(stmt)).rowcount == 1:
            return count, turns
    raise RuntimeError(f"conversation {conversation_id} is changing too fast")


async def owner_messages(conn: AsyncConnection, *, conversation_id: str) -> int:
    stmt = select(conversations.c.owner_messages).where(conversations.c.id == conversation_id)
    return int((await conn.execute(stmt)).scalar() or 0)
