"""Cost of the shared per-user state: lock, load and save of one user's JSON in Redis per update.

    python -m benchmarks.state_bench [--redis-url redis://127.0.0.1:6379/0] [--updates 500]

Starts its own redis-server on a free port unless --redis-url is given. The state is a realistic
full one (six turns of history, ten answers' follow-ups, an open form, rate-limit hits).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path

from redis.asyncio import Redis

from benchmarks.load_bench import start_redis
from bot.shared_state import codec
from bot.shared_state.userstate import RedisUserStateStore

RESULTS = Path(__file__).resolve().parent / "results" / "state_bench.json"


def full_state() -> dict:
    turn = {"question": "催收打我妈电话合法吗？他们说要上门", "answer_topic": "contact-rights", "intent": "contact_rights"}
    return {"user_data": {"lang": "en", "seen": time.time(), "history": [turn] * 6, "seq": 10,
                          "answers": {i: ["那如果他们上门呢？"] * 3 for i in range(10)},
                          "wizard": {"name": "script", "lang": "en", "state": {"bank": "中信银行", "step": 2}}},
            "conversations": {"tools": [[[1, 1], 1]]}, "rate": [time.time()] * 5}


async def measure(url: str, updates: int) -> dict:
    client = Redis.from_url(url, decode_responses=True)
    store = RedisUserStateStore(client, "bench", retention_days=30)
    state, times = full_state(), []
    try:
        for i in range(updates):
            started = time.perf_counter()
            async with store.lock(i % 50):
                await store.load(i % 50)
                await store.save(i % 50, state)
            times.append((time.perf_counter() - started) * 1000)
    finally:
        await client.aclose()
    times.sort()
    return {"updates": updates, "state_bytes": len(codec.dumps(state).encode()),
            "p50_ms": round(times[len(times) // 2], 2), "p95_ms": round(times[int(len(times) * 0.95)], 2)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--redis-url")
    parser.add_argument("--updates", type=int, default=500)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        proc = None
        url = args.redis_url
        if url is None:
            proc, url = start_redis(Path(tmp))
        try:
            result = asyncio.run(measure(url, args.updates))
        finally:
            if proc is not None:
                proc.terminate()
                proc.wait(10)
    print(f"lock + load + save per update: p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms "
          f"({result['state_bytes']} bytes of state)")
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
