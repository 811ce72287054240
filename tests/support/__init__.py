"""Helpers shared by the tests and the benchmarks (`from tests.support import …`).

The repository root is on sys.path (pytest `pythonpath = ["."]`; benchmarks run as
`python -m benchmarks.x` from the root), so no test or benchmark edits sys.path.
"""
from __future__ import annotations

import os
import socket
from pathlib import Path

from bot.config import Settings

ROOT = Path(__file__).resolve().parents[2]
KNOWLEDGE = ROOT / "knowledge"
# An index already built from this knowledge/ (developer convenience: a build takes minutes on 2 busy
# CPU cores); unset, the tests build their own once per session.
TEST_DATA_DIR_ENV = "ZHIQUAN_TEST_DATA_DIR"


def make_settings(**overrides) -> Settings:
    """Settings that ignore the developer's .env, so tests see only what they set."""
    return Settings(_env_file=None, **overrides)


def prebuilt_settings() -> Settings | None:
    """Settings for the index named by ZHIQUAN_TEST_DATA_DIR, or None when it is not set."""
    prebuilt = os.environ.get(TEST_DATA_DIR_ENV)
    return make_settings(knowledge_dir=KNOWLEDGE, data_dir=Path(prebuilt)) if prebuilt else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


__all__ = ["ROOT", "KNOWLEDGE", "TEST_DATA_DIR_ENV", "make_settings", "prebuilt_settings", "free_port"]
