"""Per-user sliding-window limit on questions (Telegram's own flood limits are flood.py's job)."""
from __future__ import annotations

import time
from collections import defaultdict, deque


class UserRateLimiter:
    def __init__(self, per_minute: int, window: float = 60.0, clock=time.monotonic):
        self.per_minute = per_minute
        self.window = window
        self.clock = clock
        self._hits: dict[int, deque[float]] = defaultdict(deque)

    def allow(self, user_id: int) -> bool:
        """Record a question from `user_id`; False when over the limit (not recorded then)."""
        if self.per_minute <= 0:
            return True
        now = self.clock()
        hits = self._hits[user_id]
        while hits and now - hits[0] >= self.window:
            hits.popleft()
        if len(hits) >= self.per_minute:
            return False
        hits.append(now)
        return True

    def forget(self, user_id: int) -> None:
        self._hits.pop(user_id, None)

    def hits(self, user_id: int) -> list[float]:
        """The user's recorded questions still inside the window (for the shared state)."""
        now = self.clock()
        return [t for t in self._hits.get(user_id, ()) if now - t < self.window]

    def restore(self, user_id: int, hits: list[float]) -> None:
        """Replace the user's hits with ones recorded elsewhere (another replica)."""
        self._hits.pop(user_id, None)
        if hits:
            self._hits[user_id] = deque(sorted(hits))
