"""The bot's own flood pacing (bot/telegram_app/flood.py): window arithmetic on a fake clock,
429 handling and unpaced endpoints with real asyncio calls (no timing assertions)."""
from __future__ import annotations

import asyncio
import math

import pytest
from telegram.error import RetryAfter

from bot.telegram_app.flood import GROUP_MESSAGES_PER_MINUTE, FloodPacer, SlidingWindowPacer, _Call

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # PTB's own RetryAfter


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def started(pacer: SlidingWindowPacer, clock: Clock, ended_after: float | None):
    """Record a call starting now, ended `ended_after` s later (None: still running)."""
    entry = _Call(clock.now)
    if ended_after is not None:
        entry.ended = clock.now + ended_after
    pacer._calls.append(entry)
    return entry


def test_window_counts_from_the_end_of_the_oldest_call():
    clock = Clock()
    pacer = SlidingWindowPacer(3, 1.0, clock=clock)
    for _ in range(3):
        started(pacer, clock, ended_after=0.05)
    # Three calls in the window: the next waits until the oldest *ended* a window ago.
    assert pacer.delay() == pytest.approx(1.05)
    clock.now += 1.05
    assert pacer.delay() == 0


def test_a_late_call_leaves_room_for_the_next_ones():
    """A leaky bucket of capacity 1 loses the time a call started late; the window does not."""
    clock = Clock()
    pacer = SlidingWindowPacer(3, 1.0, min_gap=0.1, clock=clock)
    started(pacer, clock, ended_after=0.0)
    clock.now += 0.9                        # the event loop was busy: the second call is late
    started(pacer, clock, ended_after=0.0)
    assert pacer.delay() == pytest.approx(0.1)   # only the minimum gap, not a full 1/rate


def test_oldest_call_still_running_blocks_until_it_ends_or_a_window_passes():
    clock = Clock()
    pacer = SlidingWindowPacer(2, 1.0, clock=clock)
    started(pacer, clock, ended_after=None)
    started(pacer, clock, ended_after=0.01)
    assert pacer.delay() == math.inf
    clock.now += 1.0                         # a hung request no longer holds the others
    assert pacer.delay() == pytest.approx(1.0)
    clock.now += 1.0                         # ... and the wait ends, though it is still running
    assert pacer.delay() == 0


def test_a_hung_call_first_seen_after_its_window_does_not_block_forever():
    clock = Clock()
    pacer = SlidingWindowPacer(2, 0.2, clock=clock)
    started(pacer, clock, ended_after=None)
    started(pacer, clock, ended_after=0.0)
    clock.now += 0.3                         # first look comes after the hung call's window
    first = pacer.delay()
    clock.now += first
    assert first <= 0.2 and pacer.delay() == 0


def test_a_pacer_that_sent_within_its_window_is_not_idle():
    clock = Clock()
    pacer = SlidingWindowPacer(20, 60.0, clock=clock)
    started(pacer, clock, ended_after=0.0)
    clock.now += 1.0
    assert pacer.delay() == 0 and not pacer.idle()    # dropping it would forget this minute's call
    clock.now += 60.0
    assert pacer.idle()


def test_a_refused_call_gives_its_place_back():
    clock = Clock()
    pacer = SlidingWindowPacer(2, 1.0, clock=clock)
    started(pacer, clock, ended_after=0.0)
    refused = started(pacer, clock, ended_after=0.0)
    assert pacer.delay() == pytest.approx(1.0)
    pacer.give_back(refused)
    assert pacer.delay() == 0


def test_per_second_rates():
    whole = SlidingWindowPacer.per_second(29)
    assert (whole.limit, whole.window) == (29, pytest.approx(1.0))
    half = SlidingWindowPacer.per_second(14.5)   # one of two replicas
    assert half.limit == 15 and half.window == pytest.approx(15 / 14.5)
    assert half.window >= 1.0                    # two replicas: at most 30 in any second
    slow = SlidingWindowPacer.per_second(0.5)
    assert (slow.limit, slow.window) == (1, pytest.approx(2.0))


def test_pause_delays_every_call():
    clock = Clock()
    pacer = SlidingWindowPacer(5, 1.0, clock=clock)
    pacer.pause(2.0)
    assert pacer.delay() == pytest.approx(2.0)


def _call_log(log: list, name: str, refusals: int = 0, retry_after: int = 1):
    attempts = {"n": 0}

    async def callback():
        attempts["n"] += 1
        log.append(f"{name}{attempts['n']}")
        if attempts["n"] <= refusals:
            raise RetryAfter(retry_after)
        return name

    return callback


async def _send(pacer: FloodPacer, callback, chat_id, endpoint="sendMessage"):
    return await pacer.process_request(callback, (), {}, endpoint, {"chat_id": chat_id}, None)


async def test_429_is_waited_out_by_its_own_call_while_others_go_on():
    pacer = FloodPacer(1000, max_retries=3)
    log: list[str] = []
    refused = asyncio.create_task(_send(pacer, _call_log(log, "a", refusals=1), 1))
    await asyncio.sleep(0.05)                 # chat 1 got its 429 and is waiting
    assert log == ["a1"]
    assert await _send(pacer, _call_log(log, "b"), 2) == "b"
    assert await refused == "a"
    assert log == ["a1", "b1", "a2"]           # chat 2 was not held up by chat 1's 429


async def test_retries_are_bounded():
    pacer = FloodPacer(1000, max_retries=2)
    log: list[str] = []
    with pytest.raises(RetryAfter):
        await _send(pacer, _call_log(log, "a", refusals=10, retry_after=0), 1)
    assert log == ["a1", "a2", "a3"]
    assert not pacer.overall._calls            # refused attempts hold no place in the window


async def test_mostly_refused_calls_pause_everything():
    pacer = FloodPacer(10, max_retries=0)
    for _ in range(pacer.overall.limit // 2):
        pacer.note(False, 0)
    assert pacer.overall.delay() == 0
    for _ in range(pacer.overall.limit // 2 + 1):
        pacer.note(True, 3.0)
    assert pacer.overall.delay() > 2.0


async def test_typing_actions_are_not_paced():
    pacer = FloodPacer(10, max_retries=0)
    pacer.overall.pause(3600)                 # no message may go out for an hour
    log: list[str] = []
    assert await asyncio.wait_for(_send(pacer, _call_log(log, "t"), 1, "sendChatAction"), 10) == "t"
    message = asyncio.create_task(_send(pacer, _call_log(log, "m"), 1))
    await asyncio.sleep(0.05)
    assert log == ["t1"]                      # the message waits for the pause
    message.cancel()


def test_groups_get_their_own_per_minute_pacer():
    pacer = FloodPacer(29, max_retries=0)
    assert pacer._group_pacer(12345) is None           # a private chat
    group = pacer._group_pacer(-100123)
    assert group is pacer._group_pacer("-100123")
    assert (group.limit, group.window) == (GROUP_MESSAGES_PER_MINUTE, 60.0)
    assert pacer._group_pacer("@channel") is not group
