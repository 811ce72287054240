"""What we keep per user (persisted by PTB) and how it is deleted.

user_data keys: lang (chosen with /lang), history (last turns, for follow-ups),
wizard (an unfinished tool), answers (follow-up questions behind buttons),
seen (last activity, for retention). Nothing else about the user is stored.
"""
from __future__ import annotations

import asyncio
import logging
import time

from telegram import Update
from telegram.ext import Application, ConversationHandler

from bot.language import detect_language
from bot.messages import language_from_code, normalize_language

log = logging.getLogger(__name__)

LANG, HISTORY, WIZARD, ANSWERS, SEEN, SEQ = "lang", "history", "wizard", "answers", "seen", "seq"
KEEP_ANSWERS = 10   # follow-up buttons of the last N answers stay usable


def chosen_language(user_data) -> str | None:
    return user_data.get(LANG)


def ui_language(update: Update, user_data) -> str:
    """Language for bot-initiated text: the /lang choice, else Telegram's client language."""
    chosen = chosen_language(user_data)
    if chosen:
        return normalize_language(chosen)
    user = update.effective_user
    return language_from_code(user.language_code if user else None)


def reply_language(update: Update, user_data, text: str) -> str:
    """Language for an answer: the /lang choice, else the script the user wrote in."""
    chosen = chosen_language(user_data)
    if chosen:
        return normalize_language(chosen)
    return detect_language(text, default=ui_language(update, user_data))


def touch(user_data, retention_days: int, now: float | None = None) -> None:
    """Mark activity; forget state that outlived the retention period before it is used."""
    now = now or time.time()
    seen = user_data.get(SEEN)
    if seen is not None and now - seen > retention_days * 86400:
        user_data.clear()
    user_data[SEEN] = now


def history_turns(user_data) -> list:
    """The stored history as `bot.engine.conversation.Turn`s for the engine.

    History is persisted as plain dicts, not Turn objects, so a change to the Turn
    class can never make the persistence file unreadable.
    """
    from bot.engine.conversation import Turn

    turns = []
    for item in user_data.get(HISTORY, []):
        try:
            turns.append(Turn(**item))
        except TypeError:
            continue
    return turns


def remember(user_data, question: str, answer, keep_turns: int) -> int:
    """Append the exchange to the history; store the follow-ups; return the answer's number."""
    history = list(user_data.get(HISTORY, []))
    history.append({"question": question, "answer_topic": answer.topic, "intent": answer.intent})
    user_data[HISTORY] = history[-max(keep_turns, 1):]
    seq = user_data.get(SEQ, 0) + 1
    user_data[SEQ] = seq
    answers = dict(user_data.get(ANSWERS, {}))
    answers[seq] = list(answer.followups)
    user_data[ANSWERS] = {k: answers[k] for k in sorted(answers)[-KEEP_ANSWERS:]}
    return seq


def followup(user_data, seq: int, index: int) -> str | None:
    try:
        return user_data.get(ANSWERS, {})[seq][index]
    except (KeyError, IndexError):
        return None


def _conversation_handlers(application: Application):
    for handlers in application.handlers.values():
        for handler in handlers:
            if isinstance(handler, ConversationHandler):
                yield handler


def end_conversations(application: Application, user_id: int, chat_id: int | None = None) -> None:
    """End every conversation this user is in (in `chat_id`, or in any chat).

    PTB has no public API for this; `_update_state(END, key)` is what the handler
    itself does on END, and it marks the key for deletion in the persistence.
    """
    for handler in _conversation_handlers(application):
        keys = [k for k in list(handler._conversations)  # noqa: SLF001
                if isinstance(k, tuple) and len(k) == 2 and k[1] == user_id
                and (chat_id is None or k[0] == chat_id)]
        for key in keys:
            handler._update_state(ConversationHandler.END, key)  # noqa: SLF001


def forget_user(application: Application, user_id: int) -> None:
    """Delete everything stored about `user_id` (user data, private chat, conversations)."""
    application.drop_user_data(user_id)
    if user_id in application.chat_data:
        application.drop_chat_data(user_id)   # the private chat shares the user's id
    end_conversations(application, user_id)


def idle_users(application: Application, retention_days: int, now: float | None = None) -> list[int]:
    now = now or time.time()
    limit = retention_days * 86400
    return [uid for uid, data in list(application.user_data.items())
            if now - data.get(SEEN, 0) > limit]


async def sweep_idle(application: Application, retention_days: int, now: float | None = None) -> int:
    """Forget users idle longer than the retention period; return how many."""
    users = idle_users(application, retention_days, now)
    for uid in users:
        forget_user(application, uid)
    if users and application.persistence:
        await application.update_persistence()
    if users:
        log.info("retention: forgot %d idle user(s)", len(users))
    return len(users)


async def retention_loop(application: Application, retention_days: int, every: float = 3600.0) -> None:
    """Hourly sweep (JobQueue needs APScheduler, which we do not otherwise need)."""
    while True:
        try:
            await sweep_idle(application, retention_days)
        except Exception as exc:  # a failed sweep is retried next hour, the bot keeps running
            log.error("retention sweep failed: %s", type(exc).__name__)
        await asyncio.sleep(every)
