"""The settings ingest needs (knowledge, index, embeddings, vector store).

`bot.config.Settings` extends this class with the front ends' settings, so each
setting has one home and `ingest` never imports `bot`. Every setting is
documented in `.env.example`.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class IngestSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    # --- knowledge and index -------------------------------------------------
    knowledge_dir: Path = Path("./knowledge")
    data_dir: Path = Path("./data")

    # --- embeddings ----------------------------------------------------------
    # "use": Google USE multilingual v3 in numpy (ships its weights; offline default).
    # "sentence-transformers": any model name or local path in EMBEDDING_MODEL.
    embedding_backend: Literal["use", "sentence-transformers"] = "use"
    embedding_model: str = "BAAI/bge-small-zh-v1.5"
    embedding_batch_size: int = 32
    # Embedding cache file (model id + text hash -> vector); default DATA_DIR/embedding-cache.sqlite.
    embedding_cache: Path | None = None

    # Threads for the embedder and the bot's worker pool; 0 = one per CPU core (os.cpu_count()).
    threads: int = 0

    # --- vector store ----------------------------------------------------------
    chroma_mode: Literal["embedded", "http"] = "embedded"
    chroma_host: str = "127.0.0.1"
    chroma_port: int = 8000

    @property
    def thread_count(self) -> int:
        return self.threads if self.threads > 0 else (os.cpu_count() or 1)

    # `.env.example` lists every setting with an empty value; empty means "not set".
    @field_validator("embedding_cache", mode="before")
    @classmethod
    def _empty_cache_is_none(cls, value):
        return value or None


__all__ = ["IngestSettings"]
