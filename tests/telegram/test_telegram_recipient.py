"""End to end: who received a checked message. The real `python -m bot` process against the fake Bot API.

A check reply answers the user's message and carries buttons for who received it (family, a
friend or contact, work). A press checks the same text again as a third party's message (Telegram
hands the replied-to text back with the button; the bot keeps none) and remembers only the role, in
that chat, until the user goes back to "the borrower got it" or sends /forget.
"""
from __future__ import annotations

import json

import pytest

from bot.telegram_app import userdata
from tests.support.bot_process import BotProcess

DEMAND = "這個月的欠款請在週五前還清。"         # written to the debtor: the text alone shows no third party
DUE_FRIDAY = "这个月的欠款请在周五前还清。"     # the same, in a screenshot
THIRD_PARTY_BUTTONS = ("rc:relative", "rc:contact", "rc:employer")


@pytest.fixture(scope="module")
def bot(fake_api, bot_index, tmp_path_factory):
    process = BotProcess(fake_api, bot_index, tmp_path_factory.mktemp("bot-recipient"),
                         RATE_LIMIT_PER_MINUTE=20, LOG_LEVEL="INFO")
    process.start()
    yield process
    process.stop()


def forward(api, user_id: int, text: str):
    mark = api.mark()
    sent = api.send_forwarded(user_id, text)
    return sent["message"], api.wait_for("sendMessage", chat_id=user_id, after=mark)


def press(api, user_id: int, reply, data: str):
    mark = api.mark()
    api.press(user_id, reply, data)
    return api.wait_for("sendMessage", chat_id=user_id, after=mark)


def button_data(reply) -> list[str]:
    return [b["callback_data"] for b in reply.buttons]


def read_reply(api, user_id: int, mark: int):
    return api.wait_for("sendMessage", chat_id=user_id, after=mark, timeout=120,
                        predicate=lambda c: "识别出的文字" in c.text)


def send_screenshot(api, user_id: int, sms: str = DUE_FRIDAY, **kwargs):
    """An SMS screenshot sent as a photo: (the photo message, the bot's reading of it)."""
    from tests.support import screens

    if screens.cjk_font_path() is None:
        pytest.skip("no CJK font installed: apt-get install fonts-noto-cjk")
    mark = api.mark()
    photo = api.send_photo(user_id, screens.to_bytes(screens.Screen("sms", "10690000", [("them", sms)])), **kwargs)
    return photo["message"], read_reply(api, user_id, mark)


def test_family_button_rechecks_the_message_as_a_third_partys(bot, fake_api):
    user = 301
    original, reply = forward(fake_api, user, DEMAND)
    assert "1. " not in reply.text and "12348" in reply.text          # to the borrower: a lawful demand
    assert "家人、朋友或同事收到的" in reply.text                            # the question the buttons answer
    assert button_data(reply) == [f"{b}@{user}" for b in THIRD_PARTY_BUTTONS]
    assert reply["reply_parameters"]["message_id"] == original["message_id"]

    rechecked = press(fake_api, user, reply, f"rc:relative@{user}")
    # The Traditional text is answered in Traditional, as received by a relative.
    assert "按您所說，這條信息是借款人的家人收到的" in rechecked.text
    assert "1. 向他人洩露或揚言洩露欠款信息" in rechecked.text and DEMAND in rechecked.text
    assert "第六十八條" in rechecked.text                                  # cited as for every finding
    assert button_data(rechecked) == [f"rc:borrower@{user}"]
    assert rechecked["reply_parameters"]["message_id"] == original["message_id"]   # its buttons work again


def test_role_is_remembered_in_the_chat_until_the_borrower_button(bot, fake_api):
    user = 302
    _, reply = forward(fake_api, user, "您好，这边是催收部门，尽快还款。")
    press(fake_api, user, reply, f"rc:employer@{user}")
    _, later = forward(fake_api, user, "欠款已逾期三天，请今天内还清。")     # no button pressed this time
    assert "借款人的单位或同事收到的" in later.text and "向他人泄露" in later.text
    back = press(fake_api, user, later, f"rc:borrower@{user}")
    assert "按您所说" not in back.text and "1. " not in back.text
    assert button_data(back) == [f"{b}@{user}" for b in THIRD_PARTY_BUTTONS]
    _, after = forward(fake_api, user, "欠款已逾期三天，请今天内还清。")
    assert "1. " not in after.text                                   # the role is gone


def test_check_command_text_is_rechecked_without_the_command(bot, fake_api):
    user = 303
    mark = fake_api.mark()
    fake_api.send_command(user, "/check 你朋友欠我们的钱一直不还，麻烦转告他。")
    reply = fake_api.wait_for("sendMessage", chat_id=user, after=mark)
    rechecked = press(fake_api, user, reply, f"rc:contact@{user}")
    assert "借款人的朋友或紧急联系人收到的" in rechecked.text
    assert "你朋友欠我们的钱一直不还" in rechecked.text
    assert "/check" not in rechecked.text
    assert "不是借款合同的当事人" in rechecked.text                       # explained to whoever received it


def test_start_check_deep_link_asks_for_the_text_to_check(bot, fake_api):
    user = 310
    mark = fake_api.mark()
    fake_api.send_command(user, "/start check")                        # the group's deep link, opened here
    prompt = fake_api.wait_for("sendMessage", chat_id=user, after=mark)
    assert "请把催收方发来的短信或聊天内容粘贴给我" in prompt.text
    mark = fake_api.mark()
    fake_api.send_text(user, DEMAND)
    reply = fake_api.wait_for("sendMessage", chat_id=user, after=mark)
    assert button_data(reply) == [f"{b}@{user}" for b in THIRD_PARTY_BUTTONS]   # a check reply


def test_only_the_owner_may_press_and_a_deleted_original_is_said(bot, fake_api):
    owner, other = 304, 305
    _, reply = forward(fake_api, owner, DEMAND)
    mark = fake_api.mark()
    fake_api.press(other, reply, f"rc:relative@{owner}")
    alert = fake_api.wait_for("answerCallbackQuery", after=mark)
    assert alert.get("show_alert") is True and alert["text"] == "这个按钮不是给你的"

    gone = dict(fake_api.sent_message(reply))
    gone.pop("reply_to_message")                                     # the user deleted their message
    mark = fake_api.mark()
    fake_api.press(owner, gone, f"rc:relative@{owner}")
    said = fake_api.wait_for("sendMessage", chat_id=owner, after=mark)
    assert "找不到原来那条信息" in said.text


def test_forget_deletes_the_role(bot, fake_api):
    user = 306
    _, reply = forward(fake_api, user, DEMAND)
    press(fake_api, user, reply, f"rc:contact@{user}")
    mark = fake_api.mark()
    fake_api.send_command(user, "/forget")
    confirm = fake_api.wait_for("sendMessage", chat_id=user, after=mark)
    fake_api.press(user, confirm, f"fg:y@{user}")
    fake_api.wait_for("editMessageText", after=mark, predicate=lambda c: c.get("chat_id") == user)
    _, after = forward(fake_api, user, DEMAND)
    assert "1. " not in after.text and button_data(after) == [f"{b}@{user}" for b in THIRD_PARTY_BUTTONS]


def test_remembered_role_applies_to_a_later_screenshot(bot, fake_api):
    user = 309
    _, reply = forward(fake_api, user, DEMAND)
    press(fake_api, user, reply, f"rc:relative@{user}")
    _, read = send_screenshot(fake_api, user)
    assert "借款人的家人收到的" in read.text and "向他人泄露" in read.text


def test_a_role_stated_with_the_text_is_taken_said_and_remembered(bot, fake_api):
    user = 311
    mark = fake_api.mark()
    fake_api.send_command(user, "/check 我是他的紧急联系人，收到短信：别再躲了，欠钱迟早要还。")
    reply = fake_api.wait_for("sendMessage", chat_id=user, after=mark)
    assert "借款人的朋友或紧急联系人收到的" in reply.text and "1. 向他人泄露" in reply.text
    assert "按您说的“我是他的紧急联系人”" in reply.text and "请点下面的按钮改正" in reply.text
    assert "原文：别再躲了，欠钱迟早要还。\n" in reply.text        # the user's own words are not checked
    assert button_data(reply) == [f"rc:borrower@{user}"]            # the correction is one tap away
    assert "家人、朋友或同事收到的" not in reply.text
    _, later = forward(fake_api, user, DEMAND)                      # remembered like a button press
    assert "借款人的朋友或緊急聯繫人收到的" in later.text and "按您說的" not in later.text
    back = press(fake_api, user, reply, f"rc:borrower@{user}")      # the button overrides the words
    assert "1. " not in back.text and "按您说的" not in back.text
    _, after = forward(fake_api, user, DEMAND)
    assert "1. " not in after.text


def test_a_statement_in_a_forwarded_message_is_the_collectors(bot, fake_api):
    user = 312
    _, reply = forward(fake_api, user, "我是你老公的同事：他欠我们的钱，请转告他尽快还款。")
    assert "按您说的" not in reply.text and "收到的。" not in reply.text.split("\n")[0]
    assert button_data(reply) == [f"{b}@{user}" for b in THIRD_PARTY_BUTTONS]


def test_a_role_stated_alone_or_in_a_question_applies_to_later_checks(bot, fake_api):
    user = 313
    mark = fake_api.mark()
    fake_api.send_command(user, "/check I'm her mother")
    said = fake_api.wait_for("sendMessage", chat_id=user, after=mark)
    assert "the messages you check here will be checked as received by a member of the borrower's family" in said.text
    _, later = forward(fake_api, user, DEMAND)
    assert "借款人的家人收到的" in later.text

    other = 314
    mark = fake_api.mark()
    fake_api.send_text(other, "我是她的紧急联系人，催收天天打我电话，我要替她还钱吗？")
    fake_api.wait_for("sendMessage", chat_id=other, after=mark, predicate=lambda c: "12348" in c.text)
    _, checked = forward(fake_api, other, "欠款已逾期三天，请今天内还清。")
    assert "借款人的朋友或紧急联系人收到的" in checked.text and "向他人泄露" in checked.text

    negative = 315
    mark = fake_api.mark()
    fake_api.send_text(negative, "我朋友是紧急联系人，催收天天打他电话，合法吗？")
    fake_api.wait_for("sendMessage", chat_id=negative, after=mark, predicate=lambda c: "12348" in c.text)
    _, checked = forward(fake_api, negative, "欠款已逾期三天，请今天内还清。")
    assert "1. " not in checked.text                              # the asker is not the contact


def test_screenshot_reply_has_recipient_buttons_that_read_the_photo_again(bot, fake_api):
    user = 316
    photo, read = send_screenshot(fake_api, user)
    assert "向他人泄露" not in read.text and "家人、朋友或同事收到的" in read.text
    assert read["reply_parameters"]["message_id"] == photo["message_id"]
    data = button_data(read)
    assert [d for d in data if d.startswith("rc:")] == [f"{b}@{user}" for b in THIRD_PARTY_BUTTONS]
    old_log = next(d for d in data if d.startswith("ev:a:"))

    mark = fake_api.mark()
    fake_api.press(user, read, f"rc:relative@{user}")
    again = read_reply(fake_api, user, mark)
    # Fetched again from Telegram by the replied-to photo's file id: nothing of the first reading is used.
    assert [c["file_id"] for c in fake_api.calls_to("getFile", after=mark)] == [photo["photo"][-1]["file_id"]]
    assert "借款人的家人收到的" in again.text and "向他人泄露" in again.text
    assert again["reply_parameters"]["message_id"] == photo["message_id"]
    assert [d for d in button_data(again) if d.startswith("rc:")] == [f"rc:borrower@{user}"]
    new_log = next(d for d in button_data(again) if d.startswith("ev:a:"))

    mark = fake_api.mark()
    fake_api.press(user, read, old_log)                             # the superseded reading is gone
    assert "已过期" in fake_api.wait_for("sendMessage", chat_id=user, after=mark).text
    mark = fake_api.mark()
    fake_api.press(user, again, new_log)
    fake_api.wait_for("sendMessage", chat_id=user, after=mark, predicate=lambda c: "已加入记录" in c.text)

    mark = fake_api.mark()
    fake_api.press(314, again, f"rc:borrower@{user}")               # another user's press does nothing
    alert = fake_api.wait_for("answerCallbackQuery", after=mark)
    assert alert.get("show_alert") is True
    gone = dict(fake_api.sent_message(again))
    gone.pop("reply_to_message")                                    # the user deleted the photo
    mark = fake_api.mark()
    fake_api.press(user, gone, f"rc:borrower@{user}")
    assert "找不到原来那条信息或截图" in fake_api.wait_for("sendMessage", chat_id=user, after=mark).text

    _, read = send_screenshot(fake_api, 317, caption="我是他的緊急聯絡人")
    assert "按您说的“我是他的緊急聯絡人”" in read.text and "借款人的朋友或紧急联系人收到的" in read.text
    assert "向他人泄露" in read.text


def test_a_rate_limited_press_under_a_screenshot_reads_nothing_and_changes_nothing(bot, fake_api):
    user = 318
    _, read = send_screenshot(fake_api, user, "请尽快还款。")
    mark = fake_api.mark()
    for n in range(19):                      # with the screenshot, the 20 checks a minute of this process
        fake_api.send_forwarded(user, f"第{n}条：请尽快还款。")
    fake_api.wait_for("sendMessage", chat_id=user, after=mark,
                      predicate=lambda c: len(fake_api.calls_to("sendMessage", chat_id=user, after=mark)) >= 19)
    mark = fake_api.mark()
    fake_api.press(user, read, f"rc:relative@{user}")
    assert "稍等" in fake_api.wait_for("sendMessage", chat_id=user, after=mark).text
    assert not fake_api.calls_to("getFile", after=mark)              # the photo is not fetched again


def test_a_role_said_in_private_stays_in_that_chat():
    user_data: dict = {}
    userdata.set_recipient(user_data, 307, "relative")
    assert userdata.recipient(user_data, 307) == "relative"
    assert userdata.recipient(user_data, -100900) is None            # a group sees nothing of it
    userdata.set_recipient(user_data, 307, "borrower")               # the default is stored as nothing
    assert user_data == {}


def test_state_file_holds_the_role_and_no_text(bot, fake_api):
    """Last: stops the module's process and reads what it saved."""
    user = 308
    _, reply = forward(fake_api, user, DEMAND)
    press(fake_api, user, reply, f"rc:relative@{user}")
    bot.stop()
    text = (bot.workdir / "state.json").read_text(encoding="utf-8")
    assert json.loads(text)["users"][str(user)]["chats"][str(user)]["recipient"] == "relative"
    assert "欠款" not in text and "朋友欠我们" not in text
    # A role said in words or for a screenshot: the role alone, none of the words or the OCR text.
    users = json.loads(text)["users"]
    assert users["316"]["chats"] == {"316": {"recipient": "relative"}}
    assert users["317"]["chats"] == {"317": {"recipient": "contact"}}
    assert users.get("311", {}).get("chats", {}) == {}             # the borrower button cleared it
    assert "recipient" not in users.get("318", {}).get("chats", {}).get("318", {})   # the limited press changed nothing
    assert "周五前" not in text and "緊急聯絡人" not in text
    assert not fake_api.errors, fake_api.errors
