"""Hybrid retrieval: a LangChain retriever fusing dense (Chroma) and BM25 results.

Fusion is weighted reciprocal-rank fusion by default; a score-normalised
weighted sum is available for comparison (`python -m bot.eval` measures both).
Documents that are no longer in force are demoted unless the question asks for
an old text ("2012年", "旧法" …). Every result is a LangChain Document whose
metadata is the chunk's metadata plus chunk_id, score and per-retriever ranks.
"""
from __future__ import annotations

import json
from functools import lru_cache
from typing import Any, Literal

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from bot.lookup import load_document_data
from bot.query import Query, build_query

Mode = Literal["hybrid", "dense", "keyword"]
NOT_IN_FORCE = {"superseded", "amended", "repealed"}


@lru_cache(maxsize=1)
def old_version_markers() -> tuple[str, ...]:
    """Words that ask for a superseded text (from the non-default variants in documents.yaml)."""
    markers: set[str] = set()
    for variant in load_document_data().get("variants", {}).values():
        for choice in variant.get("choices", []):
            if choice["doc"] != variant["default"]:
                markers.update(str(k).lower() for k in choice["keywords"])
    return tuple(sorted(markers))


def wants_old_version(text: str) -> bool:
    lowered = text.lower()
    return any(m in lowered for m in old_version_markers())


class HybridRetriever(BaseRetriever):
    """Dense + BM25 over the index from `ingest.index.open_index`, fused by rank."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    index: Any
    mode: Mode = "hybrid"
    k: int = 10
    fetch_k: int = 30              # candidates taken from each retriever before fusion
    fusion: Literal["rrf", "score"] = "rrf"
    rrf_k: int = 60
    dense_weight: float = 1.0
    keyword_weight: float = 1.0
    demote: float = 0.5            # score factor for documents not in force
    expand: bool = True            # append legal terms for colloquial words
    dense_expand: bool = False     # also send the expansion to the dense retriever

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        return self.search(build_query(query))

    # The engine calls this directly with an already normalised Query (and follow-up context).
    def search(self, query: Query, k: int | None = None, context: str = "") -> list[Document]:
        k = k or self.k
        keyword_text = query.search_text if self.expand else query.text
        dense_text = keyword_text if self.dense_expand else query.text
        if context:
            keyword_text, dense_text = f"{keyword_text} {context}", f"{dense_text} {context}"
        dense = self.index.dense(dense_text, k=self.fetch_k) if self.mode in ("hybrid", "dense") else []
        keyword = self.index.keyword(keyword_text, k=self.fetch_k) if self.mode in ("hybrid", "keyword") else []
        fused = self._fuse(dense, keyword)
        if not wants_old_version(query.text):
            for entry in fused.values():
                if entry["hit"].metadata.get("status") in NOT_IN_FORCE:
                    entry["score"] *= self.demote
        ranked = sorted(fused.values(), key=lambda e: -e["score"])[:k]
        return [self._document(e) for e in ranked]

    def _fuse(self, dense: list, keyword: list) -> dict[str, dict]:
        fused: dict[str, dict] = {}
        for name, hits, weight in (("dense", dense, self.dense_weight), ("keyword", keyword, self.keyword_weight)):
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
        meta.update(chunk_id=hit.chunk_id, score=round(entry["score"], 6),
                    dense_score=entry.get("dense_score"), keyword_score=entry.get("keyword_score"),
                    dense_rank=entry.get("dense_rank"), keyword_rank=entry.get("keyword_rank"))
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


def ranked_articles(docs: list[Document], expand_cards: bool = True, corpus=None) -> list[tuple[str, str]]:
    """Regulation articles in rank order; a retrieved card contributes its cited articles at its rank.

    With a corpus, card cites are normalised to the label as written in the corpus.
    Guidance chunks never contribute (they are not legal authority).
    """
    out: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()

    def add(key: tuple[str, str]) -> None:
        if corpus is not None:
            article = corpus.article(*key)
            if article is None:
                return
            key = (key[0], article.label)
        if key not in seen:
            seen.add(key)
            out.append(key)

    for doc in docs:
        meta = doc.metadata
        key = article_key(meta)
        if key:
            add(key)
        elif expand_cards and meta.get("source") == "card":
            for cite in card_cites(meta):
                add(cite)
    return out


__all__ = ["HybridRetriever", "ranked_articles", "article_key", "card_cites", "wants_old_version"]
