"""Fixtures for the evidence tests: the real corpus and generated screenshots."""
from __future__ import annotations

from pathlib import Path

import pytest

from ingest.corpus import load_corpus
from tests.support import screens

HERE = Path(__file__).resolve().parent

KNOWLEDGE = HERE.parents[1] / "knowledge"
NO_FONT = "no CJK font installed: apt-get install fonts-noto-cjk (make test installs it)"


@pytest.fixture(scope="session")
def corpus():
    return load_corpus(KNOWLEDGE)


@pytest.fixture(scope="session")
def cjk_font():
    if screens.cjk_font_path() is None:
        pytest.skip(NO_FONT)
    return screens.cjk_font_path()
