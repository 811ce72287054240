"""Evaluation on real users' questions (`knowledge/realworld/questions.yaml`), one split at a time.

Measures, for the chosen split (the figures reported are from `test`; `dev` is for choosing
thresholds and rules, never `test`):
- gold citation: share of answerable questions whose answer cites at least one gold article;
- handled: share of not_covered / out_of_scope / refused questions answered as such
  (not_covered: the answer says first that the corpus holds no such rule and cites only what
  the corpus does say on the topic; out_of_scope: no citation; refused: a refusal, citing at
  most the articles that explain the legal risk);
- the same figures per label, and how many answers carry an invalid citation (must be 0).

`cross_validate` gives a second measure next to the small `dev` split: the `train` questions
scored by classifiers trained without their source page (grouped k-fold by URL).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bot.engine.citations import is_valid
from ingest.realworld import Question, load_questions

NEGATIVE_LABELS = ("not_covered", "out_of_scope", "refused")
# Failures are listed for these splits only: test items are measured, never looked at one by one.
FAILURE_SPLITS = ("train", "dev")


@dataclass
class RealworldResult:
    id: str
    label: str
    intent: str
    topic: str = ""             # the card (or topic) the answer was composed from
    cited: list[tuple[str, str]] = field(default_factory=list)
    ok: bool = False
    bad_citations: int = 0


def gold_keys(question: Question, corpus) -> set[tuple[str, str]]:
    keys = set()
    for doc_id, label in question.gold:
        article = corpus.article(doc_id, label)
        if article is not None:
            keys.add((doc_id, article.label))
    return keys


def judge(question: Question, answer, corpus) -> RealworldResult:
    keys = [(c.doc_id, c.article) for c in answer.citations]
    result = RealworldResult(id=question.id, label=question.label, intent=answer.intent,
                             topic=answer.topic or "", cited=keys)
    result.bad_citations = sum(1 for c in answer.citations if not is_valid(corpus, c))
    if question.label == "answer":
        result.ok = bool(set(keys) & gold_keys(question, corpus))
    elif question.label == "out_of_scope":
        result.ok = answer.intent == "out_of_scope" and not keys
    else:
        result.ok = answer.intent == question.label
    return result


def evaluate(engine, knowledge_dir: Path | str, split: str) -> dict:
    questions = load_questions(knowledge_dir, splits=(split,))
    results = [judge(q, engine.answer(q.text), engine.corpus) for q in questions]
    return summarize(split, questions, results)


def trained_reader(engine, knowledge_dir: Path | str, held_out_urls: frozenset[str] = frozenset()):
    """A question reader whose question and scope classifiers are trained exactly as ingest trains
    them, minus the questions of `held_out_urls` (source pages)."""
    from bot.engine.understanding import QuestionReader
    from ingest.classifiers import question_model, scope_model

    cards = list(engine.cards.values())
    return QuestionReader(question_model.QuestionClassifier.trained(knowledge_dir, cards, held_out_urls),
                          set(engine.cards), scope_model.ScopeClassifier.trained(knowledge_dir, cards, held_out_urls))


def held_out_folds(engine, knowledge_dir: Path | str, folds: int = 5):
    """(reader, questions) per fold of the `train` split grouped by source page: the reader was
    trained without the fold's pages, the questions are the fold's real (not augmented) ones."""
    from ingest.classifiers.message_training import url_folds

    questions = load_questions(knowledge_dir, splits=("train",))
    for held in url_folds(questions, folds):
        reader = trained_reader(engine, knowledge_dir, frozenset(questions[i].url for i in held))
        yield reader, [questions[i] for i in sorted(held) if not questions[i].augmented]


def answer_with(engine, jobs: list) -> tuple[list[Question], list[RealworldResult]]:
    """Each job's questions answered by the engine with that job's reader; the engine's own reader
    is restored afterwards."""
    serving = engine.reader
    questions: list[Question] = []
    results: list[RealworldResult] = []
    try:
        for reader, items in jobs:
            engine.reader = reader
            for q in items:
                questions.append(q)
                results.append(judge(q, engine.answer(q.text), engine.corpus))
    finally:
        engine.reader = serving
    return questions, results


def cross_validate(engine, knowledge_dir: Path | str, folds: int = 5) -> dict:
    """Grouped cross-validation over the `train` split by source page: for each fold the question and
    scope classifiers are trained without the fold's pages and the engine (retrieval, rules,
    thresholds unchanged) answers the fold's questions. Test is never read."""
    report = summarize("train", *answer_with(engine, list(held_out_folds(engine, knowledge_dir, folds))))
    report["split"] = f"train, {folds}-fold cross-validation by source page"
    return report


def summarize(split: str, questions: list[Question], results: list[RealworldResult]) -> dict:
    answerable = [r for r in results if r.label == "answer"]
    negative = [r for r in results if r.label in NEGATIVE_LABELS]
    per_label = {}
    for label in ("answer", *NEGATIVE_LABELS):
        rows = [r for r in results if r.label == label]
        per_label[label] = {"n": len(rows), "ok": sum(r.ok for r in rows)}
    return {
        "split": split,
        "questions": len(results),
        "gold_citation": sum(r.ok for r in answerable) / (len(answerable) or 1),
        "negatives_handled": sum(r.ok for r in negative) / (len(negative) or 1),
        "answerable": len(answerable),
        "negatives": len(negative),
        "per_label": per_label,
        "bad_citations": sum(r.bad_citations for r in results),
        "failures": failures(split, questions, results),
    }


def failures(split: str, questions: list[Question], results: list[RealworldResult]) -> list[dict]:
    """The questions answered wrongly, with the card the answer used (train and dev only, else empty)."""
    if split not in FAILURE_SPLITS:
        return []
    return [{"id": q.id, "label": q.label, "card": q.card, "intent": r.intent, "topic": r.topic,
             "question": q.text, "cited": [f"{d} {a}" for d, a in r.cited]}
            for q, r in zip(questions, results) if not r.ok]


def markdown(report: dict) -> str:
    pl = report["per_label"]
    lines = [f"Real users' questions, split `{report['split']}` ({report['questions']} questions):", "",
             "| Measure | Value | n |", "|---|---:|---:|",
             f"| Gold citation (answerable) | {report['gold_citation']:.0%} | {report['answerable']} |",
             f"| Not covered / out of scope / refused handled | {report['negatives_handled']:.0%} | "
             f"{report['negatives']} |"]
    for label in NEGATIVE_LABELS:
        if pl[label]["n"]:
            lines.append(f"| — {label} | {pl[label]['ok']}/{pl[label]['n']} | {pl[label]['n']} |")
    lines.append(f"| Invalid citations | {report['bad_citations']} | |")
    return "\n".join(lines)


__all__ = ["FAILURE_SPLITS", "NEGATIVE_LABELS", "RealworldResult", "answer_with", "cross_validate", "evaluate", "failures",
           "held_out_folds", "judge", "markdown", "summarize", "trained_reader"]
