"""End to end across process lifetimes: state survives a restart; webhook mode checks its secret.

The restarted bot runs at LOG_LEVEL=DEBUG, where httpx logs every request URL
(which carries the bot token): its real log output must still be redacted.
"""
from __future__ import annotations

import json

import httpx
import pytest

from tests.support import free_port
from tests.support.bot_process import TOKEN, BotProcess

PHONE = "13812345678"


def test_language_and_wizard_survive_a_restart(fake_api, bot_index, tmp_path):
    user = 201
    first = BotProcess(fake_api, bot_index, tmp_path, LOG_LEVEL="DEBUG").start()
    try:
        mark = fake_api.mark()
        fake_api.send_command(user, "/lang")
        picker = fake_api.wait_for("sendMessage", chat_id=user, after=mark)
        fake_api.press(user, picker, f"l:zh-Hant@{user}")
        fake_api.wait_for("editMessageText", after=mark, predicate=lambda c: c.get("chat_id") == user)
        mark = fake_api.mark()
        fake_api.send_command(user, "/script")
        first_prompt = fake_api.wait_for("sendMessage", chat_id=user, after=mark)
        assert first_prompt.text
        # A phone number typed into the wizard must not reach the log.
        mark = fake_api.mark()
        fake_api.send_text(user, f"中信银行 {PHONE}")
        second_prompt = fake_api.wait_for("sendMessage", chat_id=user, after=mark)
    finally:
        assert first.stop() == 0

    second = BotProcess(fake_api, bot_index, tmp_path, LOG_LEVEL="DEBUG").start()
    try:
        mark = fake_api.mark()
        fake_api.send_text(user, "不是一个合理的回答，但向导应该接着问")
        resumed = fake_api.wait_for("sendMessage", chat_id=user, after=mark)
        # Still inside the wizard: the bad amount is rejected with a reason and the same question re-asked.
        assert second_prompt.text in resumed.text and resumed.text != second_prompt.text
        assert "法律依据" not in resumed.text
        mark = fake_api.mark()
        fake_api.send_command(user, "/cancel")
        cancelled = fake_api.wait_for("sendMessage", chat_id=user, after=mark)
        assert "已退出" in cancelled.text          # still in Traditional after the restart
    finally:
        assert second.stop() == 0

    logs = first.log_text() + second.log_text()
    assert "bot<token>/getUpdates" in logs      # httpx did log URLs, and the filter masked them
    for secret in (TOKEN, TOKEN.split(":")[1], PHONE):
        assert secret not in logs


def test_webhook_accepts_the_secret_and_rejects_others(fake_api, bot_index, tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram/hook"
    bot = BotProcess(fake_api, bot_index, tmp_path, WEBHOOK_URL=url, WEBHOOK_LISTEN="127.0.0.1",
                     WEBHOOK_PORT=port, WEBHOOK_SECRET="s3cret-Token_1").start(ready_method="setWebhook")
    try:
        assert fake_api.webhook == {"url": url, "secret_token": "s3cret-Token_1"}
        user = 301
        good = fake_api.make_update({"message": fake_api.message(user, "/start", entities=[
            {"type": "bot_command", "offset": 0, "length": 6}])})
        bad = fake_api.make_update({"message": fake_api.message(user + 1, "/start", entities=[
            {"type": "bot_command", "offset": 0, "length": 6}])})
        headers = {"Content-Type": "application/json"}
        mark = fake_api.mark()
        rejected = _post(url, bad, {**headers, "X-Telegram-Bot-Api-Secret-Token": "wrong"})
        assert rejected.status_code == 403
        missing = _post(url, bad, headers)
        assert missing.status_code == 403
        accepted = _post(url, good, {**headers, "X-Telegram-Bot-Api-Secret-Token": "s3cret-Token_1"})
        assert accepted.status_code == 200
        reply = fake_api.wait_for("sendMessage", chat_id=user, after=mark)
        assert "知权" in reply.text
        assert not fake_api.calls_to("sendMessage", chat_id=user + 1, after=mark)
        assert not fake_api.calls_to("getUpdates", after=mark)    # no polling in webhook mode
    finally:
        assert bot.stop() == 0
    assert "webhook mode" in bot.log_text()


def _post(url: str, update: dict, headers: dict) -> httpx.Response:
    for _ in range(50):   # the listener may still be binding right after setWebhook
        try:
            return httpx.post(url, content=json.dumps(update), headers=headers, timeout=10)
        except httpx.ConnectError:
            import time
            time.sleep(0.1)
    pytest.fail(f"webhook listener at {url} never accepted a connection")
