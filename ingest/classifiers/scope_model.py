"""The trained scope classifier: is a question answerable, asking for a rule the corpus does not hold, or out of scope?

Classes: `answer`, `not_covered`, `out_of_scope` (unlawful requests are the refusal rules' and the
question classifier's job). It is trained by `python -m ingest` beside the question classifier, on:
- every card's topic and listed phrasings (`answer`),
- the `train` split of knowledge/realworld/questions.yaml and the train-only real questions of the
  bot's own field (knowledge/realworld/legal_questions_debt.yaml) (its label; `refused` items are left out),
- the not-covered and out-of-scope phrasings written for this project (ingest/data/question_examples.yaml),
- real legal questions about other fields of law (knowledge/realworld/legal_questions.yaml, all
  `out_of_scope`, train-only).
It never reads `dev` or `test`. Features and training are the question classifier's (character
n-grams of the normalised question with its lender words, the bot's own normalisation;
ingest/data/question_model.yaml).
Thresholds for acting on its probabilities are the bot's (bot/data/scope_model.yaml), chosen by
cross-validation on train and checked on dev.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from ingest.cards import Card
from ingest.classifiers import stored_model
from ingest.classifiers.question_model import EXAMPLES_FILE, SETTINGS_FILE, train, written_examples
from ingest.lenders import LENDERS_FILE, classifier_text
from ingest.realworld import QUESTIONS_FILE, train_only_question_paths, training_questions

MODEL_FILE = "scope-classifier.joblib"
META_FILE = "scope-classifier.json"
LEGAL_QUESTIONS = Path("realworld") / "legal_questions.yaml"
ANSWER, NOT_COVERED, OUT_OF_SCOPE = "answer", "not_covered", "out_of_scope"
CLASSES = (ANSWER, NOT_COVERED, OUT_OF_SCOPE)
TRAINING_VERSION = 3      # bump when features, training data assembly or the stored files change


def legal_questions(knowledge_dir: Path | str) -> list[str]:
    """Real questions about other fields of law (train-only out-of-scope examples); [] when absent."""
    path = Path(knowledge_dir) / LEGAL_QUESTIONS
    if not path.is_file():
        return []
    items = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    return [item["text"] for item in items if item.get("split") == "train" and item.get("label") == OUT_OF_SCOPE]


def fixed_examples(knowledge_dir: Path | str, cards: list[Card]) -> tuple[list[str], list[str]]:
    """(texts, labels) that are not real-world dataset items: cards, written phrasings, other legal questions."""
    texts: list[str] = []
    labels: list[str] = []
    for card in cards:
        for phrasing in (card.topic, *card.questions):
            texts.append(phrasing)
            labels.append(ANSWER)
    written = written_examples()
    for label, phrasings in ((NOT_COVERED, written[NOT_COVERED]), (OUT_OF_SCOPE, written[OUT_OF_SCOPE]),
                             (OUT_OF_SCOPE, legal_questions(knowledge_dir))):
        texts.extend(phrasings)
        labels.extend([label] * len(phrasings))
    return texts, labels


def dataset_examples(knowledge_dir: Path | str):
    """The real-world training questions that carry a scope label (refused ones are left out)."""
    return [q for q in training_questions(knowledge_dir) if q.label in CLASSES]


def training_examples(knowledge_dir: Path | str, cards: list[Card],
                      held_out_urls: frozenset[str] = frozenset()) -> tuple[list[str], list[str]]:
    """(texts, labels) for training; `held_out_urls`: source pages left out (cross-validation by page)."""
    texts, labels = fixed_examples(knowledge_dir, cards)
    for q in dataset_examples(knowledge_dir):
        if q.url in held_out_urls:
            continue
        texts.append(q.text)
        labels.append(q.label)
    return [classifier_text(t) for t in texts], labels


def training_fingerprint(knowledge_dir: Path | str) -> str:
    """Changes whenever the training data or its settings change (so ingest retrains)."""
    knowledge_dir = Path(knowledge_dir)
    return stored_model.fingerprint(f"scope-{TRAINING_VERSION}", (
        knowledge_dir / "realworld" / QUESTIONS_FILE, *train_only_question_paths(knowledge_dir),
        knowledge_dir / LEGAL_QUESTIONS, EXAMPLES_FILE, SETTINGS_FILE, LENDERS_FILE))


@dataclass(frozen=True)
class ScopeProbabilities:
    answer: float
    not_covered: float
    out_of_scope: float


class ScopeClassifier(stored_model.StoredClassifier):
    SPEC = stored_model.ModelSpec(MODEL_FILE, META_FILE, "scope classifier", training_examples, train,
                                  training_fingerprint)

    def predict(self, text: str) -> ScopeProbabilities:
        """For a normalised (Simplified) question."""
        probs = self.probabilities(text)
        return ScopeProbabilities(**{label: float(probs[i]) for i, label in enumerate(self.classes)})


train_and_save = ScopeClassifier.train_and_save


__all__ = ["CLASSES", "ScopeClassifier", "ScopeProbabilities", "dataset_examples", "fixed_examples",
           "legal_questions", "train", "train_and_save", "training_examples", "training_fingerprint"]
