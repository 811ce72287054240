"""Citations for the claims an answer makes: each cited article is referred to in the answer's body,
and quoted at claim level (the item that applies, labelled 第五十条第一款第（五）项).

The body's sentences that name an article are the claims it supports; they and the user's
question pick the span to quote (`bot.claim_quotes`). An article the body never names is not
cited (`bot.citation_relevance`).
"""
from __future__ import annotations

from bot.answers import Citation
from bot.citation_relevance import referring_sentences
from bot.citations import CitationError, make_citation
from bot.claim_quotes import claim_quote
from ingest.corpus import Corpus
from ingest.keyword import tokenize


def cite_claims(corpus: Corpus, keys: list[tuple[str, str]], body: str, question_terms: list[str]) -> list[Citation]:
    """Verified, claim-level citations for the (doc_id, label) keys the body refers to, in order."""
    out: list[Citation] = []
    for doc_id, label in keys:
        article = corpus.article(doc_id, label)
        claims = referring_sentences(doc_id, label, body, corpus) if article is not None else []
        if not claims:
            continue
        quoted = claim_quote(article, question_terms, tokenize(" ".join(claims)))
        try:
            out.append(make_citation(corpus, doc_id, article.label, quoted.quote, quoted.locator))
        except CitationError:
            continue
    return out


__all__ = ["cite_claims"]
