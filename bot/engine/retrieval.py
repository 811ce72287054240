"""Hybrid retrieval: dense (Chroma) and BM25 results fused by rank, as LangChain Documents.

Fusion is weighted reciprocal-rank fusion by default; a score-normalised
weighted sum is available for comparison (`python -m bot.eval` measures both).
Documents that are no longer in force are demoted unless the question asks for
an old text of a named law ("2012年治安管理处罚法", "旧版治安管理处罚法" …). Every result is a LangChain Document whose
metadata is the chunk's metadata plus chunk_id, score and per-retriever ranks.

`HybridRetriever.as_langchain()` is the same retriever as a LangChain `BaseRetriever` (for chains,
`invoke`, callbacks). The engine calls `search` directly, so LangChain's retriever machinery, which
takes about half a second to import, is imported only when that adapter is asked for.
"""
from __future__ import annotations

import itertools
import json
from typing import Any, Literal

from langchain_core.documents import Document
from pydantic import BaseModel, ConfigDict

from bot.engine.lookup import asks_for_old_version
from bot.engine.query import Query

Mode = Literal["hybrid", "dense", "keyword"]
NOT_IN_FORCE = {"superseded", "amended", "repealed"}


def wants_old_version(text: str) -> bool:
    """The question asks for a superseded text of a named law ("2012年治安管理处罚法"), see bot.engine.lookup."""
    return asks_for_old_version(text)


class HybridRetriever(BaseModel):
    """Dense + BM25 over the index from `ingest.reader.open_index`, fused by rank."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    index: Any
    mode: Mode = "hybrid"
    k: int = 10
    fetch_k: int = 30              # candidates taken from each retriever before fusion
    fusion: Literal["rrf", "score"] = "rrf"
    rrf_k: int = 60
    dense_weight: float = 1.0
    keyword_weight: float = 2.0     # measured: same Recall@5, better MRR than 1.0 (python -m bot.eval)
    demote: float = 0.5            # score factor for documents not in force
    expand: bool = True            # append legal terms for colloquial words
    dense_expand: bool = False     # also send the expansion to the dense retriever
    cards: Any = None              # bot.engine.cardmatch.CardMatcher: question vs each card's listed phrasings
    card_weight: float = 1.0
    card_k: int = 3
    corpus: Any = None             # with a corpus, an article the user names ("民法典第1032条") ranks first

    def as_langchain(self):
        """This retriever as a LangChain BaseRetriever (bot.engine.langchain_retriever)."""
        from bot.engine.langchain_retriever import LangChainRetriever

        return LangChainRetriever(hybrid=self)

    # The engine calls this directly with an already normalised Query (and follow-up context).
    def search(self, query: Query, k: int | None = None, context: str = "") -> list[Document]:
        k = k or self.k
        keyword_text = query.search_text if self.expand else query.text
        dense_text = keyword_text if self.dense_expand else query.text
        if context:
            keyword_text, dense_text = f"{keyword_text} {context}", f"{dense_text} {context}"
        use_dense, use_keyword = self.mode in ("hybrid", "dense"), self.mode in ("hybrid", "keyword")
        lists = []
        if use_dense:
            lists.append(("dense", self.index.dense(dense_text, k=self.fetch_k), self.dense_weight))
        if use_keyword:
            lists.append(("keyword", self.index.keyword(keyword_text, k=self.fetch_k), self.keyword_weight))
        card_scores: dict[str, dict] = {}
        if self.cards is not None:
            # Every card is scored (there are few); only the top card_k enter the fusion.
            for name, enabled, matches in (
                    ("card_dense", use_dense, lambda: self.cards.dense(dense_text, k=len(self.cards.card_ids))),
                    ("card_keyword", use_keyword,
                     lambda: self.cards.keyword_match(keyword_text, k=len(self.cards.card_ids)))):
                if not enabled:
                    continue
                found = matches()
                for rank, (card_id, score) in enumerate(found, start=1):
                    card_scores.setdefault(f"card:{card_id}", {}).update(
                        {f"{name}_score": score, f"{name}_rank": rank})
                lists.append((name, self._card_hits(found[:self.card_k]), self.card_weight))
        fused = self._fuse(lists)
        for chunk_id, extra in card_scores.items():
            if chunk_id in fused:
                fused[chunk_id].update(extra)
        if not wants_old_version(query.text):
            for entry in fused.values():
                if entry["hit"].metadata.get("status") in NOT_IN_FORCE:
                    entry["score"] *= self.demote
        ranked = sorted(fused.values(), key=lambda e: -e["score"])[:k]
        named = self._named_article(query)
        if named is not None:   # the user named an article: it comes first
            ranked = [named] + [e for e in ranked if e["hit"].chunk_id != named["hit"].chunk_id][:k - 1]
        return [self._document(e) for e in ranked]

    def _named_article(self, query: Query) -> dict | None:
        if self.corpus is None:
            return None
        from bot.engine.lookup import lookup

        found = lookup(query.text, self.corpus)
        if found is None or found.kind != "article":
            return None
        hit = self.index.get(f"reg:{found.doc_id}:{found.article.label}")
        return {"hit": hit, "score": 1.0, "lookup_rank": 1} if hit is not None else None

    def _card_hits(self, matches: list[tuple[str, float]]) -> list:
        hits = []
        for card_id, score in matches:
            hit = self.index.get(f"card:{card_id}")
            if hit is not None:
                hit.score = score
                hits.append(hit)
        return hits

    def _fuse(self, lists: list[tuple[str, list, float]]) -> dict[str, dict]:
        fused: dict[str, dict] = {}
        for name, hits, weight in lists:
            top = max((h.score for h in hits), default=0.0)
            low = min((h.score for h in hits), default=0.0)
            for rank, hit in enumerate(hits, start=1):
                entry = fused.setdefault(hit.chunk_id, {"hit": hit, "score": 0.0})
                entry[f"{name}_rank"] = rank
                entry[f"{name}_score"] = float(hit.score)
                if self.fusion == "rrf":
                    entry["score"] += weight / (self.rrf_k + rank)
                else:
                    span = (top - low) or 1.0
                    entry["score"] += weight * (hit.score - low) / span
        return fused

    @staticmethod
    def _document(entry: dict) -> Document:
        hit = entry["hit"]
        meta = dict(hit.metadata)
        meta.update(chunk_id=hit.chunk_id, score=round(entry["score"], 6))
        for name in ("dense", "keyword", "card_dense", "card_keyword", "lookup"):
            meta[f"{name}_score"] = entry.get(f"{name}_score")
            meta[f"{name}_rank"] = entry.get(f"{name}_rank")
        return Document(page_content=hit.text, metadata=meta, id=hit.chunk_id)


def article_key(meta: dict) -> tuple[str, str] | None:
    """(doc_id, article label) of a regulation chunk, else None."""
    if meta.get("source") == "regulation" and meta.get("doc_id") and meta.get("article"):
        return meta["doc_id"], meta["article"]
    return None


def card_cites(meta: dict) -> list[tuple[str, str]]:
    try:
        return [(c["doc"], c["article"]) for c in json.loads(meta.get("cites") or "[]")]
    except (TypeError, ValueError, KeyError):
        return []


CARD_KEYWORD_BONUS = 0.1   # for BM25 rank 1 over the card phrasings (halved at rank 2 …)
CARD_FUSED_BONUS = 0.1     # for being the first card in the fused ranking (halved for the second …)


def card_preference(meta: dict, position: int = 0) -> float:
    """How well a retrieved card answers the question: cosine to its closest listed phrasing,
    plus bonuses for a top BM25 rank over the phrasings and for its place in the fused ranking."""
    dense = meta.get("card_dense_score") or 0.0
    rank = meta.get("card_keyword_rank")
    return dense + (CARD_KEYWORD_BONUS / rank if rank else 0.0) + CARD_FUSED_BONUS / (position + 1)


def best_cards(docs: list[Document], n: int = 1, window: int = 5) -> list[Document]:
    """The n cards among the first `window` retrieved cards that answer the question best."""
    cards = [d for d in docs if d.metadata.get("source") == "card"][:window]
    scored = sorted(enumerate(cards), key=lambda p: -card_preference(p[1].metadata, p[0]))
    return [d for _, d in scored[:n]]


CARD_RETRIEVAL_WEIGHT = 1.0   # how much a retrieval match raises a card's classifier probability
# How much better another card must score to replace retrieval's card. 0 named the gold card for 2 more
# of 139 train questions cross-validated by page (`python -m bot.eval --realworld cv`), the same on dev,
# but switched an in-house contact's question to the wrong card (`python -m bot.eval`), so it stays.
CARD_SWITCH_MARGIN = 0.2


def fused_card(docs: list[Document], card_probabilities: dict[str, float], current: str,
               window: int = 5) -> tuple[str, float] | None:
    """The card that best answers the question by the classifier and retrieval together, with its
    probability, or None when retrieval's card (`current`) stays.

    Each card's classifier probability is raised by how well retrieval matched it (its
    `card_preference` among the first `window` retrieved cards): p × (1 + CARD_RETRIEVAL_WEIGHT ×
    preference). The classifier reads colloquial words retrieval misses ("出国", "爆通讯录"),
    retrieval breaks the classifier's near ties; another card replaces `current` only when it scores
    CARD_SWITCH_MARGIN better. Measured by grouped cross-validation on the real-world train split and
    on dev (`python -m bot.eval --realworld dev`).
    """
    if not card_probabilities:
        return None
    cards = [d for d in docs if d.metadata.get("source") == "card"][:window]
    preference: dict[str, float] = {}
    for position, doc in enumerate(cards):
        preference.setdefault(doc.metadata.get("card_id"), card_preference(doc.metadata, position))
    scores = {c: p * (1.0 + CARD_RETRIEVAL_WEIGHT * preference.get(c, 0.0)) for c, p in card_probabilities.items()}
    best = max(scores, key=scores.get)
    if best == current or scores[best] < (1.0 + CARD_SWITCH_MARGIN) * scores.get(current, 0.0):
        return None
    return best, card_probabilities[best]


def ranked_articles(docs: list[Document], corpus=None, cards: int = 1, expand_cards: bool = True) -> list[tuple[str, str]]:
    """Regulation articles in rank order, interleaved with the articles cited by the top `cards` cards.

    Interleaving (card cite, retrieved article, card cite, …) measured best on the eval set
    (`python -m bot.eval`): the best card is usually right about the topic, while direct hits
    catch articles a card does not cite. With a corpus, labels are normalised to the corpus.
    Guidance chunks never contribute (they are not legal authority).
    """
    def norm(key: tuple[str, str]) -> tuple[str, str] | None:
        if corpus is None:
            return key
        article = corpus.article(*key)
        return (key[0], article.label) if article is not None else None

    regs = [k for k in (norm(article_key(d.metadata)) for d in docs if article_key(d.metadata)) if k]
    head: list[tuple[str, str]] = []
    if expand_cards:
        for doc in best_cards(docs, cards):
            head += [k for k in (norm(c) for c in card_cites(doc.metadata)) if k]
    out: list[tuple[str, str]] = []
    for pair in itertools.zip_longest(head, regs):
        for key in pair:
            if key is not None and key not in out:
                out.append(key)
    return out


__all__ = ["HybridRetriever", "ranked_articles", "best_cards", "card_preference", "fused_card", "article_key", "card_cites",
           "wants_old_version"]
