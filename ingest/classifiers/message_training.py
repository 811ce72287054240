"""Train the collector-message classifier during ingest and pick its thresholds on held-out messages.

Training data: the `train` split of knowledge/realworld/messages.yaml plus the project's own
labelled cases (ingest/data/checker_cases.yaml) and the messages written per family of wording from
the finding-code definitions (ingest/data/written_messages.yaml). Thresholds: the real train messages scored out of
fold (models trained without their source page) pooled with the `dev` split; dev alone (50
messages) gave thresholds that did not hold on new pages. `test` is never read here. The model is
written into the new index folder, next to the manifest.

The checker reports the rules' hits plus the model's, so thresholds are chosen on what the two
find together: the pattern matcher (ingest/classifiers/message_rules.py) lives in ingest for this
reason, and the bot's checker uses the same matcher. Training itself needs no rules.
"""
from __future__ import annotations

import hashlib
import logging
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
from ingest.datafiles import data_path
from ingest.realworld import Message, load_messages

log = logging.getLogger(__name__)

MESSAGES_FILE = Path("realworld") / "messages.yaml"
WRITTEN_MESSAGES_PATH = data_path("written_messages.yaml")
# Even odds at least (0.50 … 0.90): below that, codes with a handful of held-out examples (fees,
# call frequency) got thresholds of 0.25-0.3 that no held-out lawful message contradicted, and then
# flagged ordinary reminders ("可以为您申请减免部分罚息", "a late fee of Rs 500 applies").
GRID = tuple(round(0.5 + 0.05 * i, 2) for i in range(9))
NO_THRESHOLD = 1.01            # above any probability: the head never fires
# Half the 2 % target: on the 50 to 90 held-out lawful messages thresholds are chosen on, none may
# be flagged. Allowing one flagged 5 % of the lawful messages of unseen pages in cross-validation.
MAX_LAWFUL_FLAGGED = 0.01
# A threshold must keep lawful flagged within bounds with this much to spare: the held-out scores it
# is chosen on are few, and a threshold right at the edge flags far more lawful text on new pages
# (cross-validated by page: a 0.1 margin flagged 4 % of lawful messages, 0.2 flags 1 % for 1 point of recall).
LAWFUL_MARGIN = 0.2
# A code wrongly added to an unlawful message costs this many right ones: a finding names a rule
# the collector broke, so a wrong one misleads.
WRONG_CODE_COST = 1.0
MIN_DEV_POSITIVES = 3          # fewer dev examples of a code: it shares one threshold with the others like it
OUT_OF_FOLD_SPLITS = 5         # folds for scoring train lawful messages with a model that never saw them


@dataclass
class DevItem:
    codes: frozenset[str]                 # gold
    rules: frozenset[str]                 # what the rules alone find
    scores: dict[str, float]              # model score per code (best clause), UNLAWFUL included


def inhouse_examples(path: Path = CASES_PATH) -> list[Example]:
    cases = yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]
    return [Example(c["text"], tuple(c["expect"])) for c in cases]


def written_examples(path: Path = WRITTEN_MESSAGES_PATH) -> list[Example]:
    """The family messages and lawful look-alikes written from the code definitions. Training data
    only: in cross-validation by page they raised the model's per-code AUC from 0.81 to 0.86."""
    written = yaml.safe_load(path.read_text(encoding="utf-8"))
    return ([Example(item["text"], tuple(sorted(item["codes"]))) for items in written["families"].values()
             for item in items] + [Example(text, ()) for text in written["lawful"]])


def project_examples() -> list[Example]:
    """What the project wrote itself, trained on next to the real-world train split (never scored):
    the checker cases, then the written messages that are not also cases."""
    cases = inhouse_examples()
    seen = {ex.text for ex in cases}
    return cases + [ex for ex in written_examples() if ex.text not in seen]


def training_fingerprint(knowledge_dir: Path) -> str:
    """Changes when the training data or the model code's version changes (ingest then rebuilds)."""
    digest = hashlib.sha256(f"message-model-{MODEL_VERSION}".encode())
    for path in (Path(knowledge_dir) / MESSAGES_FILE, CASES_PATH, WRITTEN_MESSAGES_PATH, RULES_PATH):
        digest.update(path.read_bytes() if path.exists() else b"-")
    return digest.hexdigest()[:16]


def dev_items(model: MessageModel, messages: list[Message]) -> list[DevItem]:
    rules = load_message_rules()
    return [DevItem(frozenset(m.codes), frozenset(rule_hits(m.text, rules)),
                    {c: s.score for c, s in model.message_scores(m.text).items()}) for m in messages]


def url_folds(messages: list[Message], k: int = OUT_OF_FOLD_SPLITS) -> list[list[int]]:
    """Indices of `messages` in k folds, grouped by source page: a page's messages (and their
    translated twins) are never split between training and scoring."""
    from sklearn.model_selection import GroupKFold

    urls = [m.url for m in messages]
    k = min(k, len(set(urls)))
    if k < 2:
        return []
    return [list(held) for _, held in GroupKFold(n_splits=k).split(urls, groups=urls)]


def out_of_fold_items(train_msgs: list[Message], others: list[Example], embeddings=None) -> list[DevItem]:
    """The real (not augmented) train messages, each scored by a model trained without its source
    page: dev alone is too small to choose a threshold per code or to bound lawful flagged at 2 %,
    and a model scores the messages it was trained on too confidently to tell either."""
    items = []
    for held in url_folds(train_msgs):
        held_set = set(held)
        rest = [Example(m.text, m.codes) for j, m in enumerate(train_msgs) if j not in held_set]
        scored = [train_msgs[i] for i in held if not train_msgs[i].augmented]
        if scored:
            items += dev_items(train(rest + others, CODES, embeddings=embeddings), scored)
    return items


def predicted(item: DevItem, thresholds: dict[str, float]) -> set[str]:
    """What check_message reports for the item with these thresholds (MessageModel.predict's logic)."""
    codes = {c: s for c, s in item.scores.items() if c != UNLAWFUL}
    hits = {c for c, s in codes.items() if s >= thresholds.get(c, NO_THRESHOLD)}
    if not hits and codes and item.scores.get(UNLAWFUL, 0.0) >= thresholds.get(UNLAWFUL, NO_THRESHOLD):
        hits = {max(codes, key=lambda c: codes[c] / thresholds.get(c, NO_THRESHOLD))}
    return set(item.rules) | hits


def flagged(lawful: list[DevItem], thresholds: dict[str, float]) -> int:
    return sum(bool(predicted(i, thresholds)) for i in lawful)


def model_flagged(lawful: list[DevItem], thresholds: dict[str, float]) -> int:
    """Lawful messages the model flags beyond the rules (the thresholds cannot undo a rule's hit)."""
    return sum(bool(predicted(i, thresholds) - i.rules) for i in lawful)


def lawful_allowed(lawful: list[DevItem], thresholds: dict[str, float]) -> bool:
    """Lawful messages the model flags stay within MAX_LAWFUL_FLAGGED, even with every threshold
    LAWFUL_MARGIN lower (a head that never fires stays silent)."""
    lowered = {c: t if t >= NO_THRESHOLD else t - LAWFUL_MARGIN for c, t in thresholds.items()}
    return model_flagged(lawful, lowered) <= MAX_LAWFUL_FLAGGED * len(lawful)


def gain(unlawful: list[DevItem], thresholds: dict[str, float], codes: list[str]) -> tuple[float, int]:
    """(gold occurrences of `codes` found less WRONG_CODE_COST per code wrongly added, unlawful
    messages flagged)."""
    found = [predicted(i, thresholds) for i in unlawful]
    right = sum(len(p & i.codes & set(codes)) for i, p in zip(unlawful, found))
    wrong = sum(len((p - i.codes - i.rules) & set(codes)) for i, p in zip(unlawful, found))
    return right - WRONG_CODE_COST * wrong, sum(bool(p) for p in found)


def lowest_allowed(dev: list[DevItem], lawful: list[DevItem], thresholds: dict[str, float],
                   codes: list[str], grid: tuple[float, ...]) -> float:
    """The threshold for `codes` that maximises right codes found less wrong ones (then messages
    flagged) while lawful flagged stays within MAX_LAWFUL_FLAGGED. Among equal gains, the one
    flagging fewest lawful messages (the bound is shared by all codes, so a code spends it only for
    recall), then the lowest, so the model adds what it can. Never firing is a candidate too: it
    wins when every threshold adds more wrong codes than right ones."""
    unlawful = [i for i in dev if i.codes]
    best, best_key = NO_THRESHOLD, None
    for t in (*sorted(grid), NO_THRESHOLD):
        trial = {**thresholds, **{c: t for c in codes}}
        if not lawful_allowed(lawful, trial):
            continue
        key = (*gain(unlawful, trial, codes), -flagged(lawful, trial))
        if best_key is None or key > best_key:
            best, best_key = t, key
    return best


def choose_thresholds(items: list[DevItem], codes: list[str]) -> dict[str, float]:
    """Per code where the items hold at least MIN_DEV_POSITIVES of it, one shared threshold for the
    rest, the any-code head last; lawful flagged stays within MAX_LAWFUL_FLAGGED of the items'
    lawful messages."""
    lawful = [i for i in items if not i.codes]
    codes = [c for c in codes if c != UNLAWFUL]
    support = {c: sum(c in i.codes for i in items) for c in codes}
    own = sorted((c for c in codes if support[c] >= MIN_DEV_POSITIVES), key=lambda c: -support[c])
    shared = [c for c in codes if c not in own]
    thresholds: dict[str, float] = {}
    for code in own:
        thresholds[code] = lowest_allowed(items, lawful, thresholds, [code], GRID)
    if shared:
        t = lowest_allowed(items, lawful, thresholds, shared, GRID)
        thresholds.update({c: t for c in shared})
    # The any-code head last: it only adds a code to messages nothing else flagged.
    thresholds[UNLAWFUL] = lowest_allowed(items, lawful, thresholds, [UNLAWFUL], GRID)
    if all(t >= NO_THRESHOLD for t in thresholds.values()):
        log.warning("message model: no threshold keeps lawful messages unflagged; the model adds nothing")
    return thresholds


def fit_message_model(train_msgs: list[Message], dev: list[Message], others: list[Example],
                      embeddings=None) -> MessageModel | None:
    """A model trained on `train_msgs` and `others`, with thresholds chosen on what it has not seen:
    the train messages scored out of fold (grouped by source page) pooled with `dev`. None when
    nothing is labelled unlawful. Cross-validation calls this with a fold's messages. `embeddings`:
    the index's embedder (best a ClauseVectors, which embeds each clause once for all the folds);
    None trains on character n-grams alone."""
    examples = [Example(m.text, m.codes) for m in train_msgs] + others
    if not any(ex.codes for ex in examples):
        return None
    model = train(examples, CODES, embeddings=embeddings)
    held_out = out_of_fold_items(train_msgs, others, embeddings) + dev_items(model, dev)
    if held_out:
        model.thresholds = choose_thresholds(held_out, sorted(model.classifiers))
    else:
        model.thresholds = {c: DEFAULT_THRESHOLD for c in model.classifiers if c != UNLAWFUL}
    model.info.update({"realworld_train": len(train_msgs), "dev_messages": len(dev),
                       "threshold_messages": len(held_out),
                       "threshold_source": "out-of-fold+dev" if dev else "out-of-fold" if held_out else "default"})
    return model


def train_message_model(knowledge_dir: Path, embeddings=None) -> MessageModel | None:
    """The model ingest stores: trained on the train split and the in-house cases, thresholds chosen
    on train out of fold and dev; None when there is no training data at all. `embeddings`: as for
    `fit_message_model`."""
    started = time.perf_counter()
    knowledge_dir = Path(knowledge_dir)
    has_realworld = (knowledge_dir / MESSAGES_FILE).exists()
    train_msgs = load_messages(knowledge_dir, splits=("train",)) if has_realworld else []
    dev = load_messages(knowledge_dir, splits=("dev",)) if has_realworld else []
    model = fit_message_model(train_msgs, dev, project_examples(), embeddings)
    if model is not None:
        model.info["seconds"] = round(time.perf_counter() - started, 2)
    return model


def build_message_model(knowledge_dir: Path, folder: Path, embeddings=None) -> dict:
    """Train and write the model into an index folder; the manifest's summary of it."""
    model = train_message_model(knowledge_dir, embeddings)
    if model is None:
        return {"trained": False}
    save(model, folder)
    return {"trained": True, **{k: model.info[k] for k in ("train_messages", "realworld_train", "dev_messages",
                                                          "threshold_source", "embedding_model_id", "seconds")},
            "codes": sorted(c for c in model.classifiers if c != UNLAWFUL)}


__all__ = ["build_message_model", "choose_thresholds", "fit_message_model", "inhouse_examples", "project_examples",
           "train_message_model", "training_fingerprint", "url_folds", "written_examples"]
