"""OCR results waiting for the "add to log" buttons under a checked screenshot.

An entry holds what the log entry will hold (the recognised text and the checker's findings) and
the Telegram file id needed to fetch the screenshot again if the user asks to keep it; it is usable
for PENDING_SECONDS, and a user has at most PENDING_PER_USER of them.

- One process (the state file): in the application's memory only, never written to the state file.
- With REDIS_URL: a Redis key of its own (`{prefix}:pending:{user id}`) expiring PENDING_SECONDS
  after the last screenshot, so the button may be pressed on any replica. Not in the user's state:
  that lives for the retention period and is renewed by every update, and the recognised text may
  hold phone or ID numbers. /forget deletes the key.
Times are wall-clock seconds, comparable across replicas.
"""
from __future__ import annotations

import json
import secrets
import time

from telegram.ext import ContextTypes

from bot.telegram_app.shared import shared_state

MEMORY = "evidence_pending"     # bot_data key: {user id: {token: entry}} in one process
PENDING_PER_USER = 3
PENDING_SECONDS = 3600


def _redis(context: ContextTypes.DEFAULT_TYPE):
    """The shared state's Redis store, or None in one process."""
    shared = shared_state(context.application)
    return None if shared is None else shared.store


def redis_key(prefix: str, user_id: int) -> str:
    return f"{prefix}:pending:{user_id}"


async def _entries(context: ContextTypes.DEFAULT_TYPE, user_id: int) -> dict:
    store = _redis(context)
    if store is None:
        return context.application.bot_data.get(MEMORY, {}).get(user_id) or {}
    raw = await store.client.get(redis_key(store.prefix, user_id))
    return json.loads(raw) if raw else {}


async def _store(context: ContextTypes.DEFAULT_TYPE, user_id: int, entries: dict) -> None:
    store = _redis(context)
    if store is not None:
        key = redis_key(store.prefix, user_id)
        if entries:
            await store.client.set(key, json.dumps(entries, ensure_ascii=False), ex=PENDING_SECONDS)
        else:
            await store.client.delete(key)
        return
    memory = context.application.bot_data.setdefault(MEMORY, {})
    if entries:
        memory[user_id] = entries
    else:
        memory.pop(user_id, None)


def _live(entries: dict, now: float) -> dict:
    return {token: entry for token, entry in entries.items() if now - entry["at"] < PENDING_SECONDS}


async def remember(context: ContextTypes.DEFAULT_TYPE, user_id: int, text: str, file_id: str,
                   findings: list[dict]) -> str:
    """Keep a screenshot's result for its buttons; returns the token the buttons carry."""
    now = time.time()
    entries = _live(await _entries(context, user_id), now)
    token = secrets.token_hex(4)
    entries[token] = {"text": text, "file_id": file_id, "findings": findings, "at": now}
    await _store(context, user_id, dict(list(entries.items())[-PENDING_PER_USER:]))
    return token


async def find(context: ContextTypes.DEFAULT_TYPE, user_id: int, token: str) -> dict | None:
    """The result behind a button; None once it expired or was used."""
    return _live(await _entries(context, user_id), time.time()).get(token)


async def drop(context: ContextTypes.DEFAULT_TYPE, user_id: int, token: str) -> None:
    """The result was logged: a second press must not log it twice."""
    entries = _live(await _entries(context, user_id), time.time())
    entries.pop(token, None)
    await _store(context, user_id, entries)


async def forget(context: ContextTypes.DEFAULT_TYPE, user_id: int) -> None:
    """Part of /forget."""
    await _store(context, user_id, {})
