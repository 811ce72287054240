"""Per-user state shared by replicas: loaded from the store before each update, saved after it.

PTB keeps user_data and conversation states in process memory and its persistence loads
conversations only at start-up, so a second replica would never see a form opened on the first.
Instead, for every update of a user, under the user's lock in the store:
  1. the user's JSON state (user_data, open conversations, rate-limit hits of each limiter) is
     loaded into PTB's in-memory structures and the limiters,
  2. the update is processed by the unchanged handlers,
  3. the state is read back, saved (deleted when empty, e.g. after /forget) and dropped from memory,
so no replica keeps a stale copy. PTB's persistence is then only the stub it requires for a
persistent ConversationHandler.

This is the Redis counterpart of the state file (`state_store.FileUserStateStore` behind
`persistence.StorePersistence`): the same user_data and conversation steps, but loaded per update
instead of once at start-up, which is what lets any replica serve any update.
"""
from __future__ import annotations

import contextlib
import logging

from telegram.ext import Application, BasePersistence, ConversationHandler, PersistenceInput

from bot.shared_state.userstate import SharedUserStateStore
from bot.telegram_app.ratelimit import UserRateLimiter
from bot.telegram_app.userdata import SEEN

log = logging.getLogger(__name__)

USER_DATA, CONVERSATIONS, RATE = "user_data", "conversations", "rate"

Limiters = dict[str, UserRateLimiter]   # by name, e.g. "questions", "updates"


def _conversation_handlers(application: Application):
    for handlers in application.handlers.values():
        for handler in handlers:
            if isinstance(handler, ConversationHandler) and handler.name:
                yield handler


def _user_keys(handler: ConversationHandler, user_id: int) -> list[tuple]:
    return [k for k in list(handler._conversations)  # noqa: SLF001 (PTB has no public accessor)
            if isinstance(k, tuple) and len(k) == 2 and k[1] == user_id]


def capture(application: Application, limiters: Limiters, user_id: int) -> dict:
    """The user's state as plain data ({} when there is nothing worth keeping)."""
    state: dict = {}
    data = application.user_data.get(user_id)
    if data and set(data) - {SEEN}:   # a last-activity time alone is not kept (as in the state file)
        state[USER_DATA] = dict(data)
    conversations = {}
    for handler in _conversation_handlers(application):
        pairs = [[list(key), handler._conversations[key]] for key in _user_keys(handler, user_id)  # noqa: SLF001
                 if isinstance(handler._conversations[key], (int, str))]  # noqa: SLF001
        if pairs:
            conversations[handler.name] = pairs
    if conversations:
        state[CONVERSATIONS] = conversations
    hits = {name: limiter.hits(user_id) for name, limiter in limiters.items()}
    hits = {name: times for name, times in hits.items() if times}
    if hits:
        state[RATE] = hits
    return state


def evict(application: Application, limiters: Limiters, user_id: int) -> None:
    """Drop the user's state from this process (the store holds it now)."""
    application.drop_user_data(user_id)
    for handler in _conversation_handlers(application):
        for key in _user_keys(handler, user_id):
            handler._conversations.pop(key, None)  # noqa: SLF001
    for limiter in limiters.values():
        limiter.forget(user_id)


def restore(application: Application, limiters: Limiters, user_id: int, state: dict) -> None:
    evict(application, limiters, user_id)
    if state.get(USER_DATA):
        application.user_data[user_id].update(state[USER_DATA])
    for handler in _conversation_handlers(application):
        for key, value in state.get(CONVERSATIONS, {}).get(handler.name, []):
            handler._conversations[tuple(key)] = value  # noqa: SLF001
    hits = state.get(RATE, {})
    for name, limiter in limiters.items():
        limiter.restore(user_id, hits.get(name, []))


class SharedUserState:
    """Loads and saves each update's user state around its handlers (see the module docstring)."""

    def __init__(self, store: SharedUserStateStore, application: Application, limiters: Limiters):
        self.store = store
        self.application = application
        self.limiters = limiters

    @contextlib.asynccontextmanager
    async def session(self, update):
        user = getattr(update, "effective_user", None)
        if user is None:        # e.g. a channel post: nobody's state is involved
            yield
            return
        async with self.store.lock(user.id):
            restore(self.application, self.limiters, user.id, await self.store.load(user.id))
            try:
                yield
            finally:
                state = capture(self.application, self.limiters, user.id)
                evict(self.application, self.limiters, user.id)
                await self.store.save(user.id, state)


def shared_state(application: Application) -> SharedUserState | None:
    """The shared user state when REDIS_URL is set (user_data is then saved to Redis), else None."""
    return getattr(application.update_processor, "shared", None)


class SharedStatePersistence(BasePersistence):
    """The persistence PTB requires for a persistent ConversationHandler, holding nothing itself:
    with a shared store every update loads and saves its user's state (see the module docstring)."""

    def __init__(self):
        super().__init__(store_data=PersistenceInput(bot_data=False, chat_data=False, user_data=False,
                                                     callback_data=False), update_interval=3600)

    async def get_user_data(self):
        return {}

    async def get_chat_data(self):
        return {}

    async def get_bot_data(self):
        return {}

    async def get_callback_data(self):
        return None

    async def get_conversations(self, name):
        return {}

    async def update_conversation(self, name, key, new_state) -> None:
        pass

    async def update_user_data(self, user_id, data) -> None:
        pass

    async def update_chat_data(self, chat_id, data) -> None:
        pass

    async def update_bot_data(self, data) -> None:
        pass

    async def update_callback_data(self, data) -> None:
        pass

    async def drop_chat_data(self, chat_id) -> None:
        pass

    async def drop_user_data(self, user_id) -> None:
        pass

    async def refresh_user_data(self, user_id, user_data) -> None:
        pass

    async def refresh_chat_data(self, chat_id, chat_data) -> None:
        pass

    async def refresh_bot_data(self, bot_data) -> None:
        pass

    async def flush(self) -> None:
        pass
