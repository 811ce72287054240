"""End to end: the real `python -m bot` process (long polling) against the fake Bot API server.

One bot process serves the whole module; each test talks as its own user id so
tests do not share state. The last tests check the server saw no unknown method
or rejected request, and that the process's real log output is redacted.
"""
from __future__ import annotations

import re

import pytest

from bot.language import detect_language
from tests.support.bot_process import ADMIN_ID, TOKEN, BotProcess
from tests.support.fake_bot_api import BOT_USERNAME

PHONE, ID_NUMBER, CARD = "13912345678", "11010519491231002X", "6222021234567890123"
PRIVATE_MARKER = "秘密标记ZQ"   # appears in messages, must never appear in the log
QUESTION = "催收公司打电话给我的紧急联系人，这合法吗？"


@pytest.fixture(scope="module")
def bot(fake_api, bot_index, tmp_path_factory):
    process = BotProcess(fake_api, bot_index, tmp_path_factory.mktemp("bot-polling"),
                         RATE_LIMIT_PER_MINUTE=6, LOG_LEVEL="INFO")
    process.start()
    yield process
    process.stop()


def ask(api, user_id: int, text: str, timeout: float = 60):
    mark = api.mark()
    api.send_text(user_id, text)
    return api.wait_for("sendMessage", chat_id=user_id, after=mark, timeout=timeout)


def test_commands_registered_in_chinese(bot, fake_api):
    commands = fake_api.commands['{"type": "default"}|']
    names = {c["command"] for c in commands}
    assert {"start", "help", "contact", "borrower", "script", "check", "complain", "sources", "lang",
            "forget", "privacy", "cancel"} <= names
    assert "reload" not in names   # admin commands only in the admins' own scope
    assert all(re.search(r"[\u4e00-\u9fff]", c["description"]) for c in commands)
    assert fake_api.commands['{"type": "default"}|en']


def test_start_explains_and_offers_topics(bot, fake_api, mark):
    fake_api.send_command(101, "/start")
    reply = fake_api.wait_for("sendMessage", chat_id=101, after=mark)
    assert "知权" in reply.text and "12348" in reply.text
    assert {b["callback_data"] for b in reply.buttons} >= {"t:contact", "t:script", "t:check"}


def test_question_answered_with_citations(bot, fake_api):
    reply = ask(fake_api, 102, QUESTION)
    assert "法律依据" in reply.text
    assert re.search(r"《[^》]+》第[^条]+条", reply.text)
    article_buttons = [b for b in reply.buttons if b["callback_data"].startswith("a:")]
    assert article_buttons and all(len(b["callback_data"].encode()) <= 64 for b in reply.buttons)


def test_followup_button_answers_the_followup(bot, fake_api):
    reply = ask(fake_api, 103, QUESTION)
    followups = [b for b in reply.buttons if b["callback_data"].startswith("q:")]
    assert followups, "the answer offers no follow-up questions"
    mark = fake_api.mark()
    fake_api.press(103, reply, followups[0]["callback_data"])
    fake_api.wait_for("answerCallbackQuery", after=mark)
    answer = fake_api.wait_for("sendMessage", chat_id=103, after=mark)
    assert answer.text and answer.text != reply.text


def test_view_article_button_shows_full_text(bot, fake_api, bot_index):
    from bot.telegram_app.formatting import find_article
    from ingest.corpus import load_corpus

    reply = ask(fake_api, 104, QUESTION)
    button = next(b for b in reply.buttons if b["callback_data"].startswith("a:"))
    mark = fake_api.mark()
    fake_api.press(104, reply, button["callback_data"])
    shown = fake_api.wait_for("sendMessage", chat_id=104, after=mark)
    document, article = find_article(load_corpus(bot_index.knowledge_dir), button["callback_data"])
    assert article is not None
    assert article.text.split("\n")[-1].strip() in shown.text   # the article's last paragraph, verbatim


def test_lang_switch_to_traditional_is_remembered(bot, fake_api, mark):
    fake_api.send_command(105, "/lang")
    picker = fake_api.wait_for("sendMessage", chat_id=105, after=mark)
    assert {b["callback_data"] for b in picker.buttons} == {"l:zh-Hans@105", "l:zh-Hant@105", "l:en@105"}
    fake_api.press(105, picker, "l:zh-Hant@105")
    edited = fake_api.wait_for("editMessageText", after=mark, predicate=lambda c: c.get("chat_id") == 105)
    assert "繁體" in edited.text
    reply = ask(fake_api, 105, QUESTION)          # asked in Simplified, answered in Traditional
    assert detect_language(reply.text) == "zh-Hant"
    assert "條" in reply.text


def test_forget_deletes_the_users_data(bot, fake_api, mark):
    fake_api.send_command(106, "/lang")
    picker = fake_api.wait_for("sendMessage", chat_id=106, after=mark)
    fake_api.press(106, picker, "l:en@106")
    fake_api.wait_for("editMessageText", after=mark, predicate=lambda c: c.get("chat_id") == 106)
    mark = fake_api.mark()
    fake_api.send_command(106, "/forget")
    confirm = fake_api.wait_for("sendMessage", chat_id=106, after=mark)
    assert {b["callback_data"] for b in confirm.buttons} == {"fg:y@106", "fg:n@106"}
    fake_api.press(106, confirm, "fg:y@106")
    done = fake_api.wait_for("editMessageText", after=mark, predicate=lambda c: c.get("chat_id") == 106)
    assert "deleted" in done.text.lower()
    mark = fake_api.mark()
    fake_api.send_command(106, "/help")               # the English choice is gone
    help_reply = fake_api.wait_for("sendMessage", chat_id=106, after=mark)
    assert detect_language(help_reply.text) == "zh-Hans"


def test_privacy_explains_storage_and_deletion(bot, fake_api, mark):
    fake_api.send_command(107, "/privacy")
    reply = fake_api.wait_for("sendMessage", chat_id=107, after=mark)
    assert "/forget" in reply.text and "30" in reply.text


def test_sticker_gets_a_friendly_reply(bot, fake_api, mark):
    fake_api.send_sticker(108)
    reply = fake_api.wait_for("sendMessage", chat_id=108, after=mark)
    # Stickers cannot be read; the reply says what can be (a screenshot, or typed text).
    assert "贴纸" in reply.text and "截图" in reply.text and "打字" in reply.text


def test_ten_thousand_character_message(bot, fake_api):
    text = (f"催收的人一直打电话骚扰我，{PRIVATE_MARKER}，" * 700)[:10_000]
    reply = ask(fake_api, 109, text, timeout=90)
    assert "2000" in reply.text          # says only the beginning was read, and answers it


def test_forwarded_collector_message_is_checked(bot, fake_api):
    mark = fake_api.mark()
    fake_api.send_forwarded(110, f"你再不还钱，我们就上门找你，把你欠钱的事告诉你全家和单位！"
                                 f"回电{PHONE}，身份证{ID_NUMBER}，卡号{CARD}。{PRIVATE_MARKER}")
    reply = fake_api.wait_for("sendMessage", chat_id=110, after=mark)
    assert re.search(r"1\. ", reply.text) and "《" in reply.text


def test_check_command_on_a_lawful_reminder(bot, fake_api, mark):
    fake_api.send_command(111, "/check 您好，您的信用卡本期账单已逾期，请及时还款。")
    reply = fake_api.wait_for("sendMessage", chat_id=111, after=mark)
    assert "12348" in reply.text and "1. " not in reply.text


def test_group_messages_only_when_mentioned(bot, fake_api):
    group = {"id": -100777, "type": "supergroup", "title": "讨论组"}
    mark = fake_api.mark()
    fake_api.send_text(112, QUESTION, chat=group)
    fake_api.send_text(112, f"@{BOT_USERNAME} {QUESTION}", chat=group,
                       entities=[{"type": "mention", "offset": 0, "length": len(BOT_USERNAME) + 1}])
    reply = fake_api.wait_for("sendMessage", chat_id=-100777, after=mark)
    assert "法律依据" in reply.text
    assert len(fake_api.calls_to("sendMessage", chat_id=-100777, after=mark)) == 1


def test_rate_limit_is_polite(bot, fake_api):
    mark = fake_api.mark()
    for n in range(7):                       # limit is 6 per minute in this process
        fake_api.send_text(113, f"问题{n}：催收可以打给我同事吗？")
    limited = fake_api.wait_for("sendMessage", chat_id=113, after=mark,
                                predicate=lambda c: "稍等" in c.text)
    assert limited


def test_admin_commands(bot, fake_api, mark):
    fake_api.send_command(114, "/stats")
    refused = fake_api.wait_for("sendMessage", chat_id=114, after=mark)
    assert "管理员" in refused.text
    fake_api.send_command(ADMIN_ID, "/stats")
    stats = fake_api.wait_for("sendMessage", chat_id=ADMIN_ID, after=mark)
    assert "索引版本" in stats.text and PRIVATE_MARKER not in stats.text


def test_sources_lists_documents_with_status(bot, fake_api, mark):
    fake_api.send_command(115, "/sources")
    reply = fake_api.wait_for("sendMessage", chat_id=115, after=mark)
    assert "治安管理处罚法" in reply.text and "已被取代" in reply.text


def test_admin_reload_rebuilds_without_downtime(bot, fake_api, mark):
    fake_api.send_command(ADMIN_ID, "/reload")
    fake_api.wait_for("sendMessage", chat_id=ADMIN_ID, after=mark, predicate=lambda c: "后台" in c.text)
    reply = ask(fake_api, 116, QUESTION)           # still answering while rebuilding
    assert "法律依据" in reply.text
    done = fake_api.wait_for("sendMessage", chat_id=ADMIN_ID, after=mark, timeout=240,
                             predicate=lambda c: "索引已更新" in c.text or "失败" in c.text)
    assert "索引已更新" in done.text


def test_contact_wizard_ends_with_a_document(bot, fake_api):
    """/contact, answering each step with its first suggested choice (or 跳过), ends with a .docx."""
    user, mark = 117, fake_api.mark()
    fake_api.send_command(user, "/contact")
    for _ in range(12):
        step = fake_api.wait_for("sendMessage", chat_id=user, after=mark)
        if fake_api.calls_to("sendDocument", chat_id=user, after=mark):
            break
        keyboard = (step.get("reply_markup") or {}).get("keyboard")
        mark = fake_api.mark()
        fake_api.send_text(user, keyboard[0][0]["text"] if keyboard else "跳过")
        fake_api.wait_for(predicate=lambda c: c.method in ("sendMessage", "sendDocument")
                          and c.get("chat_id") == user, after=mark)
    document = fake_api.wait_for("sendDocument", chat_id=user, timeout=30)
    sent = next(d for d in fake_api.documents if d["chat_id"] == user)
    assert sent["filename"].endswith(".docx") and sent["bytes"][:2] == b"PK"   # a real zip/docx
    assert document.get("caption")


def test_answer_offers_the_matching_tool_as_a_button(bot, fake_api):
    """The user's amount, lender and job loss are echoed; the /script button starts the wizard."""
    user = 141
    reply = ask(fake_api, user, "我欠了招商银行信用卡8万，现在失业了，怎么跟银行谈分期")
    assert "欠款8万元" in reply.text and "目前失业" in reply.text and "招商银行" in reply.text
    tool = [b for b in reply.buttons if b["callback_data"].startswith("tool:")]
    assert [b["callback_data"] for b in tool] == ["tool:script"]
    mark = fake_api.mark()
    fake_api.press(user, reply, "tool:script")
    fake_api.wait_for("answerCallbackQuery", after=mark)
    first_step = fake_api.wait_for("sendMessage", chat_id=user, after=mark)
    assert first_step.text and first_step.text != reply.text
    fake_api.send_command(user, "/cancel")


def test_cancel_outside_a_tool(bot, fake_api, mark):
    fake_api.send_command(118, "/cancel")
    reply = fake_api.wait_for("sendMessage", chat_id=118, after=mark)
    assert "没有进行中" in reply.text


def test_server_saw_no_unknown_or_rejected_calls(bot, fake_api):
    assert fake_api.unknown == []
    assert [(c.method, why) for c, why in fake_api.errors] == []


def test_log_output_is_redacted(bot, fake_api):
    log = bot.log_text()
    assert "starting in long-polling mode" in log
    for secret in (TOKEN, TOKEN.split(":")[1], PHONE, ID_NUMBER, CARD, PRIVATE_MARKER, QUESTION):
        assert secret not in log
