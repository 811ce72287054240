"""Fixtures for the Telegram end-to-end tests: the fake Bot API server and the real bot process."""
from __future__ import annotations

import pytest

from tests.support import prebuilt_settings
from tests.support.bot_process import TOKEN
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
