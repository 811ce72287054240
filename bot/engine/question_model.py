"""The trained topic/card classifier for questions (scikit-learn over character n-grams).

Classes are the answer cards' ids plus `not_covered`, `out_of_scope` and `refused`. It is
trained by `python -m ingest` (a second or two) on:
- every card's topic and listed phrasings (class: the card),
- the `train` split of knowledge/realworld/questions.yaml (class: its card or its label),
- the not-covered and refusal phrasings written for this project (bot/data/not_covered.yaml,
  bot/data/refusals.yaml).
It never reads `dev` or `test`. The model is stored in the index version folder next to the
manifest and loaded by the engine; it is never downloaded. Thresholds for using its predictions
are data (bot/data/question_model.yaml), chosen on the `dev` split.
"""
from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from bot.datafiles import DATA_DIR, data_path
from bot.engine.query import normalize_question
from ingest.cards import Card
from ingest.realworld import load_questions

log = logging.getLogger(__name__)

MODEL_FILE = "question-classifier.joblib"
META_FILE = "question-classifier.json"
SETTINGS_FILE = data_path("question_model.yaml")
NOT_COVERED, OUT_OF_SCOPE, REFUSED = "not_covered", "out_of_scope", "refused"
NEGATIVE_CLASSES = (NOT_COVERED, OUT_OF_SCOPE, REFUSED)
TRAINING_VERSION = 1      # bump when features or training data assembly change


@lru_cache(maxsize=1)
def model_settings() -> dict:
    with open(SETTINGS_FILE, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@dataclass(frozen=True)
class Prediction:
    label: str          # a card id or one of NEGATIVE_CLASSES
    confidence: float   # the classifier's probability of `label`
    margin: float       # probability of `label` minus the runner-up's

    @property
    def is_card(self) -> bool:
        return self.label not in NEGATIVE_CLASSES


def training_examples(knowledge_dir: Path | str, cards: list[Card]) -> tuple[list[str], list[str]]:
    """(texts, labels) for training: card phrasings, the real-world train split, written phrasings."""
    from bot.engine import not_covered, refusals

    texts: list[str] = []
    labels: list[str] = []
    card_ids = {c.id for c in cards}
    for card in cards:
        for phrasing in (card.topic, *card.questions):
            texts.append(phrasing)
            labels.append(card.id)
    # A knowledge folder without the real-world dataset trains on the cards and written phrasings only.
    has_dataset = (Path(knowledge_dir) / "realworld" / "questions.yaml").is_file()
    for q in load_questions(knowledge_dir, splits=("train",)) if has_dataset else []:
        label = q.card if q.label == "answer" else q.label
        if label in card_ids or label in NEGATIVE_CLASSES:
            texts.append(q.text)
            labels.append(label)
    for text in not_covered.training_examples():
        texts.append(text)
        labels.append(NOT_COVERED)
    for text in refusals.training_examples():
        texts.append(text)
        labels.append(REFUSED)
    return [normalize_question(t) for t in texts], labels


def make_pipeline():
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline as sk_pipeline

    params = model_settings()["training"]
    return sk_pipeline(
        TfidfVectorizer(analyzer="char_wb", ngram_range=tuple(params["ngram_range"]), sublinear_tf=True,
                        lowercase=True),
        LogisticRegression(C=float(params["C"]), max_iter=5000, class_weight="balanced"))


def train(texts: list[str], labels: list[str]):
    pipeline = make_pipeline()
    pipeline.fit(texts, labels)
    return pipeline


def training_fingerprint(knowledge_dir: Path | str) -> str:
    """Changes whenever the training data or its settings change (so ingest retrains)."""
    knowledge_dir = Path(knowledge_dir)
    digest = hashlib.sha256(str(TRAINING_VERSION).encode())
    data_dir = DATA_DIR
    for path in (knowledge_dir / "realworld" / "questions.yaml", data_dir / "not_covered.yaml",
                 data_dir / "refusals.yaml", SETTINGS_FILE):
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"missing")
    return digest.hexdigest()[:16]


def train_and_save(knowledge_dir: Path | str, cards: list[Card], folder: Path) -> dict:
    """Train on the train split and card phrasings; write the model and its metadata into `folder`."""
    import joblib
    import sklearn

    texts, labels = training_examples(knowledge_dir, cards)
    pipeline = train(texts, labels)
    joblib.dump(pipeline, folder / MODEL_FILE)
    meta = {"classes": list(pipeline.classes_), "examples": len(texts), "sklearn": sklearn.__version__,
            "fingerprint": training_fingerprint(knowledge_dir), "splits": ["train"]}
    (folder / META_FILE).write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
    return meta


class QuestionClassifier:
    def __init__(self, pipeline):
        self.pipeline = pipeline
        self.classes = list(pipeline.classes_)

    @classmethod
    def load(cls, folder: Path) -> QuestionClassifier | None:
        """The model stored with an index version, or None when that index has none (log says why)."""
        import joblib

        path = Path(folder) / MODEL_FILE
        if not path.is_file():
            log.warning("no question classifier in the index; rebuild with `python -m ingest`")
            return None
        return cls(joblib.load(path))

    def predict(self, text: str) -> Prediction:
        """For a normalised (Simplified) question."""
        probs = self.pipeline.predict_proba([text])[0]
        order = probs.argsort()[::-1]
        best, second = order[0], order[1] if len(order) > 1 else order[0]
        return Prediction(label=self.classes[best], confidence=float(probs[best]),
                          margin=float(probs[best] - (probs[second] if second != best else 0.0)))


def index_folder(settings, version: str) -> Path:
    from ingest.build import INDEXES_DIR

    return Path(settings.data_dir) / INDEXES_DIR / version


__all__ = ["NEGATIVE_CLASSES", "Prediction", "QuestionClassifier", "index_folder", "model_settings",
           "train", "train_and_save", "training_examples", "training_fingerprint"]
