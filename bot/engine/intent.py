"""Intent classification into the engine's stable vocabulary.

Rules are data (bot/data/intents.yaml): refusal patterns, greeting phrases, the debt vocabulary
(`debt_vocabulary`: collection, domain and borrower words) and weighted keywords per intent. The
best-matching answer card's own intent is added as extra evidence by the caller.
"""
from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from bot.datafiles import load_yaml
from ingest.cards import INTENTS, TOPICAL_INTENTS

_PUNCT = re.compile(r"[\s,.!?;:，。！？；：、~～…'\"“”‘’()（）\[\]【】]+")


@lru_cache(maxsize=1)
def rules() -> dict:
    data = load_yaml("intents.yaml", empty={})
    data["_refused"] = [re.compile(p, re.IGNORECASE) for p in data.get("refused", [])]
    data["_refused_exceptions"] = [re.compile(p, re.IGNORECASE) for p in data.get("refused_exceptions", [])]
    data["_out_of_scope"] = [re.compile(p, re.IGNORECASE) for p in data.get("out_of_scope", [])]
    data["_out_of_scope_creditor"] = [re.compile(p, re.IGNORECASE) for p in data.get("out_of_scope_creditor", [])]
    data["_out_of_scope_banking"] = [re.compile(p, re.IGNORECASE) for p in data.get("out_of_scope_banking", [])]
    data["_greeting_exact"] = {_PUNCT.sub("", str(g)).lower() for g in data["greeting"]["exact"]}
    return data


def _en_hit(word: str, lowered: str) -> bool:
    return re.search(rf"\b{re.escape(word)}", lowered) is not None


def is_refusal_exception(text: str) -> bool:
    """Close to an unlawful request in words but not one: spotting a forgery, someone else moving assets,
    being the victim of identity misuse (`refused_exceptions` in bot/data/intents.yaml)."""
    lowered = text.lower()
    return any(p.search(lowered) for p in rules()["_refused_exceptions"])


def is_refused(text: str) -> bool:
    """A request for unlawful help (hiding assets, forged proof, threatening the collector …)."""
    lowered = text.lower()
    return not is_refusal_exception(text) and any(p.search(lowered) for p in rules()["_refused"])


def is_out_of_scope(text: str) -> bool:
    """Debt questions the bot does not cover (wages; deposits; the user is the lender and says nothing
    of owing or being collected from), and banking questions (loan prices, points, down payments …)
    that say nothing of a debt being collected."""
    lowered = text.lower()
    data = rules()
    if any(p.search(lowered) for p in data["_out_of_scope"]):
        return True
    if not speaks_of(text, BORROWER) and any(p.search(lowered) for p in data["_out_of_scope_creditor"]):
        return True
    return not has_collection_words(text) and any(p.search(lowered) for p in data["_out_of_scope_banking"])


COLLECTION, DOMAIN, BORROWER = "collection", "domain", "borrower"   # tiers of `debt_vocabulary`


def speaks_of(text: str, tier: str) -> bool:
    """The normalised question holds a word of this tier of the debt vocabulary (bot/data/intents.yaml)."""
    vocabulary = rules()["debt_vocabulary"]
    if any(str(w) in text for w in vocabulary.get(tier) or ()):
        return True
    lowered = text.lower()
    return any(_en_hit(str(w), lowered) for w in vocabulary.get(f"{tier}_en") or ())


def has_collection_words(text: str) -> bool:
    """The question speaks of a debt being collected or enforced, not only of credit products."""
    return speaks_of(text, COLLECTION)


def has_debt_words(text: str) -> bool:
    """The question speaks of debts, collection, credit or the rights the bot covers."""
    return speaks_of(text, COLLECTION) or speaks_of(text, DOMAIN)


def has_injection(text: str) -> bool:
    """Prompt-injection phrasing; such text is still only data to the engine."""
    lowered = text.lower()
    return any(marker.lower() in lowered for marker in rules().get("injection", []))


def is_greeting(text: str) -> bool:
    """Greetings or requests for help made only of greeting phrases ("在吗？你能帮我做什么")."""
    bare = _PUNCT.sub("", text).lower()
    if not bare:
        return True
    if has_debt_words(text):
        return False
    phrases = sorted(rules()["_greeting_exact"], key=len, reverse=True)
    rest = bare
    for phrase in phrases:
        if phrase and not phrase.isascii():
            rest = rest.replace(phrase, "")
    if rest in rules()["_greeting_exact"] or len(rest) <= 1:
        return True
    # English: every word belongs to a greeting phrase ("hi there" is close enough).
    words = re.findall(r"[a-z/]+", text.lower())
    if words and len(words) <= 6 and bare.isascii():
        joined = " ".join(words)
        return joined in {g for g in rules()["greeting"]["exact"] if str(g).isascii()} or (
            words[0] in rules()["greeting"]["prefixes"] and len(words) <= 2)
    return False


def keyword_scores(text: str) -> Counter:
    data = rules()
    lowered = text.lower()
    scores: Counter = Counter()
    for intent, words in (data.get("keywords") or {}).items():
        for word, weight in words.items():
            if str(word) in text:
                scores[intent] += float(weight)
    for intent, words in (data.get("keywords_en") or {}).items():
        for word, weight in words.items():
            if _en_hit(str(word), lowered):
                scores[intent] += float(weight)
    return scores


def classify_topic(text: str, card_intent: str | None = None, card_strength: float = 1.0) -> str | None:
    """The topical intent for an in-scope question: keyword evidence plus the best card's intent.

    card_strength (0..1) scales the card's vote by how well the card matched.
    Returns None when there is no evidence at all.
    """
    scores = keyword_scores(text)
    if card_intent in TOPICAL_INTENTS:
        scores[card_intent] += float(rules().get("card_weight", 3)) * card_strength
    if not scores:
        return None
    best = max(scores.values())
    # Ties go to the card's intent, then to the vocabulary order (stable output).
    tied = [i for i in TOPICAL_INTENTS if scores.get(i) == best]
    return card_intent if card_intent in tied else tied[0]


__all__ = ["BORROWER", "COLLECTION", "DOMAIN", "INTENTS", "TOPICAL_INTENTS", "classify_topic", "has_collection_words",
           "has_debt_words", "has_injection", "is_greeting", "speaks_of",
           "is_out_of_scope", "is_refusal_exception", "is_refused", "keyword_scores", "rules"]
