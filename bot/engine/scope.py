"""The scope classifier's verdict on a question: answerable, a rule the corpus does not hold, or out of scope.

The classifier (ingest/classifiers/scope_model.py) is trained with each index version; this module
only turns its probabilities into a verdict with the thresholds in bot/data/scope_model.yaml. A
verdict is given only when one negative class is both above its threshold and the likelier of
the two negatives; otherwise the question goes on to retrieval like any other. An out-of-scope
verdict also needs a question with none of the debt and collection words (bot/data/intents.yaml
`domain`): with them, character n-grams mistake questions about the bank in a collection case
("催收员辱骂我，银行要负责吗") for banking questions outside it.
"""
from __future__ import annotations

from functools import lru_cache

from bot.datafiles import load_yaml
from bot.engine.intent import domain_hits
from ingest.classifiers.scope_model import NOT_COVERED, OUT_OF_SCOPE, ScopeClassifier, ScopeProbabilities


@lru_cache(maxsize=1)
def settings() -> dict:
    return load_yaml("scope_model.yaml")


def thresholds() -> dict[str, float]:
    return settings()["thresholds"]


def verdict(probabilities: ScopeProbabilities | None) -> str | None:
    """`not_covered`, `out_of_scope`, or None (answerable, or not sure enough)."""
    if probabilities is None:
        return None
    limits = thresholds()
    nc, oos = probabilities.not_covered, probabilities.out_of_scope
    if nc >= limits[NOT_COVERED] and nc >= oos:
        return NOT_COVERED
    if oos >= limits[OUT_OF_SCOPE] and oos > nc:
        return OUT_OF_SCOPE
    return None


def read_scope(classifier: ScopeClassifier | None, text: str) -> str | None:
    """The verdict for a normalised question; None without a classifier or text, or for a long message."""
    if classifier is None or not text or len(text) > settings()["max_chars"]:
        return None
    found = verdict(classifier.predict(text))
    if found == OUT_OF_SCOPE and domain_hits(text) > 0:
        return None
    return found


__all__ = ["read_scope", "settings", "thresholds", "verdict"]
