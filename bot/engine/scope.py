"""The scope classifier's verdict on a question: answerable, a rule the corpus does not hold, or out of scope.

The classifier (ingest/classifiers/scope_model.py) is trained with each index version; this module
only turns its probabilities into a verdict with the thresholds in bot/data/scope_model.yaml. A
verdict is given only when one negative class is both above its threshold and the likelier of
the two negatives; otherwise the question goes on to retrieval like any other. A question with
debt and collection words (bot/data/intents.yaml `debt_vocabulary`) needs its own out-of-scope threshold:
character n-grams can mistake a question about the bank in a collection case ("催收员辱骂我，银行要负责吗")
for a banking question outside it, yet most out-of-scope questions real users ask (mortgages, card
fees, lending to a friend) carry those words too, so the verdict cannot simply be withheld. It is
withheld when the question speaks of a debt being collected or enforced (its `collection` words: 催收,
逾期, 判决, 诈骗 …): "因为失业才还不上信用卡，银行说我是信用卡诈骗" reads as a job question to n-grams.
"""
from __future__ import annotations

from functools import lru_cache

from bot.datafiles import load_yaml
from bot.engine.intent import has_collection_words, has_debt_words
from ingest.classifiers.scope_model import NOT_COVERED, OUT_OF_SCOPE, ScopeClassifier, ScopeProbabilities
from ingest.lenders import with_lender_words

OUT_OF_SCOPE_IN_DOMAIN = "out_of_scope_in_domain"   # the threshold for a question with debt words


@lru_cache(maxsize=1)
def settings() -> dict:
    return load_yaml("scope_model.yaml")


def thresholds() -> dict[str, float]:
    return settings()["thresholds"]


def verdict(probabilities: ScopeProbabilities | None, in_domain: bool = False) -> str | None:
    """`not_covered`, `out_of_scope`, or None (answerable, or not sure enough); `in_domain`: the
    question has debt or collection words."""
    if probabilities is None:
        return None
    limits = thresholds()
    nc, oos = probabilities.not_covered, probabilities.out_of_scope
    if nc >= limits[NOT_COVERED] and nc >= oos:
        return NOT_COVERED
    if oos >= limits[OUT_OF_SCOPE_IN_DOMAIN if in_domain else OUT_OF_SCOPE] and oos > nc:
        return OUT_OF_SCOPE
    return None


def read_scope(classifier: ScopeClassifier | None, text: str) -> str | None:
    """The verdict for a normalised question; None without a classifier or text, or for a long message."""
    if classifier is None or not text or len(text) > settings()["max_chars"]:
        return None
    found = verdict(classifier.predict(with_lender_words(text)), in_domain=has_debt_words(text))
    if found == OUT_OF_SCOPE and has_collection_words(text):
        return None
    return found


__all__ = ["read_scope", "settings", "thresholds", "verdict"]
