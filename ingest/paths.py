"""Where an index lives under DATA_DIR; shared by the builder and the reader.

DATA_DIR/CURRENT names the serving version; DATA_DIR/indexes/<version>/ holds its
chunks, BM25 index, card-phrasing vectors and manifest.
"""
from __future__ import annotations

import json
from pathlib import Path

CURRENT_FILE = "CURRENT"
INDEXES_DIR = "indexes"
LOCK_FILE = "ingest.lock"
CACHE_FILE = "embedding-cache.sqlite"
CHUNKS_FILE = "chunks.jsonl"
MANIFEST_FILE = "manifest.json"
BM25_DIR = "bm25"
CARD_VECTORS_FILE = "card-vectors.npz"


def read_current(data_dir: Path) -> dict | None:
    """The CURRENT pointer, or None when there is none (or it is unreadable: treated as no index)."""
    path = Path(data_dir) / CURRENT_FILE
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def embedding_cache_path(settings) -> Path:
    """EMBEDDING_CACHE, or DATA_DIR/embedding-cache.sqlite."""
    return Path(settings.embedding_cache or Path(settings.data_dir) / CACHE_FILE)


__all__ = ["CURRENT_FILE", "INDEXES_DIR", "LOCK_FILE", "CACHE_FILE", "CHUNKS_FILE", "MANIFEST_FILE", "BM25_DIR",
           "CARD_VECTORS_FILE", "read_current", "embedding_cache_path"]
