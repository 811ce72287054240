"""Answer benchmark (offline composer): one-off `python -m bot ask`, engine start-up time, resident memory,
answer latency.

    python -m benchmarks.answer_bench [--rounds 2] [--oneoff-runs 3]

Uses the index in DATA_DIR (`make index`). First `python -m bot ask` is run as a subprocess, the way a
user runs it: one unmeasured run (it writes what later runs read: jieba's dictionary cache, the
embedder's stored copy), then `oneoff-runs` timed ones; the median wall time and the median CPU time
(user + system; on a shared machine the wall time also counts waiting for a core) are reported.
Start-up is `Engine.from_settings` (what a question may not need is loaded on first use); the first
answer, timed apart, pays that loading. Every question of tests/eval/questions.yaml is answered
`rounds` times with the query-embedding memo cleared, so each answer pays its own embedding.
Figures go to benchmarks/results/answer_bench.json. Not a timed test: figures, not assertions.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bot.eval import load_questions

FIRST_QUESTION = "催收公司打电话给我的紧急联系人，这合法吗？"
CHECKED_MESSAGE = "再不还钱就让你全家都知道，明天上门找你"
ONE_OFF_QUESTION = "信用卡逾期会坐牢吗"
ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).resolve().parent / "results" / "answer_bench.json"


def rss_mb() -> float:
    """Current resident memory (Linux /proc), else the peak from getrusage."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def one_off_ask(runs: int) -> tuple[float, float]:
    """Median wall and CPU seconds of `python -m bot ask ONE_OFF_QUESTION` in a fresh process."""
    command = [sys.executable, "-m", "bot", "ask", ONE_OFF_QUESTION]
    env = {**os.environ, "LLM_MODEL": ""}     # the offline composer, as everywhere in this benchmark
    subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True)    # writes the caches
    walls, cpus = [], []
    for _ in range(runs):
        cpu, started = children_cpu_s(), time.perf_counter()
        subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True)
        walls.append(time.perf_counter() - started)
        cpus.append(children_cpu_s() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.answer_bench", description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--oneoff-runs", type=int, default=3)
    args = parser.parse_args(argv)
    oneoff_wall, oneoff_cpu = one_off_ask(args.oneoff_runs)
    from bot.config import get_settings
    from bot.engine import Engine

    settings = get_settings().model_copy(update={"llm_model": None})
    before = rss_mb()
    started = time.perf_counter()
    engine = Engine.from_settings(settings)
    startup = time.perf_counter() - started
    questions = [q["question"] for q in load_questions()]
    # The first topical question loads what start-up leaves for later (model, Chroma, jieba):
    # start-up + this is what a one-off `python -m bot ask` costs beyond importing.
    started = time.perf_counter()
    engine.answer(FIRST_QUESTION)
    first_answer = time.perf_counter() - started
    latencies = []
    for _ in range(args.rounds):
        for question in questions:
            engine.embeddings.clear()
            t0 = time.perf_counter()
            engine.answer(question)
            latencies.append((time.perf_counter() - t0) * 1000)
    latencies.sort()
    answered_rss = rss_mb()
    # The Telegram bot also checks collectors' messages: the checker's model embeds clauses with the
    # engine's embedder (one copy per process), so this should add little.
    from bot.tools.checker import check_message

    check_message(CHECKED_MESSAGE, engine.corpus)
    result = {
        "oneoff_ask_runs": args.oneoff_runs, "oneoff_ask_s": round(oneoff_wall, 2),
        "oneoff_ask_cpu_s": round(oneoff_cpu, 2),
        "questions": len(questions), "rounds": args.rounds, "startup_s": round(startup, 2),
        "first_answer_s": round(first_answer, 2),
        "rss_mb_before": round(before, 1), "rss_mb_after": round(answered_rss, 1),
        "rss_mb_after_check": round(rss_mb(), 1),
        "p50_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(latencies[int(0.95 * (len(latencies) - 1))], 1),
        "mean_ms": round(statistics.fmean(latencies), 1), "max_ms": round(latencies[-1], 1),
        "machine": f"{platform.machine()} {platform.processor() or ''} cpus={__import__('os').cpu_count()}".strip(),
        "embedding": engine.index.manifest.get("embedding", {}).get("model_id"),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"one-off `python -m bot ask`: {result['oneoff_ask_s']} s wall, {result['oneoff_ask_cpu_s']} s CPU "
          f"(median of {args.oneoff_runs})")
    print(f"engine start-up {result['startup_s']} s, first answer {result['first_answer_s']} s; "
          f"resident memory {result['rss_mb_after']} MB "
          f"(process before loading {result['rss_mb_before']} MB), "
          f"{result['rss_mb_after_check']} MB after checking a message")
    print(f"{len(latencies)} answers: p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms, "
          f"mean {result['mean_ms']} ms, max {result['max_ms']} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
