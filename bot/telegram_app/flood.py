"""Keeping the bot's Bot API calls under Telegram's flood limits (the bot's own limiter for PTB).

Telegram refuses, with 429 RetryAfter, more than about 30 messages per second per bot and about
20 per minute per group. Two choices made here, both measured with `benchmarks/load_bench.py`:

- A sliding window, not a leaky bucket of capacity 1: the limit is "at most N calls in any
  window", so a call that starts late (the event loop was busy) leaves room that the next calls
  use, instead of losing that time for good. A minimum gap keeps the calls from going out in one burst.
- A 429 is waited out by the call that got it (and so by its user, whose updates run in order);
  the others go on, because the pacing already keeps the bot under the bot-wide limit, so a
  429 is most likely about one chat. Only when most recent calls are refused, i.e. the
  bot-wide limit is hit (another process using the token), does every call pause. A refused
  call delivered no message, so it gives its place in the window back.

Typing actions are not messages and are not paced: queued behind replies, "typing…" would show
after the answer it announces.
"""
from __future__ import annotations

import asyncio
import collections
import contextlib
import datetime
import logging
import math
import time
import warnings

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter
from telegram.warnings import PTBDeprecationWarning

log = logging.getLogger(__name__)

UNPACED_ENDPOINTS = {"sendChatAction"}
GROUP_MESSAGES_PER_MINUTE = 20
MAX_GROUP_PACERS = 512       # idle groups' pacers are dropped beyond this many
RETRY_MARGIN = 0.1           # seconds added to Telegram's retry_after


def retry_seconds(exc: RetryAfter) -> float:
    """RetryAfter's wait in seconds (an int or a timedelta, depending on PTB's PTB_TIMEDELTA opt-in)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, datetime.timedelta) else float(value)


class _Call:
    __slots__ = ("started", "ended", "done")

    def __init__(self, started: float):
        self.started = started
        self.ended: float | None = None
        self.done = asyncio.Event()


class SlidingWindowPacer:
    """At most `limit` calls in any `window` seconds as the server counts them, never two
    starting within `min_gap`.

    A call starts only once the call `limit` places before it has *ended* `window` seconds ago:
    the server received that one before it ended and receives this one after it starts, so
    however late the event loop sends a request, the server never sees more than `limit` in a
    window. (A call still running after `window` seconds counts as ended then, so a hung request
    does not stop the bot.)
    """

    def __init__(self, limit: int, window: float, min_gap: float = 0.0, clock=time.monotonic):
        self.limit, self.window, self.min_gap, self.clock = limit, window, min_gap, clock
        self._calls: collections.deque[_Call] = collections.deque(maxlen=limit)
        self._paused_until = 0.0
        self._turn = asyncio.Lock()      # first come, first served

    @classmethod
    def per_second(cls, rate: float, clock=time.monotonic) -> SlidingWindowPacer:
        """`rate` calls per second on average; any 1 s window holds at most ceil(rate) calls."""
        limit = max(1, math.ceil(rate))
        return cls(limit, limit / rate, min_gap=0.5 / rate, clock=clock)

    def delay(self) -> float:
        """Seconds until the next call may start (0 = now; inf = when the oldest call ends)."""
        now = self.clock()
        ready = self._paused_until
        if self._calls:
            ready = max(ready, self._calls[-1].started + self.min_gap)
        if len(self._calls) == self.limit:
            oldest = self._calls[0]
            if oldest.ended is None:
                if now < oldest.started + self.window:
                    return math.inf
                oldest.ended = oldest.started + self.window   # a hung call counts as ended a window after it began
            ready = max(ready, oldest.ended + self.window)
        return max(0.0, ready - now)

    def pause(self, seconds: float) -> None:
        self._paused_until = max(self._paused_until, self.clock() + seconds)

    def idle(self) -> bool:
        """No call waiting and none in the last window: dropping this pacer forgets nothing."""
        now = self.clock()
        return not self._turn.locked() and all(c.ended is not None and now - c.ended >= self.window
                                               for c in self._calls)

    async def _wait_turn(self) -> _Call:
        async with self._turn:
            while (wait := self.delay()) > 0:
                if wait == math.inf:
                    oldest = self._calls[0]
                    limit = oldest.started + self.window - self.clock()
                    with contextlib.suppress(asyncio.TimeoutError):
                        await asyncio.wait_for(oldest.done.wait(), max(0.0, limit))
                    if oldest.ended is None:
                        oldest.ended = self.clock()
                else:
                    await asyncio.sleep(wait)
            call = _Call(self.clock())
            self._calls.append(call)
            return call

    def give_back(self, call: _Call) -> None:
        """A refused call delivered nothing: its place in the window goes to the next call."""
        with contextlib.suppress(ValueError):
            self._calls.remove(call)

    @contextlib.asynccontextmanager
    async def slot(self):
        """Wait for this call's turn; the call runs inside the block."""
        call = await self._wait_turn()
        try:
            yield call
        finally:
            if call.ended is None:
                call.ended = self.clock()
            call.done.set()


class FloodPacer(BaseRateLimiter):
    """PTB rate limiter: bot-wide and per-group pacing, and 429s retried by the call that got them."""

    def __init__(self, calls_per_second: float, max_retries: int, clock=time.monotonic):
        self.clock = clock
        self.overall = SlidingWindowPacer.per_second(calls_per_second, clock)
        self.max_retries = max_retries
        self._groups: dict[int | str, SlidingWindowPacer] = {}
        # Outcomes (True = 429) of the latest paced calls: mostly refused = the bot-wide limit.
        self._refused: collections.deque[bool] = collections.deque(maxlen=self.overall.limit)

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    def _group_pacer(self, chat_id) -> SlidingWindowPacer | None:
        """The pacer of a group or channel (negative or @name chat id); None for a private chat."""
        if isinstance(chat_id, str) and chat_id.lstrip("-").isdigit():
            chat_id = int(chat_id)
        if not (isinstance(chat_id, str) or (isinstance(chat_id, int) and chat_id < 0)):
            return None
        if chat_id not in self._groups and len(self._groups) >= MAX_GROUP_PACERS:
            self._groups = {k: p for k, p in self._groups.items() if not p.idle()}
        return self._groups.setdefault(chat_id, SlidingWindowPacer(GROUP_MESSAGES_PER_MINUTE, 60.0,
                                                                   clock=self.clock))

    def note(self, refused: bool, retry_after: float) -> None:
        """Record a paced call's outcome; pause all calls when most recent ones were refused."""
        self._refused.append(refused)
        if refused and sum(self._refused) * 2 > self._refused.maxlen:
            log.warning("most Bot API calls refused with 429: pausing all calls for %.1f s", retry_after)
            self.overall.pause(retry_after)
            self._refused.clear()

    async def process_request(self, callback, args, kwargs, endpoint, data, rate_limit_args):
        chat_id = data.get("chat_id")
        paced = chat_id is not None and endpoint not in UNPACED_ENDPOINTS
        group = self._group_pacer(chat_id) if paced else None
        # PTB passes `rate_limit_args` through unchanged: a number here, AIORateLimiter's dict elsewhere.
        if isinstance(rate_limit_args, dict):
            rate_limit_args = rate_limit_args.get("max_retries")
        retries = rate_limit_args if isinstance(rate_limit_args, int) else self.max_retries
        for attempt in range(retries + 1):
            try:
                async with (group.slot() if group else contextlib.nullcontext()) as group_call, \
                        (self.overall.slot() if paced else contextlib.nullcontext()) as call:
                    try:
                        result = await callback(*args, **kwargs)
                    except RetryAfter:
                        for pacer, entry in ((group, group_call), (self.overall, call)):
                            if entry is not None:
                                pacer.give_back(entry)
                        raise
            except RetryAfter as exc:
                wait = retry_seconds(exc)
                if paced:
                    self.note(True, wait)
                if attempt == retries:
                    log.error("%s refused with 429 after %d retries", endpoint, retries)
                    raise
                log.info("%s refused with 429: retrying in %.1f s", endpoint, wait + RETRY_MARGIN)
                await asyncio.sleep(wait + RETRY_MARGIN)
                continue
            if paced:
                self.note(False, 0.0)
            return result
        raise AssertionError("unreachable")
