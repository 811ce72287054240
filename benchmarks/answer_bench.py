"""Answer benchmark (offline composer): engine start-up time, resident memory, answer latency.

    python -m benchmarks.answer_bench [--rounds 2]

Uses the index in DATA_DIR (`make index`). Start-up is `Engine.from_settings` (what a question may not
need is loaded on first use); the first answer, timed apart, pays that loading. Every question of tests/eval/questions.yaml is answered
`rounds` times with the query-embedding memo cleared, so each answer pays its own embedding.
Figures go to benchmarks/results/answer_bench.json. Not a timed test: figures, not assertions.
"""
from __future__ import annotations

import argparse
import json
import platform
import resource
import statistics
import time
from pathlib import Path

from bot.eval import load_questions

FIRST_QUESTION = "催收公司打电话给我的紧急联系人，这合法吗？"
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.answer_bench", description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
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
    result = {
        "questions": len(questions), "rounds": args.rounds, "startup_s": round(startup, 2),
        "first_answer_s": round(first_answer, 2),
        "rss_mb_before": round(before, 1), "rss_mb_after": round(rss_mb(), 1),
        "p50_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(latencies[int(0.95 * (len(latencies) - 1))], 1),
        "mean_ms": round(statistics.fmean(latencies), 1), "max_ms": round(latencies[-1], 1),
        "machine": f"{platform.machine()} {platform.processor() or ''} cpus={__import__('os').cpu_count()}".strip(),
        "embedding": engine.index.manifest.get("embedding", {}).get("model_id"),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"engine start-up {result['startup_s']} s, first answer {result['first_answer_s']} s; "
          f"resident memory {result['rss_mb_after']} MB "
          f"(process before loading {result['rss_mb_before']} MB)")
    print(f"{len(latencies)} answers: p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms, "
          f"mean {result['mean_ms']} ms, max {result['max_ms']} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
