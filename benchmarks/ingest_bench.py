"""Ingest benchmark: cold full build, warm no-change rebuild, chunks/second, peak memory.

    python -m benchmarks.ingest_bench

Runs `python -m ingest` as a subprocess (what a user runs) on the real knowledge/ into a fresh
temporary DATA_DIR with an empty embedding cache (cold), then again with nothing changed (warm),
then `--force` (rebuild everything from the cache: re-chunk, BM25, Chroma write, no embedding).
Peak memory is the largest child RSS (resource.getrusage(RUSAGE_CHILDREN).ru_maxrss).
Figures go to benchmarks/results/ingest_bench.json. Not a test: numbers depend on the machine.
"""
from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "ingest_bench.json"


def _run(data_dir: Path, *extra: str) -> tuple[float, str]:
    cmd = [sys.executable, "-m", "ingest", "--quiet", "--knowledge-dir", str(ROOT / "knowledge"),
           "--data-dir", str(data_dir), *extra]
    env = {k: v for k, v in os.environ.items() if k not in ("EMBEDDING_CACHE", "CHROMA_MODE")}
    started = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"ingest failed ({done.returncode}):\n{done.stderr}")
    return seconds, done.stdout.strip().splitlines()[-1]


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "data"
        cold, cold_line = _run(data_dir)
        warm, warm_line = _run(data_dir)
        forced, forced_line = _run(data_dir, "--force")
        manifest_dir = data_dir / json.loads((data_dir / "CURRENT").read_text())["index_dir"]
        manifest = json.loads((manifest_dir / "manifest.json").read_text())
    chunks = manifest["totals"]["chunks"]
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024   # KiB on Linux
    result = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, load avg {os.getloadavg()[0]:.1f} at end",
        "embedding_model": manifest["embedding"]["model_id"],
        "chunks": chunks,
        "cold_build_s": round(cold, 1),
        "warm_no_change_s": round(warm, 1),
        "forced_rebuild_from_cache_s": round(forced, 1),
        "cold_chunks_per_s": round(chunks / cold, 1),
        "peak_rss_mb": round(peak_mb),
        "summaries": {"cold": cold_line, "warm": warm_line, "forced": forced_line},
    }
    print(json.dumps(result, ensure_ascii=False, indent=2))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
