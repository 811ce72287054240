"""Citations for the claims an answer makes: each cited article is referred to in the answer's body,
and quoted at claim level (the item that applies, labelled 第五十条第一款第（五）项).

The body's sentences that name an article are the claims it supports; they and the user's
question pick the span to quote (`bot.claim_quotes`). An article the body never names is not
cited (`bot.citation_relevance`).
"""
from __future__ import annotations

from bot.engine.answers import Citation
from bot.engine.citation_relevance import referring_sentences
from bot.engine.citations import CitationError, make_citation
from bot.engine.claim_quotes import claim_quote
from ingest.corpus import Corpus
from ingest.keyword import tokenize

FUSION_K = 3   # measured with `python -m bot.eval` (gold articles cited, nothing that passed before lost)


def cite_claims(corpus: Corpus, keys: list[tuple[str, str]], body: str, question_terms: list[str]) -> list[Citation]:
    """Verified, claim-level citations for the (doc_id, label) keys the body refers to, in order."""
    out: list[Citation] = []
    for doc_id, label in keys:
        article = corpus.article(doc_id, label)
        claims = referring_sentences(doc_id, label, body, corpus) if article is not None else []
        if not claims:
            continue
        # The composer writes Simplified text: skip the (slow) script conversion.
        quoted = claim_quote(article, question_terms, tokenize(" ".join(claims), normalized=True))
        try:
            out.append(make_citation(corpus, doc_id, article.label, quoted.quote, quoted.locator))
        except CitationError:
            continue
    return out


def by_claim_relevance(corpus: Corpus, keys: list[tuple[str, str]], body: str,
                       question_terms: list[str]) -> list[tuple[str, str]]:
    """Keys whose claims share the most words with the question first; retrieval order breaks ties.

    An answer citing five of a card's ten articles should cite the ones behind the sentences that
    answer this question ("已自愿还款的，不能…要求返还（第一百九十二条）" for "还了一点钱，还能要回来吗").
    """
    terms = [t for t in set(question_terms) if len(t) >= 2]

    def overlap(key: tuple[str, str]) -> int:
        claims = "".join(dict.fromkeys(referring_sentences(*key, body, corpus, whole=True)))
        return sum(min(len(t), 4) for t in terms if t in claims)

    # Fuse the two orders (reciprocal rank): retrieval knows the topic, the claims know the question.
    by_overlap = {k: i for i, k in enumerate(sorted(keys, key=lambda k: (-overlap(k), keys.index(k))))}
    fused = {k: 1 / (FUSION_K + i) + 1 / (FUSION_K + by_overlap[k]) for i, k in enumerate(keys)}
    return sorted(keys, key=lambda k: (-fused[k], keys.index(k)))


__all__ = ["cite_claims", "by_claim_relevance"]
