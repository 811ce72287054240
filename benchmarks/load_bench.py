"""Load benchmark for the Telegram front end: simulated users against the real bot process.

    python -m benchmarks.load_bench [--users 50] [--messages 10]

Starts the fake Bot API server (tests/telegram/fake_bot_api.py) and the real
`python -m bot` process on the index in DATA_DIR (build it first: `python -m ingest`).
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
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from tests.support.fake_bot_api import FakeBotAPI

ROOT = Path(__file__).resolve().parents[1]

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


def start_bot(api: FakeBotAPI, workdir: Path, data_dir: str) -> tuple[subprocess.Popen, Path]:
    log_path = workdir / "bot.log"
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_BASE_URL": api.base_url,
           "DATA_DIR": data_dir, "PERSISTENCE_PATH": str(workdir / "state.pickle"), "WEBHOOK_URL": "",
           "RATE_LIMIT_PER_MINUTE": "0", "LOG_LEVEL": "WARNING"}
    mark = api.mark()
    proc = subprocess.Popen([sys.executable, "-m", "bot"], cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                            stdout=open(log_path, "w"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 180
    while True:
        try:
            api.wait_for("getUpdates", after=mark, timeout=1)
            return proc, log_path
        except TimeoutError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise SystemExit(f"the bot did not start:\n{log_path.read_text()[-2000:]}") from None


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


def run(users: int, messages: int, data_dir: str, reply_timeout: float) -> dict:
    with FakeBotAPI(TOKEN, long_poll_cap=10) as api, tempfile.TemporaryDirectory() as tmp:
        proc, log_path = start_bot(api, Path(tmp), data_dir)
        try:
            _, rss_idle = peak_rss_mb(proc.pid)
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
            rss_now, rss_peak = peak_rss_mb(proc.pid)
            replies = {uid: api.calls_to("sendMessage", chat_id=uid) for uid in plan}
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(60)
        latencies = [lat for t in threads for lat in t.latencies]
        sent = users * messages
        answered = len(latencies)
        duplicated = sum(t.duplicates(replies[t.user_id]) for t in threads)
        return {
            "users": users, "messages_per_user": messages, "sent": sent, "answered": answered,
            "lost": sum(t.lost for t in threads), "duplicated": duplicated,
            "reply_messages": sum(len(m) for m in replies.values()),
            "unknown_methods": len(api.unknown), "rejected_requests": len(api.errors),
            "updates_left_unconfirmed": api.pending_updates,
            "wall_seconds": round(wall, 1), "throughput_per_s": round(answered / wall, 2),
            "latency_p50_s": round(percentile(latencies, 50), 3) if latencies else None,
            "latency_p95_s": round(percentile(latencies, 95), 3) if latencies else None,
            "latency_max_s": round(max(latencies), 3) if latencies else None,
            "latency_mean_s": round(statistics.fmean(latencies), 3) if latencies else None,
            "rss_after_start_mib": round(rss_idle, 1), "rss_end_mib": round(rss_now, 1),
            "rss_peak_mib": round(rss_peak, 1), "exit_code": proc.returncode,
            "errors_logged": log_path.read_text().count(" ERROR "),
        }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--messages", type=int, default=10)
    parser.add_argument("--reply-timeout", type=float, default=300.0)
    parser.add_argument("--data-dir", default=os.environ.get("DATA_DIR", str(ROOT / "data")))
    parser.add_argument("--output", default=str(ROOT / "benchmarks" / "results" / "load_bench.json"))
    args = parser.parse_args(argv)
    if not (Path(args.data_dir) / "CURRENT").exists():
        print(f"No index in {args.data_dir}: build it first with `python -m ingest`.", file=sys.stderr)
        return 2
    result = run(args.users, args.messages, args.data_dir, args.reply_timeout)
    result["cpu_count"] = os.cpu_count()
    for key, value in result.items():
        print(f"{key:>28}: {value}")
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(json.dumps(result, indent=2) + "\n")
    ok = (result["answered"] == result["sent"] and result["lost"] == 0 and result["duplicated"] == 0
          and result["unknown_methods"] == 0 and result["rejected_requests"] == 0)
    print("OK: every message answered exactly once" if ok else "FAILED: see the figures above")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
