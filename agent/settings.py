"""The one place that reads the environment. Every setting has the prefix ``WUYE_``.

Code receives a ``Settings`` instance (``get_settings()`` at the edges: CLI, API
start-up); nothing below the edges reads ``os.environ``.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER_SECRETS = {"changeme", "change-me", "xxx", "your-api-key", "sk-xxx", "todo"}


class Settings(BaseSettings):
    # env_ignore_empty: an empty variable (``WUYE_MODEL=`` in a compose file) means "not set"
    model_config = SettingsConfigDict(env_prefix="WUYE_", env_file=None, extra="ignore", env_ignore_empty=True)

    # -- files ---------------------------------------------------------------------------
    data_dir: Path = Field(Path("./data"), description="Every file the service writes lives here.")
    corpus_dir: Path = PROJECT_ROOT / "corpus"
    guardrails_dir: Path = PROJECT_ROOT / "guardrails"
    prompts_dir: Path = PROJECT_ROOT / "prompts"

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
    fallbacks: list[str] = Field(default_factory=list)
    temperature: float = 0.3
    retry_backoff: float = Field(0.5, description="first retry wait in seconds (doubles each retry)")
    retry_max_wait: float = Field(10.0, description="cap on one retry wait, also on Retry-After")
    llm_judge: bool = Field(False, description="Also ask the model to judge subtle guardrail cases.")

    # -- texts ------------------------------------------------------------------------------
    max_complaint_chars: int = 4000
    max_reply_chars: int = 2000

    # -- persistence / service ----------------------------------------------------------------
    database_url: str | None = Field(None, description="PostgreSQL URL; unset = SQLite in data_dir.")
    max_body_bytes: int = 64 * 1024
    rate_limit_per_minute: int = 120
    worker_threads: int = Field(64, description="API: threads for blocking work (litellm's per-call set-up, "
                                "the offline drafter, PostgreSQL checkpoint calls, start-up).")
    log_level: str = "INFO"
    secret_key: SecretStr | None = Field(
        None, validation_alias=AliasChoices("WUYE_SECRET_KEY", "WUYE_CONSOLE_SECRET", "secret_key"),
        description="Signing secret every instance shares (console sessions); unset = generated in "
        "data_dir/console_secret.key (one host only). Required with WUYE_REDIS_URL.")
    redis_url: str | None = Field(
        None, description="Redis shared by every instance: rate limits and console sign-outs; unset = in "
        "this process only (one `wuye serve` process).")
    redis_prefix: str = Field("wuye", min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$",
                              description="Prefix of every Redis key (two deployments may share one Redis).")
    console_session_hours: float = Field(8.0, gt=0, le=24 * 7, description="Console: sign-in lifetime (hours).")

    @field_validator("api_key", "embedding_api_key")
    @classmethod
    def _refuse_placeholder(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and value.get_secret_value().strip().lower() in PLACEHOLDER_SECRETS:
            raise ValueError("placeholder API key; set a real key or unset it / 请填写真实密钥或不设置")
        return value

    @field_validator("secret_key")
    @classmethod
    def _strong_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return value
        text = value.get_secret_value().strip()
        if text.lower() in PLACEHOLDER_SECRETS or len(text) < 16:
            raise ValueError("WUYE_SECRET_KEY must be a random string of at least 16 characters "
                             "(e.g. `openssl rand -hex 32`) / 请设置至少 16 个字符的随机密钥")
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            return None
        if value is not None and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("WUYE_REDIS_URL must start with redis://, rediss:// or unix:// "
                             "/ 请使用 redis:// 开头的地址")
        return value

    @field_validator("fallbacks", mode="before")
    @classmethod
    def _split_fallbacks(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip().startswith("["):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    # -- derived paths ------------------------------------------------------------------------
    @property
    def chroma_path(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "wuye.sqlite3"

    @property
    def checkpoint_path(self) -> Path:
        return self.data_dir / "checkpoints.sqlite3"

    @property
    def offline(self) -> bool:
        """True when no model is configured: the embedded offline drafter is used."""
        return not self.model

    def ensure_data_dir(self) -> Path:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return self.data_dir


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings from the environment; cached. Tests build ``Settings(...)`` directly instead."""
    return Settings()
