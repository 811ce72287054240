"""The trained topic/card classifier for questions (scikit-learn over character n-grams).

Classes are the answer cards' ids plus `not_covered`, `out_of_scope` and `refused`. It is
trained by `python -m ingest` (a second or two) on:
- every card's topic and listed phrasings (class: the card),
- the `train` split of knowledge/realworld/questions.yaml (class: its card or its label),
- the not-covered, out-of-scope and refusal phrasings written for this project
  (ingest/data/question_examples.yaml),
- colloquial phrasings per card written for this project (ingest/data/question_examples_cards.yaml).
It never reads `dev` or `test`. Text goes through `ingest.normalize.normalize_question`, the
function the bot normalises questions with, then `ingest.lenders.with_lender_words` (a brand's
kind of debt added), as the bot's does. The model is stored in the index version folder next
to the manifest and loaded by the bot's engine through `QuestionClassifier.load`; it is never
downloaded. Thresholds for using its predictions are the bot's (bot/data/question_model.yaml).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ingest.cards import Card
from ingest.classifiers import stored_model
from ingest.datafiles import data_path, load_yaml
from ingest.lenders import LENDERS_FILE, classifier_text
from ingest.paths import INDEXES_DIR
from ingest.realworld import load_questions

MODEL_FILE = "question-classifier.joblib"
ARRAYS_FILE = stored_model.arrays_file(MODEL_FILE)   # the same model for numpy alone (classifiers.linear_text)
META_FILE = "question-classifier.json"
SETTINGS_FILE = data_path("question_model.yaml")
EXAMPLES_FILE = data_path("question_examples.yaml")
CARD_EXAMPLES_FILE = data_path("question_examples_cards.yaml")
NOT_COVERED, OUT_OF_SCOPE, REFUSED = "not_covered", "out_of_scope", "refused"
NEGATIVE_CLASSES = (NOT_COVERED, OUT_OF_SCOPE, REFUSED)
TRAINING_VERSION = 4      # bump when features, training data assembly or the stored files change


@lru_cache(maxsize=1)
def training_settings() -> dict:
    return load_yaml(SETTINGS_FILE)["training"]


def written_examples() -> dict[str, list[str]]:
    """The phrasings written for this project, per class (`not_covered`, `out_of_scope`, `refused`), in file order."""
    data = load_yaml(EXAMPLES_FILE)
    return {label: [e for group in data[label].values() for e in group] for label in (NOT_COVERED, OUT_OF_SCOPE, REFUSED)}


def written_card_examples(card_ids: set[str] | None = None) -> dict[str, list[str]]:
    """The colloquial phrasings written for this project, per card id, in file order; with `card_ids`,
    only those cards' (a knowledge folder may hold a subset of the cards, e.g. a test's).

    tests/understanding checks that every card named in the file exists in knowledge/cards, so a
    renamed card cannot silently lose its phrasings."""
    data = load_yaml(CARD_EXAMPLES_FILE)["cards"]
    return {card_id: list(phrasings) for card_id, phrasings in data.items() if card_ids is None or card_id in card_ids}


@dataclass(frozen=True)
class Prediction:
    label: str          # a card id or one of NEGATIVE_CLASSES
    confidence: float   # the classifier's probability of `label`
    margin: float       # probability of `label` minus the runner-up's
    probabilities: tuple[tuple[str, float], ...] = ()   # every class with its probability, best first

    def card_probabilities(self) -> dict[str, float]:
        """The probability of each answer card (the negative classes left out)."""
        return {label: p for label, p in self.probabilities if label not in NEGATIVE_CLASSES}

    @property
    def is_card(self) -> bool:
        return self.label not in NEGATIVE_CLASSES


def training_examples(knowledge_dir: Path | str, cards: list[Card],
                      held_out_urls: frozenset[str] = frozenset()) -> tuple[list[str], list[str]]:
    """(texts, labels) for training: card phrasings, the real-world train split, written phrasings.

    `held_out_urls`: source pages whose questions are left out (cross-validation by page)."""
    texts: list[str] = []
    labels: list[str] = []
    card_ids = {c.id for c in cards}
    for card in cards:
        for phrasing in (card.topic, *card.questions):
            texts.append(phrasing)
            labels.append(card.id)
    for card_id, phrasings in written_card_examples(card_ids).items():
        texts.extend(phrasings)
        labels.extend([card_id] * len(phrasings))
    # A knowledge folder without the real-world dataset trains on the cards and written phrasings only.
    # The train-only questions (ingest.realworld.load_train_only_questions) are left to the scope classifier:
    # with this model's thresholds (bot/data/question_model.yaml, chosen on dev) they lowered the dev figures.
    has_dataset = (Path(knowledge_dir) / "realworld" / "questions.yaml").is_file()
    for q in load_questions(knowledge_dir, splits=("train",)) if has_dataset else []:
        label = q.card if q.label == "answer" else q.label
        if q.url not in held_out_urls and (label in card_ids or label in NEGATIVE_CLASSES):
            texts.append(q.text)
            labels.append(label)
    for label, phrasings in written_examples().items():
        texts.extend(phrasings)
        labels.extend([label] * len(phrasings))
    return [classifier_text(t) for t in texts], labels


def make_pipeline():
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline as sk_pipeline

    params = training_settings()
    return sk_pipeline(
        TfidfVectorizer(analyzer=params["analyzer"], ngram_range=tuple(params["ngram_range"]), sublinear_tf=True,
                        lowercase=True),
        LogisticRegression(C=float(params["C"]), max_iter=5000, class_weight="balanced"))


def train(texts: list[str], labels: list[str]):
    pipeline = make_pipeline()
    pipeline.fit(texts, labels)
    return pipeline


def training_fingerprint(knowledge_dir: Path | str) -> str:
    """Changes whenever the training data or its settings change (so ingest retrains)."""
    return stored_model.fingerprint(str(TRAINING_VERSION), (Path(knowledge_dir) / "realworld" / "questions.yaml",
                                                            EXAMPLES_FILE, CARD_EXAMPLES_FILE, SETTINGS_FILE, LENDERS_FILE))


class QuestionClassifier(stored_model.StoredClassifier):
    SPEC = stored_model.ModelSpec(MODEL_FILE, META_FILE, "question classifier", training_examples, train,
                                  training_fingerprint)

    def predict(self, text: str) -> Prediction:
        """For a normalised (Simplified) question."""
        probs = self.probabilities(text)
        order = probs.argsort()[::-1]
        best, second = order[0], order[1] if len(order) > 1 else order[0]
        return Prediction(label=self.classes[best], confidence=float(probs[best]),
                          margin=float(probs[best] - (probs[second] if second != best else 0.0)),
                          probabilities=tuple((self.classes[i], float(probs[i])) for i in order))


train_and_save = QuestionClassifier.train_and_save


def index_folder(settings, version: str) -> Path:
    """The folder of an index version, where the models trained with it are stored."""
    return Path(settings.data_dir) / INDEXES_DIR / version


__all__ = ["ARRAYS_FILE", "NEGATIVE_CLASSES", "Prediction", "QuestionClassifier", "index_folder", "training_settings",
           "train", "train_and_save", "training_examples", "training_fingerprint", "written_card_examples",
           "written_examples"]
