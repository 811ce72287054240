"""BM25 keyword index over jieba tokens (bm25s), persisted beside the vector store.

Queries and chunks are tokenised by the same function, after the same
normalisation, so a Traditional or full-width query matches Simplified text.
"""
from __future__ import annotations

import json
import re
import tempfile
import threading
from functools import lru_cache
from pathlib import Path

import numpy as np

from ingest.normalize import normalize_text

# Particles and pronouns that carry no retrieval signal in colloquial questions.
STOPWORDS = frozenset("的 了 吗 呢 啊 吧 呀 嘛 么 哦 哈 是 我 你 他 她 它 我们 你们 他们 这 那 这个 那个 "
                      "就 都 也 还 又 和 与 及 或 而 在 被 把 给 让 会 能 要 有 没 个 些 吧 啥 怎么 什么 "
                      "如何 可以 一下 请问".split())
_TOKEN_OK = re.compile(r"[\w\u3400-\u9fff]")
_IDS_FILE = "chunk_ids.json"


@lru_cache(maxsize=1)
def _tokenizer():
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()   # own instance: other modules' jieba dictionaries stay untouched
    tokenizer.tmp_dir = str(_jieba_cache_dir())
    tokenizer.initialize()
    return tokenizer


def _jieba_cache_dir() -> Path:
    """jieba's dictionary cache goes under DATA_DIR: its default, a fixed name in the shared
    system temp directory, cannot be replaced when another user created it."""
    from ingest.settings import IngestSettings

    folder = Path(IngestSettings().data_dir)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        return folder
    except OSError:
        return Path(tempfile.mkdtemp(prefix="zhiquan-jieba-"))   # private to this process


_TOKENIZE_LOCK = threading.Lock()


def tokenize(text: str, normalized: bool = False) -> list[str]:
    """Normalise, cut with jieba (search mode: words plus their sub-words), drop punctuation/stopwords.

    `normalized=True` skips normalisation for text that already went through `normalize_text`
    (chunk text does), which halves indexing time; the result is the same.
    """
    text = (text if normalized else normalize_text(text)).lower()
    if not text:
        return []
    tokenizer = _tokenizer()
    with _TOKENIZE_LOCK:
        tokens = tokenizer.lcut_for_search(text)
    return [t for t in (tok.strip() for tok in tokens) if t and _TOKEN_OK.search(t) and t not in STOPWORDS]


class KeywordIndex:
    """BM25 scores for a fixed list of chunk ids."""

    def __init__(self, retriever, chunk_ids: list[str]):
        self._retriever = retriever
        self.chunk_ids = chunk_ids
        self._vocab = set(retriever.vocab_dict) if getattr(retriever, "vocab_dict", None) else None
        self._lock = threading.Lock()

    @classmethod
    def build(cls, chunk_ids: list[str], texts: list[str]) -> KeywordIndex:
        """`texts` must already be normalised (chunk text is)."""
        import bm25s

        retriever = bm25s.BM25()
        # An empty token list would break bm25s; a placeholder keeps row numbers aligned with ids.
        corpus = [tokenize(t, normalized=True) or ["\u2205"] for t in texts]
        retriever.index(corpus, show_progress=False)
        return cls(retriever, list(chunk_ids))

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self._retriever.save(str(folder), show_progress=False)
        (folder / _IDS_FILE).write_text(json.dumps(self.chunk_ids, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> KeywordIndex:
        import bm25s

        retriever = bm25s.BM25.load(str(folder), show_progress=False)
        ids = json.loads((folder / _IDS_FILE).read_text(encoding="utf-8"))
        return cls(retriever, ids)

    def __len__(self) -> int:
        return len(self.chunk_ids)

    def search(self, query: str, k: int = 10) -> list[tuple[str, float]]:
        """(chunk id, BM25 score) best first; only chunks sharing a token with the query."""
        tokens = tokenize(query)
        if self._vocab is not None:
            tokens = [t for t in tokens if t in self._vocab]
        if not tokens or k <= 0 or not self.chunk_ids:
            return []
        with self._lock:
            scores = np.asarray(self._retriever.get_scores(tokens), dtype=np.float32)
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(self.chunk_ids[i], float(scores[i])) for i in top if scores[i] > 0]


__all__ = ["KeywordIndex", "tokenize", "STOPWORDS"]
