"""Offline grounded composer: answer card + retrieved articles -> cited plain-text answer.

Every citation is built with `bot.engine.citations.make_citation`, so an article that
does not exist or a quote that is not verbatim can never reach the user.
Guidance chunks are never cited; only regulation articles are.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from bot.datafiles import load_yaml
from bot.engine.answers import Citation
from bot.engine.citation_relevance import is_referred
from bot.engine.citation_text import caveat_note, english_title, render_citations
from bot.engine.citations import CitationError, make_citation
from bot.engine.claim_quotes import anchor_quote, claim_quote
from bot.engine.claims import by_claim_relevance, cite_claims
from bot.engine.lookup import LookupResult, load_document_data
from bot.engine.quotes import item_quote
from bot.engine.sentences import SENTENCE_ENDS, sentences
from bot.language import localize
from bot.messages import catalogue, status_label, t
from ingest.cards import Card
from ingest.corpus import Corpus

MAX_CITES = 5
MAX_EXTRA = 1
MAX_STEPS = 5
MAX_AVOID = 3
_SECTION = re.compile(r"^##\s*(.+?)\s*$", re.MULTILINE)


@dataclass
class Evidence:
    """What retrieval found for a question."""
    card: Card | None = None
    card_strength: float = 0.0
    articles: list[tuple[str, str]] = field(default_factory=list)   # ranked (doc_id, label), regulations only
    strong: list[tuple[str, str]] = field(default_factory=list)     # direct hits both retrievers agree on
    terms: list[str] = field(default_factory=list)                   # query terms for quote selection
    # The lender asked about (bot.engine.lenders): which rules bind it, their articles, and documents
    # whose rules bind a different kind of lender (not cited for this one).
    lender_note: str | None = None
    lender_citations: list[Citation] = field(default_factory=list)
    exclude_docs: tuple[str, ...] = ()


@dataclass
class Composed:
    text: str
    citations: list[Citation]
    followups: list[str] = field(default_factory=list)
    topic: str | None = None


def replies() -> dict:
    """The composer's fixed texts by language ({"zh": {...}, "en": {...}}), from the one catalogue."""
    return catalogue()["composer"]


@lru_cache(maxsize=1)
def english_cards() -> dict:
    return load_yaml("cards_en.yaml", empty={})


def _r(lang: str) -> dict:
    return replies()["en" if lang == "en" else "zh"]


def _disclaimer(lang: str) -> str:
    """The catalogue's disclaimer in Simplified or English (`_finish` converts the whole text)."""
    return t("disclaimer", "en" if lang == "en" else "zh-Hans")


def _finish(text: str, lang: str) -> str:
    """Simplified -> the user's script (English text is written in English already)."""
    return text if lang == "en" else localize(text, lang)


# ---------------------------------------------------------------- cards

def card_sections(card: Card) -> dict[str, str]:
    """{'直接回答': ..., '怎么做': ..., '不要做': ...} from the card body."""
    parts = _SECTION.split(card.body)
    return {parts[i].strip(): parts[i + 1].strip() for i in range(1, len(parts) - 1, 2)}


def first_sentences(text: str, limit: int = 10) -> str:
    found = sentences(text, SENTENCE_ENDS)
    return "".join(found[:limit])


def bullets(text: str, limit: int) -> list[str]:
    items = [line.strip()[1:].strip() for line in text.splitlines() if line.strip().startswith(("-", "*"))]
    return items[:limit]


# ---------------------------------------------------------------- citations

def cite(corpus: Corpus, doc_id: str, label: str, terms: list[str], item: int | None = None) -> Citation | None:
    """A verified citation quoting the claim-level span (the named item, or the best one), or None."""
    article = corpus.article(doc_id, label)
    if article is None:
        return None
    named = item_quote(article, item) if item else None
    quoted = anchor_quote(article, named) if named else claim_quote(article, terms)
    try:
        return make_citation(corpus, doc_id, article.label, quoted.quote, quoted.locator)
    except CitationError:
        return None


def choose_cites(evidence: Evidence, corpus: Corpus) -> list[tuple[str, str]]:
    """The card's cites ordered by retrieval rank (then card order); without a card, the top articles."""
    if evidence.card is None:
        return evidence.strong[:3]
    own, extra = _card_and_extra(evidence, corpus)
    return own[:MAX_CITES - len(extra)] + extra


def ranked_cites(evidence: Evidence, corpus: Corpus) -> list[tuple[str, str]]:
    """Every candidate article, uncapped: the card's cites by retrieval rank, then agreed direct hits."""
    if evidence.card is None:
        return list(evidence.strong)
    own, extra = _card_and_extra(evidence, corpus)
    return own + extra


def _card_and_extra(evidence: Evidence, corpus: Corpus) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    rank = {key: i for i, key in enumerate(evidence.articles)}
    cites = [(c.doc_id, corpus.article(c.doc_id, c.article).label) for c in evidence.card.cites
             if corpus.article(c.doc_id, c.article) is not None]
    ordered = [c for _, c in sorted(enumerate(cites), key=lambda p: (rank.get(p[1], len(rank) + p[0]), p[0]))]
    # Articles both retrievers rank high, which the card does not cite, are added after the card's own.
    return ordered, [a for a in evidence.strong if a not in ordered][:MAX_EXTRA]


# ---------------------------------------------------------------- replies

def compose_fixed(kind: str, lang: str, notes: list[str] | None = None) -> Composed:
    """greeting | out_of_scope | refused: fixed text, no citations."""
    r = _r(lang)
    paragraphs = [r[n] for n in notes or []] + [r[kind]]
    return Composed(text=_finish("\n\n".join(paragraphs), lang), citations=[])


def compose_topical(evidence: Evidence, intent: str, lang: str, corpus: Corpus,
                    notes: list[str] | None = None, cards: dict[str, Card] | None = None,
                    role: str = "borrower", echo: str = "") -> Composed:
    """Direct answer, 法律依据 with claim-level verbatim quotes, next steps, disclaimer.

    Only articles the answer's own sentences or steps name are cited (`bot.claims`); the text is
    the card's, or its per-role text for a contact, relative, guarantor or employer.
    """
    r = _r(lang)
    card = evidence.card
    direct, steps, avoid = _card_text(card, intent, lang, role)
    if not direct:
        keys = choose_cites(evidence, corpus)
        direct = r["no_card_lead"].format(articles=_article_names(keys, corpus, lang))
    elif lang == "en" and card is not None and card.id not in (english_cards().get("cards") or {}):
        # The intent's general English summary names no article: say which ones it rests on.
        keys = choose_cites(evidence, corpus)
        direct += " " + r["intent_articles"].format(articles=_article_names(keys, corpus, lang))
    else:
        # Only the articles the direct answer or a step names, in retrieval order.
        body = "\n".join([direct, *steps, *avoid])
        keys = [k for k in ranked_cites(evidence, corpus) if is_referred(*k, body, corpus)]
        keys = by_claim_relevance(corpus, keys, body, evidence.terms)[:MAX_CITES]
    keys = [k for k in keys if k[0] not in evidence.exclude_docs]   # rules that do not bind this lender
    steps = steps or list(r["fallback_steps"])
    citations = cite_claims(corpus, keys, "\n".join([direct, *steps, *avoid]), evidence.terms)
    blocks = [r[n] for n in notes or []] + ([echo] if echo else []) + [direct]
    if evidence.lender_note:
        blocks.append(evidence.lender_note)
        # The note's own articles, cited only where the note names them (like every other citation).
        cited = {(c.doc_id, c.article) for c in citations}
        citations += [c for c in evidence.lender_citations if (c.doc_id, c.article) not in cited
                      and is_referred(c.doc_id, c.article, evidence.lender_note, corpus)]
    if citations:
        blocks.append(render_citations(citations, lang, corpus))
    colon = ":" if lang == "en" else "："
    blocks.append(f"{r['steps']}{colon}\n" + "\n".join(f"- {s}" for s in steps))
    if avoid:
        blocks.append(f"{r['avoid']}{colon}\n" + "\n".join(f"- {s}" for s in avoid))
    blocks.append(_disclaimer(lang))
    if card is None:
        followups = []
    elif lang == "en":
        followups = english_followups(card, cards or {})
    else:
        followups = [_finish(q, lang) for q in card.followups]
    return Composed(text=_finish("\n\n".join(blocks), lang), citations=citations, followups=followups,
                    topic=card.id if card else intent)


def _article_names(keys: list[tuple[str, str]], corpus: Corpus, lang: str) -> str:
    """《民法典》第一千零三十三条、《刑法》第二百五十三条之一: the lead names what it cites."""
    names = []
    for doc_id, label in keys:
        doc, article = corpus.document(doc_id), corpus.article(doc_id, label)
        if doc is not None and article is not None:
            names.append(f"《{doc.short_title}》{article.display}")
    return (", " if lang == "en" else "、").join(names)


def english_followups(card: Card, cards: dict[str, Card]) -> list[str]:
    """A card's follow-ups are other cards' questions; in English, use those cards' English phrasing."""
    out = []
    for followup in card.followups:
        target = next((c for c in cards.values() if followup in c.questions), None)
        english = next((q for q in target.questions if q.isascii()), None) if target else None
        if english and english not in out:
            out.append(english)
    return out


def _card_text(card: Card | None, intent: str, lang: str, role: str = "borrower") -> tuple[str, list[str], list[str]]:
    """(direct answer, steps, don'ts) from the card, with its per-role text for this reader where given."""
    if lang == "en":
        data = english_cards()
        entry = (data.get("cards") or {}).get(card.id) if card else None
        entry = entry or (data.get("intents") or {}).get(card.intent if card else intent)
        if not entry:
            return "", [], []
        entry = {**entry, **((entry.get("roles") or {}).get(role) or {})}
        return " ".join(entry["summary"].split()), list(entry.get("steps", []))[:MAX_STEPS], []
    if card is None:
        return "", [], []
    sections = card_sections(card)
    own = card.roles.get(role, {})
    direct = own.get("direct") or first_sentences(sections.get("直接回答", ""))
    steps = own.get("steps") or bullets(sections.get("怎么做", ""), MAX_STEPS)
    avoid = own.get("avoid") or bullets(sections.get("不要做", ""), MAX_AVOID)
    return direct, steps[:MAX_STEPS], avoid[:MAX_AVOID]


def compose_lookup(result: LookupResult, lang: str, corpus: Corpus, terms: list[str],
                   notes: list[str] | None = None) -> Composed:
    """The named article quoted in full (or the named item), or why it cannot be cited."""
    r = _r(lang)
    blocks = [r[n] for n in notes or []]
    if result.kind != "article":
        message = result.message_en if lang == "en" else result.message_zh
        tail = (r["false_document_tail"] if result.kind in ("false_document", "unknown_document")
                else r["missing_article_tail"])
        if result.kind == "not_in_partial":
            tail = ""
        blocks += [message + (" " if lang == "en" else "") + tail if tail else message, _disclaimer(lang)]
        return Composed(text=_finish("\n\n".join(blocks), lang), citations=[], topic="article_lookup")
    article = result.article
    doc = corpus.document(result.doc_id)
    message = result.message_en if lang == "en" else result.message_zh
    if message:   # e.g. the user had the old numbering of a revised law
        blocks.append(message)
    quote = item_quote(article, result.item) if result.item else None
    citation = _lookup_citation(corpus, doc.id, article.label, quote or article.body)
    if citation is None:
        return compose_fixed("out_of_scope", lang, notes)
    status = status_label(doc.status, "en" if lang == "en" else "zh-Hans")
    display = citation.display
    if lang == "en":
        lead = (r["lookup_item_lead"].format(display=display, item=result.item, english=english_title(doc.id))
                if quote else r["lookup_lead"].format(display=display, english=english_title(doc.id), status=status))
    else:
        lead = (r["lookup_item_lead"].format(display=display, item=_cn(result.item))
                if quote else r["lookup_lead"].format(display=display, status=status))
    blocks.append(f"{lead}\n“{citation.quote}”")
    if citation.caveat:
        blocks.append(caveat_note(citation.caveat, lang))
    current = _current_version(doc.id, corpus)
    if current:
        blocks.append(r["lookup_superseded"].format(current=current))
    blocks.append(_disclaimer(lang))
    return Composed(text=_finish("\n\n".join(blocks), lang), citations=[citation], topic="article_lookup")


def _lookup_citation(corpus: Corpus, doc_id: str, label: str, quote: str) -> Citation | None:
    try:
        return make_citation(corpus, doc_id, label, quote)
    except CitationError:
        return None


def _cn(number: int) -> str:
    from ingest.numerals import int_to_chinese
    return int_to_chinese(number)


def _current_version(doc_id: str, corpus: Corpus) -> str | None:
    """For a superseded/amended document, the short title of the in-force variant of the same family."""
    doc = corpus.document(doc_id)
    if doc is None or doc.in_force:
        return None
    for variant in load_document_data().get("variants", {}).values():
        docs = {variant["default"], *(c["doc"] for c in variant.get("choices", []))}
        if doc_id in docs:
            current = corpus.document(variant["default"])
            if current is not None and current.in_force and current.id != doc_id:
                return current.short_title
    return None


__all__ = ["Evidence", "Composed", "compose_fixed", "compose_topical", "compose_lookup", "card_sections",
           "cite", "choose_cites", "replies", "english_cards"]
