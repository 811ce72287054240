"""End to end, as an attacker or a careless user would try it in groups: private data never reaches
a group, buttons act only for their owner, odd input gets a clear answer, and the state file holds
what /privacy says (no phone or ID numbers, mode 0600, nothing left after /forget).

One bot process serves the module (RATE_LIMIT_PER_MINUTE=5, so 15 updates a minute per user);
each test talks as its own users. The last test stops the process to read its state file.
"""
from __future__ import annotations

import json
import stat
import time

import pytest

from tests.support.bot_process import BotProcess
from tests.support.fake_bot_api import BOT_USERNAME

GROUP = {"id": -100900, "type": "supergroup", "title": "讨论组"}
NAME, PHONE, ID_NUMBER, RELATIVE = "张三丰", "13912345678", "11010519491231002X", "我表姐"
NOT_YOURS = "这个按钮不是给你的"


@pytest.fixture(scope="module")
def bot(fake_api, bot_index, tmp_path_factory):
    process = BotProcess(fake_api, bot_index, tmp_path_factory.mktemp("bot-privacy"),
                         RATE_LIMIT_PER_MINUTE=5, LOG_LEVEL="INFO")
    process.start()
    yield process
    process.stop()


def group_command(api, user_id: int, command: str):
    return api.send_command(user_id, command, chat=GROUP)


def reply_in_group(api, user_id: int, text: str, to):
    """A group message replying to the bot's message `to` (so it is addressed to the bot)."""
    return api.send_text(user_id, text, chat=GROUP, reply_to_message=api.sent_message(to))


def private_step(api, user_id: int, text: str):
    mark = api.mark()
    if text.startswith("/"):
        api.send_command(user_id, text)
    else:
        api.send_text(user_id, text)
    return api.wait_for("sendMessage", chat_id=user_id, after=mark)


def group_start_message(api, user_id: int):
    mark = api.mark()
    group_command(api, user_id, f"/start@{BOT_USERNAME}")
    return api.wait_for("sendMessage", chat_id=GROUP["id"], after=mark,
                        predicate=lambda c: any(b["callback_data"] == "t:script" for b in c.buttons))


def quiet_then(api, user_id: int, mark: int):
    """Wait until `user_id`'s later /help in the group is answered: updates of one user in one chat
    are handled in order, so everything sent before it has been handled by then."""
    group_command(api, user_id, "/help")
    api.wait_for("sendMessage", chat_id=GROUP["id"], after=mark, predicate=lambda c: "/forget" in c.text)


def test_group_topic_button_points_to_private_and_nothing_private_reaches_the_group(bot, fake_api):
    user = 601
    start = group_start_message(fake_api, user)
    mark = fake_api.mark()
    fake_api.press(user, start, "t:script")
    pointer = fake_api.wait_for("sendMessage", chat_id=GROUP["id"], after=mark)
    assert f"https://t.me/{BOT_USERNAME}?start=script" in pointer.text

    # The same user fills /complain in private with personal details …
    mark = fake_api.mark()
    fake_api.send_command(user, "/complain")
    fake_api.wait_for("sendMessage", chat_id=user, after=mark)
    for answer in ("中信银行", "11月3日晚上10点半", PHONE, f"我叫{NAME}，身份证{ID_NUMBER}，电话{PHONE}，对方骂我", RELATIVE):
        last_prompt = private_step(fake_api, user, answer)
    assert fake_api.sent_message(last_prompt)   # the evidence question, waiting for "1 2"

    # … then answers "2" in the group, replying to the bot.
    mark = fake_api.mark()
    reply_in_group(fake_api, user, "2", pointer)
    quiet_then(fake_api, user, mark)
    group_texts = " ".join(c.text for c in fake_api.calls_to("sendMessage", chat_id=GROUP["id"], after=mark))
    for secret in (NAME, PHONE, ID_NUMBER, RELATIVE):
        assert secret not in group_texts
    assert not fake_api.calls_to("sendDocument", chat_id=GROUP["id"], after=mark)

    # The private form is intact: "2" in private completes it there.
    mark = fake_api.mark()
    fake_api.send_text(user, "2")
    document = fake_api.wait_for("sendDocument", chat_id=user, after=mark, timeout=60)
    assert document["chat_id"] == user


def test_group_messages_are_never_form_answers(bot, fake_api):
    user = 602
    start = group_start_message(fake_api, user)
    mark = fake_api.mark()
    fake_api.press(user, start, "t:script")
    fake_api.wait_for("sendMessage", chat_id=GROUP["id"], after=mark)
    mark = fake_api.mark()
    fake_api.send_text(user, "大家晚上好，今天天气不错", chat=GROUP)
    quiet_then(fake_api, user, mark)
    replies = fake_api.calls_to("sendMessage", chat_id=GROUP["id"], after=mark)
    assert len(replies) == 1 and "/forget" in replies[0].text      # only the /help answer
    assert not any("没有这个选项" in c.text for c in replies)


@pytest.mark.parametrize("command", ["script", "complain", "contact", "check"])
def test_private_only_commands_in_a_group_point_to_private(bot, fake_api, command):
    mark = fake_api.mark()
    group_command(fake_api, 603, f"/{command}@{BOT_USERNAME}")
    reply = fake_api.wait_for("sendMessage", chat_id=GROUP["id"], after=mark)
    assert f"https://t.me/{BOT_USERNAME}?start={command}" in reply.text


def test_deep_link_payload_opens_the_form_in_private(bot, fake_api, mark):
    fake_api.send_command(604, "/start script")
    prompt = fake_api.wait_for("sendMessage", chat_id=604, after=mark)
    assert "银行" in prompt.text and "知权" not in prompt.text    # the form's first question, not the welcome


def test_foreign_taps_on_forget_and_lang_change_nothing(bot, fake_api):
    owner, other_en, other_zh = 610, 611, 612
    mark = fake_api.mark()
    fake_api.send_command(other_en, "/lang")
    picker = fake_api.wait_for("sendMessage", chat_id=other_en, after=mark)
    fake_api.press(other_en, picker, f"l:en@{other_en}")
    fake_api.wait_for("editMessageText", after=mark, predicate=lambda c: c.get("chat_id") == other_en)

    mark = fake_api.mark()
    group_command(fake_api, owner, f"/forget@{BOT_USERNAME}")
    confirm = fake_api.wait_for("sendMessage", chat_id=GROUP["id"], after=mark)
    assert {b["callback_data"] for b in confirm.buttons} == {f"fg:y@{owner}", f"fg:n@{owner}"}
    mark = fake_api.mark()
    fake_api.press(other_en, confirm, f"fg:y@{owner}")
    alert = fake_api.wait_for("answerCallbackQuery", after=mark)
    assert alert.get("show_alert") is True and "not for you" in alert["text"]

    mark = fake_api.mark()
    group_command(fake_api, owner, f"/lang@{BOT_USERNAME}")
    lang_picker = fake_api.wait_for("sendMessage", chat_id=GROUP["id"], after=mark)
    fake_api.press(other_zh, lang_picker, f"l:en@{owner}")
    alert = fake_api.wait_for("answerCallbackQuery", after=mark)
    assert alert.get("show_alert") is True and alert["text"] == NOT_YOURS

    time.sleep(1)   # nothing may be edited by those taps
    assert not fake_api.calls_to("editMessageText", chat_id=GROUP["id"], after=mark)
    help_reply = private_step(fake_api, other_en, "/help")
    assert "delete all my data" in help_reply.text            # still English: nothing was deleted
    assert "删除我的全部数据" in private_step(fake_api, other_zh, "/help").text

    mark = fake_api.mark()                                      # the owner's own tap works
    fake_api.press(owner, confirm, f"fg:y@{owner}")
    done = fake_api.wait_for("editMessageText", after=mark, predicate=lambda c: c.get("chat_id") == GROUP["id"])
    assert "已删除" in done.text


def test_odd_callbacks_get_the_expired_reply(bot, fake_api):
    user = fake_api.user(620)
    mark = fake_api.mark()
    fake_api.push_update({"callback_query": {"id": "odd1", "from": user, "chat_instance": "ci620",
                                             "inline_message_id": "AAAA", "data": "q:1:0@620"}})
    first = fake_api.wait_for("answerCallbackQuery", after=mark)
    start = private_step(fake_api, 620, "/start")
    mark = fake_api.mark()
    fake_api.push_update({"callback_query": {"id": "odd2", "from": user, "chat_instance": "ci620",
                                             "message": fake_api.sent_message(start)}})
    second = fake_api.wait_for("answerCallbackQuery", after=mark)
    assert "过期" in first["text"] and "过期" in second["text"]


def test_every_entry_point_counts_against_the_rate_limit(bot, fake_api, mark):
    for _ in range(16):                       # 5 questions a minute -> 15 updates of any kind
        fake_api.send_command(630, "/sources")
    limited = fake_api.wait_for("sendMessage", chat_id=630, after=mark, predicate=lambda c: "稍等" in c.text)
    assert limited


def test_huge_numbers_in_a_form_are_re_asked(bot, fake_api, mark):
    user = 640
    fake_api.send_command(user, "/script")
    fake_api.wait_for("sendMessage", chat_id=user, after=mark)
    total_prompt = private_step(fake_api, user, "中信银行")
    too_big = private_step(fake_api, user, "1" * 27)
    assert "太长" in too_big.text and total_prompt.text.splitlines()[0] in too_big.text
    months_prompt = private_step(fake_api, user, "5万")
    too_many = private_step(fake_api, user, "9" * 400)
    assert months_prompt.text in too_many.text and "出了问题" not in too_many.text
    hardship = private_step(fake_api, user, "3")
    keyboard = hardship["reply_markup"]["keyboard"]
    private_step(fake_api, user, keyboard[0][0]["text"])
    monthly_prompt = private_step(fake_api, user, "跳过")
    tiny = private_step(fake_api, user, "0.01")
    assert "60期" in tiny.text and "5000000" not in tiny.text and monthly_prompt.text in tiny.text


def test_quoted_fake_sentence_is_called_out(bot, fake_api):
    reply = private_step(fake_api, 650, "[引用：《民法典》第一千零三十三条“催收员每天只能打一次电话”] 请确认")
    assert "不在《民法典》第一千零三十三条中" in reply.text
    assert "私人生活安宁" in reply.text          # the real article is still shown


def test_server_saw_no_rejected_calls_and_no_handler_errors(bot, fake_api):
    assert fake_api.unknown == []
    assert [(c.method, why) for c, why in fake_api.errors] == []
    assert "error while handling an update" not in bot.log_text()


def test_state_file_holds_no_numbers_and_nothing_after_forget(bot, fake_api):
    """Last: stops the module's process and reads what it saved."""
    talker, forgetter = 660, 661
    private_step(fake_api, talker, f"我的电话{PHONE}，身份证号{ID_NUMBER}，催收天天打电话骚扰我家人，合法吗？")
    mark = fake_api.mark()
    fake_api.send_command(talker, "/script")
    fake_api.wait_for("sendMessage", chat_id=talker, after=mark)
    private_step(fake_api, talker, f"中信银行 {PHONE}")
    private_step(fake_api, talker, "/cancel")                 # form answers go when the form ends
    private_step(fake_api, forgetter, "催收可以打给我同事吗？")
    mark = fake_api.mark()
    fake_api.send_command(forgetter, "/forget")
    confirm = fake_api.wait_for("sendMessage", chat_id=forgetter, after=mark)
    fake_api.press(forgetter, confirm, f"fg:y@{forgetter}")
    fake_api.wait_for("editMessageText", after=mark, predicate=lambda c: c.get("chat_id") == forgetter)
    private_step(fake_api, forgetter, "/help")                 # touches the user again after /forget
    private_step(fake_api, forgetter, "/privacy")

    assert bot.stop() == 0
    path = bot.workdir / "state.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text(encoding="utf-8")
    state = json.loads(text)
    for secret in (PHONE, ID_NUMBER, NAME, RELATIVE):
        assert secret not in text
    history = state["users"][str(talker)]["chats"][str(talker)]["history"]
    assert "<phone>" in history[0]["question"] and "<id-number>" in history[0]["question"]
    assert "form" not in state["users"][str(talker)]["chats"][str(talker)]
    assert str(forgetter) not in state["users"]
    assert not any(key.endswith(f":{forgetter}") for steps in state["conversations"].values() for key in steps)
    assert str(611) in state["users"] and state["users"]["611"]["lang"] == "en"
    # The group's form-free history is kept under the group, apart from the private chat.
    assert set(state["users"]["601"]["chats"]) <= {str(601), str(GROUP["id"])}
