"""Process-wide objects shared by the handlers: engine, worker threads, limiter, counters."""
from __future__ import annotations

import asyncio
import contextlib
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from telegram.constants import ChatAction
from telegram.error import TelegramError
from telegram.ext import BaseUpdateProcessor, ContextTypes

from bot.telegram_app.persistence import StateSaver
from bot.telegram_app.ratelimit import UserRateLimiter

TYPING_EVERY = 4.0  # seconds; Telegram shows "typing…" for about 5 s per action


@dataclass
class Stats:
    answers: int = 0
    checks: int = 0
    documents: int = 0
    limited: int = 0
    errors: int = 0


@dataclass
class Services:
    settings: object
    engine: object
    limiter: UserRateLimiter          # questions and checks
    update_limiter: UserRateLimiter   # every update: commands, buttons, form steps
    executor: ThreadPoolExecutor
    saver: StateSaver
    started: float = field(default_factory=time.monotonic)
    stats: Stats = field(default_factory=Stats)
    reload_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def run(self, func, *args):
        """Run CPU-bound work in a worker thread so other users are not blocked."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, lambda: func(*args))

    @property
    def corpus(self):
        return self.engine.corpus


def services(context: ContextTypes.DEFAULT_TYPE) -> Services:
    return context.application.bot_data["services"]


@contextlib.asynccontextmanager
async def typing(bot, chat_id: int):
    """Keep the typing indicator visible while the body runs."""
    stop = asyncio.Event()

    async def keep_typing():
        while not stop.is_set():
            with contextlib.suppress(TelegramError):
                await bot.send_chat_action(chat_id=chat_id, action=ChatAction.TYPING)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), TYPING_EVERY)

    task = asyncio.create_task(keep_typing())
    try:
        yield
    finally:
        stop.set()
        await task


class PerUserUpdateProcessor(BaseUpdateProcessor):
    """Concurrent across users, in order within one user's chat.

    Wizard steps and follow-ups must not overtake each other, but one user's slow
    answer must not hold up anyone else.
    """

    def __init__(self, max_concurrent_updates: int):
        super().__init__(max_concurrent_updates)
        self._locks: dict[object, asyncio.Lock] = {}

    @staticmethod
    def _key(update) -> object:
        user = getattr(update, "effective_user", None)
        chat = getattr(update, "effective_chat", None)
        return (chat.id if chat else None, user.id if user else None)

    async def do_process_update(self, update, coroutine) -> None:
        key = self._key(update)
        lock = self._locks.setdefault(key, asyncio.Lock())
        try:
            async with lock:
                await coroutine
        finally:
            if not lock.locked() and not getattr(lock, "_waiters", None):
                self._locks.pop(key, None)

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        self._locks.clear()
