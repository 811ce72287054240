"""Start-up work that exactly one replica does: registering the webhook and the command menus.

Replicas starting together queue on a Redis lock; the first one registers and records a
fingerprint of what it registered, the others see the fingerprint and skip. A changed
configuration (another URL, other commands) has another fingerprint and is registered again.
The webhook secret, when not configured, is generated once and shared through Redis, since every
replica must verify the same one.
"""
from __future__ import annotations

import hashlib
import secrets
from collections.abc import Awaitable, Callable

from redis.asyncio import Redis

REGISTERED_SECONDS = 86400   # re-register at least daily, e.g. after Telegram's side was changed by hand


class StartupLeader:
    def __init__(self, client: Redis, prefix: str, lock_seconds: float = 120.0):
        self.client = client
        self.prefix = prefix
        self.lock_seconds = lock_seconds

    async def run_once(self, fingerprint_source: str, register: Callable[[], Awaitable[None]]) -> bool:
        """Run `register` unless another replica already did for this configuration; True if we did."""
        fingerprint = hashlib.sha256(fingerprint_source.encode()).hexdigest()[:16]
        marker = f"{self.prefix}:startup:registered"
        async with self.client.lock(f"{self.prefix}:startup:lock", timeout=self.lock_seconds,
                                    blocking_timeout=self.lock_seconds):
            if await self.client.get(marker) == fingerprint:
                return False
            await register()
            await self.client.set(marker, fingerprint, ex=REGISTERED_SECONDS)
            return True

    async def shared_secret(self) -> str:
        """A webhook secret common to all replicas (first one wins)."""
        key = f"{self.prefix}:webhook:secret"
        await self.client.set(key, secrets.token_urlsafe(32), nx=True)
        return await self.client.get(key)
