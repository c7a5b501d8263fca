"""API keys: created with a random token shown once; only its SHA-256 is stored (SQLAlchemy Core)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Row, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from agent.errors import InvalidInput, NotFound
from agent.workflow.store.tables import api_keys, utcnow

ROLES = ("agent", "supervisor", "qa", "admin")
TOKEN_PREFIX = "wuye_"
ALL_PROJECTS = "*"


@dataclass(frozen=True)
class KeyInfo:
    """An active key as authentication returns it."""

    id: str
    name: str
    role: str
    projects: tuple[str, ...]


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def _check(role: str, projects: list[str], name: str) -> list[str]:
    if role not in ROLES:
        raise InvalidInput(
            f"未知角色 {role!r},可选:{'、'.join(ROLES)}。",
            f"Unknown role {role!r}; choose one of {', '.join(ROLES)}.",
            code="bad_role",
        )
    cleaned = sorted({p.strip() for p in projects if p and p.strip()})
    if not cleaned:
        raise InvalidInput(
            "请至少绑定一个项目(--project,* 表示全部项目)。",
            "Bind the key to at least one project (--project; * means every project).",
            code="bad_projects",
        )
    if not name.strip():
        raise InvalidInput("请填写密钥名称(--name)。", "Give the key a name (--name).", code="bad_name")
    return cleaned


async def create_api_key(conn: AsyncConnection, *, name: str, role: str, projects: list[str]) -> tuple[KeyInfo, str]:
    """Create a key; returns (key, token). The token is not recoverable afterwards."""
    cleaned = _check(role, projects, name)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    key = KeyInfo(id="k_" + secrets.token_hex(6), name=name.strip(), role=role, projects=tuple(cleaned))
    await conn.execute(insert(api_keys).values(id=key.id, name=key.name, role=role, projects=cleaned,
                                               hash=hash_token(token), created_at=utcnow()))
    return key, token


async def authenticate(conn: AsyncConnection, *, token: str) -> KeyInfo | None:
    """The active key whose hash matches ``token``, else None (constant-time compare)."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    digest = hash_token(token)
    c = api_keys.c
    row = (await conn.execute(select(c.id, c.name, c.role, c.projects, c.hash, c.revoked_at)
                              .where(c.hash == digest))).first()
    if row is None or row.revoked_at is not None or not hmac.compare_digest(row.hash, digest):
        return None
    return KeyInfo(id=row.id, name=row.name, role=row.role, projects=tuple(row.projects))


async def list_api_keys(conn: AsyncConnection, *, include_revoked: bool = True, role: str | None = None) -> list[Row]:
    stmt = select(api_keys).order_by(api_keys.c.created_at, api_keys.c.id)
    if not include_revoked:
        stmt = stmt.where(api_keys.c.revoked_at.is_(None))
    if role is not None:
        stmt = stmt.where(api_keys.c.role == role)
    return list((await conn.execute(stmt)).all())


async def get_api_key(conn: AsyncConnection, *, key_id: str) -> Row | None:
    return (await conn.execute(select(api_keys).where(api_keys.c.id == key_id))).first()


async def key_names(conn: AsyncConnection, *, ids: set[str]) -> dict[str, str]:
    if not ids:
        return {}
    rows = (await conn.execute(select(api_keys.c.id, api_keys.c.name).where(api_keys.c.id.in_(sorted(ids))))).all()
    return {i: n for i, n in rows}


async def revoke_api_key(conn: AsyncConnection, *, key_id: str, at: datetime | None = None) -> str:
    row = await get_api_key(conn, key_id=key_id)
    if row is None:
        raise NotFound(f"找不到密钥 {key_id}。", f"No API key {key_id}.", code="key_not_found")
    if row.revoked_at is None:
        await conn.execute(update(api_keys).where(api_keys.c.id == key_id).values(revoked_at=at or utcnow()))
    return key_id
