"""End to end: a recipient button pressed over the rate limit. The real `python -m bot` process against the
fake Bot API, allowed two questions or checks a minute.

The press is a check like any other, so it is refused politely when the user is over the limit, and it
changes nothing: the role it names is not remembered for the chat (later checks would otherwise be read
as a relative's messages although the user never saw that answer). The role of the last allowed press stays.
"""
from __future__ import annotations

import json

import pytest

DEMAND = "这个月的欠款请在周五前还清。"
RATE_LIMITED = "您发送得有点快"


@pytest.fixture(scope="module")
def bot(start_bot):
    return start_bot("bot-recipient-limit", RATE_LIMIT_PER_MINUTE=2, LOG_LEVEL="INFO")


def test_rate_limited_recipient_press_stores_no_role(bot, fake_api):
    user = 321
    mark = fake_api.mark()
    fake_api.send_forwarded(user, DEMAND)                              # the minute's first check
    reply = fake_api.wait_for("sendMessage", chat_id=user, after=mark)
    mark = fake_api.mark()
    fake_api.press(user, reply, f"rc:contact@{user}")                  # the second: allowed, remembered
    rechecked = fake_api.wait_for("sendMessage", chat_id=user, after=mark)
    assert "借款人的朋友或紧急联系人收到的" in rechecked.text

    mark = fake_api.mark()
    fake_api.press(user, reply, f"rc:relative@{user}")                 # over the limit
    limited = fake_api.wait_for("sendMessage", chat_id=user, after=mark)
    assert RATE_LIMITED in limited.text
    assert "按您所说" not in limited.text                               # not checked as a relative's message

    bot.stop()                                                         # the state file, flushed on exit
    state = json.loads((bot.workdir / "state.json").read_text(encoding="utf-8"))
    assert state["users"][str(user)]["chats"][str(user)]["recipient"] == "contact"
    assert not fake_api.errors, fake_api.errors
