"""The real-world dataset: questions and collector messages people wrote in public.

Items keep their exact wording and source URL; `split` (train/dev/test) is fixed per source
page, so no page feeds both training and evaluation. Training code must only ever ask for
`train` (and `dev` for thresholds); only the evaluation reads `test`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

SPLITS = ("train", "dev", "test")
QUESTION_LABELS = ("answer", "not_covered", "out_of_scope", "refused")
LANGS = ("zh-Hans", "zh-Hant", "en")


class DatasetError(ValueError):
    """A malformed dataset file; the message names the file and the item."""


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    url: str
    split: str
    label: str
    lang: str
    role: str
    lender: str
    card: str | None = None
    gold: tuple[tuple[str, str], ...] = ()
    augmented: bool = False


@dataclass(frozen=True)
class Message:
    id: str
    text: str
    url: str
    split: str
    codes: tuple[str, ...]
    lang: str
    channel: str
    recipient: str
    augmented: bool = False
    note: str = field(default="", compare=False)

    @property
    def lawful(self) -> bool:
        return not self.codes


def _read_list(path: Path) -> list[dict]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise DatasetError(f"{path}: cannot read: {exc}") from exc
    if not isinstance(data, list):
        raise DatasetError(f"{path}: expected a YAML list of items")
    return data


def _require(path: Path, item: dict, keys: tuple[str, ...]) -> None:
    missing = [k for k in keys if k not in item]
    if missing:
        raise DatasetError(f"{path}: item {item.get('id', '?')}: missing {', '.join(missing)}")
    if item["split"] not in SPLITS:
        raise DatasetError(f"{path}: item {item['id']}: split must be one of {SPLITS}")
    if item["lang"] not in LANGS:
        raise DatasetError(f"{path}: item {item['id']}: lang must be one of {LANGS}")


QUESTIONS_FILE = "questions.yaml"
# Labelled questions taken from a single source file each: one "page", so they cannot be split by page
# and are kept out of evaluation entirely (every item must be `split: train`).
TRAIN_ONLY_QUESTION_FILES = ("legal_questions_debt.yaml",)


def _question(path: Path, item: dict) -> Question:
    _require(path, item, ("id", "text", "url", "split", "label", "lang"))
    if item["label"] not in QUESTION_LABELS:
        raise DatasetError(f"{path}: item {item['id']}: label must be one of {QUESTION_LABELS}")
    gold = tuple((g["doc"], g["article"]) for g in item.get("gold") or ())
    return Question(id=item["id"], text=item["text"], url=item["url"], split=item["split"],
                    label=item["label"], lang=item["lang"], role=item.get("role", "unknown"),
                    lender=item.get("lender", "unknown"), card=item.get("card"), gold=gold,
                    augmented=bool(item.get("augmented", False)))


def load_questions(knowledge_dir: Path | str, splits: tuple[str, ...] = SPLITS) -> list[Question]:
    path = Path(knowledge_dir) / "realworld" / QUESTIONS_FILE
    questions = [_question(path, item) for item in _read_list(path)]
    return [q for q in questions if q.split in splits]


def train_only_question_paths(knowledge_dir: Path | str) -> tuple[Path, ...]:
    return tuple(Path(knowledge_dir) / "realworld" / name for name in TRAIN_ONLY_QUESTION_FILES)


def load_train_only_questions(knowledge_dir: Path | str) -> list[Question]:
    """The questions of the train-only files that exist in `knowledge_dir`; any other split is an error."""
    out = []
    for path in train_only_question_paths(knowledge_dir):
        if not path.is_file():
            continue
        for item in _read_list(path):
            question = _question(path, item)
            if question.split != "train":
                raise DatasetError(f"{path}: item {question.id}: a train-only file holds split `train` only")
            out.append(question)
    return out


def training_questions(knowledge_dir: Path | str) -> list[Question]:
    """Every labelled question training may read: the `train` split of questions.yaml and the train-only
    files. A knowledge folder without them (a test's) gives what it has."""
    has_dataset = (Path(knowledge_dir) / "realworld" / QUESTIONS_FILE).is_file()
    return [*(load_questions(knowledge_dir, splits=("train",)) if has_dataset else []),
            *load_train_only_questions(knowledge_dir)]


def load_messages(knowledge_dir: Path | str, splits: tuple[str, ...] = SPLITS) -> list[Message]:
    path = Path(knowledge_dir) / "realworld" / "messages.yaml"
    out = []
    for item in _read_list(path):
        _require(path, item, ("id", "text", "url", "split", "codes", "lang"))
        if item["split"] not in splits:
            continue
        out.append(Message(id=item["id"], text=item["text"], url=item["url"], split=item["split"],
                           codes=tuple(item["codes"] or ()), lang=item["lang"],
                           channel=item.get("channel", "unknown"),
                           recipient=item.get("recipient", "unknown"),
                           augmented=bool(item.get("augmented", False)),
                           note=item.get("note", "")))
    return out


__all__ = ["DatasetError", "Message", "QUESTIONS_FILE", "Question", "QUESTION_LABELS", "SPLITS",
           "TRAIN_ONLY_QUESTION_FILES", "load_messages", "load_questions", "load_train_only_questions",
           "train_only_question_paths", "training_questions"]
