"""Settings from environment variables and `.env` (pydantic-settings).

Every setting is documented in `.env.example`; keep the two in step. The settings ingest
needs live in `ingest.settings.IngestSettings`, which this class extends.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import NoDecode, SettingsConfigDict

from ingest.settings import IngestSettings


class Settings(IngestSettings):
    """Every setting: ingest's (knowledge, index, embeddings, store) plus the bot's."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    # --- answers ----------------------------------------------------------------
    llm_model: str | None = None
    llm_base_url: str | None = None
    llm_api_key: SecretStr | None = None
    llm_timeout: float = 30.0
    history_turns: int = 6
    min_relevance: float = 0.0  # 0 = use the engine's measured default

    # --- telegram ---------------------------------------------------------------
    telegram_bot_token: SecretStr | None = None
    telegram_base_url: str = "https://api.telegram.org/bot"
    # Where files (screenshots) are downloaded from; empty = derived from TELEGRAM_BASE_URL (…/file/bot).
    telegram_base_file_url: str | None = None
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    # Outside DATA_DIR, so `make clean` (which deletes data/) keeps users' settings and conversations.
    persistence_path: Path = Path("./state/bot-state.json")
    retention_days: int = 30
    rate_limit_per_minute: int = 10
    admin_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    # Messages per second this process may send, at most this many in any second (Telegram allows
    # about 30 per bot in all; with N replicas give each 29/N). See bot/telegram_app/flood.py.
    telegram_calls_per_second: float = 29.0

    # --- running as a service (several replicas) ------------------------------------
    # redis://host:6379/0 = per-user state, update de-duplication and the start-up lock in Redis;
    # unset = single process, state in PERSISTENCE_PATH.
    redis_url: SecretStr | None = None
    # Prefix of every Redis key, so several bots can share one Redis.
    redis_prefix: str = "zhiquan"
    # Seconds a replica may hold an update before another replica may take it over.
    update_lease_seconds: float = 30.0
    # Seconds between checks of DATA_DIR/CURRENT for an index rebuilt elsewhere (0 = off).
    index_watch_seconds: float = 30.0

    # --- evidence (harassment log, screenshots) ---------------------------------------
    log_dir: Path | None = None          # empty = evidence/ beside PERSISTENCE_PATH (kept by make clean)
    log_retention_days: int = 180
    user_timezone: str = "Asia/Shanghai"

    # --- logging ------------------------------------------------------------------
    log_level: str = "INFO"
    log_content: bool = False  # opt in to logging message text (debugging only)

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value):
        # ADMIN_IDS=123,456 is friendlier than JSON in an env file.
        if isinstance(value, str):
            parts = [part for part in value.replace(" ", "").split(",") if part]
            if not all(part.lstrip("-").isdigit() for part in parts):
                raise ValueError("expected Telegram user ids separated by commas, e.g. 123456,789012")
            return [int(part) for part in parts]
        if isinstance(value, int):
            return [value]
        return value

    # `.env.example` lists every setting with an empty value; empty means "not set".
    @field_validator("llm_model", "llm_base_url", "llm_api_key", "webhook_url", "webhook_secret",
                     "telegram_bot_token", "telegram_base_file_url", "log_dir", "redis_url", mode="before")
    @classmethod
    def _empty_is_none(cls, value):
        return value or None

    @property
    def llm_enabled(self) -> bool:
        return bool(self.llm_model and self.llm_base_url)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
