"""The Redis building blocks against a real redis-server: user state, locks, update ledger, leader."""
from __future__ import annotations

import asyncio

import pytest
from redis.asyncio import Redis

from bot.shared_state import codec
from bot.shared_state.leader import StartupLeader
from bot.shared_state.ledger import Claim, UpdateLedger
from bot.shared_state.userstate import RedisUserStateStore, StateLockTimeout


@pytest.fixture
async def client(redis_url):
    client = Redis.from_url(redis_url, decode_responses=True)
    yield client
    await client.aclose()


def test_codec_keeps_int_keys_and_unicode():
    state = {"lang": "zh-Hant", "answers": {3: ["那如果他们上门呢？"], 4: []}, "history": [{"q": "催收"}],
             "wizard": {"state": {"amount": 1200.5, "steps": [1, 2]}}}
    assert codec.loads(codec.dumps(state)) == state
    assert "催收" in codec.dumps(state)          # readable in redis-cli, not \\u-escaped


def test_codec_refuses_what_is_not_plain_data():
    with pytest.raises(TypeError):
        codec.dumps({"when": object()})
    with pytest.raises(ValueError):
        codec.loads("[1, 2]")


async def test_state_round_trip_with_retention_ttl(client):
    store = RedisUserStateStore(client, "t", retention_days=30)
    assert await store.load(7) == {}
    await store.save(7, {"lang": "en", "answers": {1: ["q"]}})
    assert await store.load(7) == {"lang": "en", "answers": {1: ["q"]}}
    ttl = await store.ttl_of(7)
    assert 29 * 86400 < ttl <= 30 * 86400
    await store.save(7, {})                       # nothing left to keep: the key goes
    assert await store.ttl_of(7) == -2
    await store.save(7, {"lang": "en"})
    await store.delete(7)
    assert await store.load(7) == {}


async def test_state_expires_after_retention(client):
    store = RedisUserStateStore(client, "t", retention_days=1 / 86400)   # one second
    await store.save(8, {"lang": "en"})
    await asyncio.sleep(1.5)
    assert await store.load(8) == {}


async def test_user_lock_is_renewed_while_held(client):
    """An update that waits longer than the lock's timeout (429s, group pacing) keeps the user."""
    store = RedisUserStateStore(client, "t", retention_days=1, lock_seconds=0.6, wait_seconds=0.2)
    other = RedisUserStateStore(client, "t", retention_days=1, lock_seconds=0.6, wait_seconds=0.2)
    async with store.lock(21):
        await asyncio.sleep(1.5)                  # more than twice the timeout
        with pytest.raises(StateLockTimeout):
            async with other.lock(21):
                pass
    async with other.lock(21):                    # released on exit, renewal stopped
        pass


async def test_user_lock_excludes_a_second_holder(client):
    store = RedisUserStateStore(client, "t", retention_days=1, lock_seconds=10, wait_seconds=0.3)
    other = RedisUserStateStore(client, "t", retention_days=1, lock_seconds=10, wait_seconds=0.3)
    async with store.lock(9):
        with pytest.raises(StateLockTimeout):
            async with other.lock(9):
                pass
        async with other.lock(10):                # another user is not blocked
            pass
    async with other.lock(9):                     # released on exit
        pass


async def test_user_ids_are_the_stored_states_of_this_prefix(client):
    store = RedisUserStateStore(client, "ids", retention_days=1)
    assert await store.user_ids() == set()
    for user in (11, 12, 13):
        await store.save(user, {"lang": "en"})
    await RedisUserStateStore(client, "other", retention_days=1).save(14, {"lang": "en"})
    await store.save(13, {})                      # nothing left: no longer a stored user
    async with store.lock(15):                    # a lock is not a user's state
        assert await store.user_ids() == {11, 12}


async def test_ledger_answers_an_update_once(client):
    ledger = UpdateLedger(client, "t", lease_seconds=30)
    claim, token = await ledger.claim(100)
    assert claim is Claim.NEW and token
    assert await ledger.claim(100) == (Claim.BUSY, None)      # another replica, same redelivery
    await ledger.finish(100)
    assert await ledger.claim(100) == (Claim.DONE, None)


async def test_ledger_released_or_expired_lease_is_taken_over(client):
    ledger = UpdateLedger(client, "t", lease_seconds=0.3)
    _, token = await ledger.claim(200)
    await ledger.release(200, "not-the-holder")
    assert (await ledger.claim(200))[0] is Claim.BUSY
    await ledger.release(200, token)
    claim, token = await ledger.claim(200)
    assert claim is Claim.NEW
    assert await ledger.renew(200, token)
    await asyncio.sleep(0.6)                      # the holder died: its lease runs out
    assert not await ledger.renew(200, token)
    assert (await ledger.claim(200))[0] is Claim.NEW


async def test_only_one_replica_registers(client):
    calls = []

    async def register():
        calls.append(1)
        await asyncio.sleep(0.1)

    leaders = [StartupLeader(client, "t") for _ in range(3)]
    done = await asyncio.gather(*(leader.run_once("url|commands", register) for leader in leaders))
    assert sorted(done) == [False, False, True] and len(calls) == 1
    assert await leaders[0].run_once("other-url|commands", register) is True   # new configuration
    secrets = {await leader.shared_secret() for leader in leaders}
    assert len(secrets) == 1 and len(secrets.pop()) >= 32
