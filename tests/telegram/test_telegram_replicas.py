"""Two real `python -m bot` replicas behind a round-robin proxy, sharing one real Redis.

The fake Bot API delivers updates by webhook (redelivering on non-2xx), like Telegram. Checks:
language, forms, a screenshot's result waiting for its save button and /forget are shared; /stats
counts the users stored in Redis; only one replica registers the webhook; killing a replica in the
middle of updates loses none and answers each exactly once; injected 429s lose no reply.
"""
from __future__ import annotations

import json
import re
import signal
import socket
import time

import pytest

from bot.language import detect_language
from bot.telegram_app.pending import PENDING_SECONDS
from bot.telegram_app.pending import redis_key as pending_key
from tests.support import free_port, screens
from tests.support.bot_process import ADMIN_ID, TOKEN, BotProcess
from tests.support.fake_bot_api import FakeBotAPI
from tests.support.round_robin_proxy import RoundRobinProxy

pytestmark = pytest.mark.slow

QUESTION = "催收公司打电话给我的紧急联系人，这合法吗？"
SECRET = "replica-Secret_2"
A, B = 0, 1


def _wait_serving(process: BotProcess, timeout: float = 120) -> None:
    """Until the replica logs that it serves (after listening and registering)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.proc.poll() is not None:
            pytest.fail(f"replica exited:\n{process.log_text()[-3000:]}")
        if "starting in webhook mode" in process.log_text():
            return
        time.sleep(0.2)
    pytest.fail(f"replica never served:\n{process.log_text()[-3000:]}")


@pytest.fixture(scope="module")
def blackhole_llm():
    """An 'LLM endpoint' that accepts connections and never answers: a question sent to a replica
    configured with it stays in that replica's engine until the replica is killed."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}/v1"
    sock.close()


@pytest.fixture(scope="module")
def cluster(bot_index, redis_server, blackhole_llm, tmp_path_factory):
    import redis

    redis.Redis.from_url(redis_server).flushdb()
    ports = [free_port(), free_port()]
    proxy = RoundRobinProxy([f"http://127.0.0.1:{p}" for p in ports]).start()
    api = FakeBotAPI(TOKEN, deliver_webhooks=True, redeliver_after=0.3).start()
    workdir = tmp_path_factory.mktemp("replicas")
    common = dict(WEBHOOK_URL=proxy.url("/telegram/hook"), WEBHOOK_LISTEN="127.0.0.1", WEBHOOK_SECRET=SECRET,
                  TELEGRAM_BASE_FILE_URL=api.base_file_url,
                  REDIS_URL=redis_server, REDIS_PREFIX="replicas", UPDATE_LEASE_SECONDS=2,
                  RATE_LIMIT_PER_MINUTE=1000, LOG_LEVEL="INFO")   # hits recorded, never limiting
    # Replica A's LLM never answers, so the kill test can catch it in the middle of updates.
    (workdir / "a").mkdir()
    (workdir / "b").mkdir()
    replica_a = BotProcess(api, bot_index, workdir / "a", WEBHOOK_PORT=ports[A], LLM_MODEL="stuck",
                           LLM_BASE_URL=blackhole_llm, LLM_API_KEY="none", LLM_TIMEOUT=300, **common)
    replica_b = BotProcess(api, bot_index, workdir / "b", WEBHOOK_PORT=ports[B], **common)
    replica_a.start(ready_method="setWebhook")
    _wait_serving(replica_a)
    mark = api.mark()
    replica_b.start(ready_method="getMe")
    _wait_serving(replica_b)
    yield api, proxy, replica_a, replica_b, mark
    for replica in (replica_a, replica_b):
        replica.stop()
    api.stop()
    proxy.stop()


def _via(proxy, backend: int):
    proxy.pin(backend)


def test_only_one_replica_registers_the_webhook(cluster):
    api, proxy, replica_a, replica_b, mark_b = cluster
    assert len(api.calls_to("setWebhook")) == 1
    assert api.webhook["secret_token"] == SECRET
    time.sleep(1)
    assert not api.calls_to("setWebhook", after=mark_b) and not api.calls_to("setMyCommands", after=mark_b)
    assert "already registered by another replica" in replica_b.log_text()


def test_language_set_on_one_replica_holds_on_the_other_and_forget_reaches_both(cluster):
    api, proxy, *_ = cluster
    user = 901
    _via(proxy, A)
    mark = api.mark()
    api.send_command(user, "/lang")
    picker = api.wait_for("sendMessage", chat_id=user, after=mark)
    api.press(user, picker, "l:en")
    api.wait_for("editMessageText", after=mark, predicate=lambda c: c.get("chat_id") == user)

    _via(proxy, B)
    mark = api.mark()
    api.send_text(user, QUESTION)                       # Chinese question, English chosen on A
    answer = api.wait_for("sendMessage", chat_id=user, after=mark)
    assert detect_language(answer.text) == "en" and "Legal basis" in answer.text

    mark = api.mark()
    api.send_command(user, "/forget")
    confirm = api.wait_for("sendMessage", chat_id=user, after=mark)
    api.press(user, confirm, "fg:y")
    api.wait_for("editMessageText", after=mark, predicate=lambda c: c.get("chat_id") == user)

    _via(proxy, A)
    mark = api.mark()
    api.send_command(user, "/help")                     # A no longer knows the English choice
    help_reply = api.wait_for("sendMessage", chat_id=user, after=mark)
    assert detect_language(help_reply.text) == "zh-Hans"


def test_form_started_on_one_replica_continues_on_the_other(cluster):
    api, proxy, *_ = cluster
    user = 902
    _via(proxy, A)
    mark = api.mark()
    api.send_command(user, "/script")
    first_prompt = api.wait_for("sendMessage", chat_id=user, after=mark)

    _via(proxy, B)
    mark = api.mark()
    api.send_text(user, "中信银行")
    second_prompt = api.wait_for("sendMessage", chat_id=user, after=mark)
    assert second_prompt.text != first_prompt.text and "法律依据" not in second_prompt.text

    _via(proxy, A)
    mark = api.mark()
    api.send_command(user, "/cancel")
    cancelled = api.wait_for("sendMessage", chat_id=user, after=mark)
    assert "已退出" in cancelled.text                    # A saw the form B advanced


def _redis_keys_of(redis_url: str, user: int) -> list[bytes]:
    """Every key in Redis that belongs to the user: state (id in the key) and log (hashed id)."""
    import redis

    from bot.evidence.log_store import user_key

    client = redis.Redis.from_url(redis_url)
    try:
        return [k for k in client.keys("replicas:*")
                if k.split(b":")[2:3] == [str(user).encode()] or user_key(str(user)).encode() in k]
    finally:
        client.close()


def test_harassment_log_is_shared_and_forget_deletes_it_everywhere(cluster, redis_server):
    api, proxy, *_ = cluster
    user = 903
    _via(proxy, A)
    mark = api.mark()
    api.send_command(user, "/log\n时间：昨晚11点\n号码：10690000\n方式：电话\n内容：打电话骂我老赖")
    api.wait_for("sendMessage", chat_id=user, after=mark, predicate=lambda c: "共 1 条" in c.text)

    _via(proxy, B)
    mark = api.mark()
    api.send_command(user, "/log\n时间：前天上午9点\n号码：10690001\n方式：短信\n内容：再不还钱就找你家人")
    api.wait_for("sendMessage", chat_id=user, after=mark, predicate=lambda c: "共 2 条" in c.text)
    assert _redis_keys_of(redis_server, user)

    _forget_and_wait(api, redis_server, user)
    assert _redis_keys_of(redis_server, user) == []   # state, forms, rate-limit hits, log: all gone

    _via(proxy, A)
    mark = api.mark()
    api.send_command(user, "/log list")
    listing = api.wait_for("sendMessage", chat_id=user, after=mark)
    assert "共 2 条" not in listing.text and "共 1 条" not in listing.text


def _forget_and_wait(api, redis_url: str, user: int) -> None:
    """/forget, confirmed; then wait until the user's keys are gone (the state is written when the
    update's work ends), at most 10 s."""
    mark = api.mark()
    api.send_command(user, "/forget")
    confirm = api.wait_for("sendMessage", chat_id=user, after=mark)
    api.press(user, confirm, "fg:y")
    api.wait_for("editMessageText", after=mark, predicate=lambda c: c.get("chat_id") == user)
    deadline = time.monotonic() + 10
    while _redis_keys_of(redis_url, user) and time.monotonic() < deadline:
        time.sleep(0.1)


def _redis_call(redis_url: str, use):
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        return use(client)
    finally:
        client.close()


def _json_at(redis_url: str, key: str) -> dict:
    raw = _redis_call(redis_url, lambda client: client.get(key))
    return json.loads(raw) if raw else {}


def _stored_state(redis_url: str, user: int) -> dict:
    return _json_at(redis_url, f"replicas:user:{user}")


def _pending(redis_url: str, user: int) -> dict:
    """The screenshot results waiting for their buttons (their own key, not the user's state)."""
    return _json_at(redis_url, pending_key("replicas", user))


def _ttl(redis_url: str, key: str) -> int:
    return _redis_call(redis_url, lambda client: client.ttl(key))


def _screenshot_reply(api, user: int):
    if screens.cjk_font_path() is None:
        pytest.skip("no CJK font installed: apt-get install fonts-noto-cjk (make test installs it)")
    mark = api.mark()
    api.send_photo(user, screens.to_bytes(screens.THREAT_SMS))
    return api.wait_for("sendMessage", chat_id=user, after=mark, timeout=120,
                        predicate=lambda c: "识别出的文字" in c.text)


def _log_button(reply) -> str:
    """The "add to log" button's data under a screenshot's reply."""
    return next(b["callback_data"] for b in reply.buttons if b["callback_data"].startswith("ev:a:"))


def test_screenshot_read_on_one_replica_is_logged_from_the_other(cluster, redis_server):
    api, proxy, *_ = cluster
    user = 904
    _via(proxy, A)
    reply = _screenshot_reply(api, user)
    add = _log_button(reply)
    waiting = _pending(redis_server, user)
    assert list(waiting) == [add.split(":")[-1]] and set(waiting.popitem()[1]) == {"text", "file_id", "findings", "at"}
    assert "screenshots" not in _stored_state(redis_server, user).get("user_data", {})   # not kept for retention
    assert 0 < _ttl(redis_server, pending_key("replicas", user)) <= PENDING_SECONDS

    _via(proxy, B)                                      # B never saw the screenshot
    mark = api.mark()
    api.press(user, reply, add)
    added = api.wait_for("sendMessage", chat_id=user, after=mark, predicate=lambda c: "已加入记录" in c.text)
    assert "共 1 条" in added.text
    assert _pending(redis_server, user) == {}

    _via(proxy, A)                                      # pressed again: logged once only
    mark = api.mark()
    api.press(user, reply, add)
    api.wait_for("sendMessage", chat_id=user, after=mark, predicate=lambda c: "已过期" in c.text)

    _screenshot_reply(api, user)                        # another one waits; /forget removes it too
    assert _pending(redis_server, user)
    _forget_and_wait(api, redis_server, user)
    assert _redis_keys_of(redis_server, user) == []


def test_screenshot_recipient_button_works_on_the_other_replica(cluster, redis_server):
    """The recipient button under a screenshot needs nothing of the first reading: the replica that gets
    the press fetches the photo again by the replied-to message's file id and stores only the role."""
    api, proxy, *_ = cluster
    user = 910
    _via(proxy, A)
    reply = _screenshot_reply(api, user)
    first = _log_button(reply).split(":")[-1]
    _via(proxy, B)
    mark = api.mark()
    api.press(user, reply, f"rc:relative@{user}")
    again = api.wait_for("sendMessage", chat_id=user, after=mark, timeout=120,
                         predicate=lambda c: "识别出的文字" in c.text)
    assert "借款人的家人收到的" in again.text and "向他人泄露" in again.text
    assert api.calls_to("getFile", after=mark)
    waiting = _pending(redis_server, user)
    assert first not in waiting and len(waiting) == 1               # the first reading was replaced
    deadline = time.monotonic() + 10                                # written when the update's work ends
    while '"recipient": "relative"' not in (stored := json.dumps(_stored_state(redis_server, user), ensure_ascii=False)):
        assert time.monotonic() < deadline, stored
        time.sleep(0.1)
    assert "识别" not in stored and "威胁" not in stored and "10690000" not in stored
    _forget_and_wait(api, redis_server, user)


def test_stats_counts_the_users_stored_in_redis(cluster, redis_server):
    import redis

    api, proxy, *_ = cluster
    for user, replica in ((905, A), (906, B)):          # each known to one replica only
        _via(proxy, replica)
        mark = api.mark()
        api.send_command(user, "/lang")
        picker = api.wait_for("sendMessage", chat_id=user, after=mark)
        api.press(user, picker, "l:en")
        api.wait_for("editMessageText", after=mark, predicate=lambda c, user=user: c.get("chat_id") == user)
    time.sleep(0.5)                                     # saved when the update's work ends
    client = redis.Redis.from_url(redis_server)
    try:
        stored = {int(k.split(b":")[2]) for k in client.keys("replicas:user:*") if not k.endswith(b":lock")}
    finally:
        client.close()
    assert {905, 906} <= stored

    _via(proxy, B)
    mark = api.mark()
    api.send_command(ADMIN_ID, "/stats")
    stats = api.wait_for("sendMessage", chat_id=ADMIN_ID, after=mark)
    assert int(re.search(r"已保存用户：(\d+)", stats.text).group(1)) == len(stored)


def test_killing_a_replica_mid_update_loses_nothing_and_answers_once(cluster):
    api, proxy, replica_a, replica_b, _ = cluster
    users = list(range(950, 960))
    _via(proxy, None)                                   # round robin: half of them land on A
    mark = api.mark()
    for user in users:
        api.send_text(user, QUESTION)
    # A's answers wait on its LLM; once it shows "typing" for one, it is in the middle of updates.
    api.wait_for("sendChatAction", after=mark, timeout=60)
    replica_a.proc.send_signal(signal.SIGKILL)
    replica_a.proc.wait(10)
    for user in users:
        api.wait_for("sendMessage", chat_id=user, after=mark, timeout=90)
    time.sleep(3)                                       # a duplicate would arrive now
    for user in users:
        assert len(api.calls_to("sendMessage", chat_id=user, after=mark)) == 1, user
    lost_on_a = [status for backend, status in proxy.handled if backend == A and status == 502]
    assert lost_on_a, "no update was caught on the killed replica"
    assert api.deliveries["failed"] >= len(lost_on_a)
    assert not api.errors and not api.unknown


def test_injected_429s_lose_no_reply(bot_index, tmp_path):
    """A polling replica against a server refusing 20% of sendMessage with 429 retry_after."""
    with FakeBotAPI(TOKEN, inject_429=0.2, retry_after=1, seed=3) as api:
        bot = BotProcess(api, bot_index, tmp_path, RATE_LIMIT_PER_MINUTE=0).start()
        try:
            mark = api.mark()
            users = list(range(970, 985))
            for user in users:
                api.send_command(user, "/help")
                api.send_text(user, QUESTION)
            for user in users:
                deadline = time.monotonic() + 90
                while len(api.calls_to("sendMessage", chat_id=user, after=mark)) < 2:
                    assert time.monotonic() < deadline, f"user {user} lost a reply"
                    time.sleep(0.2)
            time.sleep(2)
            assert all(len(api.calls_to("sendMessage", chat_id=u, after=mark)) == 2 for u in users)
            assert api.throttled, "no 429 was injected"
            assert not api.errors
        finally:
            assert bot.stop() == 0
