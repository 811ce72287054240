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
def engine_settings(request):
    """Settings for a real index of knowledge/: the session build from tests/conftest.py (`built_index`),
    or ZHIQUAN_TEST_DATA_DIR, an index already built from this knowledge/ (developer convenience:
    a build takes minutes on a busy 2-core machine)."""
    import os

    prebuilt = os.environ.get("ZHIQUAN_TEST_DATA_DIR")
    if prebuilt:
        from bot.config import Settings

        return Settings(_env_file=None, knowledge_dir=KNOWLEDGE, data_dir=Path(prebuilt))
    return request.getfixturevalue("built_index")


@pytest.fixture(scope="session")
def engine(engine_settings):
    from bot.engine import Engine

    return Engine.from_settings(engine_settings)
