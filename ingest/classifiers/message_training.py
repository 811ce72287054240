"""Train the collector-message classifier during ingest and pick its thresholds on dev.

Training data: the `train` split of knowledge/realworld/messages.yaml plus the project's own
labelled cases (ingest/data/checker_cases.yaml). Thresholds: the `dev` split only; `test` is never
read here. The model is written into the new index folder, next to the manifest.

The checker reports the rules' hits plus the model's, so thresholds are chosen on what the two
find together: the pattern matcher (ingest/classifiers/message_rules.py) lives in ingest for this
reason, and the bot's checker uses the same matcher. Training itself needs no rules.
"""
from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

from ingest.classifiers.message_model import (
    CASES_PATH,
    DEFAULT_THRESHOLD,
    MODEL_VERSION,
    UNLAWFUL,
    Example,
    MessageModel,
    save,
    train,
)
from ingest.classifiers.message_rules import CODES, RULES_PATH, load_message_rules, rule_hits
from ingest.realworld import Message, load_messages

MESSAGES_FILE = Path("realworld") / "messages.yaml"
GRID = tuple(round(0.2 + 0.05 * i, 2) for i in range(15))     # 0.20 … 0.90
MAX_LAWFUL_FLAGGED = 0.02
MIN_DEV_POSITIVES = 2          # fewer dev examples of a code: it keeps the global threshold


@dataclass
class DevItem:
    codes: frozenset[str]                 # gold
    rules: frozenset[str]                 # what the rules alone find
    scores: dict[str, float]              # model score per code (best clause), UNLAWFUL included


def inhouse_examples(path: Path = CASES_PATH) -> list[Example]:
    cases = yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]
    return [Example(c["text"], tuple(c["expect"])) for c in cases]


def training_fingerprint(knowledge_dir: Path) -> str:
    """Changes when the training data or the model code's version changes (ingest then rebuilds)."""
    digest = hashlib.sha256(f"message-model-{MODEL_VERSION}".encode())
    for path in (Path(knowledge_dir) / MESSAGES_FILE, CASES_PATH, RULES_PATH):
        digest.update(path.read_bytes() if path.exists() else b"-")
    return digest.hexdigest()[:16]


def dev_items(model: MessageModel, messages: list[Message]) -> list[DevItem]:
    rules = load_message_rules()
    return [DevItem(frozenset(m.codes), frozenset(rule_hits(m.text, rules)),
                    {c: s.score for c, s in model.message_scores(m.text).items()}) for m in messages]


def predicted(item: DevItem, thresholds: dict[str, float]) -> set[str]:
    """What check_message reports for the item with these thresholds (MessageModel.predict's logic)."""
    codes = {c: s for c, s in item.scores.items() if c != UNLAWFUL}
    hits = {c for c, s in codes.items() if s >= thresholds[c]}
    if not hits and codes and item.scores.get(UNLAWFUL, 0.0) >= thresholds.get(UNLAWFUL, 1.01):
        hits = {max(codes, key=lambda c: codes[c] / thresholds[c])}
    return set(item.rules) | hits


def objective(items: list[DevItem], thresholds: dict[str, float]) -> tuple:
    """(allowed, unlawful caught + right code + exact sets): lawful flagged must stay ≤ 2 %."""
    lawful = [i for i in items if not i.codes]
    flagged = sum(bool(predicted(i, thresholds)) for i in lawful)
    allowed = flagged <= MAX_LAWFUL_FLAGGED * len(lawful)
    unlawful = [i for i in items if i.codes]
    caught = sum(bool(predicted(i, thresholds)) for i in unlawful)
    right = sum(bool(predicted(i, thresholds) & i.codes) for i in unlawful)
    exact = sum(predicted(i, thresholds) == set(i.codes) for i in items)
    return allowed, caught + right + exact, -flagged


def choose_thresholds(items: list[DevItem], codes: list[str]) -> dict[str, float]:
    """One global threshold first, then per code where dev has enough examples of it.
    Ties go to the higher threshold: with little data, precision is the safer side."""
    codes = [c for c in codes if c != UNLAWFUL]
    best_global = max(reversed(GRID), key=lambda t: objective(items, {c: t for c in codes}))
    thresholds = {c: best_global for c in codes}
    for code in codes:
        if sum(code in i.codes for i in items) < MIN_DEV_POSITIVES:
            continue
        thresholds[code] = max(reversed(GRID), key=lambda t: objective(items, {**thresholds, code: t}))
    # The any-code head last: it only adds a code to messages nothing else flagged.
    thresholds[UNLAWFUL] = max((*reversed(GRID), 1.01), key=lambda t: objective(items, {**thresholds, UNLAWFUL: t}))
    return thresholds


def train_message_model(knowledge_dir: Path) -> MessageModel | None:
    """The trained model with dev thresholds; None when there is no training data at all."""
    started = time.perf_counter()
    knowledge_dir = Path(knowledge_dir)
    has_realworld = (knowledge_dir / MESSAGES_FILE).exists()
    train_msgs = load_messages(knowledge_dir, splits=("train",)) if has_realworld else []
    examples = [Example(m.text, m.codes) for m in train_msgs] + inhouse_examples()
    if not any(ex.codes for ex in examples):
        return None
    model = train(examples, CODES)
    dev = load_messages(knowledge_dir, splits=("dev",)) if has_realworld else []
    if dev:
        model.thresholds = choose_thresholds(dev_items(model, dev), sorted(model.classifiers))
    else:
        model.thresholds = {c: DEFAULT_THRESHOLD for c in model.classifiers if c != UNLAWFUL}
    model.info.update({"realworld_train": len(train_msgs), "dev_messages": len(dev),
                       "threshold_source": "dev" if dev else "default",
                       "seconds": round(time.perf_counter() - started, 2)})
    return model


def build_message_model(knowledge_dir: Path, folder: Path) -> dict:
    """Train and write the model into an index folder; the manifest's summary of it."""
    model = train_message_model(knowledge_dir)
    if model is None:
        return {"trained": False}
    save(model, folder)
    return {"trained": True, **{k: model.info[k] for k in ("train_messages", "realworld_train", "dev_messages",
                                                          "threshold_source", "seconds")},
            "codes": sorted(c for c in model.classifiers if c != UNLAWFUL)}


__all__ = ["build_message_model", "choose_thresholds", "train_message_model", "training_fingerprint"]
