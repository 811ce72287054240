"""Update de-duplication by `update_id`, safe against a replica dying mid-update.

Telegram redelivers an update whose webhook call did not return 2xx. One key per update:
- `claim` sets it to a lease (token, expiring after `lease_seconds`) only if it is absent;
- `finish` replaces the lease with `done` for a day (Telegram drops undelivered updates after 24 h),
  so a redelivery is acknowledged without being answered again;
- a replica that dies leaves its lease to expire, and the redelivery is then taken over;
- `release` drops the lease at once when the work failed, so the redelivery need not wait.
"""
from __future__ import annotations

import enum
import secrets

from redis.asyncio import Redis

DONE = "done"
DONE_SECONDS = 86400

# Compare-and-act on the lease token, atomically (only the holder may renew or drop its lease).
_RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0"
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"


class Claim(enum.Enum):
    NEW = "new"       # ours to process
    DONE = "done"     # answered before: acknowledge, do nothing
    BUSY = "busy"     # another replica holds it now: ask Telegram to try again later


class UpdateLedger:
    def __init__(self, client: Redis, prefix: str, lease_seconds: float = 30.0):
        self.client = client
        self.prefix = prefix
        self.lease_ms = max(100, int(lease_seconds * 1000))
        self._renew = client.register_script(_RENEW)
        self._release = client.register_script(_RELEASE)

    def key(self, update_id: int) -> str:
        return f"{self.prefix}:update:{update_id}"

    async def claim(self, update_id: int) -> tuple[Claim, str | None]:
        """(NEW, token) when this replica now holds the update; (DONE|BUSY, None) otherwise."""
        token = secrets.token_hex(8)
        if await self.client.set(self.key(update_id), token, nx=True, px=self.lease_ms):
            return Claim.NEW, token
        value = await self.client.get(self.key(update_id))
        return (Claim.DONE if value == DONE else Claim.BUSY), None

    async def renew(self, update_id: int, token: str) -> bool:
        return bool(await self._renew(keys=[self.key(update_id)], args=[token, self.lease_ms]))

    async def finish(self, update_id: int) -> None:
        await self.client.set(self.key(update_id), DONE, ex=DONE_SECONDS)

    async def release(self, update_id: int, token: str) -> None:
        await self._release(keys=[self.key(update_id)], args=[token])
