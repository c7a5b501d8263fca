"""API keys: created with a random token shown once; only its SHA-256 is stored."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from agent.errors import InvalidInput, NotFound

from .models import ApiKey, utcnow

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


async def create_api_key(
    session: AsyncSession, *, name: str, role: str, projects: list[str]
) -> tuple[ApiKey, str]:
    """Create a key; returns (row, token). The token is not recoverable afterwards."""
    cleaned = _check(role, projects, name)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiKey(
        id="k_" + secrets.token_hex(6), name=name.strip(), role=role, projects=cleaned,
        hash=hash_token(token), created_at=utcnow(),
    )
    session.add(row)
    await session.flush()
    return row, token


async def authenticate(session: AsyncSession | AsyncConnection, *, token: str) -> KeyInfo | None:
    """The active key whose hash matches ``token``, else None (constant-time compare).
    Works on a session or a plain connection (the API uses a connection: one cheap read)."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    digest = hash_token(token)
    stmt = select(ApiKey.id, ApiKey.name, ApiKey.role, ApiKey.projects, ApiKey.hash, ApiKey.revoked_at)
    row = (await session.execute(stmt.where(ApiKey.hash == digest))).first()
    if row is None or row.revoked_at is not None or not hmac.compare_digest(row.hash, digest):
        return None
    return KeyInfo(id=row.id, name=row.name, role=row.role, projects=tuple(row.projects))


async def list_api_keys(session: AsyncSession, *, include_revoked: bool = True) -> list[ApiKey]:
    stmt = select(ApiKey).order_by(ApiKey.created_at, ApiKey.id)
    if not include_revoked:
        stmt = stmt.where(ApiKey.revoked_at.is_(None))
    return list((await session.execute(stmt)).scalars())


async def get_api_key(session: AsyncSession, *, key_id: str) -> ApiKey | None:
    return await session.get(ApiKey, key_id)


async def revoke_api_key(session: AsyncSession, *, key_id: str, at: datetime | None = None) -> ApiKey:
    row = await session.get(ApiKey, key_id)
    if row is None:
        raise NotFound(f"找不到密钥 {key_id}。", f"No API key {key_id}.", code="key_not_found")
    if row.revoked_at is None:
        row.revoked_at = at or utcnow()
    return row
