"""The engine's LLM path over the real index, and its fallback to the offline composer."""
from __future__ import annotations

import pytest
from pydantic import SecretStr

from bot.engine import Engine
from bot.engine.citations import verify

QUESTION = "催收天天打我爸妈电话骚扰他们，合法吗"


@pytest.fixture(scope="module")
def engine_settings(built_index, _stub_server):
    return built_index.model_copy(update={"llm_model": "stub-model", "llm_base_url": _stub_server.base_url,
                                          "llm_api_key": SecretStr("sk-engine"), "llm_timeout": 0.5})


@pytest.fixture(scope="module")
def engine(engine_settings):
    return Engine.from_settings(engine_settings)


def test_engine_answers_with_the_llm_from_real_hits(engine, stub, corpus):
    stub.reply("不合法。催收不得以电话等方式侵扰他人的私人生活安宁，也不得向与债务无关的第三人催收[S1]。")
    answer = engine.answer(QUESTION)

    assert answer.mode == "llm" and answer.citations
    for citation in answer.citations:
        verify(corpus, citation)
    user = stub.last_messages()[1]["content"]
    assert f"<question>\n{QUESTION}\n</question>" in user and "[S1] 《" in user


@pytest.mark.parametrize("behaviour", ["fail", "hang", "invented"])
def test_engine_falls_back_to_offline(engine, stub, corpus, behaviour):
    if behaviour == "fail":
        stub.fail(500)
    elif behaviour == "hang":
        stub.hang()
    else:
        stub.reply("根据《民法典》第二千条，你的家人必须替你还钱[S9]。")
    answer = engine.answer(QUESTION)

    assert len(stub.requests) == 1
    assert answer.mode == "offline" and answer.citations
    assert "第二千条" not in answer.text
    for citation in answer.citations:
        verify(corpus, citation)
