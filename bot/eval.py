"""Evaluation harness: `python -m bot.eval [--json] [--questions FILE] [--variants bm25,dense,hybrid]`.

For each retrieval variant, side by side in one run:
- Recall@1/5/10 and MRR of gold articles in retrieval (a question counts as recalled at k
  when any of its gold articles is in the top k; retrieved cards contribute the articles they cite),
- share of in-scope questions whose answer cites at least one gold article,
- share of out-of-scope / false-premise / refused / greeting questions handled correctly
  (right intent, no citations),
- answers citing an article missing from the corpus or quoting non-verbatim text (must be 0),
- share answered in the question's language, p50/p95 answer latency,
- quotes ending at a list head's colon (must be 0), share of answers whose citations are all referred
  to in the answer's own text, share of questions asked by a contact, relative or employer
  (`asker` in the question file) answered to that person rather than to the borrower.
Prints a Markdown table (pasted into the README) and engine start-up time and memory.
"""
from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from bot.datafiles import load_yaml
from bot.engine.citation_relevance import all_referred, answer_body
from bot.engine.citations import is_valid
from bot.engine.claim_quotes import ends_at_list_head
from bot.engine.query import build_query
from bot.engine.refusals import allowed_citation_keys as refusal_citation_keys
from bot.engine.retrieval import ranked_articles
from bot.engine.roles import THIRD_PARTIES, speaks_to_borrower

DEFAULT_QUESTIONS = Path(__file__).resolve().parent.parent / "tests" / "eval" / "questions.yaml"
VARIANTS = {
    "bm25": {"mode": "keyword"},
    "dense": {"mode": "dense"},
    "hybrid": {"mode": "hybrid"},
    "hybrid-score": {"mode": "hybrid", "fusion": "score"},
    "hybrid-equal": {"mode": "hybrid", "keyword_weight": 1.0},
    "hybrid-nocards": {"mode": "hybrid", "cards": None},
    "hybrid-noexp": {"mode": "hybrid", "expand": False},
}
DEFAULT_VARIANTS = ("bm25", "dense", "hybrid")
NEGATIVE = ("out_of_scope", "false_premise", "refused", "greeting")


def load_questions(path: Path | str = DEFAULT_QUESTIONS) -> list[dict]:
    return load_yaml(Path(path), empty=[])


def gold_keys(question: dict, corpus) -> set[tuple[str, str]]:
    keys = set()
    for g in question.get("gold") or []:
        article = corpus.article(g["doc"], g["article"])
        if article is not None:
            keys.add((g["doc"], article.label))
    return keys


def forbidden_keys(question: dict, corpus) -> set[tuple[str, str]]:
    keys = set()
    for g in question.get("must_not_cite") or []:
        article = corpus.article(g["doc"], g["article"])
        keys.add((g["doc"], article.label if article else g["article"]))
    return keys


@dataclass
class QuestionResult:
    id: str
    expect: str
    first_gold_rank: int | None = None     # 1-based rank in retrieval (None: not in top 10)
    cited_gold: bool = False
    handled: bool = False
    bad_citations: int = 0
    forbidden_cited: bool = False
    language_ok: bool = True
    intent: str = ""
    latency_ms: float = 0.0
    citations: list = field(default_factory=list)
    list_head_quotes: int = 0
    citations_referred: bool | None = None   # None: the answer cites nothing
    asker: str | None = None
    answered_to_asker: bool = False


def evaluate_retrieval(engine, retriever, question: dict) -> int | None:
    query = build_query(question["question"])
    docs = retriever.search(query, k=20)
    ranking = ranked_articles(docs, corpus=engine.corpus)[:10]
    gold = gold_keys(question, engine.corpus)
    for rank, key in enumerate(ranking, start=1):
        if key in gold:
            return rank
    return None


def evaluate_answer(engine, question: dict) -> QuestionResult:
    if getattr(engine, "embeddings", None) is not None:
        engine.embeddings.clear()      # measure a cold question, not the retrieval pass's memo
    answer = engine.answer(question["question"])
    corpus = engine.corpus
    keys = [(c.doc_id, c.article) for c in answer.citations]
    result = QuestionResult(id=question["id"], expect=question["expect"], intent=answer.intent,
                            latency_ms=answer.latency_ms, citations=keys)
    result.bad_citations = sum(1 for c in answer.citations if not is_valid(corpus, c))
    result.forbidden_cited = bool(set(keys) & forbidden_keys(question, corpus))
    result.language_ok = answer.language == question.get("lang", answer.language)
    result.list_head_quotes = sum(1 for c in answer.citations if ends_at_list_head(c.quote))
    if answer.citations:
        result.citations_referred = all_referred(answer.citations, answer_body(answer.text), corpus)
    result.asker = question.get("asker")
    if result.asker:
        result.answered_to_asker = answer.role == result.asker and not (
            result.asker in THIRD_PARTIES and speaks_to_borrower(answer.text))
    if question["expect"] == "answer":
        result.cited_gold = bool(set(keys) & gold_keys(question, corpus))
    else:
        allowed = refusal_citation_keys(corpus) if question["expect"] == "refused" else set()
        result.handled = set(keys) <= allowed and answer.intent == question.get("intent", answer.intent)
    return result


def run(engine, questions: list[dict], variants: tuple[str, ...] = DEFAULT_VARIANTS) -> dict:
    base = engine.retriever
    report: dict = {"questions": len(questions), "variants": {}}
    try:
        for name in variants:
            retriever = base.model_copy(update=VARIANTS[name])
            engine.retriever = retriever
            answerable = [q for q in questions if q["expect"] == "answer" and q.get("gold")]
            ranks = [evaluate_retrieval(engine, retriever, q) for q in answerable]
            results = [evaluate_answer(engine, q) for q in questions]
            report["variants"][name] = summarize(ranks, results)
            report["variants"][name]["failures"] = failures(questions, results)
    finally:
        engine.retriever = base
    return report


def summarize(ranks: list[int | None], results: list[QuestionResult]) -> dict:
    n = len(ranks) or 1
    in_scope = [r for r in results if r.expect == "answer"]
    negative = [r for r in results if r.expect in NEGATIVE]
    latencies = sorted(r.latency_ms for r in results)
    citing = [r for r in results if r.citations_referred is not None]
    third = [r for r in results if r.asker in THIRD_PARTIES]
    return {
        "list_head_quotes": sum(r.list_head_quotes for r in results),
        "citations_referred": sum(r.citations_referred for r in citing) / (len(citing) or 1),
        "third_party_to_asker": sum(r.answered_to_asker for r in third) / (len(third) or 1),
        "third_party_questions": len(third),
        "recall@1": sum(1 for r in ranks if r and r <= 1) / n,
        "recall@5": sum(1 for r in ranks if r and r <= 5) / n,
        "recall@10": sum(1 for r in ranks if r and r <= 10) / n,
        "mrr": sum(1 / r for r in ranks if r) / n,
        "answers_citing_gold": sum(r.cited_gold for r in in_scope) / (len(in_scope) or 1),
        "negatives_handled": sum(r.handled for r in negative) / (len(negative) or 1),
        "negatives": len(negative),
        "in_scope": len(in_scope),
        "bad_citations": sum(r.bad_citations for r in results),
        "forbidden_cited": sum(r.forbidden_cited for r in results),
        "language_ok": sum(r.language_ok for r in results) / (len(results) or 1),
        "p50_ms": statistics.median(latencies) if latencies else 0.0,
        "p95_ms": latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))] if latencies else 0.0,
    }


def failures(questions: list[dict], results: list[QuestionResult]) -> list[dict]:
    out = []
    for q, r in zip(questions, results):
        bad = (r.expect == "answer" and not r.cited_gold) or (r.expect in NEGATIVE and not r.handled) \
            or r.bad_citations or r.forbidden_cited or not r.language_ok or r.list_head_quotes \
            or r.citations_referred is False or (r.asker and not r.answered_to_asker)
        if bad:
            out.append({"id": q["id"], "question": q["question"], "expect": q["expect"], "intent": r.intent,
                        "want_intent": q.get("intent"), "cited": [f"{d} {a}" for d, a in r.citations],
                        "language_ok": r.language_ok})
    return out


def markdown(report: dict) -> str:
    rows = [
        ("Recall@1", "recall@1", "{:.2f}"), ("Recall@5", "recall@5", "{:.2f}"),
        ("Recall@10", "recall@10", "{:.2f}"), ("MRR", "mrr", "{:.3f}"),
        ("In-scope answers citing a gold article", "answers_citing_gold", "{:.0%}"),
        ("Out-of-scope / false-premise / refused / greeting handled", "negatives_handled", "{:.0%}"),
        ("Citations to missing articles or non-verbatim quotes", "bad_citations", "{}"),
        ("Answers citing a must-not-cite article", "forbidden_cited", "{}"),
        ("Answered in the question's language", "language_ok", "{:.0%}"),
        ("Quotes ending at a list head's colon", "list_head_quotes", "{}"),
        ("Answers whose citations are all referred to in the text", "citations_referred", "{:.0%}"),
        ("Contact / relative / employer questions answered to the asker", "third_party_to_asker", "{:.0%}"),
        ("Answer latency p50 (ms)", "p50_ms", "{:.0f}"), ("Answer latency p95 (ms)", "p95_ms", "{:.0f}"),
    ]
    names = list(report["variants"])
    lines = ["| Metric | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
    for label, key, fmt in rows:
        lines.append(f"| {label} | " + " | ".join(fmt.format(report["variants"][n][key]) for n in names) + " |")
    first = report["variants"][names[0]]
    lines.append("")
    lines.append(f"{report['questions']} questions ({first['in_scope']} in scope, {first['negatives']} negative); "
                 f"engine start-up {report.get('startup_s', 0):.1f} s, peak RSS {report.get('rss_mb', 0):.0f} MB.")
    return "\n".join(lines)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.eval", description=__doc__.splitlines()[0])
    parser.add_argument("--questions", default=str(DEFAULT_QUESTIONS))
    parser.add_argument("--variants", default=",".join(DEFAULT_VARIANTS),
                        help=f"comma-separated, from {', '.join(VARIANTS)}")
    parser.add_argument("--json", action="store_true", help="print the full report as JSON")
    parser.add_argument("--failures", action="store_true",
                        help="list the questions each variant gets wrong (real users' questions: train or dev only)")
    # --- real users' questions (knowledge/realworld/questions.yaml), reported separately -------
    parser.add_argument("--realworld", default="test", choices=("train", "dev", "test", "cv", "none"),
                        help="split of the real users' questions to report (test; dev for choosing thresholds; "
                             "cv: train cross-validated by source page; none to skip)")
    args = parser.parse_args(argv)
    variants = tuple(v.strip() for v in args.variants.split(",") if v.strip())
    unknown = [v for v in variants if v not in VARIANTS]
    if unknown:
        parser.error(f"unknown variant(s) {', '.join(unknown)}; choose from {', '.join(VARIANTS)}")
    from bot.config import get_settings
    from bot.engine import Engine

    settings = get_settings().model_copy(update={"llm_model": None})   # the offline composer is measured
    from ingest.reader import IndexMissingError

    started = time.perf_counter()
    try:
        engine = Engine.from_settings(settings)
    except IndexMissingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    engine.answer("催收可以打我家人电话吗")         # first answer loads the embedding model
    startup = time.perf_counter() - started
    report = run(engine, load_questions(args.questions), variants)
    report["startup_s"], report["rss_mb"] = startup, peak_rss_mb()
    if args.realworld != "none":
        from bot import realworld_eval

        report["realworld_questions"] = (
            realworld_eval.cross_validate(engine, settings.knowledge_dir) if args.realworld == "cv"
            else realworld_eval.evaluate(engine, settings.knowledge_dir, args.realworld))
    # --- collector-message checker on the real-world test split (bot.message_eval) ---
    from bot import message_eval
    report["messages"] = message_eval.run(engine.corpus, Path(settings.knowledge_dir),
                                          message_eval.serving_model(settings.data_dir, settings))
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print(markdown(report))
        if "realworld_questions" in report:
            from bot import realworld_eval

            print("\n" + realworld_eval.markdown(report["realworld_questions"]))
        print("\n## Collector-message checker\n\n" + message_eval.markdown(report["messages"]))
        if args.failures:
            for name, data in report["variants"].items():
                print(f"\n## {name}: {len(data['failures'])} failures")
                for f in data["failures"]:
                    print(f"- {f['id']} [{f['expect']}/{f['want_intent']} -> {f['intent']}] {f['question'][:60]} "
                          f"cited={f['cited']}{'' if f['language_ok'] else ' LANG'}")
            realworld = report.get("realworld_questions")
            if realworld and realworld["failures"]:
                print(f"\n## real users' questions ({realworld['split']}): {len(realworld['failures'])} failures")
                for f in realworld["failures"]:
                    print(f"- {f['id']} [{f['label']}/{f['card']} -> {f['intent']}/{f['topic']}] {f['question'][:60]} "
                          f"cited={f['cited']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
