"""Fixtures for the evidence tests: the real corpus and generated screenshots."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from ingest.corpus import load_corpus

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))   # screens.py, shared with benchmarks/ocr_bench.py

import screens  # noqa: E402

KNOWLEDGE = HERE.parents[1] / "knowledge"
NO_FONT = "no CJK font installed: apt-get install fonts-noto-cjk (the CI script installs it)"


@pytest.fixture(scope="session")
def corpus():
    return load_corpus(KNOWLEDGE)


@pytest.fixture(scope="session")
def cjk_font():
    if screens.cjk_font_path() is None:
        pytest.skip(NO_FONT)
    return screens.cjk_font_path()
