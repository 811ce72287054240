"""Process-wide objects shared by the handlers: engine, worker threads, limiter, counters."""
from __future__ import annotations

import asyncio
import contextlib
import inspect
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from telegram.constants import ChatAction
from telegram.error import TelegramError
from telegram.ext import BaseUpdateProcessor, ContextTypes

from bot.telegram_app.persistence import StateSaver
from bot.telegram_app.ratelimit import UserRateLimiter

TYPING_AFTER = 0.5  # seconds; a quicker answer needs no typing action (each one costs a Bot API call)
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
    saver: StateSaver | None          # the state file's saver; None when the state is in Redis
    # Index rebuilds and reloads run here, never in the answer threads.
    reload_executor: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(max_workers=1, thread_name_prefix="reload"))
    started: float = field(default_factory=time.monotonic)
    stats: Stats = field(default_factory=Stats)
    reload_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def run(self, func, *args):
        """Run CPU-bound work in a worker thread so other users are not blocked."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, lambda: func(*args))

    async def run_reload(self, func, *args):
        """Run a rebuild or reload beside the answer threads, so answers go on meanwhile."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.reload_executor, lambda: func(*args))

    @property
    def corpus(self):
        return self.engine.corpus


def services(context: ContextTypes.DEFAULT_TYPE) -> Services:
    return context.application.bot_data["services"]


@contextlib.asynccontextmanager
async def typing(bot, chat_id: int, after: float = TYPING_AFTER, every: float = TYPING_EVERY):
    """Show the typing indicator if the body is not done within `after` seconds; repeat every `every`."""
    stop = asyncio.Event()

    async def keep_typing():
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stop.wait(), after)
        while not stop.is_set():
            with contextlib.suppress(TelegramError):
                await bot.send_chat_action(chat_id=chat_id, action=ChatAction.TYPING)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), every)

    task = asyncio.create_task(keep_typing())
    try:
        yield
    finally:
        stop.set()
        await task


class PerUserUpdateProcessor(BaseUpdateProcessor):
    """Concurrent across users, in order within one user's chat.

    Wizard steps and follow-ups must not overtake each other, but one user's slow
    answer must not hold up anyone else. PTB's own semaphore (`max_pending`) only bounds
    how many updates are accepted and unfinished; an update waits for its user's earlier
    one *before* it takes one of the `max_running` work slots, so a user with a queue of
    updates holds no slot that another user could use.

    With a shared user-state store (REDIS_URL), each update also runs inside
    `shared.session(update)`: the user's Redis lock, state loaded before and saved after.
    """

    def __init__(self, max_running: int, max_pending: int = 1024):
        super().__init__(max_pending)
        self.max_running = max_running
        self._running: asyncio.Semaphore | None = None
        self._tails: dict[object, asyncio.Future] = {}
        self.shared = None     # bot.telegram_app.shared.SharedUserState, when REDIS_URL is set

    @staticmethod
    def _key(update) -> object:
        user = getattr(update, "effective_user", None)
        chat = getattr(update, "effective_chat", None)
        return (chat.id if chat else None, user.id if user else None)

    async def do_process_update(self, update, coroutine) -> None:
        key = self._key(update)
        previous = self._tails.get(key)
        mine = asyncio.get_running_loop().create_future()
        self._tails[key] = mine
        try:
            if previous is not None:
                await asyncio.shield(previous)      # the user's earlier update; no slot held meanwhile
            await self._process(update, coroutine)
        except asyncio.CancelledError:
            if inspect.iscoroutine(coroutine):
                coroutine.close()
            raise
        finally:
            mine.set_result(None)
            if self._tails.get(key) is mine:
                del self._tails[key]

    async def _process(self, update, coroutine) -> None:
        if self.shared is None:
            async with self._running:
                await coroutine
            return
        async with self.shared.session(update):     # waits for other replicas before taking a slot
            async with self._running:
                await coroutine

    @property
    def waiting_users(self) -> int:
        return len(self._tails)

    async def initialize(self) -> None:
        self._running = asyncio.Semaphore(self.max_running)

    async def shutdown(self) -> None:
        self._tails.clear()
