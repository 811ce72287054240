"""Small knowledge folders for fast ingest tests (3 short regulations, the guidance article, 1 card)."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import make_settings
from tests.support.knowledge import make_small_knowledge


@pytest.fixture
def small_knowledge(tmp_path) -> Path:
    return make_small_knowledge(tmp_path)


@pytest.fixture
def small_settings(small_knowledge, tmp_path):
    return make_settings(knowledge_dir=small_knowledge, data_dir=tmp_path / "data")


@pytest.fixture(scope="session")
def use_embeddings():
    """One USE instance for the session: loading its weights takes a couple of seconds."""
    from ingest.embeddings import USEEmbeddings

    return USEEmbeddings()
