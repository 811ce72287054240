"""Engine fixtures: one Engine over the session's real index (tests/conftest.py `built_index`)."""
from __future__ import annotations

from pathlib import Path

import pytest

from ingest.corpus import load_corpus

KNOWLEDGE = Path(__file__).resolve().parents[2] / "knowledge"


@pytest.fixture(scope="session")
def corpus():
    return load_corpus(KNOWLEDGE)


@pytest.fixture(scope="session")
def engine(built_index):
    from bot.engine import Engine

    return Engine.from_settings(built_index)
