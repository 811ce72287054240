"""The typing indicator costs a Bot API call: sent only when an answer takes a while, then repeated."""
from __future__ import annotations

import asyncio

from telegram import Bot

from bot.telegram_app.services import typing
from tests.support.bot_process import TOKEN


async def _typing_actions(fake_api, chat_id: int, work_seconds: float) -> int:
    mark = fake_api.mark()
    async with Bot(TOKEN, base_url=fake_api.base_url) as bot:
        async with typing(bot, chat_id, after=0.5, every=1.0):
            await asyncio.sleep(work_seconds)
    return len(fake_api.calls_to("sendChatAction", chat_id=chat_id, after=mark))


async def test_quick_work_sends_no_typing_action(fake_api):
    assert await _typing_actions(fake_api, 501, 0.0) == 0


async def test_slow_work_shows_typing_and_repeats_it(fake_api):
    # 0.5 s delay, then every 1 s: actions at about 0.5, 1.5 and 2.5 s of 2.8 s of work.
    assert await _typing_actions(fake_api, 502, 2.8) >= 2
