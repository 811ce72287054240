"""OCR benchmark: generated phone screenshots (SMS, WeChat light/dark, Traditional, rotated and
blurred JPEGs) read by the bot's screenshot pipeline.

Measures character accuracy of the recognised messages against the true text, whether the
checker's findings on the OCR text equal those on the true text, time per image (p50, after the
engine is loaded) and the process's peak RSS with the OCR engine loaded.
Writes benchmarks/results/ocr_bench.json. Run: python benchmarks/ocr_bench.py
"""
from __future__ import annotations

import json
import resource
import statistics
import sys
import time
from pathlib import Path

from bot.evidence import ocr
from bot.evidence.screenshot import read_screenshot
from tests.support import screens  # the screenshot generator shared with the tests

ROOT = Path(__file__).resolve().parents[1]
from bot.tools.checker import check_message  # noqa: E402
from ingest.corpus import load_corpus  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "ocr_bench.json"


def edit_distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def accuracy(found: str, truth: str) -> float:
    found, truth = "".join(found.split()), "".join(truth.split())
    return max(0.0, 1 - edit_distance(found, truth) / max(len(truth), 1))


def main() -> int:
    if screens.cjk_font_path() is None:
        print("no CJK font: apt-get install fonts-noto-cjk", file=sys.stderr)
        return 2
    corpus = load_corpus(ROOT / "knowledge")
    started = time.perf_counter()
    ocr.get_engine()
    load_seconds = time.perf_counter() - started
    rows = []
    for screen in screens.corpus_screens():
        data = screens.to_bytes(screen)
        started = time.perf_counter()
        report = read_screenshot(data, corpus)
        seconds = time.perf_counter() - started
        truth_codes = set().union(*(check_message(t, corpus).codes for side, t in screen.messages if side != "time"))
        rows.append({"name": screen.name, "style": screen.style, "script": screen.script, "jpeg": screen.jpeg,
                     "bytes": len(data), "seconds": round(seconds, 3),
                     "char_accuracy": round(accuracy(report.text, screen.true_text), 4),
                     "findings_ocr": sorted(report.codes), "findings_truth": sorted(truth_codes),
                     "findings_equal": report.codes == truth_codes})
        print(f"{screen.name:28s} acc={rows[-1]['char_accuracy']:.3f} {seconds:5.2f}s "
              f"equal={rows[-1]['findings_equal']}", flush=True)
    times = [r["seconds"] for r in rows]
    summary = {
        "images": len(rows),
        "char_accuracy_mean": round(statistics.mean(r["char_accuracy"] for r in rows), 4),
        "char_accuracy_min": min(r["char_accuracy"] for r in rows),
        "findings_equal": sum(r["findings_equal"] for r in rows),
        "p50_seconds": round(statistics.median(times), 3),
        "max_seconds": max(times),
        "engine_load_seconds": round(load_seconds, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "config": {k: v for k, v in ocr.ENGINE_PARAMS.items()},
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"summary": summary, "images": rows}, ensure_ascii=False, indent=2) + "\n",
                       encoding="utf-8")
    print(json.dumps(summary, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
