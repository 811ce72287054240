"""Fixtures for the Telegram end-to-end tests: the fake Bot API server and the real bot process."""
from __future__ import annotations

import pytest

from tests.support import prebuilt_settings
from tests.support.bot_process import TOKEN, BotProcess
from tests.support.fake_bot_api import FakeBotAPI


@pytest.fixture(scope="module")
def fake_api():
    with FakeBotAPI(TOKEN) as api:
        yield api


@pytest.fixture
def mark(fake_api):
    return fake_api.mark()


@pytest.fixture(scope="session")
def bot_index(request):
    """Settings with a built index: ZHIQUAN_TEST_DATA_DIR (an index built earlier, for quick local
    runs) or the session's `built_index` fixture."""
    return prebuilt_settings() or request.getfixturevalue("built_index")


@pytest.fixture(scope="module")
def start_bot(fake_api, bot_index, tmp_path_factory):
    """Start the real bot process for the module with the given settings; stopped at the module's end."""
    started: list[BotProcess] = []

    def start(name: str, **env) -> BotProcess:
        process = BotProcess(fake_api, bot_index, tmp_path_factory.mktemp(name), **env)
        started.append(process)
        return process.start()

    yield start
    for process in started:
        process.stop()
