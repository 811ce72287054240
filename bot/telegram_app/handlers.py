"""Command, question, button and error handlers (no domain logic: that is the engine's)."""
from __future__ import annotations

import logging
import re
import traceback

from telegram import Message, MessageEntity, ReplyParameters, Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.engine.query import MAX_QUESTION_CHARS
from bot.errors import BilingualError
from bot.language import LANGUAGES
from bot.messages import LANGUAGE_NAMES, status_label, t
from bot.telegram_app import evidence, userdata
from bot.telegram_app.formatting import esc, find_article, format_answer, format_article, format_caveat, format_check, owned, split_owner
from bot.telegram_app.replies import answer_keyboard, keyboard, recipient_keyboard, recipient_prompt, send_html, send_text
from bot.telegram_app.services import services, typing
from bot.telegram_app.tools import ToolUnavailable, check_message
from bot.tools.recipient import RECIPIENTS
from bot.tools.stated_recipient import stated_recipient

log = logging.getLogger(__name__)

TOPIC_QUESTIONS = {"borrower": "q_borrower", "conduct": "q_conduct", "complain": "q_complain",
                   "contact": "q_contact"}


# --- helpers -------------------------------------------------------------------------


def is_private(update: Update) -> bool:
    chat = update.effective_chat
    return chat is not None and chat.type == ChatType.PRIVATE


def addressed_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str | None:
    """The message text if it is for us: any private message; in groups only a mention or a reply."""
    message = update.effective_message
    text = message.text or message.caption or ""
    if is_private(update):
        return text
    username = (context.bot.username or "").lower()
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.id == context.bot.id:
        return text
    mentions = message.parse_entities([MessageEntity.MENTION])
    if any(value.lstrip("@").lower() == username for value in mentions.values()):
        return without_mention(text, context.bot.username)
    return None


def without_mention(text: str, username: str | None) -> str:
    """The text without "@botname" (how a group message addresses the bot)."""
    if not username:
        return text.strip()
    return re.sub(rf"@{re.escape(username)}\b", "", text, flags=re.I).strip()


_CHECK_COMMAND = re.compile(r"^/check(?:@\w+)?\s*", re.IGNORECASE)


def checked_text(message: Message | None, username: str | None = None) -> str:
    """The collector's text in the user's message a check reply answers ("/check" and the "@botname"
    a group message addresses the bot with removed); "" if gone."""
    if message is None:
        return ""
    return _CHECK_COMMAND.sub("", without_mention(message.text or message.caption or "", username), count=1)


def _touch(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    userdata.touch(context.user_data, services(context).settings.retention_days)


async def _say(update: Update, context: ContextTypes.DEFAULT_TYPE, key: str, reply_markup=None, **params):
    lang = userdata.ui_language(update, context.user_data)
    await send_text(context.bot, update.effective_chat.id, t(key, lang, **params), reply_markup)


def start_keyboard(lang: str):
    return keyboard([
        [(t("topic_contact", lang), "t:contact"), (t("topic_borrower", lang), "t:borrower")],
        [(t("topic_conduct", lang), "t:conduct"), (t("topic_complain", lang), "t:complain")],
        [(t("topic_script", lang), "t:script"), (t("topic_check", lang), "t:check")],
    ])


# --- commands --------------------------------------------------------------------------


async def on_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    _touch(update, context)
    lang = userdata.ui_language(update, context.user_data)
    html = f"{esc(t('start', lang))}\n\n<i>{esc(t('disclaimer', lang))}</i>"
    await send_html(context.bot, update.effective_chat.id, html, start_keyboard(lang))


async def on_help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    _touch(update, context)
    await _say(update, context, "help")


async def on_borrower(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    _touch(update, context)
    lang = userdata.ui_language(update, context.user_data)
    markup = keyboard([
        [(t("topic_conduct", lang), "t:conduct")], [(t("topic_script", lang), "t:script")],
        [(t("topic_complain", lang), "t:complain")], [(t("topic_check", lang), "t:check")],
    ])
    await _say(update, context, "borrower_intro", markup)


async def on_sources(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    _touch(update, context)
    lang = userdata.ui_language(update, context.user_data)
    documents = sorted(services(context).corpus.documents.values(), key=lambda d: (d.status != "in_force", d.id))
    lines = [esc(t("sources_header", lang, count=len(documents)))]
    for d in documents:
        status = status_label(d.status, lang)
        line = t("sources_line", lang, title=d.title, effective=d.effective, status=status)
        lines.append(f"• {esc(line)}")
        if d.caveat and d.status == "in_force":
            lines.append(f"  {format_caveat(d.caveat, lang)}")
    await send_html(context.bot, update.effective_chat.id, "\n".join(lines))


async def on_privacy(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    settings = services(context).settings
    await _say(update, context, "privacy", turns=settings.history_turns, days=settings.retention_days,
               log_days=settings.log_retention_days)


async def on_lang(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    _touch(update, context)
    owner = update.effective_user.id
    markup = keyboard([[(LANGUAGE_NAMES[code], owned(f"l:{code}", owner)) for code in LANGUAGES]])
    await _say(update, context, "lang_prompt", markup)


async def on_forget(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    lang = userdata.ui_language(update, context.user_data)
    owner = update.effective_user.id
    markup = keyboard([[(t("forget_yes", lang), owned("fg:y", owner)), (t("forget_no", lang), owned("fg:n", owner))]])
    await _say(update, context, "forget_confirm", markup)


async def on_cancel_idle(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _say(update, context, "nothing_to_cancel")


# --- questions ---------------------------------------------------------------------------


async def answer_question(update: Update, context: ContextTypes.DEFAULT_TYPE, question: str,
                          lang: str | None = None, users_words: bool = False) -> None:
    """Answer a question; `users_words` (typed by the user, not a button's canned question): a role it
    states clearly ("我是她妈妈") becomes the chat's recipient for later checks, as a button would."""
    svc = services(context)
    chat_id = update.effective_chat.id
    _touch(update, context)
    if not svc.limiter.allow(update.effective_user.id):
        svc.stats.limited += 1
        await _say(update, context, "rate_limited")
        return
    statement = stated_recipient(question, lead_only=False) if users_words else None
    if statement is not None:
        userdata.set_recipient(context.user_data, chat_id, statement.role)
    lang = lang or userdata.reply_language(update, context.user_data, question)
    note = ""
    if len(question) > MAX_QUESTION_CHARS:
        question = question[:MAX_QUESTION_CHARS]
        note = f"<i>{esc(t('too_long', lang, limit=MAX_QUESTION_CHARS))}</i>\n\n"
    history = userdata.history_turns(context.user_data, chat_id)
    if svc.settings.log_content:   # opt-in debugging only (LOG_CONTENT=1); numbers are still masked
        log.info("question (%s): %s", lang, question)
    async with typing(context.bot, chat_id):
        answer = await svc.run(svc.engine.answer, question, history, lang)
    svc.stats.answers += 1
    seq = userdata.remember(context.user_data, chat_id, question, answer, svc.settings.history_turns)
    markup = answer_keyboard(answer, seq, svc.corpus, lang, update.effective_user.id)
    await send_html(context.bot, chat_id, note + format_answer(answer, lang), markup)


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    text = addressed_text(update, context)
    if text is None:
        return
    if not text.strip():
        await on_help(update, context)
        return
    await answer_question(update, context, text, users_words=True)


async def run_check(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str,
                    checked: Message | None = None, new_recipient: str | None = None) -> None:
    """Check a collector's message and reply with the findings, as the recipient the user said.

    The reply answers the user's message that holds the text (`checked`, by default the update's),
    so the recipient buttons under it can check that text again without the bot keeping it.
    A role the user states in the text's lead ("我是他妈妈，收到短信：…", not in a forwarded message:
    that is the collector's) is cut from the text and taken as a button would be; a button's
    `new_recipient` overrides it. Either is remembered for the chat only once the check is allowed:
    a rate-limited press changes nothing."""
    svc = services(context)
    _touch(update, context)
    lang = userdata.reply_language(update, context.user_data, text)
    chat_id = update.effective_chat.id
    checked = checked or update.effective_message
    statement = None if _forwarded(checked) else stated_recipient(text)
    if not svc.limiter.allow(update.effective_user.id):
        svc.stats.limited += 1
        await _say(update, context, "rate_limited")
        return
    said = new_recipient or (statement.role if statement is not None else None)
    if said is not None:
        userdata.set_recipient(context.user_data, chat_id, said)
    if statement is not None:
        text = statement.rest
        if not text.strip() and new_recipient is None:    # only "我是她妈妈": nothing to check yet
            who = t(f"recipient_{statement.role}", lang)
            await send_text(context.bot, chat_id, t("recipient_stated_only", lang, words=statement.words, who=who))
            return
    recipient = userdata.recipient(context.user_data, chat_id)
    try:
        async with typing(context.bot, chat_id):
            result = await svc.run(check_message, text[:MAX_QUESTION_CHARS * 2], svc.corpus, lang, recipient)
    except ToolUnavailable as exc:
        log.error("checker unavailable: %s", exc)
        await _say(update, context, "tool_unavailable")
        return
    except BilingualError as exc:
        # The checker's own bad-input message (e.g. nothing to check), in both languages.
        message = exc.message(lang)
        await send_text(context.bot, update.effective_chat.id, message)
        return
    svc.stats.checks += 1
    html = format_check(result, lang) + recipient_prompt(recipient, statement if new_recipient is None else None, lang)
    await send_html(context.bot, chat_id, html, recipient_keyboard(recipient, lang, update.effective_user.id),
                    reply_parameters=ReplyParameters(checked.message_id, allow_sending_without_reply=True))


def _forwarded(message: Message | None) -> bool:
    return message is not None and getattr(message, "forward_origin", None) is not None


async def on_forwarded(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A forwarded text (typically a collector's SMS) is a /check request."""
    text = addressed_text(update, context)
    if text is None:
        return
    await run_check(update, context, text)


async def on_non_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if addressed_text(update, context) is None:
        return
    _touch(update, context)
    await _say(update, context, "non_text")


# --- every update ------------------------------------------------------------------------------


async def rate_gate(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Count every update (commands, buttons, form steps) against the user's limit.

    Runs before all other handlers; an update over the limit gets one polite reply
    and goes no further. Questions and checks have their own, stricter limit.
    """
    if not isinstance(update, Update) or update.effective_user is None:
        return
    svc = services(context)
    if svc.update_limiter.allow(update.effective_user.id):
        return
    svc.stats.limited += 1
    lang = userdata.ui_language(update, context.user_data)
    if update.callback_query is not None:
        await update.callback_query.answer(t("rate_limited", lang), show_alert=True)
    elif update.effective_message is not None and addressed_text(update, context) is not None:
        await send_text(context.bot, update.effective_chat.id, t("rate_limited", lang))
    raise ApplicationHandlerStop


# --- buttons --------------------------------------------------------------------------------


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    data, owner = split_owner(query.data or "")
    kind, _, rest = data.partition(":")
    handler = _BUTTONS.get(kind)
    if handler is None or query.message is None:
        # Empty or unknown data, or a button on a message we can no longer see: nothing to act on.
        log.info("callback without a usable button (%s)", "no message" if query.message is None else "data")
        await query.answer(t("expired", userdata.ui_language(update, context.user_data)))
        return
    if not _may_press(update, kind, owner):
        await query.answer(t("not_yours", userdata.ui_language(update, context.user_data)), show_alert=True)
        return
    await query.answer()
    await handler(update, context, rest)


# Buttons that act on the presser's own state; anyone may press the others (topics, articles).
_OWNED_KINDS = {"q", "l", "fg", "rc"}


def _may_press(update: Update, kind: str, owner: int | None) -> bool:
    """Owned buttons act only for the user they were made for.

    Buttons made before owners were recorded are honoured only in that user's private chat.
    """
    if kind not in _OWNED_KINDS:
        return True
    presser = update.effective_user.id
    if owner is None:
        return is_private(update) and update.effective_chat.id == presser
    return owner == presser


async def _topic(update: Update, context: ContextTypes.DEFAULT_TYPE, topic: str) -> None:
    key = TOPIC_QUESTIONS.get(topic)
    if key is None:
        await _say(update, context, "expired")
        return
    lang = userdata.ui_language(update, context.user_data)
    await answer_question(update, context, t(key, lang), lang)


async def _followup(update: Update, context: ContextTypes.DEFAULT_TYPE, rest: str) -> None:
    seq, _, index = rest.partition(":")
    question = None
    if seq.isdigit() and index.isdigit():
        question = userdata.followup(context.user_data, update.effective_chat.id, int(seq), int(index))
    if question is None:
        await _say(update, context, "expired")
        return
    await answer_question(update, context, question)


async def _article(update: Update, context: ContextTypes.DEFAULT_TYPE, rest: str) -> None:
    lang = userdata.ui_language(update, context.user_data)
    document, article = find_article(services(context).corpus, f"a:{rest}")
    if article is None:
        await _say(update, context, "article_missing")
        return
    await send_html(context.bot, update.effective_chat.id, format_article(article, document, lang))


async def _language(update: Update, context: ContextTypes.DEFAULT_TYPE, code: str) -> None:
    if code not in LANGUAGES:
        await _say(update, context, "expired")
        return
    _touch(update, context)
    context.user_data[userdata.LANG] = code
    await update.callback_query.edit_message_text(esc(t("lang_set", code, name=LANGUAGE_NAMES[code])),
                                                  parse_mode="HTML")


async def _forget(update: Update, context: ContextTypes.DEFAULT_TYPE, answer: str) -> None:
    lang = userdata.ui_language(update, context.user_data)
    if answer != "y":
        await update.callback_query.edit_message_text(esc(t("forget_kept", lang)), parse_mode="HTML")
        return
    user_id = update.effective_user.id
    svc = services(context)
    userdata.forget_user(context.application, user_id)
    await evidence.forget_user(context, user_id)    # the harassment log and kept screenshots
    svc.limiter.forget(user_id)
    svc.update_limiter.forget(user_id)
    await context.application.update_persistence()
    if svc.saver is not None:   # the state file: on disk now, not at the next periodic save
        await svc.saver.tick()
    await update.callback_query.edit_message_text(esc(t("forget_done", lang)), parse_mode="HTML")


async def _recipient(update: Update, context: ContextTypes.DEFAULT_TYPE, role: str) -> None:
    """Check the message again as received by `role`, and remember the role for this chat.

    The text is the user's message the check reply answers: Telegram hands it back with the button,
    so nothing of it is stored here. For a screenshot, the photo is fetched again by its file id."""
    if role not in RECIPIENTS:
        await _say(update, context, "expired")
        return
    # An old message Telegram no longer shows in full (InaccessibleMessage) has no reply_to_message.
    checked = getattr(update.callback_query.message, "reply_to_message", None)
    if evidence.has_image(checked):     # a screenshot: read again from Telegram, as `role` received it
        await evidence.recheck_screenshot(update, context, checked, role)
        return
    text = checked_text(checked, context.bot.username)
    if not text.strip():
        await _say(update, context, "recipient_text_gone")
        return
    await run_check(update, context, text, checked, new_recipient=role)


_BUTTONS = {"t": _topic, "q": _followup, "a": _article, "l": _language, "fg": _forget, "rc": _recipient}


# --- errors ------------------------------------------------------------------------------------


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the failure without its message (it may quote user text) and apologise."""
    error = context.error
    svc = context.application.bot_data.get("services")
    if svc is not None:
        svc.stats.errors += 1
    trace = "".join(traceback.format_tb(error.__traceback__)) if error else ""
    log.error("error while handling an update: %s\n%s", type(error).__name__, trace.rstrip())
    if svc is not None and svc.settings.log_content:
        log.error("error detail: %s", error)
    if isinstance(update, Update) and update.effective_chat is not None:
        try:
            lang = userdata.ui_language(update, context.user_data or {})
            await send_text(context.bot, update.effective_chat.id, t("error", lang))
        except Exception as exc:  # the apology itself failed (network): nothing more to do
            log.warning("could not send the error reply: %s", type(exc).__name__)
