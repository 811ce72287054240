"""The harassment log in a real Redis: same behaviour as the file store, TTL = retention, concurrent appends."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from redis import Redis

from bot.evidence.incidents import Incident, findings_of
from bot.evidence.log_store import user_key
from bot.shared_state.log_store import RedisIncidentLogStore
from bot.tools.checker import check_message
from ingest.corpus import load_corpus
from tests.support import KNOWLEDGE

TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module")
def corpus():
    return load_corpus(KNOWLEDGE)


@pytest.fixture
def client(redis_url):
    client = Redis.from_url(redis_url)
    yield client
    client.close()


def incident(corpus, text="你这个老赖，再不还钱就找你家人", when=datetime(2026, 11, 30, 23, 10, tzinfo=TZ), **kw):
    return Incident(occurred_at=when.isoformat(), channel="call", contacted="me", text=text, number="10690000",
                    findings=findings_of(check_message(text, corpus, lang="zh-Hans")), **kw)


def test_two_stores_share_the_log_and_keys_name_no_account(client, corpus):
    a, b = RedisIncidentLogStore(client, "t", 180), RedisIncidentLogStore(client, "t", 180)
    kept = a.append("42", incident(corpus), image=b"\x89PNG\r\n\x1a\nnot really")
    b.append("42", incident(corpus, "请按时还款", when=datetime(2026, 11, 29, 9, 0, tzinfo=TZ)))
    assert [i.text for i in a.list("42")] == ["请按时还款", "你这个老赖，再不还钱就找你家人"]   # oldest first
    assert b.image("42", kept) == b"\x89PNG\r\n\x1a\nnot really"
    log_key = f"t:log:{user_key('42')}"
    assert {k.decode() for k in client.keys("*")} == {log_key, f"{log_key}:img:{kept.image}"}
    assert 179 * 86400 < client.ttl(log_key) <= 180 * 86400


def test_forget_deletes_log_and_screenshots_of_that_user_only(client, corpus):
    store = RedisIncidentLogStore(client, "t", 180)
    store.append("42", incident(corpus), image=b"shot")
    store.append("7", incident(corpus))
    assert store.delete_user("42") == 1
    assert store.list("42") == [] and not client.keys(f"t:log:{user_key('42')}*")
    assert len(store.list("7")) == 1


def test_concurrent_appends_lose_nothing(client, corpus):
    stores = [RedisIncidentLogStore(Redis(connection_pool=client.connection_pool), "t", 180) for _ in range(4)]
    threads = [threading.Thread(target=lambda s=s: [s.append("42", incident(corpus)) for _ in range(10)])
               for s in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(stores[0].list("42")) == 40


def test_retention_deletes_old_incidents_and_their_screenshots(client, corpus):
    store = RedisIncidentLogStore(client, "t", 180)
    old = incident(corpus, created_at=(datetime.now(timezone.utc) - timedelta(days=200)).isoformat())
    store.append("42", old, image=b"old screenshot")
    store.append("42", incident(corpus, "昨天打了我十几个电话"))
    assert store.enforce_retention() == 1
    assert [i.text for i in store.list("42")] == ["昨天打了我十几个电话"]
    assert not client.keys("t:log:*:img:*")


def test_delete_one_incident(client, corpus):
    store = RedisIncidentLogStore(client, "t", 180)
    first = store.append("42", incident(corpus), image=b"shot")
    store.append("42", incident(corpus, "请按时还款"))
    assert store.delete("42", first.id) and not store.delete("42", first.id)
    assert [i.text for i in store.list("42")] == ["请按时还款"] and not client.keys("t:log:*:img:*")
