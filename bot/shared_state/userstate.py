"""Where the per-user state lives between updates, and the per-user lock that serialises them.

The state of one user is one JSON object (language, recent turns, open forms, rate-limit hits …).
It is read before each of the user's updates and written after it, under a per-user lock, so any
replica can serve any update. Retention is the key's TTL: every write sets it again, so the data of
a user idle for RETENTION_DAYS expires in Redis itself.
"""
from __future__ import annotations

import asyncio
import contextlib
from contextlib import AbstractAsyncContextManager
from typing import Protocol

from redis.asyncio import Redis
from redis.exceptions import LockError

from bot.shared_state import codec


class SharedUserStateStore(Protocol):
    """Per-user state loaded and saved around each update (the Redis counterpart of the state file)."""

    async def load(self, user_id: int) -> dict: ...

    async def save(self, user_id: int, state: dict) -> None: ...

    async def delete(self, user_id: int) -> None: ...

    def lock(self, user_id: int) -> AbstractAsyncContextManager: ...

    async def user_ids(self) -> set[int]: ...


class StateLockTimeout(Exception):
    """Another replica held the user's lock for longer than we are willing to wait."""


async def _keep_alive(lock, every: float) -> None:
    """Reset the lock's timeout every `every` seconds until cancelled or the lock is lost."""
    while True:
        await asyncio.sleep(every)
        try:
            await lock.reacquire()
        except LockError:
            return      # no longer ours (it expired): nothing to keep


class RedisUserStateStore:
    """One Redis string per user (`{prefix}:user:{id}`, JSON) with TTL = retention."""

    def __init__(self, client: Redis, prefix: str, retention_days: float, lock_seconds: float = 30.0,
                 wait_seconds: float = 60.0):
        self.client = client
        self.prefix = prefix
        self.ttl = max(1, int(retention_days * 86400))
        self.lock_seconds = lock_seconds
        self.wait_seconds = wait_seconds

    def key(self, user_id: int) -> str:
        return f"{self.prefix}:user:{user_id}"

    async def load(self, user_id: int) -> dict:
        text = await self.client.get(self.key(user_id))
        return codec.loads(text) if text else {}

    async def save(self, user_id: int, state: dict) -> None:
        if not state:
            await self.delete(user_id)
            return
        await self.client.set(self.key(user_id), codec.dumps(state), ex=self.ttl)

    async def delete(self, user_id: int) -> None:
        await self.client.delete(self.key(user_id))

    async def user_ids(self) -> set[int]:
        """Every user with a stored state (for /stats), found with SCAN: no blocking KEYS."""
        head = f"{self.prefix}:user:"
        ids = set()
        async for key in self.client.scan_iter(match=f"{head}*", count=1000):
            name = key.decode() if isinstance(key, bytes) else key
            tail = name[len(head):]        # the id, or "id:lock" for a lock key
            if tail.lstrip("-").isdigit():
                ids.add(int(tail))
        return ids

    async def ttl_of(self, user_id: int) -> int:
        """Seconds until the user's state expires (-2: nothing stored)."""
        return await self.client.ttl(self.key(user_id))

    @contextlib.asynccontextmanager
    async def lock(self, user_id: int):
        """Redis lock (redis-py's token + Lua release); it expires by itself if its replica dies.

        Renewed every third of its timeout while held: an update may wait out 429s or a group's
        pacing for longer than the timeout, and another replica must not take the user meanwhile."""
        lock = self.client.lock(f"{self.key(user_id)}:lock", timeout=self.lock_seconds,
                                blocking_timeout=self.wait_seconds)
        if not await lock.acquire():
            raise StateLockTimeout(f"user state lock not acquired within {self.wait_seconds:.0f}s")
        keeper = asyncio.create_task(_keep_alive(lock, self.lock_seconds / 3))
        try:
            yield lock
        finally:
            keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await keeper
            with contextlib.suppress(LockError):   # it expired while we worked: nothing to release
                await lock.release()
