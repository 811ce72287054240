"""Engine fixtures: one Engine over the session's real index (tests/conftest.py `built_index`)."""
from __future__ import annotations

import pytest

from ingest.corpus import load_corpus
from tests.support import KNOWLEDGE, prebuilt_settings


@pytest.fixture(scope="session")
def corpus():
    return load_corpus(KNOWLEDGE)


@pytest.fixture(scope="session")
def engine_settings(request):
    """Settings for a real index of knowledge/: ZHIQUAN_TEST_DATA_DIR (an index built earlier) or the
    session build from tests/conftest.py (`built_index`)."""
    return prebuilt_settings() or request.getfixturevalue("built_index")


@pytest.fixture(scope="session")
def engine(engine_settings):
    from bot.engine import Engine

    return Engine.from_settings(engine_settings)
