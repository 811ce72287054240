"""The collector's text a recipient button checks again: the user's message without the command or mention."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from telegram import Chat, Message

from bot.telegram_app.handlers import checked_text, without_mention

GROUP = Chat(id=-100777, type=Chat.SUPERGROUP)
TEXT = "你朋友欠我们的钱一直不还，麻烦转告他。"


def _message(text: str) -> Message:
    return Message(message_id=1, date=datetime.now(timezone.utc), chat=GROUP, text=text)


@pytest.mark.parametrize("sent", [f"/check {TEXT}", f"/check@ZhiquanBot {TEXT}", f"@ZhiquanBot /check {TEXT}",
                                  f"@zhiquanbot {TEXT}", f"{TEXT} @ZhiquanBot", TEXT])
def test_checked_text_drops_the_command_and_the_bots_mention(sent):
    assert checked_text(_message(sent), "ZhiquanBot") == TEXT


def test_other_mentions_and_a_gone_message():
    assert checked_text(_message(f"@someone {TEXT}"), "ZhiquanBot") == f"@someone {TEXT}"
    assert checked_text(None, "ZhiquanBot") == ""
    assert without_mention(f"@ZhiquanBotFan {TEXT}", "ZhiquanBot") == f"@ZhiquanBotFan {TEXT}"
