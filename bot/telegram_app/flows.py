"""The step-by-step tools (/script, /contact, /complain, /check) as one persistent ConversationHandler.

Forms are private: they start only in a private chat (command, button or the
`/start script` deep link) and only private messages answer them. In a group the
same command or button replies with a pointer to the private chat. The form's
answers live under the chat in user_data (see `userdata.form`), the step in the
persistence; both survive a restart and are dropped when the form ends.
"""
from __future__ import annotations

import logging
import warnings

from telegram import KeyboardButton, ReplyKeyboardMarkup, ReplyKeyboardRemove, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes, ConversationHandler, MessageHandler, filters
from telegram.warnings import PTBUserWarning

from bot.messages import t
from bot.telegram_app import userdata
from bot.telegram_app.formatting import format_answer
from bot.telegram_app.handlers import answer_question, is_private, run_check
from bot.telegram_app.replies import send_document, send_html, send_text
from bot.telegram_app.services import services, typing
from bot.telegram_app.tools import ToolUnavailable, get_wizard

log = logging.getLogger(__name__)

ASKING, CHECKING = 1, 2
WIZARD_COMMANDS = ("script", "contact", "complain")
PRIVATE_ONLY = (*WIZARD_COMMANDS, "check")   # commands (and /start payloads) that open a form
FORM_TOPICS = ("script", "contact", "check", "complain")  # buttons that open a form


def _choices_keyboard(choices) -> ReplyKeyboardMarkup | ReplyKeyboardRemove:
    if not choices:
        return ReplyKeyboardRemove()
    rows = [[KeyboardButton(str(c))] for c in choices]
    return ReplyKeyboardMarkup(rows, one_time_keyboard=True, resize_keyboard=True)


async def _send_step(update: Update, context: ContextTypes.DEFAULT_TYPE, step, lang: str,
                     prefix: str = "") -> None:
    chat_id = update.effective_chat.id
    text = "\n\n".join(p for p in (prefix, step.error, step.prompt) if p)
    if text and not step.done:
        await send_text(context.bot, chat_id, text, _choices_keyboard(step.choices))
    if step.done and step.result is not None:
        await _send_result(context, chat_id, step.result, lang)


async def _send_result(context: ContextTypes.DEFAULT_TYPE, chat_id: int, result, lang: str) -> None:
    # Tool texts already end with their legal basis and disclaimer; format_answer adds them only if missing.
    html = format_answer(result, lang)
    # The first message also removes any leftover choice keyboard.
    await send_html(context.bot, chat_id, html, ReplyKeyboardRemove())
    if result.document_bytes and result.document_name:
        await send_document(context.bot, chat_id, result.document_name, result.document_bytes,
                            t("document_caption", lang))
        services(context).stats.documents += 1


async def _start_wizard(update: Update, context: ContextTypes.DEFAULT_TYPE, name: str) -> int:
    userdata.touch(context.user_data, services(context).settings.retention_days)
    lang = userdata.ui_language(update, context.user_data)
    chat_id = update.effective_chat.id
    try:
        wizard = get_wizard(name, services(context).corpus)
    except ToolUnavailable as exc:
        log.error("wizard unavailable: %s", exc)
        await send_text(context.bot, chat_id, t("tool_unavailable", lang))
        return ConversationHandler.END
    state, step = wizard.start(lang)
    userdata.set_form(context.user_data, chat_id, {"name": name, "state": state, "lang": lang})
    await _send_step(update, context, step, lang)
    if step.done:
        userdata.clear_form(context.user_data, chat_id)
        return ConversationHandler.END
    return ASKING


def _command_entry(name: str):
    async def entry(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        return await _start_wizard(update, context, name)
    entry.__name__ = f"start_{name}"
    return entry


async def on_start_payload(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """`/start script` from a group's deep link opens that form here, in private."""
    name = (context.args or [""])[0]
    if name == "check":      # the payload is not a text to check: ask for one
        return await _ask_for_check_text(update, context)
    return await _start_wizard(update, context, name)


def private_link(bot_username: str, name: str) -> str:
    return f"https://t.me/{bot_username}?start={name}"


async def point_to_private(update: Update, context: ContextTypes.DEFAULT_TYPE, name: str) -> None:
    """One line saying the form opens in private, with the deep link that opens it."""
    lang = userdata.ui_language(update, context.user_data)
    link = private_link(context.bot.username, name)
    await send_text(context.bot, update.effective_chat.id, t("private_only", lang, link=link))


async def on_group_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/script@bot, /complain@bot, /contact@bot, /check@bot in a group."""
    name = update.effective_message.text.split()[0].lstrip("/").partition("@")[0].lower()
    await point_to_private(update, context, name)


async def on_wizard_reply(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    text = update.effective_message.text or ""
    chat_id = update.effective_chat.id
    current = userdata.form(context.user_data, chat_id)
    if not current:
        # The data was deleted (/forget, retention) while the conversation was open.
        await answer_question(update, context, text)
        return ConversationHandler.END
    userdata.touch(context.user_data, services(context).settings.retention_days)
    lang = current.get("lang") or userdata.ui_language(update, context.user_data)
    svc = services(context)
    try:
        wizard = get_wizard(current["name"], svc.corpus)
    except ToolUnavailable as exc:
        log.error("wizard unavailable: %s", exc)
        userdata.clear_form(context.user_data, chat_id)
        await send_text(context.bot, chat_id, t("tool_unavailable", lang))
        return ConversationHandler.END
    state = current["state"]
    async with typing(context.bot, chat_id):
        step = await svc.run(wizard.handle, state, text, lang)
    userdata.set_form(context.user_data, chat_id, {**current, "state": state})
    await _send_step(update, context, step, lang)
    if step.done:
        userdata.clear_form(context.user_data, chat_id)
        return ConversationHandler.END
    return ASKING


async def on_check_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    text = " ".join(context.args or []).strip()
    if text:
        await run_check(update, context, text)
        return ConversationHandler.END
    return await _ask_for_check_text(update, context)


async def _ask_for_check_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    userdata.clear_form(context.user_data, update.effective_chat.id)
    lang = userdata.ui_language(update, context.user_data)
    await send_text(context.bot, update.effective_chat.id, t("check_prompt", lang))
    return CHECKING


async def on_check_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    await run_check(update, context, update.effective_message.text or "")
    return ConversationHandler.END


async def on_topic_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    query = update.callback_query
    topic = (query.data or "").partition(":")[2]
    if topic not in FORM_TOPICS or query.message is None:
        # PTB's pattern does not filter callbacks without data; they are expired buttons here too.
        log.info("callback without a usable button (topic)")
        await query.answer(t("expired", userdata.ui_language(update, context.user_data)))
        return ConversationHandler.END
    await query.answer()
    if not is_private(update):
        await point_to_private(update, context, topic)
        return ConversationHandler.END
    if topic == "check":
        return await on_check_command(update, context)
    return await _start_wizard(update, context, topic)


async def on_cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    userdata.clear_form(context.user_data, update.effective_chat.id)
    lang = userdata.ui_language(update, context.user_data)
    await send_text(context.bot, update.effective_chat.id, t("cancelled", lang), ReplyKeyboardRemove())
    return ConversationHandler.END


def tools_conversation() -> ConversationHandler:
    private = filters.ChatType.PRIVATE
    # Group messages are never form answers, whatever state the sender has elsewhere.
    text = filters.TEXT & ~filters.COMMAND & private
    payload = filters.Regex(rf"^/start(@\w+)?\s+({'|'.join(PRIVATE_ONLY)})\s*$")
    entry_points = [CommandHandler(name, _command_entry(name), filters=private) for name in WIZARD_COMMANDS]
    entry_points += [
        CommandHandler("check", on_check_command, filters=private),
        CommandHandler("start", on_start_payload, filters=private & payload),
        # /start topic buttons (t:) and the tool offered under an answer (tool:) open the same forms.
        CallbackQueryHandler(on_topic_button, pattern=rf"^(t|tool):({'|'.join(FORM_TOPICS)})$"),
    ]
    with warnings.catch_warnings():
        # per_message=False is intended: the flow is tracked per user and chat, and the
        # only button is an entry point.
        warnings.simplefilter("ignore", PTBUserWarning)
        return ConversationHandler(
            entry_points=entry_points,
            states={
                ASKING: [MessageHandler(text, on_wizard_reply)],
                CHECKING: [MessageHandler(text, on_check_text)],
            },
            fallbacks=[CommandHandler("cancel", on_cancel)],
            name="tools",
            persistent=True,
            allow_reentry=True,
        )
