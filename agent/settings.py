"""The one place that reads the environment. Every setting has the prefix ``WUYE_``.

Code receives a ``Settings`` instance (``get_settings()`` at the edges: CLI, API
start-up); nothing below the edges reads ``os.environ``.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from agent.errors import InvalidInput

PROJECT_ROOT = Path(__file__).resolve().parent.parent
_CHECKOUT = (PROJECT_ROOT / "pyproject.toml").is_file()


def content_dir(name: str) -> Path:
    """``corpus``, ``guardrails`` or ``prompts``: the checkout's folder, or (an installed wheel) the
    copy shipped as package data of ``wuye_content.<name>``."""
    if _CHECKOUT:
        return PROJECT_ROOT / name
    from importlib.util import find_spec

    spec = find_spec(f"wuye_content.{name}")
    locations = list(spec.submodule_search_locations or []) if spec else []
    return Path(locations[0]) if locations else PROJECT_ROOT / name
# keys copied from documentation: "sk-…", "sk-...", "your-key", "<key>", "xxx", "changeme" …
_PLACEHOLDER = re.compile(
    r"^(sk-)?(|x+|\*+|\.+|…+|<[^>]*>|\{[^}]*}|\$\{?[a-z_]*}?|your[-_ ]?(api[-_ ]?)?key|api[-_ ]?key|key|"
    r"changeme|change[-_ ]me|todo|placeholder|none|null)$", re.IGNORECASE)


def is_placeholder(value: str) -> bool:
    """True for a key that is obviously copied from documentation, not a real one."""
    text = value.strip()
    return bool(_PLACEHOLDER.match(text)) or "…" in text or "..." in text or text.lower().startswith("your")


class Settings(BaseSettings):
    # env_ignore_empty: an empty variable (``WUYE_MODEL=`` in a compose file) means "not set"
    model_config = SettingsConfigDict(env_prefix="WUYE_", env_file=None, extra="ignore", env_ignore_empty=True)

    # -- files ---------------------------------------------------------------------------
    data_dir: Path = Field(Path("./data"), description="Every file the service writes lives here.")
    corpus_dir: Path = Field(default_factory=lambda: content_dir("corpus"))
    guardrails_dir: Path = Field(default_factory=lambda: content_dir("guardrails"))
    prompts_dir: Path = Field(default_factory=lambda: content_dir("prompts"))

    # -- retrieval (Chroma) ----------------------------------------------------------------
    chroma_host: str | None = None
    chroma_port: int = 8000
    chroma_collection: str = "wuye_playbook"
    embedding_model: str | None = Field(
        None, description="litellm embedding model; unset = the built-in offline Chinese embedding."
    )
    embedding_api_base: str | None = None
    embedding_api_key: SecretStr | None = None
    max_query_chars: int = 500
    retrieval_dense_weight: float | None = Field(
        None, ge=0.0, le=1.0,
        description="Weight of the dense score in hybrid retrieval; unset = 0.2 offline, 0.5 with a model embedding.",
    )

    # -- drafting model (litellm) ------------------------------------------------------------
    model: str | None = Field(None, description="litellm model id; unset = the offline drafter.")
    api_base: str | None = None
    api_key: SecretStr | None = None
    timeout: float = 30.0
    retries: int = 2
    fallbacks: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="fallback models, comma-separated (a,b) or a JSON list")
    temperature: float = 0.3
    model_cooldown: float = Field(60.0, ge=0, description="seconds a model that keeps failing is skipped")
    llm_judge: bool = Field(False, description="Also ask the model to judge subtle guardrail cases.")

    # -- texts ------------------------------------------------------------------------------
    max_complaint_chars: int = Field(4000, ge=1)
    max_reply_chars: int = Field(2000, ge=1)

    # -- persistence / service ----------------------------------------------------------------
    database_url: str | None = Field(None, description="PostgreSQL URL; unset = SQLite in data_dir.")
    secret_key: SecretStr | None = Field(
        None, description="The one secret of the deployment, the same on every instance: keyed hashes (owner "
        "references, request fingerprints) and console sessions; unset = generated once in "
        "data_dir/wuye_secret.key (one host only). Required with WUYE_REDIS_URL.")
    redis_url: str | None = Field(
        None, description="Redis shared by every instance: rate limits and console sign-outs; unset = in "
        "this process only (one `wuye serve` process).")
    redis_prefix: str = Field("wuye", min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$",
                              description="Prefix of every Redis key (two deployments may share one Redis).")
    draft_lease_seconds: float = Field(
        30.0, ge=1, le=600, description="A request being drafted is held this long and renewed while its process "
        "works on it; a lease that runs out (the process died) lets any instance re-draft the request.")
    max_body_bytes: int = 64 * 1024
    rate_limit_per_minute: int = 120
    worker_threads: int = Field(64, description="API: threads for blocking work (litellm's per-call set-up, "
                                "the offline drafter, PostgreSQL checkpoint calls, start-up).")
    log_level: str = "INFO"
    webhook_retry_seconds: float = Field(5.0, gt=0, description="Webhooks: first retry after this many seconds "
                                         "(then doubling, ± 20 %).")
    webhook_max_attempts: int = Field(10, ge=1, le=100, description="Webhooks: attempts before a delivery fails.")
    webhook_timeout: float = Field(5.0, gt=0, description="Webhooks: seconds a receiver has to answer.")
    webhook_poll_seconds: float = Field(1.0, gt=0, description="Webhooks: how often due deliveries are looked for.")
    default_channels: Annotated[dict[str, str], NoDecode] = Field(
        default_factory=dict, description="Default channel per project: JSON {\"项目\": \"wechat\"} or "
        "'项目=wechat,项目2=phone' ('*' = every other project).")
    console_session_hours: float = Field(8.0, gt=0, le=24 * 7, description="Console: sign-in lifetime (hours).")

    @field_validator("api_key", "embedding_api_key")
    @classmethod
    def _refuse_placeholder(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and is_placeholder(value.get_secret_value()):
            raise ValueError("这是示例里的占位密钥,请填写真实密钥或不设置 / a placeholder key: set a real key or unset it")
        return value

    @field_validator("secret_key")
    @classmethod
    def _strong_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and (is_placeholder(value.get_secret_value()) or len(value.get_secret_value().strip()) < 16):
            raise ValueError("请设置至少 16 个字符的随机密钥,例如 `openssl rand -hex 32` / use a random string of at "
                             "least 16 characters, e.g. `openssl rand -hex 32`")
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("请使用 redis://、rediss:// 或 unix:// 开头的地址 / must start with redis://, rediss:// "
                             "or unix://")
        return value

    @field_validator("default_channels", mode="before")
    @classmethod
    def _split_channels(cls, value: object) -> object:
        """``项目=wechat,项目2=phone`` or a JSON object; every value must be a known channel."""
        from agent.vocab import Channel

        if isinstance(value, str):
            text = value.strip()
            if text.startswith("{"):
                try:
                    value = json.loads(text)
                except json.JSONDecodeError as exc:
                    raise ValueError(f"JSON 对象格式错误 / not a valid JSON object: {exc.msg}") from exc
            else:
                pairs = [item.split("=", 1) for item in text.split(",") if item.strip()]
                if any(len(pair) != 2 for pair in pairs):
                    raise ValueError("格式应为 项目=渠道,… / expected project=channel,…")
                value = {p.strip(): c.strip() for p, c in pairs}
        if isinstance(value, dict):
            bad = [c for c in value.values() if c not in {ch.value for ch in Channel}]
            if bad:
                raise ValueError(f"未知渠道 {bad},可选 {[c.value for c in Channel]} / unknown channel")
        return value

    def channel_for(self, project: str) -> str | None:
        """The project's default channel (``WUYE_DEFAULT_CHANNELS``), else the '*' default, else None."""
        return self.default_channels.get(project) or self.default_channels.get("*")

    @field_validator("fallbacks", mode="before")
    @classmethod
    def _split_fallbacks(cls, value: object) -> object:
        """``a,b`` (the documented form) or a JSON list ``["a", "b"]``."""
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                try:
                    return json.loads(text)
                except json.JSONDecodeError as exc:
                    raise ValueError(f"JSON 列表格式错误 / not a valid JSON list: {exc.msg}") from exc
            return [item.strip() for item in text.split(",") if item.strip()]
        return value

    # -- derived paths ------------------------------------------------------------------------
    @property
    def chroma_path(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "wuye.sqlite3"

    @property
    def secret_path(self) -> Path:
        return self.data_dir / "wuye_secret.key"

    @property
    def offline(self) -> bool:
        """True when no model is configured: the embedded offline drafter is used."""
        return not self.model

    def ensure_data_dir(self) -> Path:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return self.data_dir


def explain(error: ValidationError) -> InvalidInput:
    """Bad ``WUYE_*`` settings as one bilingual error (no traceback): which variable, and why."""
    lines = []
    for item in error.errors()[:5]:
        name = "WUYE_" + "_".join(str(part) for part in item["loc"][:1]).upper()
        lines.append(f"{name}: {item['msg'].removeprefix('Value error, ')}")
    detail = "; ".join(lines)
    return InvalidInput(f"配置有误,请检查环境变量:{detail}", f"invalid settings, check the environment: {detail}",
                        code="bad_settings")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings from the environment; cached. Bad values raise ``InvalidInput`` (bilingual, naming
    the variable). Tests build ``Settings(...)`` directly instead."""
    try:
        return Settings()
    except ValidationError as exc:
        raise explain(exc) from None
