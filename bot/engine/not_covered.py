"""Questions asking for a rule the corpus does not hold, and the honest answer to them.

Topics (calling hours, calls per day, when contacts may be rung, the so-called 五大禁令, a
platform's own policy, licensing of collection agencies, car repossession, enforcement details, job and
residence, compensation amounts …) are data in bot/data/not_covered.yaml.
The answer says plainly first that no such rule is held, then what the corpus does say on the
topic (the related card's answer and its articles, quoted verbatim), then official help.
It never cites an article from outside the related card to fill the gap.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import yaml

from bot.datafiles import data_path
from bot.engine.answers import Citation
from bot.engine.citation_relevance import is_referred
from bot.engine.citation_text import render_citations
from bot.engine.composer import Composed, card_sections, cite, english_cards, first_sentences, replies
from bot.engine.lenders import LenderMatch, binds, lender_citations, lender_note
from bot.language import localize
from bot.messages import t
from ingest.cards import Card
from ingest.corpus import Corpus

DATA_FILE = data_path("not_covered.yaml")
MAX_CITES = 3
GENERIC = "generic"


@dataclass(frozen=True)
class NotCoveredTopic:
    id: str
    patterns: tuple[re.Pattern, ...]
    related: str | None
    text_zh: str
    text_en: str


@lru_cache(maxsize=1)
def _data() -> dict:
    with open(DATA_FILE, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@lru_cache(maxsize=1)
def topics() -> tuple[NotCoveredTopic, ...]:
    return tuple(NotCoveredTopic(id=topic_id, patterns=tuple(re.compile(p, re.IGNORECASE) for p in e["patterns"]),
                                 related=e.get("related"), text_zh=" ".join(e["text_zh"].split()),
                                 text_en=" ".join(e["text_en"].split()))
                 for topic_id, e in _data()["topics"].items())


def generic_topic() -> NotCoveredTopic:
    """Used when the classifier, not a pattern, says the rule asked for is not held."""
    return NotCoveredTopic(id=GENERIC, patterns=(), related=None, text_zh=_data()["generic"]["text_zh"],
                           text_en=_data()["generic"]["text_en"])


def match_topic(text: str) -> NotCoveredTopic | None:
    """The not-covered topic a normalised (Simplified) question asks about, or None."""
    lowered = text.lower()
    for topic in topics():
        if any(p.search(lowered) for p in topic.patterns):
            return topic
    return None


def compose_not_covered(topic: NotCoveredTopic, lang: str, corpus: Corpus, cards: dict[str, Card],
                        terms: list[str], notes: list[str] | None = None,
                        lender: LenderMatch | None = None) -> Composed:
    """Not held, said first; then the related card's answer and articles (if any); then official help.

    When the question names a lender that the card's rules do not bind (the credit-card rule for an
    online platform), the card's answer is not given: it would speak of those rules. The lender note
    says which rules bind that lender instead, with its own articles."""
    wording = _data()["wording"]["en" if lang == "en" else "zh"]
    r = replies()["en" if lang == "en" else "zh"]
    blocks = [r[n] for n in notes or []] + [topic.text_en if lang == "en" else topic.text_zh]
    card = cards.get(topic.related or "")
    citations = []
    if card is not None and not all(binds(lender, x.doc_id) for x in card.cites):
        blocks.append(lender_note(lender, lang))
        citations = _referred_citations(" ".join(blocks), lender, card, corpus, terms)
        if citations:
            blocks.append(render_citations(citations, lang, corpus))
    elif card is not None:
        citations = [c for c in (cite(corpus, x.doc_id, x.article, terms) for x in card.cites) if c][:MAX_CITES]
        summary = _card_summary(card, lang)
        if summary and citations:
            blocks.append(f"{wording['related_lead']}{' ' if lang == 'en' else ''}{summary}")
            blocks.append(render_citations(citations, lang, corpus))
        else:
            citations = []
    if not citations:
        blocks.append(wording["no_related"])
    blocks += [wording["help"], t("disclaimer", "en" if lang == "en" else "zh-Hans")]
    text = "\n\n".join(blocks)
    return Composed(text=text if lang == "en" else localize(text, lang), citations=citations,
                    topic=card.id if card else "not_covered")


def _referred_citations(text: str, lender: LenderMatch, card: Card, corpus: Corpus,
                        terms: list[str]) -> list[Citation]:
    """Verified citations of the articles `text` names (the topic text and the lender note say which
    rules bind banks only, and name them): from the lender's articles, the card's, and the documents
    that do not bind this lender."""
    keys = [(c.doc_id, c.article) for c in lender_citations(lender, corpus)]
    keys += [(x.doc_id, x.article) for x in card.cites]
    for doc_id in lender.type.not_binding:
        document = corpus.document(doc_id)
        keys += [(doc_id, a.label) for a in (document.articles if document else [])]
    seen, citations = set(), []
    for doc_id, label in keys:
        if (doc_id, label) in seen or not is_referred(doc_id, label, text, corpus):
            continue
        seen.add((doc_id, label))
        found = cite(corpus, doc_id, label, terms)
        if found:
            citations.append(found)
    return citations


def _card_summary(card: Card, lang: str) -> str:
    if lang == "en":
        entry = (english_cards().get("cards") or {}).get(card.id)
        return " ".join(entry["summary"].split()) if entry else ""
    return first_sentences(card_sections(card).get("直接回答", ""), 2)


__all__ = ["GENERIC", "NotCoveredTopic", "compose_not_covered", "generic_topic", "match_topic", "topics"]
