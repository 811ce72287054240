"""The step-by-step tools (/script, /contact, /complain, /check) as one persistent ConversationHandler.

The wizard's own state lives in user_data["wizard"] (JSON-serialisable), the
conversation state in PTB's persistence: both survive a restart, so a user can
answer the next question after the bot came back.
"""
from __future__ import annotations

import logging
import warnings

from telegram import KeyboardButton, ReplyKeyboardMarkup, ReplyKeyboardRemove, Update
from telegram.ext import (CallbackQueryHandler, CommandHandler, ContextTypes, ConversationHandler,
                          MessageHandler, filters)
from telegram.warnings import PTBUserWarning

from bot.i18n import t
from bot.telegram_app import userdata
from bot.telegram_app.formatting import format_answer
from bot.telegram_app.handlers import answer_question, run_check
from bot.telegram_app.replies import send_document, send_html, send_text
from bot.telegram_app.services import services, typing
from bot.telegram_app.tools import ToolUnavailable, get_wizard

log = logging.getLogger(__name__)

ASKING, CHECKING = 1, 2
WIZARD_COMMANDS = ("script", "contact", "complain")


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
    try:
        wizard = get_wizard(name, services(context).corpus)
    except ToolUnavailable as exc:
        log.error("wizard unavailable: %s", exc)
        await send_text(context.bot, update.effective_chat.id, t("tool_unavailable", lang))
        return ConversationHandler.END
    state, step = wizard.start(lang)
    context.user_data[userdata.WIZARD] = {"name": name, "state": state, "lang": lang}
    await _send_step(update, context, step, lang)
    if step.done:
        context.user_data.pop(userdata.WIZARD, None)
        return ConversationHandler.END
    return ASKING


def _command_entry(name: str):
    async def entry(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        return await _start_wizard(update, context, name)
    entry.__name__ = f"start_{name}"
    return entry


async def on_wizard_reply(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    text = update.effective_message.text or ""
    current = context.user_data.get(userdata.WIZARD)
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
        context.user_data.pop(userdata.WIZARD, None)
        await send_text(context.bot, update.effective_chat.id, t("tool_unavailable", lang))
        return ConversationHandler.END
    state = current["state"]
    async with typing(context.bot, update.effective_chat.id):
        step = await svc.run(wizard.handle, state, text, lang)
    # Reassign so the persistence sees the mutated state.
    context.user_data[userdata.WIZARD] = {**current, "state": state}
    await _send_step(update, context, step, lang)
    if step.done:
        context.user_data.pop(userdata.WIZARD, None)
        return ConversationHandler.END
    return ASKING


async def on_check_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    text = " ".join(context.args or []).strip()
    if text:
        await run_check(update, context, text)
        return ConversationHandler.END
    context.user_data.pop(userdata.WIZARD, None)
    lang = userdata.ui_language(update, context.user_data)
    await send_text(context.bot, update.effective_chat.id, t("check_prompt", lang))
    return CHECKING


async def on_check_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    await run_check(update, context, update.effective_message.text or "")
    return ConversationHandler.END


async def on_topic_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    query = update.callback_query
    await query.answer()
    topic = (query.data or "").partition(":")[2]
    if topic == "check":
        return await on_check_command(update, context)
    return await _start_wizard(update, context, topic)


async def on_cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    context.user_data.pop(userdata.WIZARD, None)
    lang = userdata.ui_language(update, context.user_data)
    await send_text(context.bot, update.effective_chat.id, t("cancelled", lang), ReplyKeyboardRemove())
    return ConversationHandler.END


def tools_conversation() -> ConversationHandler:
    private = filters.ChatType.PRIVATE
    text = filters.TEXT & ~filters.COMMAND
    entry_points = [CommandHandler(name, _command_entry(name), filters=private) for name in WIZARD_COMMANDS]
    entry_points += [
        CommandHandler("check", on_check_command, filters=private),
        CallbackQueryHandler(on_topic_button, pattern=r"^(t:(script|contact|check)|tool:(script|contact|check|complain))$"),
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
