"""The authority policy (``guardrails/authority.yaml``) as a typed value, and the one check of a
promise against it: may an agent make it on their own?"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml
from pydantic import BaseModel, Field, ValidationError

from agent.errors import InvalidInput

FILE = "authority.yaml"


class KindPolicy(BaseModel):
    zh: str
    agent: bool
    max_hours: float | None = None
    default_hours: float = 24
    keywords: list[str] = Field(min_length=1)


class AuthorityPolicy(BaseModel):
    timezone: str = "Asia/Shanghai"
    kinds: dict[str, KindPolicy]
    negators: list[str] = Field(default_factory=list)
    conditional: list[str] = Field(default_factory=list)
    commit_cues: list[str] = Field(default_factory=list)
    parties: dict[str, list[str]] = Field(default_factory=dict)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def compiled(self) -> list[tuple[str, re.Pattern[str]]]:
        return [(kind, re.compile("|".join(f"(?:{k})" for k in p.keywords))) for kind, p in self.kinds.items()]

    def allows(self, kind: str, due_at: datetime, approved_at: datetime) -> tuple[bool, str | None]:
        """(within the agent's authority?, why not)."""
        policy = self.kinds[kind]
        if not policy.agent:
            return False, f"「{policy.zh}」只能由主管承诺 / only a supervisor may promise {kind}"
        if policy.max_hours is not None and due_at - approved_at > timedelta(hours=policy.max_hours):
            return False, (f"「{policy.zh}」客服只能承诺 {policy.max_hours:g} 小时内办到 / an agent may promise "
                           f"{kind} within {policy.max_hours:g} h only")
        return True, None


@lru_cache(maxsize=8)
def load(guardrails_dir: Path) -> AuthorityPolicy:
    path = Path(guardrails_dir) / FILE
    try:
        policy = AuthorityPolicy.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
        policy.compiled()
        ZoneInfo(policy.timezone)
    except (OSError, yaml.YAMLError, ValidationError, re.error, KeyError, ValueError) as exc:
        raise InvalidInput(f"承诺权限政策文件无效:{path}({type(exc).__name__})",
                           f"the authority policy {path} is invalid: {exc}", code="bad_authority_policy") from exc
    return policy
