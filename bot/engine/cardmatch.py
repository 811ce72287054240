"""Match a question against the phrasings listed in each answer card.

A card is indexed as one chunk (all its questions plus its body), which blurs
the signal; comparing the question with each listed phrasing separately is a
much sharper test of "this card answers this". The phrasings and their vectors
are built at ingest time and stored with the index (`SearchIndex.card_phrasings`).
"""
from __future__ import annotations

import logging
import threading
from collections import OrderedDict

import numpy as np

from ingest.keyword import KeywordIndex
from ingest.normalize import normalize_text
from ingest.reader import CardPhrasings

logging.getLogger("bm25s").setLevel(logging.WARNING)   # it logs every (tiny) index build at DEBUG


class MemoEmbeddings:
    """Wraps the query embedder with a small LRU, so the dense search and the card
    matcher embed each question once."""

    def __init__(self, inner, size: int = 128):
        self.inner = inner
        self.model_id = inner.model_id
        self.dimension = inner.dimension
        self._memo: OrderedDict[str, np.ndarray] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()     # front ends may answer from several threads

    def embed_array(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            found = {t: self._memo[t] for t in texts if t in self._memo}
        missing = [t for t in dict.fromkeys(texts) if t not in found]
        if missing:
            fresh = {t: np.asarray(v, dtype=np.float32) for t, v in zip(missing, self.inner.embed_array(missing))}
            found.update(fresh)
            with self._lock:
                self._memo.update(fresh)
                while len(self._memo) > self._size:
                    self._memo.popitem(last=False)
        return np.stack([found[t] for t in texts])

    def clear(self) -> None:
        with self._lock:
            self._memo.clear()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_array([text])[0].tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_array(texts).tolist()

    def __getattr__(self, name):
        return getattr(self.inner, name)


def _unit(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=-1, keepdims=True)
    return matrix / np.where(norms == 0, 1, norms)


class CardMatcher:
    def __init__(self, phrasings: CardPhrasings, embeddings=None):
        self.card_ids = phrasings.card_ids
        self.texts = phrasings.texts
        self.embeddings = embeddings
        has_vectors = embeddings is not None and len(self.texts) > 0
        self.vectors = _unit(phrasings.vectors) if has_vectors else None
        self._keyword: KeywordIndex | None = None
        self._keyword_lock = threading.Lock()

    @property
    def keyword(self) -> KeywordIndex | None:
        """BM25 over the phrasings, built on first use: it needs jieba's dictionary (about a second
        to load), which a question without keyword search never does."""
        if self._keyword is None and self.texts:
            with self._keyword_lock:
                if self._keyword is None:
                    self._keyword = KeywordIndex.build(self.card_ids, self.texts)
        return self._keyword

    def dense(self, text: str, k: int = 5) -> list[tuple[str, float]]:
        """(card id, best cosine over its phrasings), best first."""
        if self.vectors is None or not text:
            return []
        query = _unit(self.embeddings.embed_array([normalize_text(text)])[0])
        sims = self.vectors @ query
        best: dict[str, float] = {}
        for card_id, sim in zip(self.card_ids, sims):
            if sim > best.get(card_id, -1.0):
                best[card_id] = float(sim)
        return sorted(best.items(), key=lambda p: -p[1])[:k]

    def keyword_match(self, text: str, k: int = 5) -> list[tuple[str, float]]:
        """(card id, best BM25 score over its phrasings), best first."""
        if self.keyword is None:
            return []
        best: dict[str, float] = {}
        for card_id, score in self.keyword.search(text, k=len(self.card_ids)):
            best[card_id] = max(best.get(card_id, 0.0), score)
        return sorted(best.items(), key=lambda p: -p[1])[:k]


__all__ = ["CardMatcher", "MemoEmbeddings"]
