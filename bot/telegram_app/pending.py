"""OCR results waiting for the "add to log" buttons under a checked screenshot.

An entry holds what the log entry will hold (the recognised text and the checker's findings) and
the Telegram file id needed to fetch the screenshot again if the user asks to keep it; it is usable
for PENDING_SECONDS, and a user has at most PENDING_PER_USER of them.

- One process (the state file): in the application's memory only, never written to the state file.
- With REDIS_URL: in the user's shared state (`user_data`, loaded and saved around each update with
  the state's TTL, see `shared.py`), so the button may be pressed on any replica. /forget deletes it
  with the rest of the user's state.
Times are wall-clock seconds, comparable across replicas.
"""
from __future__ import annotations

import secrets
import time

from telegram.ext import ContextTypes

from bot.telegram_app.shared import shared_state

MEMORY = "evidence_pending"     # bot_data key: {user id: {token: entry}} in one process
USER_KEY = "screenshots"        # user_data key: {token: entry} in the shared state
PENDING_PER_USER = 3
PENDING_SECONDS = 3600


def _shared(context: ContextTypes.DEFAULT_TYPE) -> bool:
    return shared_state(context.application) is not None


def _entries(context: ContextTypes.DEFAULT_TYPE, user_id: int) -> dict:
    if _shared(context):
        return context.user_data.get(USER_KEY) or {}
    return context.application.bot_data.get(MEMORY, {}).get(user_id) or {}


def _store(context: ContextTypes.DEFAULT_TYPE, user_id: int, entries: dict) -> None:
    if _shared(context):
        if entries:
            context.user_data[USER_KEY] = entries
        else:
            context.user_data.pop(USER_KEY, None)
        return
    memory = context.application.bot_data.setdefault(MEMORY, {})
    if entries:
        memory[user_id] = entries
    else:
        memory.pop(user_id, None)


def _live(entries: dict, now: float) -> dict:
    return {token: entry for token, entry in entries.items() if now - entry["at"] < PENDING_SECONDS}


def remember(context: ContextTypes.DEFAULT_TYPE, user_id: int, text: str, file_id: str,
             findings: list[dict]) -> str:
    """Keep a screenshot's result for its buttons; returns the token the buttons carry."""
    now = time.time()
    entries = _live(_entries(context, user_id), now)
    token = secrets.token_hex(4)
    entries[token] = {"text": text, "file_id": file_id, "findings": findings, "at": now}
    _store(context, user_id, dict(list(entries.items())[-PENDING_PER_USER:]))
    return token


def find(context: ContextTypes.DEFAULT_TYPE, user_id: int, token: str) -> dict | None:
    """The result behind a button; None once it expired or was used."""
    return _live(_entries(context, user_id), time.time()).get(token)


def drop(context: ContextTypes.DEFAULT_TYPE, user_id: int, token: str) -> None:
    """The result was logged: a second press must not log it twice."""
    entries = _live(_entries(context, user_id), time.time())
    entries.pop(token, None)
    _store(context, user_id, entries)


def forget(context: ContextTypes.DEFAULT_TYPE, user_id: int) -> None:
    """Part of /forget (in the shared state, dropping the user's data removes it as well)."""
    _store(context, user_id, {})
