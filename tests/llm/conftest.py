"""Fixtures for the LLM answer path: the real corpus and an OpenAI-compatible stub on 127.0.0.1."""
from __future__ import annotations

import pytest

from bot.config import Settings
from ingest.corpus import load_corpus
from tests.support.llm_stub import StubLLM


@pytest.fixture(scope="session")
def corpus():
    return load_corpus("knowledge")


@pytest.fixture(scope="session")
def _stub_server():
    stub = StubLLM()
    yield stub
    stub.close()


@pytest.fixture
def stub(_stub_server):
    _stub_server.reset()
    yield _stub_server
    _stub_server.reset()


@pytest.fixture
def make_settings(stub):
    def make(**overrides) -> Settings:
        values = {"llm_model": "stub-model", "llm_base_url": stub.base_url,
                  "llm_api_key": "sk-test-123", "llm_timeout": 5.0, **overrides}
        return Settings(_env_file=None, **values)
    return make


@pytest.fixture
def answerer(make_settings, corpus):
    from bot.engine.llm.answerer import LLMAnswerer
    return LLMAnswerer(make_settings(), corpus)
