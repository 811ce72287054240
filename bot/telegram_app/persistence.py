"""PTB persistence over a `UserStateStore`, and the loop that saves it.

PTB hands us user_data and the tool conversation's steps; chat_data, bot_data
and callback data are not stored at all. A user_data that is empty or holds only
the last-activity time is never written, so a user removed by /forget does not
come back as an empty entry.

A failed save is logged once with its reason, reported to the admins, and
retried on every tick; the in-memory state stays authoritative meanwhile. At
shutdown the state is written to the state file or, if that keeps failing, to a
rescue copy whose path is logged, so it is never lost.
"""
from __future__ import annotations

import asyncio
import logging
import os
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

from telegram.ext import BasePersistence, PersistenceInput

from bot.telegram_app.state_store import FileUserStateStore, StateSaveError, UserStateStore
from bot.telegram_app.userdata import SEEN

log = logging.getLogger(__name__)

FINAL_ATTEMPTS = 3
FINAL_RETRY_DELAY = 0.5   # seconds between the last save attempts at shutdown


class StorePersistence(BasePersistence[dict, dict, dict]):
    def __init__(self, store: UserStateStore, update_interval: float):
        super().__init__(store_data=PersistenceInput(bot_data=False, chat_data=False, user_data=True,
                                                     callback_data=False),
                         update_interval=update_interval)
        self.store = store
        self.saver: StateSaver | None = None

    async def get_user_data(self) -> dict[int, dict]:
        return self.store.users()

    async def update_user_data(self, user_id: int, data: dict) -> None:
        # A last-activity time alone is nothing worth keeping (e.g. /help right after /forget).
        self.store.put_user(user_id, data if set(data) - {SEEN} else {})

    async def drop_user_data(self, user_id: int) -> None:
        self.store.delete_user(user_id)

    async def refresh_user_data(self, user_id: int, user_data: dict) -> None:
        pass

    async def get_conversations(self, name: str) -> dict:
        return self.store.conversations(name)

    async def update_conversation(self, name: str, key, new_state: object | None) -> None:
        self.store.put_conversation(name, tuple(key), new_state)

    async def flush(self) -> None:
        if self.saver is not None:
            await self.saver.final_save()

    # Not stored: the bot keeps nothing per chat or bot-wide.
    async def get_chat_data(self) -> dict[int, dict]:
        return {}

    async def get_bot_data(self) -> dict:
        return {}

    async def get_callback_data(self):
        return None

    async def update_chat_data(self, chat_id: int, data: dict) -> None:
        pass

    async def update_bot_data(self, data: dict) -> None:
        pass

    async def update_callback_data(self, data) -> None:
        pass

    async def drop_chat_data(self, chat_id: int) -> None:
        pass

    async def refresh_chat_data(self, chat_id: int, chat_data: dict) -> None:
        pass

    async def refresh_bot_data(self, bot_data: dict) -> None:
        pass


class StateSaver:
    """Saves the store; reports the first failure of a run of failures, never raises."""

    def __init__(self, store: FileUserStateStore, alert: Callable[[str], Awaitable[None]]):
        self.store = store
        self.alert = alert
        self.failing: str | None = None      # reason of the ongoing failure
        self.rescued_to: Path | None = None  # set when the final save went to a rescue copy

    async def tick(self) -> bool:
        """Save pending changes; True when the state on disk is current."""
        try:
            self.store.save()
        except StateSaveError as exc:
            reason = str(exc)
            if self.failing != reason:
                self.failing = reason
                log.error("state not saved, will retry: %s", reason)
                await self.alert(reason)
            return False
        if self.failing is not None:
            log.warning("state saved again to %s", self.store.path)
            self.failing = None
        return True

    async def final_save(self) -> None:
        for attempt in range(FINAL_ATTEMPTS):
            if await self.tick():
                return
            if attempt + 1 < FINAL_ATTEMPTS:
                await asyncio.sleep(FINAL_RETRY_DELAY)
        self._rescue()

    def _rescue(self) -> None:
        """Write the state somewhere writable so a restart can pick it up by hand."""
        path = self.store.path
        fd, name = tempfile.mkstemp(prefix=f"{path.name}.rescue-", suffix=".json")
        os.close(fd)
        rescue = Path(name)
        try:
            self.store.write_to(rescue)
        except StateSaveError as exc:
            log.critical("state could not be saved anywhere (%s); it is lost", exc)
            rescue.unlink(missing_ok=True)
            return
        self.rescued_to = rescue
        log.error("state could not be written to %s (%s); saved a copy to %s: move it to %s once "
                  "the cause is fixed", path, self.failing, rescue, path)


async def save_loop(persistence: StorePersistence, application, every: float) -> None:
    """Move changed data into the store and write it, every `every` seconds."""
    while True:
        await asyncio.sleep(every)
        await application.update_persistence()
        await persistence.saver.tick()


__all__ = ["StorePersistence", "StateSaver", "save_loop"]
