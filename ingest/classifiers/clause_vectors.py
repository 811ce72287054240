"""Sentence embeddings of the message model's clauses, from the embedder the index uses.

Character n-grams only match wordings that share characters; the sentence embedding of a clause
carries its meaning across wordings (a paraphrase, the same threat in English). The message model
reads both (ingest/classifiers/message_model.py).

Training embeds the same clauses again for every out-of-fold model: `ClauseVectors` embeds each
text once per process and, given the index's embedding cache, once across ingests. At check time
the model embeds a message's few clauses with the embedder of the serving settings
(`ingest.embeddings.serving_embeddings`, shared with the engine), offline like the index's.
"""
from __future__ import annotations

import numpy as np

from ingest.cache import EmbeddingCache


class ClauseVectors:
    """An embedder (`embed_array`, `model_id`, `dimension`) that remembers what it embedded.

    For training and evaluation only: it keeps every text it saw, so it never serves user messages."""

    def __init__(self, embeddings, cache: EmbeddingCache | None = None):
        self.embeddings = embeddings
        self.cache = cache
        self.model_id = embeddings.model_id
        self.dimension = embeddings.dimension
        self._seen: dict[str, np.ndarray] = {}

    def embed_array(self, texts: list[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self._seen]
        if missing:
            self._seen.update(zip(missing, self._embed(missing)))
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack([self._seen[t] for t in texts])

    def _embed(self, texts: list[str]) -> np.ndarray:
        if self.cache is None:
            return self.embeddings.embed_array(texts)
        # Imported here: ingest.build imports the classifiers.
        from ingest.build import embed_texts

        vectors, _ = embed_texts(self.embeddings, texts, self.cache, progress=False)
        return vectors


__all__ = ["ClauseVectors"]
