"""Retrieval benchmark: Recall@5 of the embedders, BM25-jieba and their fusion on Chinese questions.

    python -m benchmarks.retrieval_bench [--backend use] [--model NAME_OR_PATH] [--k 5]

Questions: tests/eval/questions.yaml, those in zh-Hans/zh-Hant that expect an answer and have gold
articles (a hit = any gold article in the top k). Two pools: regulation chunks only (measures the
retriever on the law itself) and all chunks (a card counts as a hit when it cites a gold article).
Fusion is reciprocal-rank fusion (k=60) of the dense and BM25 top-50 lists.
Builds its own index in a temp DATA_DIR (embedding cache in .pytest_cache is reused).
Figures go to benchmarks/results/retrieval_bench.json.
"""
from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = ROOT / "tests" / "eval" / "questions.yaml"
RESULTS = ROOT / "benchmarks" / "results" / "retrieval_bench.json"
RRF_K = 60
POOL = 50


def load_questions() -> list[dict]:
    rows = yaml.safe_load(QUESTIONS.read_text(encoding="utf-8"))
    return [q for q in rows if q.get("expect") == "answer" and q.get("gold") and q["lang"] in ("zh-Hans", "zh-Hant")]


def articles_of(hit) -> set[tuple[str, str]]:
    from ingest.numerals import canonical_article

    meta = hit.metadata
    if meta["source"] == "regulation":
        return {(meta["doc_id"], meta["article"])}
    if meta["source"] == "card":
        return {(c["doc"], canonical_article(c["article"])) for c in json.loads(meta["cites"])}
    return set()


def rrf(*ranked: list[str]) -> list[str]:
    scores: dict[str, float] = {}
    for ids in ranked:
        for rank, cid in enumerate(ids):
            scores[cid] = scores.get(cid, 0.0) + 1.0 / (RRF_K + rank + 1)
    return sorted(scores, key=scores.get, reverse=True)


def evaluate(index, questions: list[dict], k: int, sources: set[str]) -> dict[str, float]:
    from ingest.numerals import canonical_article

    hits = {"dense": 0, "bm25": 0, "fused": 0}
    where = {"source": "regulation"} if sources == {"regulation"} else None
    for q in questions:
        gold = {(g["doc"], canonical_article(g["article"])) for g in q["gold"]}
        dense = [h.chunk_id for h in index.dense(q["question"], POOL, where=where)]
        bm25 = [h.chunk_id for h in index.keyword(q["question"], POOL * 4)
                if h.metadata["source"] in sources][:POOL]
        for name, ids in (("dense", dense), ("bm25", bm25), ("fused", rrf(dense, bm25))):
            if any(articles_of(index.get(cid)) & gold for cid in ids[:k]):
                hits[name] += 1
    return {name: round(n / len(questions), 3) for name, n in hits.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backend", default="use", choices=["use", "sentence-transformers"])
    parser.add_argument("--model", default="BAAI/bge-small-zh-v1.5")
    parser.add_argument("--k", type=int, default=5)
    args = parser.parse_args(argv)

    from bot.config import Settings
    from ingest.build import build_index
    from ingest.reader import open_index

    questions = load_questions()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(_env_file=None, knowledge_dir=ROOT / "knowledge", data_dir=Path(tmp),
                            embedding_backend=args.backend, embedding_model=args.model,
                            embedding_cache=ROOT / ".pytest_cache" / "zhiquan-embedding-cache.sqlite")
        report = build_index(settings, progress=True)
        index = open_index(settings)
        started = time.perf_counter()
        result = {
            "model_id": report.model_id, "questions": len(questions), "k": args.k,
            "regulations_only": evaluate(index, questions, args.k, {"regulation"}),
            "all_chunks": evaluate(index, questions, args.k, {"regulation", "card", "guidance"}),
            "seconds": round(time.perf_counter() - started, 1),
        }
    print(json.dumps(result, ensure_ascii=False, indent=2))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    previous = json.loads(RESULTS.read_text(encoding="utf-8")) if RESULTS.exists() else {}
    previous[result["model_id"]] = result
    RESULTS.write_text(json.dumps(previous, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
