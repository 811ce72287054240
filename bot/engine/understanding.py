"""Question understanding next to retrieval: the trained classifier, not-covered topics, lender.

`QuestionReader.read(text)` says, for a normalised question, whether it asks for a rule the
corpus does not hold (a topic pattern, or a classifier when confident), whether a classifier
confidently calls it out of scope or the question classifier an unlawful request, which card it confidently predicts
(the engine then answers from that card), and which kind of lender it is about. Thresholds are
data (bot/data/question_model.yaml), chosen on the dev split.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from bot.datafiles import load_yaml
from bot.engine.lenders import LenderMatch, detect_lender
from bot.engine.not_covered import NotCoveredTopic, generic_topic, match_topic
from bot.engine.scope import read_scope
from ingest.classifiers.question_model import NOT_COVERED, OUT_OF_SCOPE, REFUSED, Prediction, QuestionClassifier
from ingest.classifiers.scope_model import ScopeClassifier
from ingest.lenders import with_lender_words


@lru_cache(maxsize=1)
def thresholds() -> dict[str, float]:
    """How confident the classifier must be before its prediction is used, per use."""
    return load_yaml("question_model.yaml")["thresholds"]


@dataclass(frozen=True)
class Understanding:
    prediction: Prediction | None
    not_covered: NotCoveredTopic | None
    out_of_scope: bool
    refused: bool
    card_id: str | None          # the card the classifier confidently predicts
    lender: LenderMatch | None
    card_overrides: bool = False  # confident enough to answer from it even when retrieval found another card
    card_in_domain: bool = False  # confident enough to take in a question that has no debt word


class QuestionReader:
    def __init__(self, classifier: QuestionClassifier | None, card_ids: set[str],
                 scope: ScopeClassifier | None = None):
        self.classifier = classifier
        self.scope = scope
        self.card_ids = card_ids
        self.thresholds = thresholds()

    def read(self, text: str) -> Understanding:
        # The classifiers learned from questions with a brand's kind of debt added (ingest.lenders).
        prediction = self.classifier.predict(with_lender_words(text)) if self.classifier is not None and text else None
        card_id = None
        if prediction is not None and prediction.label in self.card_ids \
                and prediction.confidence >= self.thresholds["card"]:
            card_id = prediction.label
        # The scope classifier is not asked when the question classifier's best guess is a card: it would
        # overrule a topic the bot knows ("个性化分期最长能分几年") on wording alone.
        card_guess = prediction is not None and prediction.label in self.card_ids
        scope = None if card_guess else read_scope(self.scope, text)
        topic = match_topic(text)
        if topic is None and (self._confident(prediction, NOT_COVERED) or scope == NOT_COVERED):
            topic = generic_topic()
        out_of_scope = self._confident(prediction, OUT_OF_SCOPE) or scope == OUT_OF_SCOPE
        return Understanding(prediction=prediction, not_covered=topic, out_of_scope=out_of_scope,
                             refused=self._confident(prediction, REFUSED), card_id=card_id,
                             card_overrides=card_id is not None
                             and prediction.confidence >= self.thresholds["card_override"],
                             card_in_domain=card_id is not None
                             and prediction.confidence >= self.thresholds["card_in_domain"],
                             lender=detect_lender(text))

    def _confident(self, prediction: Prediction | None, label: str) -> bool:
        return prediction is not None and prediction.label == label and prediction.confidence >= self.thresholds[label]


__all__ = ["QuestionReader", "Understanding"]
