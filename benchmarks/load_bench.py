"""Load benchmark for the Telegram front end: simulated users against the real bot process.

    python -m benchmarks.load_bench [--users 50] [--messages 10] [--replicas 1]

Starts the fake Bot API server (tests/support/fake_bot_api.py) with Telegram's flood limit
(30 messages/s; `--inject-429 0.05` also refuses 5 % of sendMessage calls with 429), and the real
`python -m bot` on the index in DATA_DIR (build it first: `python -m ingest`): one polling
process, or with `--replicas N` N webhook replicas sharing a real redis-server behind a
round-robin proxy, each allowed 29/N calls per second.
Each simulated user sends its messages one after another, waiting for each reply,
as a person would; all users run at once. Checks every message is answered exactly
once (nothing lost, nothing duplicated) and prints reply latency percentiles and the
bot process's peak memory (VmHWM). Figures go to benchmarks/results/load_bench.json.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from tests.support.fake_bot_api import FakeBotAPI
from tests.support.round_robin_proxy import RoundRobinProxy

ROOT = Path(__file__).resolve().parents[1]

FLOOD_LIMIT = 30        # messages per second, Telegram's limit per bot
CALLS_PER_SECOND = 29   # the bot's own limiter (TELEGRAM_CALLS_PER_SECOND default), shared by the replicas

TOKEN = "424242:BENCHtokenAAbbCCddEEffGGhhIIjjKKllMM"
QUESTIONS = [
    "催收打电话给我的紧急联系人合法吗？",
    "我是紧急联系人，需要替朋友还钱吗？",
    "催收说要上门找我，可以吗？",
    "信用卡逾期会坐牢吗？",
    "催收半夜打电话怎么办？",
    "催收把我欠钱的事告诉了我同事，违法吗？",
    "怎么投诉催收？",
    "可以跟银行协商个性化分期吗？",
    "逾期会影响征信多久？",
    "催收說要起訴我，我該怎麼辦？",
    "Can a debt collector call my employer?",
    "催收冒充警察说要抓我，怎么办？",
    "民法典第一千零三十三条是什么？",
    "老公欠的信用卡我要还吗？",
    "催收让我把钱转到私人账户，可以吗？",
    "那如果他们继续打呢？",
]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def peak_rss_mb(pid: int) -> tuple[float, float]:
    """(current RSS, peak RSS) of a process in MiB, from /proc."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    to_mb = lambda v: int(v.split()[0]) / 1024  # noqa: E731
    return to_mb(fields["VmRSS"]), to_mb(fields["VmHWM"])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(condition, what: str, proc: subprocess.Popen | None, log_path: Path | None, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if (proc is not None and proc.poll() is not None) or time.monotonic() > deadline:
            if proc is not None:
                proc.kill()
            tail = log_path.read_text()[-2000:] if log_path else ""
            raise SystemExit(f"{what} did not start:\n{tail}")
        time.sleep(0.2)


def start_bot(api: FakeBotAPI, workdir: Path, data_dir: str, name: str = "bot", **extra) -> tuple[subprocess.Popen, Path]:
    log_path = workdir / f"{name}.log"
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_BASE_URL": api.base_url,
           "DATA_DIR": data_dir, "PERSISTENCE_PATH": str(workdir / f"{name}-state.json"), "WEBHOOK_URL": "",
           "RATE_LIMIT_PER_MINUTE": "0", "LOG_LEVEL": "INFO", **{k: str(v) for k, v in extra.items()}}
    mark = api.mark()
    proc = subprocess.Popen([sys.executable, "-m", "bot"], cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                            stdout=open(log_path, "w"), stderr=subprocess.STDOUT)
    if env["WEBHOOK_URL"]:
        _wait(lambda: "starting in webhook mode" in log_path.read_text(), name, proc, log_path)
    else:
        _wait(lambda: api.calls_to("getUpdates", after=mark), name, proc, log_path)
    return proc, log_path


def start_redis(workdir: Path) -> tuple[subprocess.Popen, str]:
    import redis

    port = _free_port()
    proc = subprocess.Popen(["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--dir", str(workdir),
                             "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    url = f"redis://127.0.0.1:{port}/0"

    def up() -> bool:
        try:
            return redis.Redis.from_url(url).ping()
        except redis.ConnectionError:
            return False

    _wait(up, "redis-server", proc, None, 30)
    return proc, url


def start_bots(api: FakeBotAPI, workdir: Path, data_dir: str, replicas: int) -> tuple[list, list]:
    """One polling process, or `replicas` webhook replicas + Redis + proxy. (bots, helpers to stop)."""
    if replicas == 1:
        return [start_bot(api, workdir, data_dir)], []
    redis_proc, redis_url = start_redis(workdir)
    ports = [_free_port() for _ in range(replicas)]
    proxy = RoundRobinProxy([f"http://127.0.0.1:{p}" for p in ports]).start()
    common = {"WEBHOOK_URL": proxy.url("/telegram/hook"), "WEBHOOK_SECRET": "bench-secret",
              "REDIS_URL": redis_url, "TELEGRAM_CALLS_PER_SECOND": CALLS_PER_SECOND / replicas}
    bots = [start_bot(api, workdir, data_dir, f"bot{i}", WEBHOOK_PORT=port, **common) for i, port in enumerate(ports)]
    return bots, [redis_proc, proxy]


class User(threading.Thread):
    """Sends its messages one by one, waiting for each reply (as a person would)."""

    def __init__(self, api: FakeBotAPI, user_id: int, messages: list[str], reply_timeout: float):
        super().__init__(daemon=True)
        self.api, self.user_id, self.messages, self.reply_timeout = api, user_id, messages, reply_timeout
        self.latencies: list[float] = []
        self.sent_at: list[float] = []
        self.lost = 0

    def run(self) -> None:
        for text in self.messages:
            mark = self.api.mark()
            sent = time.monotonic()
            self.sent_at.append(sent)
            self.api.send_text(self.user_id, text)
            try:
                reply = self.api.wait_for("sendMessage", chat_id=self.user_id, after=mark,
                                          timeout=self.reply_timeout)
            except TimeoutError:
                self.lost += 1
                continue
            self.latencies.append(reply.at - sent)
            time.sleep(0.2)   # a reply of several parts arrives before the next question

    def duplicates(self, replies) -> int:
        """Questions whose reply window holds the same message twice (an update handled twice)."""
        bounds = self.sent_at + [float("inf")]
        count = 0
        for start, end in zip(bounds, bounds[1:]):
            texts = [r.params.get("_visible", "") for r in replies if start <= r.at < end]
            count += len(texts) != len(set(texts))
        return count


def run(users: int, messages: int, data_dir: str, reply_timeout: float, replicas: int = 1,
        inject_429: float = 0.0) -> dict:
    with FakeBotAPI(TOKEN, long_poll_cap=10, deliver_webhooks=replicas > 1, flood_limit=FLOOD_LIMIT,
                    inject_429=inject_429) as api, tempfile.TemporaryDirectory() as tmp:
        bots, helpers = start_bots(api, Path(tmp), data_dir, replicas)
        try:
            rss_idle = [peak_rss_mb(proc.pid)[1] for proc, _ in bots]
            plan = {1_000_000 + u: [QUESTIONS[(u + i) % len(QUESTIONS)] for i in range(messages)]
                    for u in range(users)}
            threads = [User(api, uid, texts, reply_timeout) for uid, texts in plan.items()]
            started = time.monotonic()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            wall = time.monotonic() - started
            time.sleep(3)   # anything still arriving now would be a duplicate
            rss = [peak_rss_mb(proc.pid) for proc, _ in bots]
            replies = {uid: api.calls_to("sendMessage", chat_id=uid) for uid in plan}
        finally:
            for proc, _ in bots:
                proc.send_signal(signal.SIGTERM)
            for proc, _ in bots:
                proc.wait(60)
            for helper in helpers:
                if isinstance(helper, subprocess.Popen):
                    helper.terminate()
                    helper.wait(10)
                else:
                    helper.stop()
        latencies = [lat for t in threads for lat in t.latencies]
        sent = users * messages
        answered = len(latencies)
        duplicated = sum(t.duplicates(replies[t.user_id]) for t in threads)
        return {
            "replicas": replicas, "users": users, "messages_per_user": messages, "sent": sent,
            "answered": answered, "lost": sum(t.lost for t in threads), "duplicated": duplicated,
            "reply_messages": sum(len(m) for m in replies.values()),
            "flood_limit_per_s": FLOOD_LIMIT, "injected_429_share": inject_429,
            "throttled_429": len(api.throttled), "webhook_redeliveries": api.deliveries["failed"],
            "typing_actions": len(api.calls_to("sendChatAction")),
            "unknown_methods": len(api.unknown), "rejected_requests": len(api.errors),
            "updates_left_unconfirmed": api.pending_updates,
            "wall_seconds": round(wall, 1), "throughput_per_s": round(answered / wall, 2),
            "throughput_share_of_limit": round(answered / wall / FLOOD_LIMIT, 3),
            "latency_p50_s": round(percentile(latencies, 50), 3) if latencies else None,
            "latency_p95_s": round(percentile(latencies, 95), 3) if latencies else None,
            "latency_max_s": round(max(latencies), 3) if latencies else None,
            "latency_mean_s": round(statistics.fmean(latencies), 3) if latencies else None,
            "rss_after_start_mib": [round(r, 1) for r in rss_idle],
            "rss_end_mib": [round(now, 1) for now, _ in rss], "rss_peak_mib": [round(peak, 1) for _, peak in rss],
            "exit_codes": [proc.returncode for proc, _ in bots],
            "errors_logged": sum(log_path.read_text().count(" ERROR ") for _, log_path in bots),
        }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--messages", type=int, default=10)
    parser.add_argument("--reply-timeout", type=float, default=300.0)
    parser.add_argument("--replicas", type=int, default=1)
    parser.add_argument("--inject-429", type=float, default=0.0,
                        help="share of sendMessage calls refused with 429 retry_after (e.g. 0.05)")
    parser.add_argument("--data-dir", default=os.environ.get("DATA_DIR", str(ROOT / "data")))
    parser.add_argument("--output", default=None, help="default: benchmarks/results/load_bench[_replicasN].json")
    args = parser.parse_args(argv)
    if not (Path(args.data_dir) / "CURRENT").exists():
        print(f"No index in {args.data_dir}: build it first with `python -m ingest`.", file=sys.stderr)
        return 2
    result = run(args.users, args.messages, args.data_dir, args.reply_timeout, args.replicas, args.inject_429)
    result["cpu_count"] = os.cpu_count()
    for key, value in result.items():
        print(f"{key:>28}: {value}")
    suffix = ("" if args.replicas == 1 else f"_replicas{args.replicas}") + ("_429" if args.inject_429 else "")
    output = Path(args.output or ROOT / "benchmarks" / "results" / f"load_bench{suffix}.json")
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(result, indent=2) + "\n")
    ok = (result["answered"] == result["sent"] and result["lost"] == 0 and result["duplicated"] == 0
          and result["unknown_methods"] == 0 and result["rejected_requests"] == 0)
    print("OK: every message answered exactly once" if ok else "FAILED: see the figures above")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
