"""Retention, /forget and the per-user limit, on a real Application with the real state file.

The Application is initialised against the fake Bot API server (getMe), never the network.
"""
import json
import time
from types import SimpleNamespace

import pytest

from bot.telegram_app.app import build_application
from bot.telegram_app.ratelimit import UserRateLimiter
from bot.telegram_app.state_store import FileUserStateStore
from bot.telegram_app.userdata import SEEN, forget_user, sweep_idle, touch
from tests.support.bot_process import TOKEN

DAY = 86400


def _settings(api, path):
    from bot.config import Settings

    return Settings(_env_file=None, telegram_bot_token=TOKEN, telegram_base_url=api.base_url,
                    persistence_path=path, retention_days=30)


async def _seed(path, users: dict[int, float]) -> None:
    store = FileUserStateStore(path)
    for uid, seen in users.items():
        store.put_user(uid, {SEEN: seen, "lang": "en"})
        store.put_conversation("tools", (uid, uid), 1)
    store.save()


async def _reloaded(path):
    raw = json.loads(path.read_text(encoding="utf-8"))   # what is on disk, not what a loader makes of it
    store = FileUserStateStore(path)
    store.load()
    return store.users(), store.conversations("tools"), raw


@pytest.fixture
def engine():
    return SimpleNamespace(corpus=None)


async def test_sweep_forgets_only_idle_users(fake_api, tmp_path, engine):
    path = tmp_path / "state.pickle"
    now = time.time()
    await _seed(path, {1: now - 31 * DAY, 2: now - 2 * DAY})
    app = build_application(_settings(fake_api, path), engine)
    await app.initialize()
    try:
        assert await sweep_idle(app, retention_days=30, now=now) == 1
    finally:
        await app.shutdown()
    users, conversations, raw = await _reloaded(path)
    assert set(users) == {2}
    assert conversations == {(2, 2): 1}          # the ended conversation leaves no entry
    assert set(raw["users"]) == {"2"} and set(raw["conversations"]["tools"]) == {"2:2"}


async def test_forget_removes_user_data_and_conversation(fake_api, tmp_path, engine):
    path = tmp_path / "state.pickle"
    await _seed(path, {5: time.time(), 6: time.time()})
    app = build_application(_settings(fake_api, path), engine)
    await app.initialize()
    try:
        forget_user(app, 5)
        await app.update_persistence()
    finally:
        await app.shutdown()
    users, conversations, raw = await _reloaded(path)
    assert set(users) == {6}
    assert conversations == {(6, 6): 1}
    assert set(raw["users"]) == {"6"} and set(raw["conversations"]["tools"]) == {"6:6"}


def test_touch_clears_stale_state_before_use():
    data = {SEEN: time.time() - 40 * DAY, "lang": "en", "chats": {"1": {"form": {"name": "script"}}}}
    touch(data, retention_days=30)
    assert set(data) == {SEEN}
    fresh = {SEEN: time.time() - DAY, "lang": "en"}
    touch(fresh, retention_days=30)
    assert fresh["lang"] == "en"


def test_rate_limiter_window():
    clock = [0.0]
    limiter = UserRateLimiter(3, clock=lambda: clock[0])
    assert [limiter.allow(1) for _ in range(4)] == [True, True, True, False]
    assert limiter.allow(2)                 # other users are unaffected
    clock[0] = 60.0
    assert limiter.allow(1)
    assert UserRateLimiter(0).allow(1)      # 0 disables the limit


async def test_forgotten_user_does_not_come_back_empty(fake_api, tmp_path, engine):
    """PTB re-saves the user touched by the update that ran /forget: no empty entry may appear."""
    path = tmp_path / "state.pickle"
    await _seed(path, {7: time.time(), 8: time.time()})
    app = build_application(_settings(fake_api, path), engine)
    await app.initialize()
    try:
        forget_user(app, 7)
        await app.update_persistence()
        assert app.user_data[7] == {}                 # the update's handler reads it again …
        app.mark_data_for_update_persistence(user_ids=7)
        await app.update_persistence()                # … and PTB hands the empty dict back
    finally:
        await app.shutdown()
    users, _, raw = await _reloaded(path)
    assert set(users) == {8} and set(raw["users"]) == {"8"}


async def test_error_handler_apologises_without_logging_the_message(fake_api, tmp_path, engine, caplog):
    from telegram import Update
    from telegram.ext import CallbackContext

    from bot.telegram_app.handlers import on_error

    app = build_application(_settings(fake_api, tmp_path / "state.pickle"), engine)
    await app.initialize()
    try:
        user_text = "我的电话13800138000"
        update = Update.de_json(fake_api.make_update({"message": fake_api.message(77, user_text)}), app.bot)
        try:
            detail = f"failed on {user_text}"   # exception messages may quote user input
            raise RuntimeError(detail)
        except RuntimeError as exc:
            context = CallbackContext.from_error(update, exc, app)
        mark = fake_api.mark()
        with caplog.at_level("ERROR"):
            await on_error(update, context)
        reply = fake_api.wait_for("sendMessage", chat_id=77, after=mark, timeout=10)
    finally:
        await app.shutdown()
    assert "出了问题" in reply.text
    assert "RuntimeError" in caplog.text and "13800138000" not in caplog.text and "我的电话" not in caplog.text
