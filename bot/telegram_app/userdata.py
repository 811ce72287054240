"""What we keep per user (persisted through `persistence.StorePersistence`) and how it is deleted.

user_data keys: lang (chosen with /lang), seen (last activity, for retention) and
chats: per chat id, history (the last turns, numbers and e-mails masked, for
follow-ups), seq and answers (the follow-up questions behind buttons), form
(an unfinished tool's answers, dropped when it ends) and recipient (who receives the collector's
messages the user checks in that chat, as the user said with a button or in words such as
"我是他的紧急联系人": only the role, one of contact / relative / employer, never the words). The OCR results waiting for their "add to
log" button are apart (`pending`: in memory, or a Redis key expiring after an hour). Nothing else
about the user is stored; /privacy and README's privacy section say the same.
"""
from __future__ import annotations

import asyncio
import logging
import time

from telegram import Update
from telegram.ext import Application, ConversationHandler

from bot.language import detect_language
from bot.logging_setup import redact
from bot.messages import language_from_code, normalize_language
from bot.tools.recipient import THIRD_PARTIES

log = logging.getLogger(__name__)

# Per user: LANG, SEEN, CHATS. Per chat (under CHATS, keyed by chat id): HISTORY, SEQ, ANSWERS, FORM, RECIPIENT.
LANG, SEEN, CHATS = "lang", "seen", "chats"
HISTORY, SEQ, ANSWERS, FORM, RECIPIENT = "history", "seq", "answers", "form", "recipient"
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


def chat_state(user_data, chat_id: int, create: bool = False) -> dict | None:
    """The user's state in one chat (history, answers, form); None if there is none.

    Everything said in a chat is kept under that chat, so nothing from a private
    chat can be continued, followed up or rendered in a group.
    """
    chats = user_data.get(CHATS)
    key = str(chat_id)
    if chats is None or key not in chats:
        if not create:
            return None
        chats = user_data[CHATS] = dict(chats or {})
        chats[key] = {}
    return chats[key]


def _prune(user_data, chat_id: int) -> None:
    """Drop an emptied chat entry, so no empty entries are stored."""
    chats = user_data.get(CHATS) or {}
    if not chats.get(str(chat_id)):
        chats.pop(str(chat_id), None)
    if not chats:
        user_data.pop(CHATS, None)


def form(user_data, chat_id: int) -> dict | None:
    state = chat_state(user_data, chat_id)
    return state.get(FORM) if state else None


def set_form(user_data, chat_id: int, value: dict) -> None:
    chat_state(user_data, chat_id, create=True)[FORM] = value


def clear_form(user_data, chat_id: int) -> None:
    """Form answers are kept only until the form ends."""
    state = chat_state(user_data, chat_id)
    if state is not None:
        state.pop(FORM, None)
        _prune(user_data, chat_id)


def recipient(user_data, chat_id: int) -> str | None:
    """Who receives the messages this user checks in this chat (a third-party role), or None."""
    state = chat_state(user_data, chat_id)
    return state.get(RECIPIENT) if state else None


def set_recipient(user_data, chat_id: int, role: str) -> None:
    """Remember a third-party role for this chat only (a role said in private never reaches a group);
    "borrower" is the default and is stored as nothing."""
    if role in THIRD_PARTIES:
        chat_state(user_data, chat_id, create=True)[RECIPIENT] = role
        return
    state = chat_state(user_data, chat_id)
    if state is not None:
        state.pop(RECIPIENT, None)
        _prune(user_data, chat_id)


def history_turns(user_data, chat_id: int) -> list:
    """The chat's stored history as `bot.engine.conversation.Turn`s for the engine.

    History is persisted as plain dicts, not Turn objects, so a change to the Turn
    class can never make the state file unreadable.
    """
    from bot.engine.conversation import Turn

    state = chat_state(user_data, chat_id) or {}
    turns = []
    for item in state.get(HISTORY, []):
        try:
            turns.append(Turn(**item))
        except TypeError:
            continue
    return turns


def remember(user_data, chat_id: int, question: str, answer, keep_turns: int) -> int:
    """Append the exchange to the chat's history (phone, ID and card numbers and e-mails
    masked, as in the logs); store the follow-ups; return the answer's number."""
    state = chat_state(user_data, chat_id, create=True)
    history = list(state.get(HISTORY, []))
    history.append({"question": redact(question), "answer_topic": answer.topic, "intent": answer.intent})
    state[HISTORY] = history[-max(keep_turns, 1):]
    seq = state.get(SEQ, 0) + 1
    state[SEQ] = seq
    answers = dict(state.get(ANSWERS, {}))
    answers[str(seq)] = list(answer.followups)
    state[ANSWERS] = {k: answers[k] for k in sorted(answers, key=int)[-KEEP_ANSWERS:]}
    return seq


def followup(user_data, chat_id: int, seq: int, index: int) -> str | None:
    state = chat_state(user_data, chat_id) or {}
    try:
        return state.get(ANSWERS, {})[str(seq)][index]
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
    """Delete everything stored about `user_id` (user data with every chat's state, conversations)."""
    application.drop_user_data(user_id)
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
