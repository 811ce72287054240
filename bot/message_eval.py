"""Evaluation of the collector-message checker: `python -m bot.message_eval [--json] [--split test | --cv]`.

On the real-world messages (knowledge/realworld/messages.yaml, the test split by default) and,
separately, on the in-house cases (ingest/data/checker_cases.yaml, which are also training data):
- recall of unlawful messages (any finding),
- right finding code: unlawful messages whose findings include a gold code, and exact-set match,
- lawful messages flagged,
- precision / recall per finding code,
for the rules alone and for rules + the trained model of the serving index. Also run by `python -m bot.eval`.

These text-only figures are the headline. On the real-world messages the same measures are also given
"with the recipient the user states" (columns ending in +recipient): each message is checked with its
`recipient` (borrower, contact, relative, employer; none when the dataset says unknown), as a user who
tells the bot who received the message would have it checked.
"""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.tools.checker import CODES, check_message
from ingest.classifiers.message_model import CASES_PATH, MessageModel, serving_model

TARGETS = {"unlawful_recall": 0.90, "right_code": 0.85, "lawful_flagged": 0.02}
WITH_RECIPIENT = "+recipient"     # suffix of the variants checked with the recipient the user states


@dataclass(frozen=True)
class Item:
    id: str
    text: str
    codes: frozenset[str]
    recipient: str | None = None    # who received it, as a user would state it; None when unknown


def stated_recipient(recipient: str) -> str | None:
    """The dataset's recipient as the checker takes it: "unknown" is a recipient nobody stated."""
    return None if recipient == "unknown" else recipient


def realworld_items(knowledge_dir: Path, split: str) -> list[Item]:
    from ingest.realworld import load_messages

    return [Item(m.id, m.text, frozenset(m.codes), stated_recipient(m.recipient))
            for m in load_messages(knowledge_dir, splits=(split,))]


def inhouse_items(path: Path = CASES_PATH) -> list[Item]:
    cases = yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]
    return [Item(c["id"], c["text"], frozenset(c["expect"])) for c in cases]


def score(items: list[Item], corpus, model: MessageModel | None, with_recipient: bool = False) -> dict:
    return measures(items, [_codes(i, corpus, model, with_recipient) for i in items])


def _codes(item: Item, corpus, model: MessageModel | None, with_recipient: bool) -> set[str]:
    recipient = item.recipient if with_recipient else None
    return check_message(item.text, corpus, model=model, recipient=recipient).codes


def measures(items: list[Item], predictions: list[set[str]]) -> dict:
    """The figures for predicted code sets against the items' gold codes."""
    unlawful = [(i, p) for i, p in zip(items, predictions) if i.codes]
    lawful = [(i, p) for i, p in zip(items, predictions) if not i.codes]
    per_code = {}
    for code in CODES:
        tp = sum(code in p and code in i.codes for i, p in zip(items, predictions))
        fp = sum(code in p and code not in i.codes for i, p in zip(items, predictions))
        fn = sum(code not in p and code in i.codes for i, p in zip(items, predictions))
        per_code[code] = {"support": tp + fn, "predicted": tp + fp,
                          "precision": tp / (tp + fp) if tp + fp else None,
                          "recall": tp / (tp + fn) if tp + fn else None}
    return {
        "messages": len(items), "unlawful": len(unlawful), "lawful": len(lawful),
        "unlawful_recall": sum(bool(p) for _, p in unlawful) / (len(unlawful) or 1),
        "right_code": sum(bool(p & i.codes) for i, p in unlawful) / (len(unlawful) or 1),
        "exact_set": sum(p == set(i.codes) for i, p in unlawful) / (len(unlawful) or 1),
        "exact_set_all": sum(p == set(i.codes) for i, p in zip(items, predictions)) / (len(items) or 1),
        "lawful_flagged": sum(bool(p) for _, p in lawful) / (len(lawful) or 1),
        "per_code": per_code,
        "misses": [{"id": i.id, "gold": sorted(i.codes), "predicted": sorted(p)}
                   for i, p in zip(items, predictions) if p != set(i.codes)],
    }


def run(corpus, knowledge_dir: Path, model: MessageModel | None, split: str = "test") -> dict:
    """Rules alone and rules + model, on the real-world split and on the in-house cases; on the
    real-world split also with the recipient stated (the in-house cases state none)."""
    report = {"split": split, "model": model is not None, "targets": TARGETS, "sets": {}}
    for name, items in (("realworld", realworld_items(knowledge_dir, split)), ("inhouse", inhouse_items())):
        models = {"rules": None, **({"rules+model": model} if model is not None else {})}
        variants = {label: score(items, corpus, m) for label, m in models.items()}
        if name == "realworld":
            variants.update({label + WITH_RECIPIENT: score(items, corpus, m, with_recipient=True)
                             for label, m in models.items()})
        report["sets"][name] = variants
    return report


def cross_validate(corpus, knowledge_dir: Path, folds: int = 5, embeddings=None) -> dict:
    """Grouped cross-validation over train and dev by source page: each fold's model is fitted exactly
    as ingest fits it (train pages to train, dev pages for thresholds) on the other pages only, then
    checks the fold's real (not augmented) messages. Test is never read. Besides the checker's columns,
    "model" is the model alone: the rules were written from these pages, so their columns are optimistic.
    `embeddings`: the index's embedder, as ingest trains with it (None: character n-grams alone)."""
    from ingest.classifiers.message_training import fit_message_model, project_examples, url_folds
    from ingest.realworld import load_messages

    messages = load_messages(knowledge_dir, splits=("train", "dev"))
    others = project_examples()
    # "model": the model alone, the honest measure of what it learnt (the rules were written from these pages).
    items, predictions = [], {"model": [], "rules": [], "rules+model": [], "rules" + WITH_RECIPIENT: [],
                              "rules+model" + WITH_RECIPIENT: []}
    for held in url_folds(messages, folds):
        held_set = set(held)
        rest = [m for j, m in enumerate(messages) if j not in held_set]
        model = fit_message_model([m for m in rest if m.split == "train"], [m for m in rest if m.split == "dev"], others,
                                  embeddings)
        for m in (messages[i] for i in held if not messages[i].augmented):
            item = Item(m.id, m.text, frozenset(m.codes), stated_recipient(m.recipient))
            items.append(item)
            predictions["model"].append({hit.code for hit in model.predict(m.text)} if model else set())
            for label, predicted in predictions.items():
                if label != "model":
                    predicted.append(_codes(item, corpus, model if "model" in label else None,
                                            with_recipient=label.endswith(WITH_RECIPIENT)))
    return {"split": "cv", "scope": f"train+dev, {folds}-fold cross-validation by source page", "model": True, "targets": TARGETS,
            "sets": {"realworld": {label: measures(items, p) for label, p in predictions.items()}}}


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def markdown(report: dict) -> str:
    lines = []
    titles = {"realworld": f"Real-world messages ({report.get('scope', report['split'] + ' split')})",
              "inhouse": "In-house cases (also training data)"}
    for name, variants in report["sets"].items():
        first = next(iter(variants.values()))
        lines += [f"### {titles[name]}: {first['messages']} messages, {first['unlawful']} unlawful, "
                  f"{first['lawful']} lawful", "",
                  "| Measure | Target | " + " | ".join(variants) + " |", "|---|---:|" + "---:|" * len(variants)]
        rows = (("Recall of unlawful messages", "unlawful_recall", "≥ 90%"),
                ("Right finding code (any gold code found)", "right_code", "≥ 85%"),
                ("Exact set of codes (unlawful messages)", "exact_set", ""),
                ("Exact set of codes (all messages)", "exact_set_all", ""),
                ("Lawful messages flagged", "lawful_flagged", "≤ 2%"))
        for label, key, target in rows:
            lines.append(f"| {label} | {target} | " + " | ".join(_pct(v[key]) for v in variants.values()) + " |")
        if any(label.endswith(WITH_RECIPIENT) for label in variants):
            lines += ["", f"Columns ending in {WITH_RECIPIENT}: each message checked with the recipient the user "
                          "states (the item's `recipient`; none when unknown). The text-only columns are the headline."]
        lines += ["", *_per_code(variants)]
    if not report["model"]:
        lines.append("No trained model in the serving index (run `python -m ingest`): rules alone.")
    return "\n".join(lines)


def _per_code(variants: dict) -> list[str]:
    """Per-code table of the best text-only variant, beside the same variant with the recipient stated."""
    best = [label for label in variants if not label.endswith(WITH_RECIPIENT)][-1]
    shown = [label for label in (best, best + WITH_RECIPIENT) if label in variants]
    lines = [f"Per finding code ({' / '.join(shown)}):", "",
             "| Code | Support | " + " | ".join(f"Predicted, precision, recall ({label})" for label in shown) + " |",
             "|---|---:|" + "---:|" * len(shown)]
    for code in variants[best]["per_code"]:
        cells = [variants[label]["per_code"][code] for label in shown]
        lines.append(f"| {code} | {cells[0]['support']} | " + " | ".join(
            f"{row['predicted']}, {_pct(row['precision'])}, {_pct(row['recall'])}" for row in cells) + " |")
    lines.append("")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.message_eval", description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="test", choices=("train", "dev", "test"))
    parser.add_argument("--cv", action="store_true",
                        help="grouped cross-validation over train and dev instead of one split")
    parser.add_argument("--json", action="store_true", help="print the full report as JSON")
    args = parser.parse_args(argv)
    from bot.config import get_settings
    from bot.tools.common import default_corpus

    settings = get_settings()
    if args.cv:
        from ingest.classifiers.clause_vectors import ClauseVectors
        from ingest.embeddings import serving_embeddings

        report = cross_validate(default_corpus(), Path(settings.knowledge_dir),
                                embeddings=ClauseVectors(serving_embeddings(settings)))
    else:
        report = run(default_corpus(), Path(settings.knowledge_dir), serving_model(settings.data_dir, settings),
                     args.split)
    print(json.dumps(report, ensure_ascii=False, indent=2) if args.json else markdown(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
